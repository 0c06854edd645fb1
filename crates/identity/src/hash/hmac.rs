//! HMAC imports: `$hmac-<md4|md5|sha1|sha224|sha256|sha384|sha512>$<hash>$<key>` where the
//! hash is the base64 of the lowercase hex MAC and the key is base64 (both padded).

use hmac::{Hmac, Mac};

use super::encoding::{b64_padded, ct_eq};
use super::HashError;

const FORMAT: &str = "hmac";
const DIGESTS: [&str; 7] = ["md4", "md5", "sha1", "sha224", "sha256", "sha384", "sha512"];

/// Whether `stored` is an HMAC hash of a supported digest.
pub(crate) fn is_hmac(stored: &str) -> bool {
    stored
        .strip_prefix("$hmac-")
        .and_then(|rest| rest.split_once('$'))
        .is_some_and(|(digest, _)| DIGESTS.contains(&digest))
}

struct Parsed<'a> {
    digest: &'a str,
    hash: Vec<u8>,
    key: Vec<u8>,
}

fn parse(stored: &str) -> Result<Parsed<'_>, HashError> {
    let parts: Vec<&str> = stored.split('$').collect();
    if parts.len() != 4 {
        return Err(HashError::invalid(FORMAT, "expected 4 fields"));
    }
    let digest = parts[1]
        .strip_prefix("hmac-")
        .filter(|d| DIGESTS.contains(d))
        .ok_or(HashError::invalid(FORMAT, "unknown digest"))?;
    Ok(Parsed {
        digest,
        hash: b64_padded(parts[2], FORMAT)?,
        key: b64_padded(parts[3], FORMAT)?,
    })
}

/// Validates an `$hmac-…$` hash.
pub(crate) fn validate(stored: &str) -> Result<(), HashError> {
    parse(stored).map(drop)
}

macro_rules! hex_mac {
    ($digest:ty, $key:expr, $msg:expr) => {{
        let mut mac = <Hmac<$digest> as Mac>::new_from_slice($key)
            .map_err(|_| HashError::invalid(FORMAT, "bad key"))?;
        mac.update($msg);
        hex::encode(mac.finalize().into_bytes())
    }};
}

/// Checks `password` against an `$hmac-…$` hash.
pub(crate) fn verify(password: &[u8], stored: &str) -> Result<bool, HashError> {
    let p = parse(stored)?;
    let key = p.key.as_slice();
    let computed = match p.digest {
        "md4" => hex_mac!(md4::Md4, key, password),
        "md5" => hex_mac!(md5::Md5, key, password),
        "sha1" => hex_mac!(sha1::Sha1, key, password),
        "sha224" => hex_mac!(sha2::Sha224, key, password),
        "sha256" => hex_mac!(sha2::Sha256, key, password),
        "sha384" => hex_mac!(sha2::Sha384, key, password),
        _ => hex_mac!(sha2::Sha512, key, password),
    };
    Ok(ct_eq(computed.as_bytes(), &p.hash))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kratos_vectors() {
        // From kratos hash/hasher_test.go (password "test", key "12345").
        for h in [
            "$hmac-md4$MWQ5ZTI4Nzc2Zjg4YmE2MTQ5YjQ0OTMyOGE4NWU4YjA=$MTIzNDU=",
            "$hmac-md5$ZmU4Njk3Zjc0MmQwODA0MDVkMTI3MGU2MTYzMzE2Zjk=$MTIzNDU=",
            "$hmac-sha1$NDMyNjcxZTUyY2Y2YTBmYjZjZDE2NjQxYjAwNjFiZjAwOGEzNWM5MA==$MTIzNDU=",
            "$hmac-sha224$YmUwYmYzM2EwNGRlNDE0YjQzNjBhNmIyOThmNmIyYzI4OWQyMzk3MDUwZDFjMzliYjVmMDMyOTQ=$MTIzNDU=",
            "$hmac-sha256$ZTAzMWJhMWMyOTM4YjFkMjgzZjkxOWExZGY5YWM2NmMxOTJhN2RkNzQ0MzJkNWZkNGFkYTI5OTk0MWJhMTA5Zg==$MTIzNDU=",
            "$hmac-sha384$ZWEyMGM3NGE4Y2UzMTljNTdjZTlhZGQyYTZjNDE0MGQ4YjMwYWIwOWM4OTRiNWQ4MmZjODlhMzBhMmQzNGE5NmQ0NDY1NWRhYjQ2ZjhiYjBkNTRmYjk5YWZkZTA1MGY1$MTIzNDU=",
            "$hmac-sha512$OTFmODY0ZTI1NmU0ZjVhYjhiMDViZGFmNGVmNGZmMGVlNTY4ODYwNWJhYTk4MTk2OTgyMzc3NzI1YTc4MzcxMTMzNzZmY2YxYTk5MGMxM2RiZDk2MGFmMmQ1YzRmODdlMGMwYTNkYjcyNjY0NjM4NGE4YzQ2MjNhZDZkN2UxZTE=$MTIzNDU=",
        ] {
            assert!(is_hmac(h));
            assert!(verify(b"test", h).unwrap(), "{h}");
            assert!(!verify(b"ory", h).unwrap(), "{h}");
            // Same MAC under another key fails.
            assert!(!verify(b"test", &h.replace("$MTIzNDU=", "$MTIzNA==")).unwrap());
        }
    }

    #[test]
    fn python_vectors() {
        // hmac.new(b"k3y", b"Nexus-pw 1", alg).hexdigest().
        for h in [
            "$hmac-md5$NmE5ZTIyNDgzZTNhYWEyMWZlMDIyNzFmYTRlNjZlZmI=$azN5",
            "$hmac-sha256$OTkwNDAxYWM0NzVmMTM4NDExOTE1ODljYTNhYTBjMjBiOGRiMzUzNGFiZWRkYTJkNzVmNzA5MWE2M2Y0MzM5OQ==$azN5",
        ] {
            assert!(verify(b"Nexus-pw 1", h).unwrap(), "{h}");
        }
    }

    #[test]
    fn malformed() {
        assert!(validate("$hmac-md5$ZmU4Njk3Zjc0MmQwODA0MDVkMTI3MGU2MTYzMzE2Zjk=").is_err());
        assert!(validate("$hmac-md5$MTIzNDU=").is_err());
        assert!(validate("$hmac-md5$").is_err());
        // Empty key or hash parse, then mismatch (as Kratos).
        assert!(!verify(
            b"test",
            "$hmac-md5$ZmU4Njk3Zjc0MmQwODA0MDVkMTI3MGU2MTYzMzE2Zjk=$"
        )
        .unwrap());
        assert!(!verify(b"test", "$hmac-md5$$MTIzNDU=").unwrap());
        assert!(!is_hmac("$hmac$ZmU4$MTIzNDU="));
        assert!(!is_hmac("$hmac-invalid$ZmU4$MTIzNDU="));
    }
}
