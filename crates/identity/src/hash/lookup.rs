//! Lookup secrets (backup recovery codes): about 41 bits each, so below the 112 bits that
//! would allow a fast hash. They are stored as argon2id at the ASVS 5.0 Appendix C minimum
//! (m = 19 MiB, t = 2, p = 1) with a 16-byte random salt each, independent of the password
//! hasher's settings, and hashed and checked on the same bounded pool.

use zeroize::Zeroizing;

use super::argon2::{self, Limits};
use super::settings::Argon2Settings;
use super::{HashError, PasswordHasher};

/// argon2id parameters of lookup secrets.
fn lookup_settings() -> Argon2Settings {
    Argon2Settings {
        memory_kib: 19 * 1024,
        iterations: 2,
        parallelism: 1,
        salt_length: 16,
        key_length: 32,
        ..Argon2Settings::default()
    }
}

impl PasswordHasher {
    /// Hashes each of `secrets` (one task on the pool for all of them).
    pub async fn hash_lookup_secrets(
        &self,
        secrets: Vec<Zeroizing<String>>,
    ) -> Result<Vec<String>, HashError> {
        self.run(move |_| {
            let settings = lookup_settings();
            secrets
                .iter()
                .map(|s| argon2::hash(s.as_bytes(), &settings))
                .collect()
        })
        .await
    }

    /// The index of the first of `stored` hashes that `secret` matches, if any. Every hash
    /// is checked, so the answer takes as long wherever the match is.
    pub async fn find_lookup_secret(
        &self,
        secret: Zeroizing<String>,
        stored: Vec<String>,
    ) -> Result<Option<usize>, HashError> {
        self.run(move |_| {
            let limits = Limits::for_settings(&lookup_settings());
            let mut found = None;
            for (i, hash) in stored.iter().enumerate() {
                if argon2::verify(secret.as_bytes(), hash, &limits)? && found.is_none() {
                    found = Some(i);
                }
            }
            Ok(found)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::HasherSettings;

    #[tokio::test]
    async fn hashed_secrets_are_found_by_index() {
        let hasher = PasswordHasher::with_concurrency(HasherSettings::default(), 1);
        let secrets = vec![
            Zeroizing::new("abcd1234".to_string()),
            Zeroizing::new("efgh5678".to_string()),
        ];
        let stored = hasher.hash_lookup_secrets(secrets).await.unwrap();
        assert!(stored[0].starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert_ne!(stored[0], stored[1]);
        let find = |s: &str| hasher.find_lookup_secret(Zeroizing::new(s.into()), stored.clone());
        assert_eq!(find("efgh5678").await.unwrap(), Some(1));
        assert_eq!(find("abcd1234").await.unwrap(), Some(0));
        assert_eq!(find("abcd1235").await.unwrap(), None);
    }
}
