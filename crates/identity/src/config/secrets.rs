//! `secrets`, `ciphers` and `hashers`.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::time::Duration;

/// `secrets`: the first entry of each list signs/encrypts, the rest only verify/decrypt.
/// `Debug` prints counts, never values.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Secrets {
    /// General signing secrets (≥ 16 chars); fallback for the others.
    pub default: Vec<String>,
    /// Cookie signing/encryption secrets (≥ 16 chars).
    pub cookie: Vec<String>,
    /// Cipher keys (exactly 32 chars) for `ciphers.algorithm`.
    pub cipher: Vec<String>,
    /// Pagination token encryption secrets (≥ 16 chars).
    pub pagination: Vec<String>,
}

impl fmt::Debug for Secrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = |v: &Vec<String>| format!("[{} redacted]", v.len());
        f.debug_struct("Secrets")
            .field("default", &format_args!("{}", n(&self.default)))
            .field("cookie", &format_args!("{}", n(&self.cookie)))
            .field("cipher", &format_args!("{}", n(&self.cipher)))
            .field("pagination", &format_args!("{}", n(&self.pagination)))
            .finish()
    }
}

/// `ciphers`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Ciphers {
    /// `noop`, `aes` or `xchacha20-poly1305`.
    pub algorithm: String,
}

impl Default for Ciphers {
    fn default() -> Self {
        Self {
            algorithm: "noop".into(),
        }
    }
}

/// `hashers.algorithm`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HashAlgorithm {
    /// bcrypt (Kratos default).
    #[default]
    Bcrypt,
    /// Argon2id.
    Argon2,
}

/// `hashers`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Hashers {
    /// Algorithm for new password hashes.
    pub algorithm: HashAlgorithm,
    /// bcrypt settings.
    pub bcrypt: Bcrypt,
    /// Argon2id settings.
    pub argon2: Argon2,
}

/// `hashers.bcrypt`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Bcrypt {
    /// Work factor; raised to 12 outside dev mode.
    pub cost: u32,
}

impl Default for Bcrypt {
    fn default() -> Self {
        Self { cost: 12 }
    }
}

/// `hashers.argon2`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Argon2 {
    /// Memory per hash in bytes (written like `128MB`).
    #[serde(with = "nexus_kit::config::byte_size")]
    pub memory: u64,
    /// Passes over memory.
    pub iterations: u32,
    /// Lanes; defaults to twice the CPU count, like Kratos.
    pub parallelism: u32,
    /// Salt length in bytes.
    pub salt_length: u32,
    /// Hash length in bytes.
    pub key_length: u32,
    /// Target time of one hash; also the delay used for unknown identifiers.
    #[serde(with = "nexus_kit::config::go_duration")]
    pub expected_duration: Duration,
    /// Allowed deviation from `expected_duration`.
    #[serde(with = "nexus_kit::config::go_duration")]
    pub expected_deviation: Duration,
    /// Memory set aside for hashing in bytes (written like `1GB`); bounds concurrency.
    #[serde(with = "nexus_kit::config::byte_size")]
    pub dedicated_memory: u64,
}

impl Default for Argon2 {
    fn default() -> Self {
        Self {
            memory: 128 << 20,
            iterations: 1,
            parallelism: u32::try_from(2 * num_cpus::get()).unwrap_or(2),
            salt_length: 16,
            key_length: 32,
            expected_duration: Duration::from_millis(500),
            expected_deviation: Duration::from_millis(500),
            dedicated_memory: 1 << 30,
        }
    }
}

impl Argon2 {
    /// `memory` in KiB, the unit the argon2 `m` parameter uses.
    pub fn memory_kib(&self) -> u32 {
        u32::try_from(self.memory / 1024).unwrap_or(u32::MAX)
    }
}
