//! Typed view of kratos.yml.
//!
//! [`load`] runs the shared Ory-style loader (`nexus_kit::config`: schema defaults → files →
//! env → validation against Kratos' own config schema), deserialises the result into
//! [`KratosConfig`] and applies [`KratosConfig::validate`]. The value is then passed down;
//! there is no global config.

mod access;
pub mod common;
pub mod courier;
pub mod flows;
pub mod methods;
pub mod secrets;
pub mod serve;
pub mod session;
mod validate;

pub use self::access::DEFAULT_ONE_TIME_LIFESPAN;
pub use self::common::{Hook, Hooks, Opaque, SecretUrl};
pub use self::courier::{
    AccountEnumeration, Courier, DeliveryStrategy, Log, Security, Smtp, Worker,
};
pub use self::flows::{
    AddressFlow, AddressStrategy, After, ErrorFlow, Flows, LoginFlow, LoginStyle, LogoutAfter,
    LogoutFlow, MethodAfter, RegistrationFlow, RegistrationStyle, RequiredAal, SettingsFlow,
};
pub use self::methods::{
    CodeConfig, CodeMethod, LinkConfig, Method, Methods, NoConfig, PasskeyConfig, PasswordConfig,
    RelyingParty, TotpConfig, WebAuthnConfig,
};
pub use self::secrets::{Argon2, Bcrypt, Ciphers, HashAlgorithm, Hashers, Secrets};
pub use self::serve::{Cors, Endpoint, RequestLog, Serve};
pub use self::session::{
    CookieSettings, Cookies, SameSite, SessionConfig, SessionCookie, Tokenizer, TokenizerTemplate,
    Whoami,
};
pub use nexus_kit::config::{ConfigError, EnvSource, MapEnv, ProcessEnv, EXIT_CONFIG};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::path::PathBuf;

/// Kratos' configuration JSON schema (kratos v26.2.0 `embedx/config.schema.json`).
pub const KRATOS_CONFIG_SCHEMA: &str = include_str!("config/kratos.schema.json");

/// Config keys (dotted prefixes) this server acts on. Keys a user sets outside these get one
/// warning each from [`KratosConfig::warn_unimplemented`]. Extend it as features land.
pub const IMPLEMENTED: &[&str] = &[
    "version",
    "dsn",
    "dev",
    "serve.public.base_url",
    "serve.public.host",
    "serve.public.port",
    "serve.public.cors",
    "serve.public.request_log",
    "serve.admin.base_url",
    "serve.admin.host",
    "serve.admin.port",
    "serve.admin.request_log",
    "serve.admin.api_keys",
    "identity.default_schema_id",
    "identity.schemas",
    "selfservice.default_browser_return_url",
    "selfservice.allowed_return_urls",
    "selfservice.methods.password",
    "selfservice.methods.profile",
    "selfservice.methods.code",
    "selfservice.methods.link",
    "selfservice.methods.totp",
    "selfservice.methods.lookup_secret",
    "selfservice.methods.webauthn",
    "selfservice.methods.passkey",
    "selfservice.flows",
    "session",
    "cookies",
    "secrets",
    "ciphers",
    "hashers",
    "courier.smtp",
    "courier.template_override_path",
    "courier.templates",
    "courier.message_retries",
    "courier.delivery_strategy",
    "courier.worker",
    "log",
    "feature_flags",
    "security.account_enumeration",
];

/// The identity server's configuration (kratos.yml). Defaults are Kratos'.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct KratosConfig {
    /// Database: `postgres://`, `mysql://`, `cockroach://`, `sqlite://` or `memory`.
    pub dsn: SecretUrl,
    /// Insecure development mode, from the CLI's `--dev` (never from the file).
    #[serde(skip)]
    pub dev: bool,
    /// Listeners and base URLs.
    pub serve: Serve,
    /// Identity schemas.
    pub identity: IdentityConfig,
    /// Self-service flows and methods.
    pub selfservice: SelfService,
    /// Sessions.
    pub session: SessionConfig,
    /// Cookie defaults.
    pub cookies: Cookies,
    /// Signing and encryption secrets (redacted in `Debug`).
    pub secrets: Secrets,
    /// Field encryption algorithm.
    pub ciphers: Ciphers,
    /// Password hashing.
    pub hashers: Hashers,
    /// Outgoing mail and SMS.
    pub courier: Courier,
    /// Logging.
    pub log: Log,
    /// Feature flags by name (`use_continue_with_transitions`, …).
    pub feature_flags: Map<String, Value>,
    /// Security switches.
    pub security: Security,
    /// What the user's files and env set, without defaults (for unimplemented-key warnings).
    #[serde(skip)]
    user: Opaque,
}

impl Default for KratosConfig {
    fn default() -> Self {
        Self {
            dsn: SecretUrl::default(),
            dev: false,
            serve: Serve::default(),
            identity: IdentityConfig::default(),
            selfservice: SelfService::default(),
            session: SessionConfig::default(),
            cookies: Cookies::default(),
            secrets: Secrets::default(),
            ciphers: Ciphers::default(),
            hashers: Hashers::default(),
            courier: Courier::default(),
            log: Log::default(),
            feature_flags: Map::new(),
            security: Security::default(),
            user: Opaque::default(),
        }
    }
}

/// `identity`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct IdentityConfig {
    /// Schema used when a request names none.
    pub default_schema_id: String,
    /// The identity schemas (at least one).
    pub schemas: Vec<IdentitySchemaRef>,
}

impl Default for IdentityConfig {
    fn default() -> Self {
        Self {
            default_schema_id: "default".into(),
            schemas: Vec::new(),
        }
    }
}

/// `identity.schemas[]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct IdentitySchemaRef {
    /// Schema id (`default`, `customer`, …).
    pub id: String,
    /// `file://`, `http(s)://` or `base64://` location.
    pub url: String,
    /// Offer this schema in self-service registration.
    pub selfservice_selectable: bool,
}

/// `selfservice`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SelfService {
    /// Where browsers go after a flow when nothing more specific is set (required).
    pub default_browser_return_url: String,
    /// Allowed `return_to` targets (scheme + host + path prefix; `*.` host wildcard).
    pub allowed_return_urls: Vec<String>,
    /// Credential methods.
    pub methods: Methods,
    /// Flow settings.
    pub flows: Flows,
}

/// Loads kratos.yml files, env overrides (`DSN`, `SERVE_PUBLIC_BASE_URL`, …) and `--dev`
/// into a validated [`KratosConfig`]. Errors name the key; exit with [`EXIT_CONFIG`].
pub fn load(
    files: &[PathBuf],
    env: &dyn EnvSource,
    dev: bool,
) -> Result<KratosConfig, ConfigError> {
    let loaded = nexus_kit::config::load_layered(KRATOS_CONFIG_SCHEMA, files, env)?;
    let mut cfg = KratosConfig::from_value(loaded.value, dev)?;
    cfg.user = Opaque(loaded.user);
    cfg.validate()
}

impl KratosConfig {
    /// Deserialises an already merged and schema-checked value (no [`validate`](Self::validate)).
    pub fn from_value(value: Value, dev: bool) -> Result<Self, ConfigError> {
        validate::check_byte_sizes(&value)?;
        let mut cfg: KratosConfig = serde_json::from_value(value)
            .map_err(|e| ConfigError::invalid("(kratos config)", e.to_string()))?;
        cfg.dev = dev;
        Ok(cfg)
    }

    /// Keys the user set that this server does not implement yet (see [`IMPLEMENTED`]).
    pub fn unimplemented_keys(&self) -> Vec<String> {
        nexus_kit::config::unknown_keys(&self.user.0, IMPLEMENTED)
    }

    /// Logs one warning per key the user set that is not implemented yet.
    pub fn warn_unimplemented(&self) {
        for key in self.unimplemented_keys() {
            tracing::warn!(key = %key, "config key is not supported yet and is ignored");
        }
    }
}
