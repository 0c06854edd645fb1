//! Checks beyond the JSON schema, and Kratos' start-up adjustments (generated secret,
//! bcrypt cost floor).

use super::{ConfigError, KratosConfig};
use rand::distributions::{Alphanumeric, DistString};
use serde_json::Value;

/// Published secrets — Ory's docs and quickstarts, and the development values in this
/// repository's `deploy/` — fine in dev, refused otherwise.
pub const INSECURE_EXAMPLE_SECRETS: &[&str] = &[
    "PLEASE-CHANGE-ME-I-AM-VERY-INSECURE",
    "32-LONG-SECRET-NOT-SECURE-AT-ALL",
    "CHANGE-ME-I-AM-VERY-INSECURE",
    "youReallyNeedToChangeThis",
    "ipsumipsumipsumi",
    "dev-only-cookie-secret-change-me-0123456789",
    "dev-only-default-secret-change-me-0123456789",
    "change-me-to-a-long-random-key",
];

/// Placeholders that mark a value as an example to replace (compared without case, `-`, `_`).
const PLACEHOLDER_MARKERS: &[&str] = &["changeme", "changethis", "notsecure", "veryinsecure"];

/// Whether `secret` is a published example or reads as a placeholder.
pub fn is_insecure_secret(secret: &str) -> bool {
    if INSECURE_EXAMPLE_SECRETS.contains(&secret) {
        return true;
    }
    let folded: String = secret
        .chars()
        .filter(|c| !matches!(c, '-' | '_' | ' ' | '.'))
        .flat_map(char::to_lowercase)
        .collect();
    PLACEHOLDER_MARKERS.iter().any(|m| folded.contains(m))
}

/// Lowest bcrypt cost accepted outside dev mode.
pub const MIN_BCRYPT_COST: u32 = 12;

const DSN_SCHEMES: &[&str] = &[
    "postgres",
    "postgresql",
    "mysql",
    "cockroach",
    "cockroachdb",
    "sqlite",
    "sqlite3",
];

impl KratosConfig {
    /// Checks required keys and secrets and applies Kratos' start-up adjustments: a random
    /// `secrets.default` when no secret is set (with a warning), bcrypt cost raised to 12
    /// outside dev mode.
    pub fn validate(mut self) -> Result<Self, ConfigError> {
        check_dsn(self.dsn.expose())?;
        if self.identity.schemas.is_empty() {
            return Err(ConfigError::invalid(
                "identity.schemas",
                "at least one identity schema is required",
            ));
        }
        let id = &self.identity.default_schema_id;
        if !self.identity.schemas.iter().any(|s| &s.id == id) {
            return Err(ConfigError::invalid(
                "identity.default_schema_id",
                format!("{id:?} is not the id of any entry in identity.schemas"),
            ));
        }
        if self
            .selfservice
            .default_browser_return_url
            .trim()
            .is_empty()
        {
            return Err(ConfigError::invalid(
                "selfservice.default_browser_return_url",
                "is required but missing",
            ));
        }
        self.check_secrets()?;
        if self.secrets.default.is_empty() && self.secrets.cookie.is_empty() {
            tracing::warn!(
                "secrets.default is not set; using a random secret, so sessions and flows will not survive a restart"
            );
            self.secrets.default = vec![Alphanumeric.sample_string(&mut rand::thread_rng(), 32)];
        }
        if !self.dev && self.hashers.bcrypt.cost < MIN_BCRYPT_COST {
            tracing::warn!(
                configured = self.hashers.bcrypt.cost,
                "hashers.bcrypt.cost is below {MIN_BCRYPT_COST}; using {MIN_BCRYPT_COST} (allowed only in dev mode)"
            );
            self.hashers.bcrypt.cost = MIN_BCRYPT_COST;
        }
        if self.serve.public.base_url.is_none() {
            tracing::warn!(
                "serve.public.base_url is not set; guessing {}",
                self.public_base_url()
            );
        }
        Ok(self)
    }

    fn check_secrets(&self) -> Result<(), ConfigError> {
        let s = &self.secrets;
        let lists = [
            ("default", &s.default, 16),
            ("cookie", &s.cookie, 16),
            ("pagination", &s.pagination, 16),
        ];
        for (name, list, min) in lists {
            for (i, secret) in list.iter().enumerate() {
                if secret.chars().count() < min {
                    return Err(ConfigError::invalid(
                        format!("secrets.{name}.{i}"),
                        format!("must be at least {min} characters long"),
                    ));
                }
            }
        }
        for (i, secret) in s.cipher.iter().enumerate() {
            if secret.len() != 32 {
                return Err(ConfigError::invalid(
                    format!("secrets.cipher.{i}"),
                    "must be exactly 32 characters long",
                ));
            }
        }
        if self.dev {
            return Ok(());
        }
        let all = [
            ("secrets.default", &s.default),
            ("secrets.cookie", &s.cookie),
            ("secrets.cipher", &s.cipher),
            ("secrets.pagination", &s.pagination),
            ("serve.admin.api_keys", &self.serve.admin.api_keys.0),
        ];
        for (key, list) in all {
            if let Some(i) = list.iter().position(|x| is_insecure_secret(x)) {
                return Err(ConfigError::invalid(
                    format!("{key}.{i}"),
                    "is a published example or placeholder secret; set your own, e.g. `openssl rand -hex 32` (allowed only with --dev)",
                ));
            }
        }
        Ok(())
    }
}

fn check_dsn(dsn: &str) -> Result<(), ConfigError> {
    if dsn.is_empty() {
        return Err(ConfigError::invalid("dsn", "is required but missing"));
    }
    if dsn == "memory" {
        return Ok(());
    }
    let scheme = dsn.split_once("://").map(|(s, _)| s).unwrap_or_default();
    if DSN_SCHEMES.contains(&scheme) {
        return Ok(());
    }
    Err(ConfigError::invalid(
        "dsn",
        "must be memory or start with postgres://, mysql://, cockroach:// or sqlite://",
    ))
}

/// The byte-size keys, checked on the raw value so the error can name the key (the schema's
/// pattern is not anchored at the end, so `128MBx` would pass it).
pub(super) fn check_byte_sizes(value: &Value) -> Result<(), ConfigError> {
    for key in ["memory", "dedicated_memory"] {
        let v = value.pointer(&format!("/hashers/argon2/{key}"));
        if let Some(Value::String(s)) = v {
            nexus_kit::config::parse_byte_size(s).map_err(|e| {
                ConfigError::invalid(format!("hashers.argon2.{key}"), e.to_string())
            })?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> KratosConfig {
        let mut c = KratosConfig {
            dsn: super::super::SecretUrl::new("memory"),
            ..Default::default()
        };
        c.identity.schemas.push(super::super::IdentitySchemaRef {
            id: "default".into(),
            url: "file:///s.json".into(),
            selfservice_selectable: false,
        });
        c.selfservice.default_browser_return_url = "http://127.0.0.1:4455/".into();
        c
    }

    #[test]
    fn generates_a_secret_and_raises_bcrypt_cost() {
        let mut c = base();
        c.hashers.bcrypt.cost = 4;
        let c = c.validate().unwrap();
        assert_eq!(c.secrets.default.len(), 1);
        assert_eq!(c.secrets.default[0].len(), 32);
        assert_eq!(c.hashers.bcrypt.cost, 12);
        let mut d = base();
        d.dev = true;
        d.hashers.bcrypt.cost = 4;
        assert_eq!(d.validate().unwrap().hashers.bcrypt.cost, 4);
    }

    #[test]
    fn refuses_example_secrets_outside_dev() {
        let mut c = base();
        c.secrets.cookie = vec!["PLEASE-CHANGE-ME-I-AM-VERY-INSECURE".into()];
        let e = c.clone().validate().unwrap_err();
        assert_eq!(e.path(), Some("secrets.cookie.0"));
        c.dev = true;
        assert!(c.validate().is_ok());
    }

    #[test]
    fn refuses_deploy_values_and_placeholders_outside_dev() {
        for (secret, key) in [
            (
                "dev-only-default-secret-change-me-0123456789",
                "secrets.default.0",
            ),
            ("my-Change_Me-secret-0123456789", "secrets.default.0"),
            ("THIS-IS-NOT-SECURE-0123456789", "secrets.default.0"),
        ] {
            let mut c = base();
            c.secrets.default = vec![secret.into()];
            assert_eq!(
                c.clone().validate().unwrap_err().path(),
                Some(key),
                "{secret}"
            );
            c.dev = true;
            assert!(c.validate().is_ok(), "{secret} is fine in dev");
        }
        let mut c = base();
        c.secrets.cookie = vec![
            "b6f1c1e0d7a94f7c8e2a9d3b5c4f1e0a".into(),
            "dev-only-cookie-secret-change-me-0123456789".into(),
        ];
        assert_eq!(c.validate().unwrap_err().path(), Some("secrets.cookie.1"));
        let mut c = base();
        c.serve.admin.api_keys.0 = vec!["change-me-to-a-long-random-key".into()];
        assert_eq!(
            c.validate().unwrap_err().path(),
            Some("serve.admin.api_keys.0")
        );
        let mut c = base();
        c.secrets.default = vec!["b6f1c1e0d7a94f7c8e2a9d3b5c4f1e0a".into()];
        assert!(c.validate().is_ok(), "a random secret passes");
    }

    #[test]
    fn names_bad_keys() {
        let mut c = base();
        c.dsn = super::super::SecretUrl::new("redis://x");
        assert_eq!(c.validate().unwrap_err().path(), Some("dsn"));
        let mut c = base();
        c.identity.default_schema_id = "other".into();
        assert_eq!(
            c.validate().unwrap_err().path(),
            Some("identity.default_schema_id")
        );
        let mut c = base();
        c.secrets.default = vec!["short".into()];
        let e = c.validate().unwrap_err().to_string();
        assert_eq!(
            e,
            "config error at secrets.default.0: must be at least 16 characters long"
        );
    }
}
