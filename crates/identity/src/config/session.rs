//! `session.*` and `cookies.*`.

use super::flows::RequiredAal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::Duration;

/// `SameSite` cookie attribute.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum SameSite {
    /// Never sent cross-site.
    Strict,
    /// Sent on top-level navigations (Kratos default).
    #[default]
    Lax,
    /// Always sent (requires `Secure`).
    None,
}

impl SameSite {
    /// The attribute value.
    pub fn as_str(self) -> &'static str {
        match self {
            SameSite::Strict => "Strict",
            SameSite::Lax => "Lax",
            SameSite::None => "None",
        }
    }
}

/// `cookies`: defaults for every cookie (CSRF, continuity, session).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Cookies {
    /// Cookie `Domain`; unset = host-only.
    pub domain: Option<String>,
    /// Cookie `Path`.
    pub path: String,
    /// Cookie `SameSite`.
    pub same_site: SameSite,
}

impl Default for Cookies {
    fn default() -> Self {
        Self {
            domain: None,
            path: "/".into(),
            same_site: SameSite::Lax,
        }
    }
}

/// `session`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SessionConfig {
    /// How long a session lives.
    #[serde(with = "nexus_kit::config::go_duration")]
    pub lifespan: Duration,
    /// A session may be extended only when it expires within this window; unset = lifespan.
    #[serde(with = "nexus_kit::config::go_duration::option")]
    pub earliest_possible_extend: Option<Duration>,
    /// The session cookie (overrides `cookies.*`).
    pub cookie: SessionCookie,
    /// `/sessions/whoami` settings.
    pub whoami: Whoami,
}

impl Default for SessionConfig {
    fn default() -> Self {
        Self {
            lifespan: Duration::from_secs(24 * 3600),
            earliest_possible_extend: None,
            cookie: SessionCookie::default(),
            whoami: Whoami::default(),
        }
    }
}

/// `session.cookie`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SessionCookie {
    /// Cookie name.
    pub name: String,
    /// `Domain`; else `cookies.domain`.
    pub domain: Option<String>,
    /// `Path`; else `cookies.path`.
    pub path: Option<String>,
    /// `SameSite`; else `cookies.same_site`.
    pub same_site: Option<SameSite>,
    /// Send `Max-Age` so the cookie survives browser restarts.
    pub persistent: bool,
}

impl Default for SessionCookie {
    fn default() -> Self {
        Self {
            name: "ory_kratos_session".into(),
            domain: None,
            path: None,
            same_site: None,
            persistent: true,
        }
    }
}

/// `session.whoami`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Whoami {
    /// AAL a session needs for whoami to succeed.
    pub required_aal: RequiredAal,
    /// Session-to-JWT templates (`tokenize_as`).
    pub tokenizer: Tokenizer,
}

/// `session.whoami.tokenizer`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Tokenizer {
    /// Templates by name.
    pub templates: BTreeMap<String, TokenizerTemplate>,
}

/// `session.whoami.tokenizer.templates.<name>`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TokenizerTemplate {
    /// Token lifetime.
    #[serde(with = "nexus_kit::config::go_duration")]
    pub ttl: Duration,
    /// Jsonnet that maps the session to claims.
    pub claims_mapper_url: Option<String>,
    /// Where the signing key set is read from.
    pub jwks_url: String,
    /// `sub` claim: `id` or `external_id`.
    pub subject_source: String,
}

impl Default for TokenizerTemplate {
    fn default() -> Self {
        Self {
            ttl: Duration::from_secs(60),
            claims_mapper_url: None,
            jwks_url: String::new(),
            subject_source: "id".into(),
        }
    }
}

/// The effective attributes of a cookie after `session.cookie` overrides `cookies`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CookieSettings {
    /// Cookie name.
    pub name: String,
    /// `Domain`, if any.
    pub domain: Option<String>,
    /// `Path`.
    pub path: String,
    /// `SameSite`.
    pub same_site: SameSite,
    /// Whether `Max-Age`/`Expires` is sent.
    pub persistent: bool,
}
