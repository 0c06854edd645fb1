//! Hasher and password-policy settings from `hashers.*` and `selfservice.methods.password.config`.

use crate::config::KratosConfig;
use crate::hash::{Argon2Settings, HashAlgorithm, HasherSettings};
use crate::method::password::policy::PolicySettings;

/// `hashers.*` as hasher settings.
pub fn hasher_settings(c: &KratosConfig) -> HasherSettings {
    let a = &c.hashers.argon2;
    HasherSettings {
        algorithm: match c.hashers.algorithm {
            crate::config::secrets::HashAlgorithm::Bcrypt => HashAlgorithm::Bcrypt,
            crate::config::secrets::HashAlgorithm::Argon2 => HashAlgorithm::Argon2,
        },
        bcrypt_cost: c.hashers.bcrypt.cost,
        argon2: Argon2Settings {
            memory_kib: a.memory_kib(),
            iterations: a.iterations,
            parallelism: a.parallelism,
            salt_length: a.salt_length,
            key_length: a.key_length,
            expected_duration: a.expected_duration,
            expected_deviation: a.expected_deviation,
        },
    }
}

/// `selfservice.methods.password.config` as policy settings.
pub fn policy_settings(c: &KratosConfig) -> PolicySettings {
    let p = &c.selfservice.methods.password.config;
    PolicySettings {
        min_password_length: p.min_password_length as usize,
        identifier_similarity_check_enabled: p.identifier_similarity_check_enabled,
        haveibeenpwned_enabled: p.haveibeenpwned_enabled,
        haveibeenpwned_host: p.haveibeenpwned_host.clone(),
        max_breaches: p.max_breaches,
        ignore_network_errors: p.ignore_network_errors,
    }
}
