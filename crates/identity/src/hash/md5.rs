//! MD5 imports: `$md5$<hash>`, `$md5$pf=<pattern>$<salt>$<hash>` (padded base64) and
//! `$md5-crypt$<salt>$<hash>` (FreeBSD MD5-crypt, `$1$`).

use md5::{Digest, Md5};

use super::encoding::{apply_pattern, b64_padded, ct_eq, decode_pattern};
use super::HashError;

const MD5: &str = "md5";
const MD5_CRYPT: &str = "md5crypt";

struct Plain {
    /// Pattern and salt, when salted.
    salting: Option<(Vec<u8>, Vec<u8>)>,
    hash: Vec<u8>,
}

fn parse(stored: &str) -> Result<Plain, HashError> {
    let parts: Vec<&str> = stored.split('$').collect();
    match parts.len() {
        3 => Ok(Plain {
            salting: None,
            hash: b64_padded(parts[2], MD5)?,
        }),
        5 => Ok(Plain {
            salting: Some((decode_pattern(parts[2], MD5)?, b64_padded(parts[3], MD5)?)),
            hash: b64_padded(parts[4], MD5)?,
        }),
        _ => Err(HashError::invalid(MD5, "expected 3 or 5 fields")),
    }
}

/// Validates a `$md5$` hash.
pub(crate) fn validate(stored: &str) -> Result<(), HashError> {
    parse(stored).map(drop)
}

/// Checks `password` against a `$md5$` hash.
pub(crate) fn verify(password: &[u8], stored: &str) -> Result<bool, HashError> {
    let h = parse(stored)?;
    let digest = match &h.salting {
        None => Md5::digest(password),
        Some((pattern, salt)) => Md5::digest(apply_pattern(pattern, salt, password).as_slice()),
    };
    Ok(ct_eq(&digest, &h.hash))
}

/// Splits `$md5-crypt$<salt>$<hash>` into salt (at most 8 bytes used) and encoded hash.
fn parse_crypt(stored: &str) -> Result<(&str, &str), HashError> {
    let parts: Vec<&str> = stored.split('$').collect();
    if parts.len() != 4 || parts[1] != "md5-crypt" {
        return Err(HashError::invalid(
            MD5_CRYPT,
            "expected $md5-crypt$<salt>$<hash>",
        ));
    }
    Ok((parts[2], parts[3]))
}

/// Validates a `$md5-crypt$` hash.
pub(crate) fn validate_crypt(stored: &str) -> Result<(), HashError> {
    parse_crypt(stored).map(drop)
}

/// Checks `password` against a `$md5-crypt$` hash.
pub(crate) fn verify_crypt(password: &[u8], stored: &str) -> Result<bool, HashError> {
    let (salt, hash) = parse_crypt(stored)?;
    let salt = &salt.as_bytes()[..salt.len().min(8)];
    Ok(ct_eq(md5_crypt(password, salt).as_bytes(), hash.as_bytes()))
}

/// The MD5-crypt digest (22 characters of crypt base64), after Poul-Henning Kamp's algorithm.
fn md5_crypt(password: &[u8], salt: &[u8]) -> String {
    const MAGIC: &[u8] = b"$1$";
    let alternate = Md5::new()
        .chain_update(password)
        .chain_update(salt)
        .chain_update(password)
        .finalize();
    let mut ctx = Md5::new()
        .chain_update(password)
        .chain_update(MAGIC)
        .chain_update(salt);
    for chunk in (0..password.len()).step_by(16) {
        ctx.update(&alternate[..(password.len() - chunk).min(16)]);
    }
    let mut i = password.len();
    while i > 0 {
        if i & 1 == 1 {
            ctx.update([0u8]);
        } else {
            ctx.update(&password[..1]);
        }
        i >>= 1;
    }
    let mut digest = ctx.finalize();
    // 1000 rounds to slow down brute force (the algorithm's own constant).
    for round in 0..1000 {
        let mut c = Md5::new();
        if round & 1 == 1 {
            c.update(password);
        } else {
            c.update(digest);
        }
        if round % 3 != 0 {
            c.update(salt);
        }
        if round % 7 != 0 {
            c.update(password);
        }
        if round & 1 == 1 {
            c.update(digest);
        } else {
            c.update(password);
        }
        digest = c.finalize();
    }
    let mut out = String::with_capacity(22);
    for (a, b, c) in [(0, 6, 12), (1, 7, 13), (2, 8, 14), (3, 9, 15), (4, 10, 5)] {
        let v = (u32::from(digest[a]) << 16) | (u32::from(digest[b]) << 8) | u32::from(digest[c]);
        push_crypt64(&mut out, v, 4);
    }
    push_crypt64(&mut out, u32::from(digest[11]), 2);
    out
}

/// Appends `n` characters of crypt's base64 (`./0-9A-Za-z`), least significant first.
pub(crate) fn push_crypt64(out: &mut String, mut v: u32, n: usize) {
    const ALPHABET: &[u8; 64] = b"./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    for _ in 0..n {
        out.push(ALPHABET[(v & 0x3f) as usize] as char);
        v >>= 6;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kratos_md5_vectors() {
        // From kratos hash/hasher_test.go.
        assert!(verify(b"test", "$md5$CY9rzUYh03PK3k6DJie09g==").unwrap());
        assert!(!verify(b"test", "$md5$WhBei51A4TKXgNYuoiZdig==").unwrap());
        assert!(verify(b"ory", "$md5$ptoWyof5SobW+pbZu2QXoQ==").unwrap());
        let salted = "$md5$pf=e1NBTFR9e1BBU1NXT1JEfQ==$MTIz$q+RdKCgc+ipCAcm5ChQwlQ==";
        assert!(verify(b"test", salted).unwrap());
        let dollars = "$md5$pf=e1NBTFR9JCR7UEFTU1dPUkR9$MTIzNA==$ud392Z8rfZ+Ou7ZFXYLKbA==";
        assert!(verify(b"test", dollars).unwrap());
        assert!(!verify(b"test1", dollars).unwrap());
        let suffix = "$md5$pf=e1BBU1NXT1JEfXtTQUxUfSQ/$MTIzNDU2Nzg5$8PhwWanVRnpJAFK4NUjR0w==";
        assert!(verify(b"ory", suffix).unwrap());
        assert!(!verify(b"ory1", suffix).unwrap());
    }

    #[test]
    fn python_md5_vectors() {
        // hashlib, password "Nexus-pw 1"; salted with pattern {PASSWORD}:{SALT}, salt "NaCl".
        assert!(verify(b"Nexus-pw 1", "$md5$RCuLHTaisV8kqavFgtVbOw==").unwrap());
        let h = "$md5$pf=e1BBU1NXT1JEfTp7U0FMVH0=$TmFDbA==$P/otLaLvcETi5A/jtlI8YQ==";
        assert!(verify(b"Nexus-pw 1", h).unwrap());
        assert!(!verify(b"Nexus-pw 2", h).unwrap());
    }

    #[test]
    fn md5_malformed() {
        assert!(validate("$md5$$").is_err());
        assert!(validate("$md5$$$").is_err());
        assert!(validate("$md5$pf=$$").is_err());
        assert!(validate("$md5$pf=MTIz$Z$").is_err());
        assert!(validate("$md5$pf=MTIz$MTIz$Z").is_err());
    }

    #[test]
    fn md5_crypt_vectors() {
        // From kratos hash/hasher_test.go.
        assert!(verify_crypt(b"test", "$md5-crypt$TVEiiKNb$SN6/pUaRQS/E8Jh46As2C/").unwrap());
        assert!(verify_crypt(b"test", "$md5-crypt$$whuMjZj.HMFoaTaZRRtkO0").unwrap());
        assert!(!verify_crypt(b"test", "$md5-crypt$xWMlm2eL$GGTOpgZu4p2k6ORprAu3b.").unwrap());
        assert!(verify_crypt(b"ory", "$md5-crypt$xWMlm2eL$GGTOpgZu4p2k6ORprAu3b.").unwrap());
        assert!(!verify_crypt(b"ory", "$md5-crypt$$").unwrap());
        assert!(validate_crypt("$md5-crypt$$$").is_err());
        assert!(validate_crypt("$md5-crypt$whuMjZj.HMFoaTaZRRtkO0").is_err());
        // passlib md5_crypt, password "Nexus-pw 1".
        let py = "$md5-crypt$abcdefgh$VNIRSo6CKjX8Pv20h1zpx0";
        assert!(verify_crypt(b"Nexus-pw 1", py).unwrap());
        assert!(!verify_crypt(b"Nexus-pw 2", py).unwrap());
    }
}
