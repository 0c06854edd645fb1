//! `selfservice.flows.*`: UI URLs, lifespans, hooks and return URLs per flow.

use super::common::{Hook, Hooks};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::Duration;

const HOUR: Duration = Duration::from_secs(3600);

fn fallback(flow: &str) -> String {
    format!("https://www.ory.sh/kratos/docs/fallback/{flow}")
}

/// `selfservice.flows`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Flows {
    /// Sign in.
    pub login: LoginFlow,
    /// Sign up.
    pub registration: RegistrationFlow,
    /// Account recovery (off by default).
    pub recovery: AddressFlow,
    /// Address verification (off by default).
    pub verification: AddressFlow,
    /// Profile and credential settings.
    pub settings: SettingsFlow,
    /// Logout.
    pub logout: LogoutFlow,
    /// The error page.
    pub error: ErrorFlow,
}

impl Default for Flows {
    fn default() -> Self {
        Self {
            login: LoginFlow::default(),
            registration: RegistrationFlow::default(),
            recovery: AddressFlow::new("recovery"),
            verification: AddressFlow::new("verification"),
            settings: SettingsFlow::default(),
            logout: LogoutFlow::default(),
            error: ErrorFlow::default(),
        }
    }
}

/// `login.style`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LoginStyle {
    /// All methods on one screen.
    #[default]
    Unified,
    /// Ask for the identifier first, then the methods it has.
    IdentifierFirst,
}

/// `registration.style`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegistrationStyle {
    /// All methods on one screen.
    Unified,
    /// Traits first, then a credential.
    #[default]
    ProfileFirst,
}

/// `use` of recovery and verification.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AddressStrategy {
    /// One-time codes.
    #[default]
    Code,
    /// Magic links.
    Link,
}

/// `required_aal` of settings and whoami.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequiredAal {
    /// One factor is enough.
    Aal1,
    /// The highest level the identity has set up.
    #[default]
    HighestAvailable,
}

/// `<flow>.after`: the global part plus per-method parts (`after.password`, `after.oidc`, …).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct After {
    /// Where browsers go after the flow, unless a method says otherwise.
    pub default_browser_return_url: Option<String>,
    /// Hooks of the flow itself (recovery, verification; ignored by Kratos elsewhere).
    pub hooks: Vec<Hook>,
    /// Per-method settings, keyed by method name.
    #[serde(flatten)]
    pub methods: BTreeMap<String, MethodAfter>,
}

/// `<flow>.after.<method>`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MethodAfter {
    /// Return URL after completing the flow with this method.
    pub default_browser_return_url: Option<String>,
    /// Hooks run after completing the flow with this method.
    pub hooks: Vec<Hook>,
}

/// `selfservice.flows.login`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LoginFlow {
    /// The login page of the UI.
    pub ui_url: String,
    /// How long a flow can be submitted.
    #[serde(with = "nexus_kit::config::go_duration")]
    pub lifespan: Duration,
    /// Screen layout.
    pub style: LoginStyle,
    /// Hooks run when a flow is created.
    pub before: Hooks,
    /// Redirects and hooks after success.
    pub after: After,
}

impl Default for LoginFlow {
    fn default() -> Self {
        Self {
            ui_url: fallback("login"),
            lifespan: HOUR,
            style: LoginStyle::default(),
            before: Hooks::default(),
            after: After::default(),
        }
    }
}

/// `selfservice.flows.registration`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RegistrationFlow {
    /// Whether sign-up is open.
    pub enabled: bool,
    /// The registration page of the UI.
    pub ui_url: String,
    /// How long a flow can be submitted.
    #[serde(with = "nexus_kit::config::go_duration")]
    pub lifespan: Duration,
    /// Screen layout.
    pub style: RegistrationStyle,
    /// Suggest login methods when the identifier already exists.
    pub login_hints: bool,
    /// Kratos' legacy one-step registration.
    pub enable_legacy_one_step: bool,
    /// Hooks run when a flow is created.
    pub before: Hooks,
    /// Redirects and hooks after success (`session` issues a session).
    pub after: After,
}

impl Default for RegistrationFlow {
    fn default() -> Self {
        Self {
            enabled: true,
            ui_url: fallback("registration"),
            lifespan: HOUR,
            style: RegistrationStyle::default(),
            login_hints: false,
            enable_legacy_one_step: false,
            before: Hooks::default(),
            after: After::default(),
        }
    }
}

/// `selfservice.flows.recovery` and `.verification`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AddressFlow {
    /// Whether the flow is offered.
    pub enabled: bool,
    /// The page of the UI.
    pub ui_url: String,
    /// How long a flow can be submitted.
    #[serde(with = "nexus_kit::config::go_duration")]
    pub lifespan: Duration,
    /// Codes or links.
    #[serde(rename = "use")]
    pub strategy: AddressStrategy,
    /// Send a message even to addresses no identity has.
    pub notify_unknown_recipients: bool,
    /// Hooks run when a flow is created.
    pub before: Hooks,
    /// Redirects and hooks after success.
    pub after: After,
}

impl AddressFlow {
    fn new(flow: &str) -> Self {
        Self {
            enabled: false,
            ui_url: fallback(flow),
            lifespan: HOUR,
            strategy: AddressStrategy::default(),
            notify_unknown_recipients: false,
            before: Hooks::default(),
            after: After::default(),
        }
    }
}

impl Default for AddressFlow {
    fn default() -> Self {
        Self::new("recovery")
    }
}

/// `selfservice.flows.settings`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SettingsFlow {
    /// The settings page of the UI.
    pub ui_url: String,
    /// How long a flow can be submitted.
    #[serde(with = "nexus_kit::config::go_duration")]
    pub lifespan: Duration,
    /// How recent a login must be to change credentials.
    #[serde(with = "nexus_kit::config::go_duration")]
    pub privileged_session_max_age: Duration,
    /// AAL the session needs to open settings.
    pub required_aal: RequiredAal,
    /// Hooks run when a flow is created.
    pub before: Hooks,
    /// Redirects and hooks after success.
    pub after: After,
}

impl Default for SettingsFlow {
    fn default() -> Self {
        Self {
            ui_url: fallback("settings"),
            lifespan: HOUR,
            privileged_session_max_age: HOUR,
            required_aal: RequiredAal::default(),
            before: Hooks::default(),
            after: After::default(),
        }
    }
}

/// `selfservice.flows.logout`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LogoutFlow {
    /// Where browsers go after logout.
    pub after: LogoutAfter,
}

/// `selfservice.flows.logout.after`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LogoutAfter {
    /// Return URL after logout; else `selfservice.default_browser_return_url`.
    pub default_browser_return_url: Option<String>,
}

/// `selfservice.flows.error`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ErrorFlow {
    /// The error page of the UI (`?id=<error id>` is appended).
    pub ui_url: String,
}

impl Default for ErrorFlow {
    fn default() -> Self {
        Self {
            ui_url: fallback("error"),
        }
    }
}
