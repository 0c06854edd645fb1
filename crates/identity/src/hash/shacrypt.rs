//! SHA-crypt imports: `$sha256-crypt$[rounds=<n>$]<salt>$<hash>` and the same for sha512
//! (Ulrich Drepper's `$5$` / `$6$`).

use sha_crypt::{sha256_crypt_b64, sha512_crypt_b64, Sha256Params, Sha512Params};

use super::encoding::ct_eq;
use super::HashError;

/// Default rounds when the hash names none (the specification's constant).
const DEFAULT_ROUNDS: u64 = 5_000;
/// The specification raises smaller counts to 1000.
const MIN_ROUNDS: u64 = 1_000;
/// Bound against CPU exhaustion by an imported hash (~5 s of SHA-512 at 10 M rounds).
const MAX_ROUNDS: u64 = 10_000_000;

/// Which SHA-crypt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Variant {
    Sha256,
    Sha512,
}

impl Variant {
    fn format(self) -> &'static str {
        match self {
            Variant::Sha256 => "sha256crypt",
            Variant::Sha512 => "sha512crypt",
        }
    }

    fn prefix(self) -> &'static str {
        match self {
            Variant::Sha256 => "$sha256-crypt$",
            Variant::Sha512 => "$sha512-crypt$",
        }
    }

    fn encoded_len(self) -> usize {
        match self {
            Variant::Sha256 => 43,
            Variant::Sha512 => 86,
        }
    }
}

struct Parsed<'a> {
    rounds: usize,
    salt: &'a str,
    hash: &'a str,
}

fn parse(variant: Variant, stored: &str) -> Result<Parsed<'_>, HashError> {
    let format = variant.format();
    let rest = stored
        .strip_prefix(variant.prefix())
        .ok_or(HashError::invalid(format, "bad prefix"))?;
    let fields: Vec<&str> = rest.split('$').collect();
    let (rounds, salt, hash) = match fields.as_slice() {
        [r, salt, hash] if r.starts_with("rounds=") => {
            let n = &r["rounds=".len()..];
            if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
                return Err(HashError::invalid(format, "bad rounds"));
            }
            let n: u64 = n
                .parse()
                .map_err(|_| HashError::bounds(format, "rounds too large"))?;
            (n, *salt, *hash)
        }
        [salt, hash] => (DEFAULT_ROUNDS, *salt, *hash),
        _ => {
            return Err(HashError::invalid(
                format,
                "expected [rounds=<n>$]<salt>$<hash>",
            ))
        }
    };
    if rounds > MAX_ROUNDS {
        return Err(HashError::bounds(
            format,
            format!("rounds={rounds} exceeds max {MAX_ROUNDS}"),
        ));
    }
    if hash.len() != variant.encoded_len() {
        return Err(HashError::invalid(format, "bad hash length"));
    }
    Ok(Parsed {
        rounds: rounds.max(MIN_ROUNDS) as usize,
        salt,
        hash,
    })
}

/// Validates a SHA-crypt hash of `variant`.
pub(crate) fn validate(variant: Variant, stored: &str) -> Result<(), HashError> {
    parse(variant, stored).map(drop)
}

/// Checks `password` against a SHA-crypt hash of `variant`.
pub(crate) fn verify(variant: Variant, password: &[u8], stored: &str) -> Result<bool, HashError> {
    let p = parse(variant, stored)?;
    let internal = |_| HashError::Internal(format!("{}: bad rounds", variant.format()));
    let computed = match variant {
        Variant::Sha256 => {
            let params = Sha256Params::new(p.rounds).map_err(internal)?;
            sha256_crypt_b64(password, p.salt.as_bytes(), &params)
        }
        Variant::Sha512 => {
            let params = Sha512Params::new(p.rounds).map_err(internal)?;
            sha512_crypt_b64(password, p.salt.as_bytes(), &params)
        }
    }
    .map_err(|_| HashError::Internal(format!("{} failed", variant.format())))?;
    Ok(ct_eq(computed.as_bytes(), p.hash.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kratos_vectors() {
        // From kratos hash/hasher_test.go.
        let h = "$sha256-crypt$rounds=535000$05R.9KB6UC2kLI3w$Q/zslzx./JjkAVPTwp6th7nW5l7JU91Gte/UmIh.U78";
        assert!(verify(Variant::Sha256, b"test", h).unwrap());
        let h = "$sha256-crypt$rounds=535000$awpcR7lDlnK/S7WE$vHU7KkQwyjfGz6u4MUi7.lH9htK/l63HloTsX1ZMz.3";
        assert!(verify(Variant::Sha256, b"ory", h).unwrap());
        assert!(!verify(Variant::Sha256, b"test", h).unwrap());
        let h = "$sha512-crypt$rounds=656000$3LVbIAVxR//cRajw$uuNasMW.RYxlGzIRFU1Was70BPSa933AjxhZIGJdJBOlqJAHlgqa0yuiuq5JHF/ryNGryJkj87G9i3G2HPSXg1";
        assert!(verify(Variant::Sha512, b"test", h).unwrap());
        assert!(!verify(Variant::Sha512, b"ory", h).unwrap());
    }

    #[test]
    fn python_vectors() {
        // passlib, password "Nexus-pw 1": default rounds (implicit) and rounds=1000.
        let h = "$sha256-crypt$abcdefghijklmnop$zect1BKP9yvuq1mHd.9m2zgt0.TvomDgNHbcokj0nU8";
        assert!(verify(Variant::Sha256, b"Nexus-pw 1", h).unwrap());
        let h = "$sha512-crypt$rounds=1000$abcdefghijklmnop$LP1/d208PRGi7MyBmPbSBdyA8zOD8zOislpurpW0gD7HD3JyEqVYEu6idf0iSfl1UVgP3uQF7AaKPVGuM8r6h0";
        assert!(verify(Variant::Sha512, b"Nexus-pw 1", h).unwrap());
        assert!(!verify(Variant::Sha512, b"Nexus-pw 2", h).unwrap());
    }

    #[test]
    fn malformed() {
        assert!(validate(Variant::Sha256, "$sha256-crypt$$").is_err());
        assert!(validate(Variant::Sha256, "$sha256-crypt$$$").is_err());
        assert!(validate(Variant::Sha512, "$sha512-crypt$$").is_err());
        let costly = "$sha512-crypt$rounds=99999999$abc$uuNasMW.RYxlGzIRFU1Was70BPSa933AjxhZIGJdJBOlqJAHlgqa0yuiuq5JHF/ryNGryJkj87G9i3G2HPSXg1";
        assert!(matches!(
            validate(Variant::Sha512, costly),
            Err(HashError::ParametersOutOfBounds { .. })
        ));
    }
}
