//! Small value types shared by the config sections.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt;

/// A URL that may carry credentials (`dsn`, `courier.smtp.connection_uri`); `Debug` hides the
/// password.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SecretUrl(String);

impl SecretUrl {
    /// Wraps a raw URL.
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }

    /// The full URL, credentials included; do not log it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether nothing is set.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The URL with any password replaced by `***`.
    pub fn redacted(&self) -> String {
        if let Ok(mut u) = url::Url::parse(&self.0) {
            if u.password().is_some() && u.set_password(Some("***")).is_ok() {
                return u.to_string();
            }
            return self.0.clone();
        }
        // Not a URL (e.g. MySQL's `user:pw@tcp(host)`): hide everything before `@`.
        match (self.0.find("://"), self.0.rfind('@')) {
            (Some(s), Some(at)) if at > s => format!("{}://***{}", &self.0[..s], &self.0[at..]),
            (None, Some(at)) => format!("***{}", &self.0[at..]),
            _ => self.0.clone(),
        }
    }
}

impl std::ops::Deref for SecretUrl {
    type Target = str;

    /// The full URL (so `&config.dsn` works where a `&str` is expected); do not log it.
    fn deref(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.redacted())
    }
}

/// A raw JSON value kept for a later consumer; `Debug` does not print it because hook and
/// provider configs carry API keys and client secrets.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Opaque(pub Value);

impl fmt::Debug for Opaque {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Value::Null => f.write_str("null"),
            Value::Object(m) => write!(f, "{{{} keys}}", m.len()),
            Value::Array(a) => write!(f, "[{} items]", a.len()),
            _ => f.write_str("…"),
        }
    }
}

/// A hook entry: `{hook: "session" | "web_hook" | …, config: {…}}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Hook {
    /// Hook name: `session`, `show_verification_ui`, `require_verified_address`,
    /// `verification`, `revoke_active_sessions`, `web_hook`, `b2b_sso`.
    pub hook: String,
    /// Hook-specific settings (for `web_hook`: url, method, body, auth, response, …).
    pub config: Opaque,
}

/// A hook list wrapper as written in the file (`{hooks: [...]}`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Hooks {
    /// The hooks, run in order.
    pub hooks: Vec<Hook>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_urls_hide_passwords() {
        let d = SecretUrl::new("postgres://user:pw@db:5432/k?sslmode=disable");
        assert_eq!(
            format!("{d:?}"),
            "\"postgres://user:***@db:5432/k?sslmode=disable\""
        );
        let m = SecretUrl::new("mysql://user:secret@tcp(mysqld:3306)/db");
        assert!(!format!("{m:?}").contains("secret"));
        assert_eq!(format!("{:?}", SecretUrl::new("memory")), "\"memory\"");
    }
}
