//! argon2id (hasher and verifier) and argon2i (verifier for imports), PHC strings
//! `$argon2id$v=19$m=<KiB>,t=<n>,p=<n>$<salt>$<hash>` with unpadded base64.

use ::argon2::{Algorithm, Argon2, Params, Version};
use rand::RngCore as _;

use super::encoding::{b64_encode_unpadded, b64_unpadded, ct_eq, parse_params};
use super::{Argon2Settings, HashError};

/// Bounds on stored-hash parameters (Kratos `hash_limits.go`): they keep an imported hash
/// from exhausting memory or CPU at login.
const MAX_MEMORY_KIB: u64 = 1 << 20;
pub(crate) const MAX_ITERATIONS: u64 = 10;
const MAX_PARALLELISM: u64 = 16;

/// Upper bounds applied when parsing a stored hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Limits {
    memory_kib: u64,
    iterations: u64,
    parallelism: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            memory_kib: MAX_MEMORY_KIB,
            iterations: MAX_ITERATIONS,
            parallelism: MAX_PARALLELISM,
        }
    }
}

impl Limits {
    /// The static bounds, widened so hashes made with `settings` always verify (e.g. the
    /// default parallelism of 2 × CPUs exceeds 16 on large hosts).
    pub(crate) fn for_settings(settings: &Argon2Settings) -> Self {
        let d = Self::default();
        Self {
            memory_kib: d.memory_kib.max(settings.memory_kib.into()),
            iterations: d.iterations.max(settings.iterations.into()),
            parallelism: d.parallelism.max(settings.parallelism.into()),
        }
    }
}

/// A decoded argon2 PHC string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Argon2Hash {
    pub variant: Algorithm,
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
    pub salt: Vec<u8>,
    pub hash: Vec<u8>,
}

fn format_name(variant: Algorithm) -> &'static str {
    match variant {
        Algorithm::Argon2i => "argon2i",
        Algorithm::Argon2d => "argon2d",
        Algorithm::Argon2id => "argon2id",
    }
}

/// Parses and bounds-checks `$argon2id$…` / `$argon2i$…` against the static bounds.
pub(crate) fn parse(stored: &str) -> Result<Argon2Hash, HashError> {
    parse_with(stored, &Limits::default())
}

/// Parses and bounds-checks `$argon2id$…` / `$argon2i$…` against `limits`.
pub(crate) fn parse_with(stored: &str, limits: &Limits) -> Result<Argon2Hash, HashError> {
    let parts: Vec<&str> = stored.split('$').collect();
    let variant = match parts.get(1) {
        Some(&"argon2id") => Algorithm::Argon2id,
        Some(&"argon2i") => Algorithm::Argon2i,
        _ => return Err(HashError::invalid("argon2", "unknown variant")),
    };
    let format = format_name(variant);
    if parts.len() != 6 {
        return Err(HashError::invalid(format, "expected 6 fields"));
    }
    let [version] = parse_params(parts[2], ["v"], format)?;
    if version != 19 {
        return Err(HashError::invalid(format, "unsupported version"));
    }
    let [m, t, p] = parse_params(parts[3], ["m", "t", "p"], format)?;
    for (name, value, max) in [
        ("m", m, limits.memory_kib),
        ("t", t, limits.iterations),
        ("p", p, limits.parallelism),
    ] {
        if value == 0 || value > max {
            return Err(HashError::bounds(
                format,
                format!("{name}={value} not in [1, {max}]"),
            ));
        }
    }
    let salt = b64_unpadded(parts[4], format)?;
    let hash = b64_unpadded(parts[5], format)?;
    if salt.len() < ::argon2::MIN_SALT_LEN {
        return Err(HashError::invalid(format, "salt shorter than 8 bytes"));
    }
    if hash.len() < Params::MIN_OUTPUT_LEN {
        return Err(HashError::invalid(format, "hash shorter than 4 bytes"));
    }
    Ok(Argon2Hash {
        variant,
        memory_kib: m as u32,
        iterations: t as u32,
        parallelism: p as u32,
        salt,
        hash,
    })
}

/// Derives `out.len()` bytes. Memory below 8 KiB per lane is raised to it, as Go's
/// `x/crypto/argon2` (and so Kratos) does, instead of failing.
fn derive(
    variant: Algorithm,
    password: &[u8],
    salt: &[u8],
    memory_kib: u32,
    iterations: u32,
    parallelism: u32,
    out: &mut [u8],
) -> Result<(), HashError> {
    let memory_kib = memory_kib.max(8 * parallelism);
    let params = Params::new(memory_kib, iterations, parallelism, Some(out.len()))
        .map_err(|e| HashError::Internal(format!("argon2 params: {e}")))?;
    Argon2::new(variant, Version::V0x13, params)
        .hash_password_into(password, salt, out)
        .map_err(|e| HashError::Internal(format!("argon2: {e}")))
}

/// Hashes `password` with argon2id and `settings`.
pub(crate) fn hash(password: &[u8], settings: &Argon2Settings) -> Result<String, HashError> {
    let mut salt = vec![0u8; settings.salt_length as usize];
    rand::rngs::OsRng
        .try_fill_bytes(&mut salt)
        .map_err(|e| HashError::Internal(format!("rng: {e}")))?;
    let mut out = vec![0u8; settings.key_length as usize];
    derive(
        Algorithm::Argon2id,
        password,
        &salt,
        settings.memory_kib,
        settings.iterations,
        settings.parallelism,
        &mut out,
    )?;
    Ok(format!(
        "$argon2id$v=19$m={},t={},p={}${}${}",
        settings.memory_kib,
        settings.iterations,
        settings.parallelism,
        b64_encode_unpadded(&salt),
        b64_encode_unpadded(&out),
    ))
}

/// Checks `password` against a stored argon2id or argon2i hash.
pub(crate) fn verify(password: &[u8], stored: &str, limits: &Limits) -> Result<bool, HashError> {
    let h = parse_with(stored, limits)?;
    let mut out = vec![0u8; h.hash.len()];
    derive(
        h.variant,
        password,
        &h.salt,
        h.memory_kib,
        h.iterations,
        h.parallelism,
        &mut out,
    )?;
    Ok(ct_eq(&out, &h.hash))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cheap() -> Argon2Settings {
        Argon2Settings {
            memory_kib: 64,
            iterations: 1,
            parallelism: 1,
            ..Argon2Settings::default()
        }
    }

    #[test]
    fn round_trip() {
        let h = hash(b"secret password", &cheap()).unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=64,t=1,p=1$"), "{h}");
        assert!(verify(b"secret password", &h, &Limits::default()).unwrap());
        assert!(!verify(b"secret passwore", &h, &Limits::default()).unwrap());
        let parsed = parse(&h).unwrap();
        assert_eq!((parsed.salt.len(), parsed.hash.len()), (16, 32));
    }

    #[test]
    fn kratos_vectors() {
        // From kratos hash/hasher_test.go (password "test").
        let id = "$argon2id$v=19$m=32,t=2,p=4$cm94YnRVOW5jZzFzcVE4bQ$MNzk5BtR2vUhrp6qQEjRNw";
        assert!(verify(b"test", id, &Limits::default()).unwrap());
        assert!(!verify(b"tesT", id, &Limits::default()).unwrap());
        let id5 = "$argon2id$v=19$m=32,t=5,p=4$cm94YnRVOW5jZzFzcVE4bQ$fBxypOL0nP/zdPE71JtAV71i487LbX3fJI5PoTN6Lp4";
        assert!(verify(b"test", id5, &Limits::default()).unwrap());
        let i = "$argon2i$v=19$m=65536,t=3,p=4$kk51rW/vxIVCYn+EG4kTSg$NyT88uraJ6im6dyha/M5jhXvpqlEdlS/9fEm7ScMb8c";
        assert!(verify(b"test", i, &Limits::default()).unwrap());
        assert!(!verify(b"wrong", i, &Limits::default()).unwrap());
    }

    #[test]
    fn rejects_malformed_and_costly() {
        let ok_tail = "cm94YnRVOW5jZzFzcVE4bQ$MNzk5BtR2vUhrp6qQEjRNw";
        assert!(matches!(
            parse(&format!("$argon2id$v=19$m=2097152,t=1,p=1${ok_tail}")),
            Err(HashError::ParametersOutOfBounds { .. })
        ));
        assert!(matches!(
            parse(&format!("$argon2id$v=19$m=64,t=11,p=1${ok_tail}")),
            Err(HashError::ParametersOutOfBounds { .. })
        ));
        assert!(parse(&format!("$argon2id$v=16$m=64,t=1,p=1${ok_tail}")).is_err());
        assert!(parse("$argon2id$v=19$m=64,t=1,p=1$!!$!!").is_err());
        assert!(parse("$argon2id$v=19$m=64,t=1,p=1").is_err());
    }
}
