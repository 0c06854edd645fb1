//! Salted SHA imports: `$sha1|sha256|sha512$pf=<pattern>$<salt>$<hash>` (padded base64; the
//! pattern, e.g. `{SALT}{PASSWORD}`, says how salt and password were joined) and LDAP
//! `{SSHA}`, `{SSHA256}`, `{SSHA512}` (base64 of digest ‖ salt).

use sha1::Sha1;
use sha2::{Digest, Sha256, Sha512};

use super::encoding::{apply_pattern, b64_padded, b64_padded_lenient, ct_eq, decode_pattern};
use super::HashError;

const SHA: &str = "sha";
const SSHA: &str = "ssha";

#[derive(Debug, Clone, Copy)]
enum Algo {
    Sha1,
    Sha256,
    Sha512,
}

impl Algo {
    fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            Algo::Sha1 => Sha1::digest(data).to_vec(),
            Algo::Sha256 => Sha256::digest(data).to_vec(),
            Algo::Sha512 => Sha512::digest(data).to_vec(),
        }
    }

    fn len(self) -> usize {
        match self {
            Algo::Sha1 => 20,
            Algo::Sha256 => 32,
            Algo::Sha512 => 64,
        }
    }
}

/// Whether `stored` is a pattern-salted SHA hash (Kratos: `^\$sha(1|256|512)\$`).
pub(crate) fn is_salted_sha(stored: &str) -> bool {
    ["$sha1$", "$sha256$", "$sha512$"]
        .iter()
        .any(|p| stored.starts_with(p))
}

/// Whether `stored` is an LDAP salted SHA hash (Kratos: `^{SSHA(256|512)?}`).
pub(crate) fn is_ssha(stored: &str) -> bool {
    ["{SSHA}", "{SSHA256}", "{SSHA512}"]
        .iter()
        .any(|p| stored.starts_with(p))
}

struct Salted {
    algo: Algo,
    pattern: Vec<u8>,
    salt: Vec<u8>,
    hash: Vec<u8>,
}

fn parse_salted(stored: &str) -> Result<Salted, HashError> {
    let parts: Vec<&str> = stored.split('$').collect();
    if parts.len() != 5 {
        return Err(HashError::invalid(SHA, "expected 5 fields"));
    }
    let algo = match parts[1] {
        "sha1" => Algo::Sha1,
        "sha256" => Algo::Sha256,
        "sha512" => Algo::Sha512,
        _ => return Err(HashError::invalid(SHA, "unknown digest")),
    };
    Ok(Salted {
        algo,
        pattern: decode_pattern(parts[2], SHA)?,
        salt: b64_padded(parts[3], SHA)?,
        hash: b64_padded(parts[4], SHA)?,
    })
}

/// Validates a pattern-salted SHA hash.
pub(crate) fn validate_salted(stored: &str) -> Result<(), HashError> {
    parse_salted(stored).map(drop)
}

/// Checks `password` against a pattern-salted SHA hash.
pub(crate) fn verify_salted(password: &[u8], stored: &str) -> Result<bool, HashError> {
    let h = parse_salted(stored)?;
    let input = apply_pattern(&h.pattern, &h.salt, password);
    Ok(ct_eq(&h.algo.digest(&input), &h.hash))
}

struct Ssha {
    algo: Algo,
    hash: Vec<u8>,
    salt: Vec<u8>,
}

fn parse_ssha(stored: &str) -> Result<Ssha, HashError> {
    let (algo, rest) = if let Some(rest) = stored.strip_prefix("{SSHA}") {
        (Algo::Sha1, rest)
    } else if let Some(rest) = stored.strip_prefix("{SSHA256}") {
        (Algo::Sha256, rest)
    } else if let Some(rest) = stored.strip_prefix("{SSHA512}") {
        (Algo::Sha512, rest)
    } else {
        return Err(HashError::invalid(SSHA, "unknown scheme"));
    };
    let mut decoded = b64_padded_lenient(rest, SSHA)?;
    // Digest first, then a salt of at least one byte.
    if decoded.len() <= algo.len() {
        return Err(HashError::invalid(SSHA, "too short"));
    }
    let salt = decoded.split_off(algo.len());
    Ok(Ssha {
        algo,
        hash: decoded,
        salt,
    })
}

/// Validates an `{SSHA…}` hash.
pub(crate) fn validate_ssha(stored: &str) -> Result<(), HashError> {
    parse_ssha(stored).map(drop)
}

/// Checks `password` against an `{SSHA…}` hash: digest(password ‖ salt).
pub(crate) fn verify_ssha(password: &[u8], stored: &str) -> Result<bool, HashError> {
    let h = parse_ssha(stored)?;
    let input = zeroize::Zeroizing::new([password, &h.salt].concat());
    Ok(ct_eq(&h.algo.digest(&input), &h.hash))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kratos_salted_vectors() {
        // From kratos hash/hasher_test.go (password "test" unless noted).
        let ok = [
            "$sha1$pf=e1NBTFR9e1BBU1NXT1JEfQ==$NW9wbWtnejAzcg==$2qU2SGWP8viTM1md3FiI3+rjWXQ=",
            "$sha1$pf=Pz9zdGF0aWNQcmVmaXg/P3tTQUxUfXtQQVNTV09SRH0=$NW9wbWtnejAzcg==$SAAxMUn7jxckQXkBmsVF0nHwqso=",
            "$sha1$pf=e1BBU1NXT1JEfSUle1NBTFR9$NW9wbWtnejAzcg==$YX0AW8/MW5ojUlnzTaR43ucHCog=",
            "$sha1$pf=JHtQQVNTV09SRH0ke1NBTFR9JA==$NW9wbWtnejAzcg==$iE5n1yjX3oAdxRHwZ4u57I4LpQo=",
            "$sha256$pf=e1NBTFR9e1BBU1NXT1JEfQ==$NW9wbWtnejAzcg==$0gfRVLCvtBCk20udLDEY5vNhujWx7RGjwRIS1ebMsLY=",
            "$sha256$pf=e1NBTFR9JCR7UEFTU1dPUkR9$NW9wbWtnejAzcg==$HokCOi9OtiZaZRvnkgemV3B4UUHpI7kA8zq/EZWH2NY=",
            "$sha512$pf=e1NBTFR9e1BBU1NXT1JEfQ==$NW9wbWtnejAzcg==$6ctpVuApMNp0CgBXcdHw/GC562eFEFGr4gpgANX8ZYsX+j5B19IkdmOY2Fytsz3QUwSWdGcUjbqwgJGTH0UYvw==",
            "$sha512$pf=e1NBTFR9JCR7UEFTU1dPUkR9$NW9wbWtnejAzcg==$1F9BPW8UtdJkZ9Dhlf+D4X4dJ9xfuH8y04EfuCP2k4aGPPq/aWxU9/xe3LydHmYW1/K3zu3NFO9ETVrZettz3w==",
        ];
        for h in ok {
            assert!(is_salted_sha(h));
            assert!(verify_salted(b"test", h).unwrap(), "{h}");
            assert!(!verify_salted(b"tset", h).unwrap(), "{h}");
        }
        let special =
            "$sha1$pf=e1NBTFR9e1BBU1NXT1JEfQ==$NW9wbWtnejAzcg==$99h9net4BXl7qdTRaiGUobLROxM=";
        assert!(verify_salted(b"BwS^514g^cv@Z", special).unwrap());
        // Wrong salt.
        let h = "$sha1$pf=e1NBTFR9e1BBU1NXT1JEfQ==$cDJvb3ZrZGJ6cQ==$2qU2SGWP8viTM1md3FiI3+rjWXQ=";
        assert!(!verify_salted(b"test", h).unwrap());
    }

    #[test]
    fn python_salted_vectors() {
        // hashlib, password "Nexus-pw 1", salt "NaCl", pattern {SALT}{PASSWORD}.
        for h in [
            "$sha1$pf=e1NBTFR9e1BBU1NXT1JEfQ==$TmFDbA==$sVfSyJ14UmRU7quHFcNfLX2O+vQ=",
            "$sha256$pf=e1NBTFR9e1BBU1NXT1JEfQ==$TmFDbA==$2MsuvjvUH/l37ZvG45vZV9jjYH27+sZroMvBKf4Hem4=",
            "$sha512$pf=e1NBTFR9e1BBU1NXT1JEfQ==$TmFDbA==$4CWiMkK4mc80OyPyAaTuio7Hv9WoImvbgfcEAnK9pvCN6D+ekC2QaGkWyY5KAgGTxFT30wWV5Tb5/82NNo5FhQ==",
        ] {
            assert!(verify_salted(b"Nexus-pw 1", h).unwrap(), "{h}");
        }
    }

    #[test]
    fn salted_malformed() {
        let tail = "NW9wbWtnejAzcg==$2qU2SGWP8viTM1md3FiI3+rjWXQ=";
        assert!(validate_salted(
            "$sha1$pf=e1NBTFR9e1BBU1NXT1JEfQ==$5opmkgz03r$2qU2SGWP8viTM1md3FiI3+rjWXQ="
        )
        .is_err());
        assert!(validate_salted(&format!("$sha1$pf=${tail}")).is_err());
        assert!(validate_salted(&format!("$sha1$${tail}")).is_err());
        assert!(validate_salted(&format!("$sha1${tail}")).is_err());
    }

    #[test]
    fn ssha_vectors() {
        // From kratos hash/hasher_test.go (password "test123").
        for h in [
            "{SSHA}JFZFs0oHzxbMwkSJmYVeI8MnTDy/276a",
            "{SSHA256}czO44OTV17PcF1cRxWrLZLy9xHd7CWyVYplr1rOhuMlx/7IK",
            "{SSHA512}xPUl/px+1cG55rUH4rzcwxdOIPSB2TingLpiJJumN2xyDWN4Ix1WQG3ihnvHaWUE8MYNkvMi5rf0C9NYixHsE6Yh59M=",
        ] {
            assert!(is_ssha(h));
            assert!(verify_ssha(b"test123", h).unwrap(), "{h}");
            assert!(!verify_ssha(b"badtest", h).unwrap(), "{h}");
        }
        // hashlib, password "Nexus-pw 1", salt "NaCl".
        for h in [
            "{SSHA}7gDj/xAj/69zZ1Hi4AquVuBvnH5OYUNs",
            "{SSHA256}HcpkAKM/iyFwShYePh0zYhIC88EdkfOIbJ4j6ymrsVZOYUNs",
            "{SSHA512}SlV5ljNc4mFDhx6seANz/YUWJsnBkUQno8tvJsiNfpEWgeo1fEOrSTiPCttmAcf3xhiE0az9CrE6sAeSZ7jA/k5hQ2w=",
        ] {
            assert!(verify_ssha(b"Nexus-pw 1", h).unwrap(), "{h}");
        }
        assert!(validate_ssha("{SSHA}tooshort").is_err());
        assert!(!is_ssha("{SSHAnotExistent}xPUl"));
    }
}
