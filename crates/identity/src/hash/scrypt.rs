//! scrypt imports (`$scrypt$ln=<N>,r=,p=$<salt>$<hash>`) and Firebase's modified scrypt
//! (`$firescrypt$ln=<log2 N>,r=,p=$<salt>$<hash>$<salt separator>$<signer key>`), padded base64.

use aes::cipher::{KeyIvInit as _, StreamCipher as _};
use zeroize::Zeroizing;

use super::encoding::{b64_padded, ct_eq, parse_params};
use super::HashError;

const SCRYPT: &str = "scrypt";
const FIRESCRYPT: &str = "firescrypt";
/// Kratos bounds: N ≤ 2^17, r ≤ 8, p ≤ 10 (≤ 128 MiB per check); Firebase `ln` ≤ 17.
const MAX_LOG_N: u64 = 17;
const MAX_R: u64 = 8;
const MAX_P: u64 = 10;

struct Cost {
    log_n: u8,
    r: u32,
    p: u32,
}

fn check_rp(format: &'static str, r: u64, p: u64) -> Result<(), HashError> {
    if r == 0 || r > MAX_R {
        return Err(HashError::bounds(
            format,
            format!("r={r} not in [1, {MAX_R}]"),
        ));
    }
    if p == 0 || p > MAX_P {
        return Err(HashError::bounds(
            format,
            format!("p={p} not in [1, {MAX_P}]"),
        ));
    }
    Ok(())
}

/// Kratos reads the `ln` of plain scrypt hashes as N itself (its own vectors say `ln=16384`).
fn scrypt_cost(field: &str) -> Result<Cost, HashError> {
    let [n, r, p] = parse_params(field, ["ln", "r", "p"], SCRYPT)?;
    if n <= 1 || n > 1 << MAX_LOG_N {
        return Err(HashError::bounds(
            SCRYPT,
            format!("N={n} not in [2, {}]", 1u64 << MAX_LOG_N),
        ));
    }
    if !n.is_power_of_two() {
        return Err(HashError::invalid(SCRYPT, "N is not a power of two"));
    }
    check_rp(SCRYPT, r, p)?;
    Ok(Cost {
        log_n: n.trailing_zeros() as u8,
        r: r as u32,
        p: p as u32,
    })
}

fn firescrypt_cost(field: &str) -> Result<Cost, HashError> {
    let [log_n, r, p] = parse_params(field, ["ln", "r", "p"], FIRESCRYPT)?;
    if log_n == 0 || log_n > MAX_LOG_N {
        return Err(HashError::bounds(
            FIRESCRYPT,
            format!("ln={log_n} not in [1, {MAX_LOG_N}]"),
        ));
    }
    check_rp(FIRESCRYPT, r, p)?;
    Ok(Cost {
        log_n: log_n as u8,
        r: r as u32,
        p: p as u32,
    })
}

fn derive(
    format: &'static str,
    password: &[u8],
    salt: &[u8],
    cost: &Cost,
    out: &mut [u8],
) -> Result<(), HashError> {
    let params = ::scrypt::Params::new(cost.log_n, cost.r, cost.p, 32)
        .map_err(|_| HashError::invalid(format, "bad parameters"))?;
    ::scrypt::scrypt(password, salt, &params, out)
        .map_err(|_| HashError::invalid(format, "bad hash length"))
}

struct Scrypt {
    cost: Cost,
    salt: Vec<u8>,
    hash: Vec<u8>,
}

fn parse_scrypt(stored: &str) -> Result<Scrypt, HashError> {
    let parts: Vec<&str> = stored.split('$').collect();
    if parts.len() != 5 {
        return Err(HashError::invalid(SCRYPT, "expected 5 fields"));
    }
    let cost = scrypt_cost(parts[2])?;
    let salt = b64_padded(parts[3], SCRYPT)?;
    let hash = b64_padded(parts[4], SCRYPT)?;
    if hash.is_empty() {
        return Err(HashError::invalid(SCRYPT, "empty hash"));
    }
    Ok(Scrypt { cost, salt, hash })
}

/// Validates a `$scrypt$` hash.
pub(crate) fn validate_scrypt(stored: &str) -> Result<(), HashError> {
    parse_scrypt(stored).map(drop)
}

/// Checks `password` against a `$scrypt$` hash.
pub(crate) fn verify_scrypt(password: &[u8], stored: &str) -> Result<bool, HashError> {
    let h = parse_scrypt(stored)?;
    let mut out = vec![0u8; h.hash.len()];
    derive(SCRYPT, password, &h.salt, &h.cost, &mut out)?;
    Ok(ct_eq(&out, &h.hash))
}

struct Firescrypt {
    cost: Cost,
    salt_and_separator: Vec<u8>,
    hash: Vec<u8>,
    signer_key: Vec<u8>,
}

fn parse_firescrypt(stored: &str) -> Result<Firescrypt, HashError> {
    let parts: Vec<&str> = stored.split('$').collect();
    if parts.len() != 7 {
        return Err(HashError::invalid(FIRESCRYPT, "expected 7 fields"));
    }
    let cost = firescrypt_cost(parts[2])?;
    let mut salt_and_separator = b64_padded(parts[3], FIRESCRYPT)?;
    let hash = b64_padded(parts[4], FIRESCRYPT)?;
    salt_and_separator.extend(b64_padded(parts[5], FIRESCRYPT)?);
    let signer_key = b64_padded(parts[6], FIRESCRYPT)?;
    Ok(Firescrypt {
        cost,
        salt_and_separator,
        hash,
        signer_key,
    })
}

/// Validates a `$firescrypt$` hash.
pub(crate) fn validate_firescrypt(stored: &str) -> Result<(), HashError> {
    parse_firescrypt(stored).map(drop)
}

/// Checks `password` against a `$firescrypt$` hash: the scrypt key (32 bytes, salt ‖
/// separator) encrypts the signer key with AES-256-CTR and a zero IV; that is the hash.
pub(crate) fn verify_firescrypt(password: &[u8], stored: &str) -> Result<bool, HashError> {
    let h = parse_firescrypt(stored)?;
    let mut key = Zeroizing::new([0u8; 32]);
    derive(
        FIRESCRYPT,
        password,
        &h.salt_and_separator,
        &h.cost,
        key.as_mut(),
    )?;
    let mut block = h.signer_key.clone();
    let mut cipher = ctr::Ctr128BE::<aes::Aes256>::new(key.as_ref().into(), &[0u8; 16].into());
    cipher.apply_keystream(&mut block);
    Ok(ct_eq(&block, &h.hash))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrypt_vectors() {
        // hashlib.scrypt, password "Nexus-pw 1", N=1024.
        let py = "$scrypt$ln=1024,r=8,p=1$c2FsdHNhbHRzYWx0MTIzNA==$vBSt64noV4Ehp0hwqoRWPMc4CFGvykzIflK+sMXcP6A=";
        assert!(verify_scrypt(b"Nexus-pw 1", py).unwrap());
        assert!(!verify_scrypt(b"Nexus-pw 2", py).unwrap());
        // From kratos hash/hasher_test.go (password "test").
        let k = "$scrypt$ln=16384,r=8,p=1$2npRo7P03Mt8keSoMbyD/tKFWyUzjiQf2svUaNDSrhA=$MiCzNcIplSMqSBrm4HckjYqYhaVPPjTARTzwB1cVNYE=";
        assert!(verify_scrypt(b"test", k).unwrap());
        assert!(!verify_scrypt(b"tesu", k).unwrap());
    }

    #[test]
    fn scrypt_malformed() {
        let tail = "2npRo7P03Mt8keSoMbyD/tKFWyUzjiQf2svUaNDSrhA=$MiCzNcIplSMqSBrm4HckjYqYhaVPPjTARTzwB1cVNYE=";
        assert!(validate_scrypt(&format!("$scrypt${tail}")).is_err());
        assert!(validate_scrypt(&format!("$scrypt$ln=16385,r=8,p=1${tail}")).is_err());
        assert!(validate_scrypt(&format!("$scrypt$ln=abc,r=8,p=1${tail}")).is_err());
        assert!(validate_scrypt(&format!("$scrypt$ln=16384,r=8,p=1$({tail}")).is_err());
        assert!(matches!(
            validate_scrypt(&format!("$scrypt$ln=262144,r=8,p=1${tail}")),
            Err(HashError::ParametersOutOfBounds { .. })
        ));
        assert!(matches!(
            validate_scrypt(&format!("$scrypt$ln=16384,r=9,p=1${tail}")),
            Err(HashError::ParametersOutOfBounds { .. })
        ));
    }

    #[test]
    fn firescrypt_vector() {
        // From kratos hash/hasher_test.go.
        let k = "$firescrypt$ln=14,r=8,p=1$sPtDhWcd1MfdAw==$xbSou7FOl6mChCyzpCPIQ7tku7nsQMTFtyOZSXXd7tjBa4NtimOx7v42Gv2SfzPQu1oxM2/k4SsbOu73wlKe1A==$Bw==$YE0dO4bwD4JnJafh6lZZfkp1MtKzuKAXQcDCJNJNyeCHairWHKENOkbh3dzwaCdizzOspwr/FITUVlnOAwPKyw==";
        assert!(verify_firescrypt(b"8x4WjoDbSxJZdR", k).unwrap());
        assert!(!verify_firescrypt(b"8x4WjoDbSxJZdr", k).unwrap());
        assert!(matches!(
            validate_firescrypt(&k.replace("ln=14", "ln=18")),
            Err(HashError::ParametersOutOfBounds { .. })
        ));
    }
}
