//! Hasher configuration: the `hashers.*` keys of the Kratos config, as typed values.

use std::time::Duration;

/// Which algorithm new password hashes are produced with (`hashers.algorithm`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HashAlgorithm {
    /// bcrypt, `$2b$<cost>$…` (Kratos default).
    #[default]
    Bcrypt,
    /// argon2id, `$argon2id$v=19$m=…,t=…,p=…$<salt>$<hash>`.
    Argon2,
}

impl HashAlgorithm {
    /// The config spelling (`bcrypt` | `argon2`).
    pub fn as_str(self) -> &'static str {
        match self {
            HashAlgorithm::Bcrypt => "bcrypt",
            HashAlgorithm::Argon2 => "argon2",
        }
    }
}

/// Settings of the hasher (`hashers.*`). Minimums (bcrypt cost 12 outside dev mode) are the
/// config layer's job; this type accepts any value the algorithms accept so tests can run cheap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HasherSettings {
    /// Algorithm for new hashes (`hashers.algorithm`, default bcrypt).
    pub algorithm: HashAlgorithm,
    /// bcrypt cost factor (`hashers.bcrypt.cost`, default 12; 4..=31).
    pub bcrypt_cost: u32,
    /// argon2id parameters (`hashers.argon2.*`).
    pub argon2: Argon2Settings,
}

impl Default for HasherSettings {
    fn default() -> Self {
        Self {
            algorithm: HashAlgorithm::Bcrypt,
            bcrypt_cost: 12,
            argon2: Argon2Settings::default(),
        }
    }
}

/// argon2id parameters (`hashers.argon2.*`), defaults as Kratos.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Argon2Settings {
    /// Memory in KiB (`memory`, default 128 MB = 131072 KiB).
    pub memory_kib: u32,
    /// Passes over memory (`iterations`, default 1).
    pub iterations: u32,
    /// Lanes (`parallelism`, default 2 × CPUs).
    pub parallelism: u32,
    /// Salt length in bytes (`salt_length`, default 16).
    pub salt_length: u32,
    /// Derived key length in bytes (`key_length`, default 32).
    pub key_length: u32,
    /// Target duration of one hash (`expected_duration`, default 500ms); used by calibration
    /// and by the login strategy's unknown-identifier delay.
    pub expected_duration: Duration,
    /// Allowed deviation from `expected_duration` (`expected_deviation`, default 500ms).
    pub expected_deviation: Duration,
}

impl Default for Argon2Settings {
    fn default() -> Self {
        Self {
            memory_kib: 128 * 1024,
            iterations: 1,
            parallelism: 2 * num_cpus::get() as u32,
            salt_length: 16,
            key_length: 32,
            expected_duration: Duration::from_millis(500),
            expected_deviation: Duration::from_millis(500),
        }
    }
}
