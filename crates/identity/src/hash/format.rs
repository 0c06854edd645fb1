//! Recognising stored hash formats and dispatching verification to the right family.

use super::shacrypt::Variant;
use super::{argon2, bcrypt, hmac, md5, pbkdf2, scrypt, sha, shacrypt, HashError, HasherSettings};

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
    /// `$pbkdf2-sha1|sha224|sha256|sha384|sha512$i=,l=$<salt>$<hash>`.
    Pbkdf2,
    /// `$scrypt$ln=<N>,r=,p=$<salt>$<hash>`.
    Scrypt,
    /// `$firescrypt$ln=,r=,p=$<salt>$<hash>$<salt separator>$<signer key>` (Firebase).
    FirebaseScrypt,
    /// `{SSHA}`, `{SSHA256}`, `{SSHA512}` (LDAP).
    Ssha,
    /// `$sha1|sha256|sha512$pf=<pattern>$<salt>$<hash>`.
    SaltedSha,
    /// `$md5$<hash>` or `$md5$pf=<pattern>$<salt>$<hash>`.
    Md5,
    /// `$md5-crypt$<salt>$<hash>`.
    Md5Crypt,
    /// `$sha256-crypt$[rounds=<n>$]<salt>$<hash>`.
    Sha256Crypt,
    /// `$sha512-crypt$[rounds=<n>$]<salt>$<hash>`.
    Sha512Crypt,
    /// `$hmac-<digest>$<hash>$<key>`.
    Hmac,
}

impl HashFormat {
    /// Short name, as Kratos spells it in traces (`bcrypt`, `argon2id`, `pbkdf2`, …).
    pub fn name(self) -> &'static str {
        match self {
            HashFormat::Bcrypt => "bcrypt",
            HashFormat::Argon2id => "argon2id",
            HashFormat::Argon2i => "argon2i",
            HashFormat::Pbkdf2 => "pbkdf2",
            HashFormat::Scrypt => "scrypt",
            HashFormat::FirebaseScrypt => "firebasescrypt",
            HashFormat::Ssha => "ssha",
            HashFormat::SaltedSha => "sha",
            HashFormat::Md5 => "md5",
            HashFormat::Md5Crypt => "md5crypt",
            HashFormat::Sha256Crypt => "sha256crypt",
            HashFormat::Sha512Crypt => "sha512crypt",
            HashFormat::Hmac => "hmac",
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
    } else if pbkdf2::is_pbkdf2(stored) {
        Ok(HashFormat::Pbkdf2)
    } else if stored.starts_with("$scrypt$") {
        Ok(HashFormat::Scrypt)
    } else if stored.starts_with("$firescrypt$") {
        Ok(HashFormat::FirebaseScrypt)
    } else if sha::is_ssha(stored) {
        Ok(HashFormat::Ssha)
    } else if sha::is_salted_sha(stored) {
        Ok(HashFormat::SaltedSha)
    } else if stored.starts_with("$md5$") {
        Ok(HashFormat::Md5)
    } else if stored.starts_with("$md5-crypt$") {
        Ok(HashFormat::Md5Crypt)
    } else if stored.starts_with("$sha256-crypt$") {
        Ok(HashFormat::Sha256Crypt)
    } else if stored.starts_with("$sha512-crypt$") {
        Ok(HashFormat::Sha512Crypt)
    } else if hmac::is_hmac(stored) {
        Ok(HashFormat::Hmac)
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
        HashFormat::Pbkdf2 => pbkdf2::validate(stored)?,
        HashFormat::Scrypt => scrypt::validate_scrypt(stored)?,
        HashFormat::FirebaseScrypt => scrypt::validate_firescrypt(stored)?,
        HashFormat::Ssha => sha::validate_ssha(stored)?,
        HashFormat::SaltedSha => sha::validate_salted(stored)?,
        HashFormat::Md5 => md5::validate(stored)?,
        HashFormat::Md5Crypt => md5::validate_crypt(stored)?,
        HashFormat::Sha256Crypt => shacrypt::validate(Variant::Sha256, stored)?,
        HashFormat::Sha512Crypt => shacrypt::validate(Variant::Sha512, stored)?,
        HashFormat::Hmac => hmac::validate(stored)?,
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
        HashFormat::Pbkdf2 => pbkdf2::verify(password, stored),
        HashFormat::Scrypt => scrypt::verify_scrypt(password, stored),
        HashFormat::FirebaseScrypt => scrypt::verify_firescrypt(password, stored),
        HashFormat::Ssha => sha::verify_ssha(password, stored),
        HashFormat::SaltedSha => sha::verify_salted(password, stored),
        HashFormat::Md5 => md5::verify(password, stored),
        HashFormat::Md5Crypt => md5::verify_crypt(password, stored),
        HashFormat::Sha256Crypt => shacrypt::verify(Variant::Sha256, password, stored),
        HashFormat::Sha512Crypt => shacrypt::verify(Variant::Sha512, password, stored),
        HashFormat::Hmac => hmac::verify(password, stored),
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
