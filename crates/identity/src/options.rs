//! The resolved options the flows and the HTTP layer work with.
//!
//! Built once from `KratosConfig` at start-up (see `Options::from_config`), so the rest of the
//! crate never reads raw configuration and tests can construct options directly.

mod account;
mod from_config;
mod hashing;
#[cfg(test)]
pub(crate) mod tests_support;

pub use account::{AddressOptions, AddressStrategy, CodeOptions, FeatureFlags, SettingsOptions};
pub use from_config::{BODY_LIMIT, SESSION_CACHE_TTL};
pub use hashing::{hasher_settings, policy_settings};

use std::time::Duration;

use url::Url;

use crate::method::webauthn::{KeyKind, RelyingParty};

use crate::domain::{Aal, FlowKind};

/// Per-flow options.
#[derive(Debug, Clone)]
pub struct FlowOptions {
    /// Where the UI for this flow lives.
    pub ui_url: String,
    /// How long a flow lives.
    pub lifespan: Duration,
    /// Whether the flow is enabled.
    pub enabled: bool,
    /// Return URL after success when none was requested.
    pub after_return_url: Option<String>,
    /// After hooks (`session`, `revoke_active_sessions`, `show_verification_ui`, …) for the password method.
    pub after_password_hooks: Vec<String>,
    /// After hooks for the code method (`after.code.hooks` plus `after.hooks`).
    pub after_code_hooks: Vec<String>,
    /// After hooks for the passkey method (`after.passkey.hooks` plus `after.hooks`).
    pub after_passkey_hooks: Vec<String>,
    /// After hooks for the webauthn method (`after.webauthn.hooks` plus `after.hooks`).
    pub after_webauthn_hooks: Vec<String>,
}

/// Cookie attributes.
#[derive(Debug, Clone)]
pub struct CookieOptions {
    /// Cookie name.
    pub name: String,
    /// `Domain`, if set.
    pub domain: Option<String>,
    /// `Path`.
    pub path: String,
    /// `SameSite` (`Lax`, `Strict`, `None`).
    pub same_site: String,
    /// Whether the cookie outlives the browser session.
    pub persistent: bool,
}

/// Session options.
#[derive(Debug, Clone)]
pub struct SessionOptions {
    /// Session lifespan.
    pub lifespan: Duration,
    /// Window before expiry in which extending is allowed.
    pub earliest_possible_extend: Duration,
    /// Session cookie.
    pub cookie: CookieOptions,
    /// AAL `whoami` requires: `aal1` or highest available (`None`).
    pub whoami_required_aal: RequiredAal,
    /// How long a validated session may be served from the in-process cache.
    pub cache_ttl: Duration,
}

/// `aal1` or `highest_available`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequiredAal {
    /// First factor suffices.
    Aal1,
    /// The highest AAL the identity can reach.
    HighestAvailable,
}

/// Password policy and method switches.
#[derive(Debug, Clone)]
pub struct MethodOptions {
    /// Password method enabled.
    pub password: bool,
    /// Profile method enabled.
    pub profile: bool,
    /// TOTP second factor enabled.
    pub totp: bool,
    /// Issuer shown in authenticator apps (`totp.config.issuer`, else the public host).
    pub totp_issuer: String,
    /// Lookup secrets (backup recovery codes) enabled.
    pub lookup_secret: bool,
    /// WebAuthn security keys, when enabled.
    pub webauthn: Option<WebAuthnOptions>,
    /// Passkeys, when enabled: their relying party.
    pub passkey: Option<RelyingParty>,
}

/// The `webauthn` method.
#[derive(Debug, Clone)]
pub struct WebAuthnOptions {
    /// Relying party.
    pub party: RelyingParty,
    /// Keys sign in on their own (`passwordless`) instead of being a second factor.
    pub passwordless: bool,
}

impl WebAuthnOptions {
    /// The kind of key this method registers.
    pub fn kind(&self) -> KeyKind {
        if self.passwordless {
            KeyKind::Passwordless
        } else {
            KeyKind::SecurityKey
        }
    }
}

/// Everything the flows need, resolved.
#[derive(Clone)]
pub struct Options {
    /// Dev mode (`--dev`): insecure cookies allowed.
    pub dev: bool,
    /// Public base URL, with a trailing slash.
    pub public_url: Url,
    /// Admin base URL, with a trailing slash.
    pub admin_url: Url,
    /// `selfservice.default_browser_return_url`.
    pub default_return_url: String,
    /// `selfservice.allowed_return_urls`.
    pub allowed_return_urls: Vec<Url>,
    /// Login flow.
    pub login: FlowOptions,
    /// Registration flow.
    pub registration: FlowOptions,
    /// `unified` or `profile_first`.
    pub registration_profile_first: bool,
    /// Settings flow.
    pub settings: FlowOptions,
    /// Recovery flow.
    pub recovery: FlowOptions,
    /// Verification flow.
    pub verification: FlowOptions,
    /// Error UI.
    pub error_ui_url: String,
    /// Where to go after logout when no `return_to` is given.
    pub logout_return_url: Option<String>,
    /// Sessions.
    pub session: SessionOptions,
    /// Cookie defaults (CSRF cookie).
    pub cookies: CookieOptions,
    /// Secrets for signing cookies; the first signs, all verify.
    pub cookie_secrets: Vec<Vec<u8>>,
    /// Methods.
    pub methods: MethodOptions,
    /// Default identity schema id.
    pub default_schema_id: String,
    /// Request body limit in bytes.
    pub body_limit: usize,
    /// Optional admin API keys (checked in constant time).
    pub admin_api_keys: Vec<String>,
    /// Keys that sign admin list page tokens: the first signs, all verify.
    pub pagination_secrets: Vec<Vec<u8>>,
    /// Settings flow specifics (privileged sessions, hooks, return URLs).
    pub settings_flow: SettingsOptions,
    /// Recovery flow specifics (codes or links, hooks).
    pub recovery_flow: AddressOptions,
    /// Verification flow specifics (codes or links, hooks).
    pub verification_flow: AddressOptions,
    /// One-time codes and links.
    pub codes: CodeOptions,
    /// Feature flags the flows honour.
    pub flags: FeatureFlags,
    /// `serve.public.cors` when enabled.
    pub public_cors: Option<crate::config::serve::Cors>,
}

impl std::fmt::Debug for Options {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Options")
            .field("public_url", &self.public_url.as_str())
            .field("admin_url", &self.admin_url.as_str())
            .field("dev", &self.dev)
            .field("cookie_secrets", &"<redacted>")
            .finish_non_exhaustive()
    }
}

impl Options {
    /// The options of one flow kind.
    pub fn flow(&self, kind: FlowKind) -> &FlowOptions {
        match kind {
            FlowKind::Login => &self.login,
            FlowKind::Registration => &self.registration,
            FlowKind::Settings => &self.settings,
            FlowKind::Recovery => &self.recovery,
            FlowKind::Verification => &self.verification,
        }
    }

    /// `<public>/<path>` (path without a leading slash).
    pub fn public(&self, path: &str) -> String {
        format!("{}{}", self.public_url, path.trim_start_matches('/'))
    }

    /// The form action of a flow.
    pub fn flow_action(&self, kind: FlowKind, id: uuid::Uuid) -> String {
        self.public(&format!("self-service/{}?flow={id}", kind.as_str()))
    }

    /// The browser init URL of a flow kind.
    pub fn browser_init_url(&self, kind: FlowKind) -> String {
        self.public(&format!("self-service/{}/browser", kind.as_str()))
    }

    /// The UI URL with `?flow=<id>` appended.
    pub fn ui_url_with_flow(&self, kind: FlowKind, id: uuid::Uuid) -> String {
        append_query(&self.flow(kind).ui_url, "flow", &id.to_string())
    }

    /// The error UI URL with `?id=<id>`.
    pub fn error_url(&self, id: uuid::Uuid) -> String {
        append_query(&self.error_ui_url, "id", &id.to_string())
    }

    /// Whether cookies are marked `Secure`.
    pub fn secure_cookies(&self) -> bool {
        !self.dev || self.public_url.scheme() == "https"
    }

    /// The session lifespan as a chrono duration.
    pub fn session_lifespan(&self) -> chrono::Duration {
        chrono::Duration::from_std(self.session.lifespan).unwrap_or(chrono::Duration::hours(24))
    }

    /// A flow's lifespan as a chrono duration.
    pub fn flow_lifespan(&self, kind: FlowKind) -> chrono::Duration {
        chrono::Duration::from_std(self.flow(kind).lifespan).unwrap_or(chrono::Duration::hours(1))
    }

    /// The AAL a session needs for the settings flow, given the identity's available AAL.
    pub fn settings_aal(&self, available: Aal) -> Aal {
        match self.settings_flow.required_aal {
            RequiredAal::Aal1 => Aal::Aal1,
            RequiredAal::HighestAvailable => available.max(Aal::Aal1),
        }
    }

    /// The AAL a session needs for `whoami`, given the identity's available AAL.
    pub fn whoami_aal(&self, available: Aal) -> Aal {
        match self.session.whoami_required_aal {
            RequiredAal::Aal1 => Aal::Aal1,
            RequiredAal::HighestAvailable => available.max(Aal::Aal1),
        }
    }
}

/// Appends `key=value` to a URL string, keeping its existing query.
pub fn append_query(url: &str, key: &str, value: &str) -> String {
    match Url::parse(url) {
        Ok(mut u) => {
            u.query_pairs_mut().append_pair(key, value);
            u.to_string()
        }
        Err(_) => {
            let sep = if url.contains('?') { '&' } else { '?' };
            let v: String = url::form_urlencoded::byte_serialize(value.as_bytes()).collect();
            format!("{url}{sep}{key}={v}")
        }
    }
}
