//! `selfservice.methods.*`: which credential methods are on, and their settings.

use super::common::Opaque;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// `selfservice.methods.<name>`: an on/off switch plus method settings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Method<C> {
    /// Whether the method is offered.
    pub enabled: bool,
    /// Method settings.
    pub config: C,
}

impl<C: Default> Method<C> {
    fn on() -> Self {
        Self {
            enabled: true,
            config: C::default(),
        }
    }
}

/// `selfservice.methods`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Methods {
    /// Identifier + password (default on).
    pub password: Method<PasswordConfig>,
    /// Profile (traits) updates and profile-first registration (default on).
    pub profile: Method<NoConfig>,
    /// One-time codes by email/SMS (default on).
    pub code: CodeMethod,
    /// Magic links for recovery/verification (default off).
    pub link: Method<LinkConfig>,
    /// TOTP second factor (default off).
    pub totp: Method<TotpConfig>,
    /// Backup (lookup) codes (default off).
    pub lookup_secret: Method<NoConfig>,
    /// WebAuthn security keys (default off).
    pub webauthn: Method<WebAuthnConfig>,
    /// Passkeys (default off).
    pub passkey: Method<PasskeyConfig>,
    /// OpenID Connect / social sign-in; kept raw (providers carry client secrets).
    pub oidc: Method<Opaque>,
}

impl Default for Methods {
    fn default() -> Self {
        Self {
            password: Method::on(),
            profile: Method::on(),
            code: CodeMethod::default(),
            link: Method::default(),
            totp: Method::default(),
            lookup_secret: Method::default(),
            webauthn: Method::default(),
            passkey: Method::default(),
            oidc: Method::default(),
        }
    }
}

impl Methods {
    /// Whether the named method (`password`, `code`, `totp`, …) is enabled; unknown → false.
    pub fn enabled(&self, name: &str) -> bool {
        match name {
            "password" => self.password.enabled,
            "profile" => self.profile.enabled,
            "code" => self.code.enabled,
            "link" => self.link.enabled,
            "totp" => self.totp.enabled,
            "lookup_secret" => self.lookup_secret.enabled,
            "webauthn" => self.webauthn.enabled,
            "passkey" => self.passkey.enabled,
            "oidc" => self.oidc.enabled,
            _ => false,
        }
    }
}

/// Methods without settings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NoConfig {}

/// `selfservice.methods.password.config`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PasswordConfig {
    /// Host of the Have I Been Pwned range API.
    pub haveibeenpwned_host: String,
    /// Check new passwords against Have I Been Pwned.
    pub haveibeenpwned_enabled: bool,
    /// How many breaches a password may appear in before it is rejected.
    pub max_breaches: u32,
    /// Accept the password when the breach API cannot be reached.
    pub ignore_network_errors: bool,
    /// Minimum password length.
    pub min_password_length: u32,
    /// Reject passwords too similar to the identifier.
    pub identifier_similarity_check_enabled: bool,
    /// Password migration web hook (raw).
    pub migrate_hook: Opaque,
}

impl Default for PasswordConfig {
    fn default() -> Self {
        Self {
            haveibeenpwned_host: "api.pwnedpasswords.com".into(),
            haveibeenpwned_enabled: true,
            max_breaches: 0,
            ignore_network_errors: true,
            min_password_length: 8,
            identifier_similarity_check_enabled: true,
            migrate_hook: Opaque::default(),
        }
    }
}

/// `selfservice.methods.code`: the switches sit beside `enabled`, not under `config`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CodeMethod {
    /// Codes for recovery/verification (default on).
    pub enabled: bool,
    /// Codes as a first factor (passwordless login/registration).
    pub passwordless_enabled: bool,
    /// Codes as a second factor.
    pub mfa_enabled: bool,
    /// Code settings.
    pub config: CodeConfig,
}

impl Default for CodeMethod {
    fn default() -> Self {
        Self {
            enabled: true,
            passwordless_enabled: false,
            mfa_enabled: false,
            config: CodeConfig::default(),
        }
    }
}

/// `selfservice.methods.code.config`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CodeConfig {
    /// How long a code is valid.
    #[serde(with = "nexus_kit::config::go_duration")]
    pub lifespan: Duration,
    /// Wrong submissions allowed per flow.
    pub max_submissions: u32,
    /// Offer a code to identities without a code credential.
    pub missing_credential_fallback_enabled: bool,
}

impl Default for CodeConfig {
    fn default() -> Self {
        Self {
            lifespan: Duration::from_secs(3600),
            max_submissions: 5,
            missing_credential_fallback_enabled: false,
        }
    }
}

/// `selfservice.methods.link.config`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LinkConfig {
    /// Deprecated and ignored by Kratos (the request URL is used).
    pub base_url: Option<String>,
    /// How long a link is valid.
    #[serde(with = "nexus_kit::config::go_duration")]
    pub lifespan: Duration,
}

impl Default for LinkConfig {
    fn default() -> Self {
        Self {
            base_url: None,
            lifespan: Duration::from_secs(3600),
        }
    }
}

/// `selfservice.methods.totp.config`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TotpConfig {
    /// Issuer shown in authenticator apps; defaults to the public base URL's host.
    pub issuer: Option<String>,
}

/// The WebAuthn relying party (`rp`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RelyingParty {
    /// RP ID: the registrable domain credentials are bound to.
    pub id: String,
    /// Name shown by the authenticator.
    pub display_name: String,
    /// Deprecated single origin (use `origins`).
    pub origin: Option<String>,
    /// Allowed origins; empty means the public base URL's origin.
    pub origins: Vec<String>,
}

impl RelyingParty {
    /// `origins`, else the deprecated `origin`.
    pub fn all_origins(&self) -> Vec<String> {
        if self.origins.is_empty() {
            self.origin.iter().cloned().collect()
        } else {
            self.origins.clone()
        }
    }
}

/// `selfservice.methods.webauthn.config`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct WebAuthnConfig {
    /// Allow WebAuthn as a first factor (legacy passwordless).
    pub passwordless: bool,
    /// Relying party.
    pub rp: RelyingParty,
}

/// `selfservice.methods.passkey.config`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PasskeyConfig {
    /// Relying party.
    pub rp: RelyingParty,
}
