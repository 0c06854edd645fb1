//! Password hashers (bcrypt, argon2id) and verifiers of imported hashes, on a bounded blocking pool.
//!
//! Every hash and verification runs on `spawn_blocking` behind a semaphore with one permit per
//! CPU core, so the async workers never stall and at most that many argon2 buffers are
//! allocated at once (security-requirements §B.8). Plaintexts travel as `Zeroizing<String>`.

mod argon2;
mod bcrypt;
mod calibrate;
mod encoding;
mod error;
mod format;
mod hmac;
mod lookup;
mod md5;
mod pbkdf2;
mod scrypt;
mod settings;
mod sha;
mod shacrypt;

use std::sync::Arc;

use tokio::sync::{OnceCell, Semaphore};
use zeroize::Zeroizing;

pub use calibrate::{calibrate_argon2, measure_argon2, raw_hash_rate};
pub use error::HashError;
pub use format::{format_of, HashFormat};
pub use settings::{Argon2Settings, HashAlgorithm, HasherSettings};

/// Hashes new passwords with the configured algorithm and verifies stored hashes of every
/// importable format. Cheap to clone (an `Arc` inside).
#[derive(Clone)]
pub struct PasswordHasher {
    inner: Arc<Inner>,
}

struct Inner {
    settings: HasherSettings,
    permits: Arc<Semaphore>,
    /// A hash of a fixed password with the configured settings, made on first use by
    /// [`PasswordHasher::verify_unknown_identity`].
    dummy: OnceCell<String>,
}

impl std::fmt::Debug for PasswordHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordHasher")
            .field("algorithm", &self.inner.settings.algorithm)
            .field("bcrypt_cost", &self.inner.settings.bcrypt_cost)
            .field("argon2", &self.inner.settings.argon2)
            .field("free_permits", &self.inner.permits.available_permits())
            .finish_non_exhaustive()
    }
}

impl PasswordHasher {
    /// Builds a hasher with one concurrent hash per CPU core.
    pub fn new(settings: HasherSettings) -> Self {
        Self::with_concurrency(settings, num_cpus::get())
    }

    /// Builds a hasher that runs at most `concurrency` (≥ 1) hashes at once.
    pub fn with_concurrency(settings: HasherSettings, concurrency: usize) -> Self {
        Self {
            inner: Arc::new(Inner {
                settings,
                permits: Arc::new(Semaphore::new(concurrency.max(1))),
                dummy: OnceCell::new(),
            }),
        }
    }

    /// The settings new hashes are made with.
    pub fn settings(&self) -> &HasherSettings {
        &self.inner.settings
    }

    /// Longest password (bytes) the configured algorithm accepts: `Some(72)` for bcrypt.
    pub fn max_password_bytes(&self) -> Option<usize> {
        match self.inner.settings.algorithm {
            HashAlgorithm::Bcrypt => Some(bcrypt::MAX_PASSWORD_BYTES),
            HashAlgorithm::Argon2 => None,
        }
    }

    /// Hashes `password` with the configured algorithm: `$2b$12$…` or `$argon2id$v=19$…`.
    pub async fn hash(&self, password: Zeroizing<String>) -> Result<String, HashError> {
        if let Some(max) = self.max_password_bytes() {
            if password.len() > max {
                return Err(HashError::PasswordTooLong {
                    max,
                    actual: password.len(),
                });
            }
        }
        self.run(move |settings| match settings.algorithm {
            HashAlgorithm::Bcrypt => bcrypt::hash(password.as_bytes(), settings.bcrypt_cost),
            HashAlgorithm::Argon2 => argon2::hash(password.as_bytes(), &settings.argon2),
        })
        .await
    }

    /// Checks `password` against `stored`, which may be in any importable format (kratos-compat
    /// §11). `Ok(false)` means a wrong password; errors mean the hash itself is unusable.
    pub async fn verify(
        &self,
        password: Zeroizing<String>,
        stored: &str,
    ) -> Result<bool, HashError> {
        let format = format::detect(stored)?;
        let stored = stored.to_owned();
        self.run(move |settings| {
            format::verify_blocking(format, password.as_bytes(), &stored, settings)
        })
        .await
    }

    /// Whether `stored` should be replaced by a fresh hash after a successful login: its
    /// algorithm differs from the configured one (Kratos), or its cost is below the configured
    /// cost (security-requirements §B.7).
    pub fn needs_rehash(&self, stored: &str) -> bool {
        let s = &self.inner.settings;
        match (s.algorithm, format::detect(stored)) {
            (HashAlgorithm::Bcrypt, Ok(HashFormat::Bcrypt)) => {
                bcrypt::cost_of(stored).map_or(true, |cost| cost < s.bcrypt_cost)
            }
            (HashAlgorithm::Argon2, Ok(HashFormat::Argon2id)) => {
                let limits = argon2::Limits::for_settings(&s.argon2);
                argon2::parse_with(stored, &limits).map_or(true, |h| {
                    h.memory_kib < s.argon2.memory_kib
                        || h.iterations < s.argon2.iterations
                        || h.hash.len() < s.argon2.key_length as usize
                        || h.salt.len() < s.argon2.salt_length as usize
                })
            }
            _ => true,
        }
    }

    /// Spends as long as a failed login of a known identity: verifies `password` against a
    /// dummy hash of the configured algorithm and settings (made once, lazily), and discards
    /// the answer. Call it when the identifier is unknown.
    pub async fn verify_unknown_identity(&self, password: Zeroizing<String>) {
        let dummy = self
            .inner
            .dummy
            .get_or_try_init(|| {
                self.hash(Zeroizing::new(
                    "nexus-auth timing-equalisation dummy".to_owned(),
                ))
            })
            .await;
        match dummy {
            Ok(dummy) => {
                let _ = self.verify(password, &dummy.clone()).await;
            }
            Err(e) => tracing::warn!(error = %e, "could not build the timing-equalisation hash"),
        }
    }

    /// Validates an imported hash up-front: its format, shape and cost bounds.
    pub fn format_of(stored: &str) -> Result<HashFormat, HashError> {
        format_of(stored)
    }

    /// Runs `work` on the blocking pool once a permit is free. The permit moves into the task,
    /// so a caller that gives up does not free its slot before the work ends.
    async fn run<T, F>(&self, work: F) -> Result<T, HashError>
    where
        T: Send + 'static,
        F: FnOnce(&HasherSettings) -> Result<T, HashError> + Send + 'static,
    {
        let permit = Arc::clone(&self.inner.permits)
            .acquire_owned()
            .await
            .map_err(|_| HashError::Internal("hashing pool closed".into()))?;
        let inner = Arc::clone(&self.inner);
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            work(&inner.settings)
        })
        .await
        .map_err(|e| HashError::Internal(format!("hashing task failed: {e}")))?
    }
}

#[cfg(test)]
mod tests;
