//! Recognising stored hash formats and dispatching verification to the right family.

use super::{argon2, bcrypt, HashError, HasherSettings};

/// A stored-hash format this server can verify (kratos-compat §11).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HashFormat {
    /// `$2a$`, `$2b$`, `$2y$`, `$2x$`, `$2z$`, `$2$`.
    Bcrypt,
    /// `$argon2id$`.
    Argon2id,
    /// `$argon2i$`.
    Argon2i,
}

impl HashFormat {
    /// Short name, as Kratos spells it in traces (`bcrypt`, `argon2id`, `pbkdf2`, …).
    pub fn name(self) -> &'static str {
        match self {
            HashFormat::Bcrypt => "bcrypt",
            HashFormat::Argon2id => "argon2id",
            HashFormat::Argon2i => "argon2i",
        }
    }
}

impl std::fmt::Display for HashFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Recognises the format from the hash's prefix only (Kratos `hash.Compare` order).
pub(crate) fn detect(stored: &str) -> Result<HashFormat, HashError> {
    if bcrypt::is_bcrypt(stored) {
        Ok(HashFormat::Bcrypt)
    } else if stored.starts_with("$argon2id$") {
        Ok(HashFormat::Argon2id)
    } else if stored.starts_with("$argon2i$") {
        Ok(HashFormat::Argon2i)
    } else {
        Err(HashError::UnknownFormat(describe_unknown(stored)))
    }
}

/// Recognises and fully parses a stored hash, bounds included, without verifying anything.
pub fn format_of(stored: &str) -> Result<HashFormat, HashError> {
    let format = detect(stored)?;
    match format {
        HashFormat::Bcrypt => bcrypt::validate(stored).map(drop)?,
        HashFormat::Argon2id | HashFormat::Argon2i => argon2::parse(stored).map(drop)?,
    }
    Ok(format)
}

/// Verifies `password` against `stored` of the given format (blocking; run on the pool).
pub(crate) fn verify_blocking(
    format: HashFormat,
    password: &[u8],
    stored: &str,
    settings: &HasherSettings,
) -> Result<bool, HashError> {
    match format {
        // Bounds are widened to the configured costs so our own hashes always verify.
        HashFormat::Bcrypt => {
            bcrypt::verify(password, stored, bcrypt::MAX_COST.max(settings.bcrypt_cost))
        }
        HashFormat::Argon2id | HashFormat::Argon2i => argon2::verify(
            password,
            stored,
            &argon2::Limits::for_settings(&settings.argon2),
        ),
    }
}

/// Names an unrecognised format without echoing the hash: the `$id$` or `{SCHEME}` prefix,
/// limited to a few safe characters, or a generic label.
fn describe_unknown(stored: &str) -> String {
    let candidate = if let Some(rest) = stored.strip_prefix('$') {
        rest.split('$').next().unwrap_or("")
    } else if let Some(rest) = stored.strip_prefix('{') {
        rest.split('}').next().unwrap_or("")
    } else {
        ""
    };
    let safe = !candidate.is_empty()
        && candidate.len() <= 32
        && candidate
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if safe {
        candidate.to_owned()
    } else {
        "unrecognised".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_formats_are_named_not_echoed() {
        assert_eq!(
            detect("$unknown$12$o6hx.Wog/wvFSkT/Bp/6DOxCtLRTDj7lm9on9suF/WaCGNVHbkfL6"),
            Err(HashError::UnknownFormat("unknown".into()))
        );
        assert_eq!(
            detect("{CRYPT}abc"),
            Err(HashError::UnknownFormat("CRYPT".into()))
        );
        assert_eq!(
            detect("5f4dcc3b5aa765d61d8327deb882cf99"),
            Err(HashError::UnknownFormat("unrecognised".into()))
        );
        assert_eq!(
            detect(""),
            Err(HashError::UnknownFormat("unrecognised".into()))
        );
    }
}
