//! Options of the settings, recovery and verification flows and of their one-time codes.

use std::collections::BTreeMap;
use std::time::Duration;

use super::RequiredAal;
use crate::config::{self, KratosConfig};
use crate::domain::FlowKind;

/// `selfservice.flows.settings` beyond what every flow has.
#[derive(Debug, Clone)]
pub struct SettingsOptions {
    /// How recent the session's authentication must be to change credentials or addresses.
    pub privileged_max_age: Duration,
    /// The AAL a session needs to open settings.
    pub required_aal: RequiredAal,
    /// Hooks after saving, by method: `after.<method>.hooks`, else `after.hooks` (as Kratos'
    /// post-persist hooks fall back).
    pub hooks: BTreeMap<String, Vec<String>>,
    /// Where browsers go after saving, by method: `after.<method>.default_browser_return_url`,
    /// else `after.default_browser_return_url`; absent → the settings UI showing the flow.
    pub return_urls: BTreeMap<String, String>,
}

impl Default for SettingsOptions {
    fn default() -> Self {
        SettingsOptions {
            privileged_max_age: Duration::from_secs(3600),
            required_aal: RequiredAal::HighestAvailable,
            hooks: BTreeMap::new(),
            return_urls: BTreeMap::new(),
        }
    }
}

impl SettingsOptions {
    /// The hooks run after saving with `method`.
    pub fn hooks_of(&self, method: &str) -> &[String] {
        self.hooks.get(method).map_or(&[][..], Vec::as_slice)
    }
}

/// Codes or links, for recovery and verification.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum AddressStrategy {
    /// Six-digit codes typed into the flow.
    #[default]
    Code,
    /// Links carrying a token.
    Link,
}

impl AddressStrategy {
    /// The method name (`code`, `link`), also the UI node group.
    pub fn as_str(self) -> &'static str {
        match self {
            AddressStrategy::Code => "code",
            AddressStrategy::Link => "link",
        }
    }
}

/// `selfservice.flows.recovery` / `.verification` beyond what every flow has.
#[derive(Debug, Clone, Default)]
pub struct AddressOptions {
    /// `use`: codes or links.
    pub strategy: AddressStrategy,
    /// Send an "invalid" email to addresses no identity has.
    pub notify_unknown_recipients: bool,
    /// `after.hooks` (recovery: `revoke_active_sessions`).
    pub hooks: Vec<String>,
    /// `after.default_browser_return_url`, if set.
    pub return_url: Option<String>,
}

/// `selfservice.methods.code` and `.link`.
#[derive(Debug, Clone)]
pub struct CodeOptions {
    /// `methods.code.enabled`.
    pub code_enabled: bool,
    /// `methods.link.enabled`.
    pub link_enabled: bool,
    /// How long a code stays valid.
    pub code_lifespan: Duration,
    /// How long a link stays valid.
    pub link_lifespan: Duration,
    /// Code submissions allowed per flow before it must restart.
    pub max_submissions: u32,
    /// `methods.code.passwordless_enabled`: login and registration by an emailed code.
    pub passwordless: bool,
    /// `methods.code.mfa_enabled`: an emailed code as the second factor.
    pub mfa: bool,
}

impl CodeOptions {
    /// Whether the method behind `strategy` (`code` or `link`) is enabled.
    pub fn allows(&self, strategy: AddressStrategy) -> bool {
        match strategy {
            AddressStrategy::Code => self.code_enabled,
            AddressStrategy::Link => self.link_enabled,
        }
    }
}

impl Default for CodeOptions {
    fn default() -> Self {
        CodeOptions {
            code_enabled: true,
            link_enabled: false,
            code_lifespan: config::DEFAULT_ONE_TIME_LIFESPAN,
            link_lifespan: config::DEFAULT_ONE_TIME_LIFESPAN,
            max_submissions: 5,
            passwordless: false,
            mfa: false,
        }
    }
}

/// The `feature_flags` the flows look at.
#[derive(Debug, Clone, Copy, Default)]
pub struct FeatureFlags {
    /// `use_continue_with_transitions`: recovery answers JSON clients with `continue_with`.
    pub continue_with_transitions: bool,
    /// `legacy_continue_with_verification_ui`: always add `show_verification_ui`.
    pub legacy_verification_ui: bool,
    /// `legacy_require_verified_login_error`: `require_verified_address` is a form error.
    pub legacy_require_verified_login_error: bool,
}

/// Resolves the settings options.
pub(super) fn settings(c: &KratosConfig) -> SettingsOptions {
    let s = &c.selfservice.flows.settings;
    let mut hooks = BTreeMap::new();
    let mut return_urls = BTreeMap::new();
    for method in ["profile", "password"] {
        let own = c.after_hooks(FlowKind::Settings, Some(method));
        let list = if own.is_empty() {
            c.after_hooks(FlowKind::Settings, None)
        } else {
            own
        };
        hooks.insert(
            method.to_string(),
            list.iter().map(|h| h.hook.clone()).collect(),
        );
        let url = s
            .after
            .methods
            .get(method)
            .and_then(|m| m.default_browser_return_url.clone())
            .or_else(|| s.after.default_browser_return_url.clone());
        if let Some(url) = url {
            return_urls.insert(method.to_string(), url);
        }
    }
    SettingsOptions {
        privileged_max_age: s.privileged_session_max_age,
        required_aal: match s.required_aal {
            config::RequiredAal::Aal1 => RequiredAal::Aal1,
            config::RequiredAal::HighestAvailable => RequiredAal::HighestAvailable,
        },
        hooks,
        return_urls,
    }
}

/// Resolves the options of the recovery or verification flow.
pub(super) fn address(flow: &config::AddressFlow) -> AddressOptions {
    AddressOptions {
        strategy: match flow.strategy {
            config::AddressStrategy::Code => AddressStrategy::Code,
            config::AddressStrategy::Link => AddressStrategy::Link,
        },
        notify_unknown_recipients: flow.notify_unknown_recipients,
        hooks: flow.after.hooks.iter().map(|h| h.hook.clone()).collect(),
        return_url: flow.after.default_browser_return_url.clone(),
    }
}

/// Resolves the code and link method options.
pub(super) fn codes(c: &KratosConfig) -> CodeOptions {
    CodeOptions {
        code_enabled: c.method_enabled("code"),
        link_enabled: c.method_enabled("link"),
        code_lifespan: c.code_lifespan(),
        link_lifespan: c.link_lifespan(),
        max_submissions: c.selfservice.methods.code.config.max_submissions.max(1),
        passwordless: c.selfservice.methods.code.passwordless_enabled,
        mfa: c.selfservice.methods.code.mfa_enabled,
    }
}

/// Resolves the feature flags.
pub(super) fn flags(c: &KratosConfig) -> FeatureFlags {
    FeatureFlags {
        continue_with_transitions: c.feature_flag("use_continue_with_transitions"),
        legacy_verification_ui: c.feature_flag("legacy_continue_with_verification_ui"),
        legacy_require_verified_login_error: c.feature_flag("legacy_require_verified_login_error"),
    }
}
