//! PBKDF2 imports: `$pbkdf2-<digest>$i=<iterations>,l=<length>$<salt>$<hash>` (unpadded base64).

use sha2::{Sha256, Sha512};
use sha3::{Sha3_224, Sha3_384};

use super::encoding::{b64_unpadded, ct_eq, parse_params};
use super::HashError;

const FORMAT: &str = "pbkdf2";
/// Kratos `maxPbkdf2Iterations`: 10× the strongest published recommendation.
const MAX_ITERATIONS: u64 = 10_000_000;

/// The PRF named in the hash. Kratos maps `sha224`/`sha384` to SHA3 (a historical quirk kept
/// for compatibility) and any other `sha<n>` to SHA-256.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Prf {
    Sha1,
    Sha3_224,
    Sha256,
    Sha3_384,
    Sha512,
}

struct Parsed {
    prf: Prf,
    iterations: u32,
    salt: Vec<u8>,
    hash: Vec<u8>,
}

/// Whether `stored` looks like PBKDF2 (Kratos: `^\$pbkdf2-sha[0-9]{1,3}\$`).
pub(crate) fn is_pbkdf2(stored: &str) -> bool {
    stored
        .strip_prefix("$pbkdf2-sha")
        .and_then(|rest| rest.split_once('$'))
        .is_some_and(|(digits, _)| {
            (1..=3).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
        })
}

fn parse(stored: &str) -> Result<Parsed, HashError> {
    let parts: Vec<&str> = stored.split('$').collect();
    if parts.len() != 5 {
        return Err(HashError::invalid(FORMAT, "expected 5 fields"));
    }
    let prf = match parts[1].strip_prefix("pbkdf2-") {
        Some("sha1") => Prf::Sha1,
        Some("sha224") => Prf::Sha3_224,
        Some("sha384") => Prf::Sha3_384,
        Some("sha512") => Prf::Sha512,
        Some(_) => Prf::Sha256,
        None => return Err(HashError::invalid(FORMAT, "bad identifier")),
    };
    // `l` is informative: the key length is that of the stored hash, as in Kratos.
    let [iterations, _] = parse_params(parts[2], ["i", "l"], FORMAT)?;
    if iterations == 0 || iterations > MAX_ITERATIONS {
        return Err(HashError::bounds(
            FORMAT,
            format!("i={iterations} not in [1, {MAX_ITERATIONS}]"),
        ));
    }
    let salt = b64_unpadded(parts[3], FORMAT)?;
    let hash = b64_unpadded(parts[4], FORMAT)?;
    if hash.is_empty() {
        return Err(HashError::invalid(FORMAT, "empty hash"));
    }
    Ok(Parsed {
        prf,
        iterations: iterations as u32,
        salt,
        hash,
    })
}

/// Validates shape and bounds.
pub(crate) fn validate(stored: &str) -> Result<(), HashError> {
    parse(stored).map(drop)
}

/// Checks `password` against a stored PBKDF2 hash.
pub(crate) fn verify(password: &[u8], stored: &str) -> Result<bool, HashError> {
    let p = parse(stored)?;
    let mut out = vec![0u8; p.hash.len()];
    let (pw, salt, n) = (password, p.salt.as_slice(), p.iterations);
    match p.prf {
        Prf::Sha1 => ::pbkdf2::pbkdf2_hmac::<sha1::Sha1>(pw, salt, n, &mut out),
        Prf::Sha3_224 => ::pbkdf2::pbkdf2_hmac::<Sha3_224>(pw, salt, n, &mut out),
        Prf::Sha256 => ::pbkdf2::pbkdf2_hmac::<Sha256>(pw, salt, n, &mut out),
        Prf::Sha3_384 => ::pbkdf2::pbkdf2_hmac::<Sha3_384>(pw, salt, n, &mut out),
        Prf::Sha512 => ::pbkdf2::pbkdf2_hmac::<Sha512>(pw, salt, n, &mut out),
    }
    Ok(ct_eq(&out, &p.hash))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_vectors() {
        // hashlib.pbkdf2_hmac, password "Nexus-pw 1", salt "saltsaltsalt1234", 1000 rounds.
        for h in [
            "$pbkdf2-sha1$i=1000,l=20$c2FsdHNhbHRzYWx0MTIzNA$c+DON4h22Z09V+Pu7wKP6a0TEdk",
            "$pbkdf2-sha256$i=1000,l=32$c2FsdHNhbHRzYWx0MTIzNA$ItnZt+2y6Ivaww2azeDPaBOgcDtgZcrSUHoZMHDvhZY",
            "$pbkdf2-sha512$i=1000,l=64$c2FsdHNhbHRzYWx0MTIzNA$uDVSAsJC4jXCCJDRNppygqPcMLByr7piqU38GdFHsNXqnAeVmKNqrSmtMvEaDI5CbEQwBzaxM9KY/BOZHOwA6g",
        ] {
            assert!(is_pbkdf2(h));
            assert!(verify(b"Nexus-pw 1", h).unwrap(), "{h}");
            assert!(!verify(b"Nexus-pw 2", h).unwrap(), "{h}");
        }
    }

    #[test]
    fn kratos_vectors() {
        // From kratos hash/hasher_test.go (password "test"); sha224/384 are SHA3 there.
        for h in [
            "$pbkdf2-sha256$i=100000,l=32$1jP+5Zxpxgtee/iPxGgOz0RfE9/KJuDElP1ley4VxXc$QJxzfvdbHYBpydCbHoFg3GJEqMFULwskiuqiJctoYpI",
            "$pbkdf2-sha512$i=100000,l=32$bdHBpn7OWOivJMVJypy2UqR0UnaD5prQXRZevj/05YU$+wArTfv1a+bNGO1iZrmEdVjhA+lL11wF4/IxpgYfPwc",
            "$pbkdf2-sha224$i=100000,l=32$A2nzbFd+wwzPSb+TqkF5Pw$9M4GM2yOYw/fZvsvQbF/0Ec8JO2u9O1MYRTfrDimX6o",
            "$pbkdf2-sha384$i=100000,l=32$xDInuz7Y/DPzZUnCaQXJmg$7ICaEa6jEqxbbCBbv4YzrBf39KYNAtc3Bj0QWKeB3Ck",
        ] {
            assert!(verify(b"test", h).unwrap(), "{h}");
        }
    }

    #[test]
    fn malformed() {
        let salt = "1jP+5Zxpxgtee/iPxGgOz0RfE9/KJuDElP1ley4VxXc";
        let hash = "QJxzfvdbHYBpydCbHoFg3GJEqMFULwskiuqiJctoYpI";
        assert!(validate(&format!("$pbkdf2-sha256${salt}${hash}")).is_err());
        assert!(validate(&format!("$pbkdf2-sha256$aaaa${salt}${hash}")).is_err());
        assert!(validate(&format!("$pbkdf2-sha256$i=100000,l=32${salt}!${hash}")).is_err());
        assert!(validate(&format!("$pbkdf2-sha512$I=100000,l=32${salt}${hash}")).is_err());
        assert!(matches!(
            validate(&format!("$pbkdf2-sha256$i=10000001,l=32${salt}${hash}")),
            Err(HashError::ParametersOutOfBounds { .. })
        ));
    }
}
