//! Derived settings: fallbacks between keys, as Kratos resolves them.

use super::{After, CookieSettings, Hook, KratosConfig};
use crate::domain::FlowKind;
use std::time::Duration;
use url::Url;

/// Lifespan of recovery and verification codes and links when the configuration sets none:
/// 10 minutes (ASVS 5.0 6.5.5). Kratos' default is 1 hour; setting
/// `selfservice.methods.{code,link}.config.lifespan` explicitly restores it.
pub const DEFAULT_ONE_TIME_LIFESPAN: Duration = Duration::from_secs(600);

impl KratosConfig {
    /// `secrets.default` (never empty after [`load`](super::load): one is generated if unset).
    pub fn secrets_default(&self) -> &[String] {
        &self.secrets.default
    }

    /// Cookie secrets: `secrets.cookie`, else `secrets.default`.
    pub fn secrets_cookie(&self) -> &[String] {
        non_empty_or(&self.secrets.cookie, &self.secrets.default)
    }

    /// Pagination token secrets: `secrets.pagination`, else `secrets.default`.
    pub fn secrets_pagination(&self) -> &[String] {
        non_empty_or(&self.secrets.pagination, &self.secrets.default)
    }

    /// Cipher keys (`secrets.cipher`, each exactly 32 bytes).
    pub fn secrets_cipher(&self) -> &[String] {
        &self.secrets.cipher
    }

    /// `serve.public.base_url`, else guessed from host and port (`http` only in dev mode).
    pub fn public_base_url(&self) -> Url {
        self.serve.public.base_url_or_guess(self.dev)
    }

    /// `serve.admin.base_url`, else guessed from host and port.
    pub fn admin_base_url(&self) -> Url {
        self.serve.admin.base_url_or_guess(self.dev)
    }

    /// The UI page of a flow (`selfservice.flows.<flow>.ui_url`).
    pub fn flow_ui_url(&self, kind: FlowKind) -> &str {
        let f = &self.selfservice.flows;
        match kind {
            FlowKind::Login => &f.login.ui_url,
            FlowKind::Registration => &f.registration.ui_url,
            FlowKind::Settings => &f.settings.ui_url,
            FlowKind::Recovery => &f.recovery.ui_url,
            FlowKind::Verification => &f.verification.ui_url,
        }
    }

    /// The error page (`selfservice.flows.error.ui_url`).
    pub fn error_ui_url(&self) -> &str {
        &self.selfservice.flows.error.ui_url
    }

    /// How long a flow of this kind can be submitted.
    pub fn lifespan(&self, kind: FlowKind) -> Duration {
        let f = &self.selfservice.flows;
        match kind {
            FlowKind::Login => f.login.lifespan,
            FlowKind::Registration => f.registration.lifespan,
            FlowKind::Settings => f.settings.lifespan,
            FlowKind::Recovery => f.recovery.lifespan,
            FlowKind::Verification => f.verification.lifespan,
        }
    }

    /// Whether a flow is offered (login and settings always are).
    pub fn flow_enabled(&self, kind: FlowKind) -> bool {
        let f = &self.selfservice.flows;
        match kind {
            FlowKind::Login | FlowKind::Settings => true,
            FlowKind::Registration => f.registration.enabled,
            FlowKind::Recovery => f.recovery.enabled,
            FlowKind::Verification => f.verification.enabled,
        }
    }

    /// Whether a credential method (`password`, `code`, `totp`, …) is enabled.
    pub fn method_enabled(&self, name: &str) -> bool {
        self.selfservice.methods.enabled(name)
    }

    /// Hooks run when a flow of this kind is created.
    pub fn before_hooks(&self, kind: FlowKind) -> &[Hook] {
        let f = &self.selfservice.flows;
        match kind {
            FlowKind::Login => &f.login.before.hooks,
            FlowKind::Registration => &f.registration.before.hooks,
            FlowKind::Settings => &f.settings.before.hooks,
            FlowKind::Recovery => &f.recovery.before.hooks,
            FlowKind::Verification => &f.verification.before.hooks,
        }
    }

    /// `selfservice.flows.<flow>.after`.
    pub fn after(&self, kind: FlowKind) -> &After {
        let f = &self.selfservice.flows;
        match kind {
            FlowKind::Login => &f.login.after,
            FlowKind::Registration => &f.registration.after,
            FlowKind::Settings => &f.settings.after,
            FlowKind::Recovery => &f.recovery.after,
            FlowKind::Verification => &f.verification.after,
        }
    }

    /// Hooks after completing a flow with `method` (`after.<method>.hooks`; Kratos reads only
    /// this key for login, registration and settings). For recovery and verification, which
    /// have no methods, pass `None` to get `after.hooks`.
    pub fn after_hooks(&self, kind: FlowKind, method: Option<&str>) -> &[Hook] {
        let after = self.after(kind);
        match method {
            Some(m) => after.methods.get(m).map_or(&[][..], |a| &a.hooks),
            None => &after.hooks,
        }
    }

    /// Return URL after a flow: `after.<method>.default_browser_return_url`, else
    /// `after.default_browser_return_url`, else `selfservice.default_browser_return_url`.
    pub fn after_return_url(&self, kind: FlowKind, method: Option<&str>) -> &str {
        let after = self.after(kind);
        method
            .and_then(|m| after.methods.get(m))
            .and_then(|a| a.default_browser_return_url.as_deref())
            .or(after.default_browser_return_url.as_deref())
            .unwrap_or(&self.selfservice.default_browser_return_url)
    }

    /// Return URL after logout.
    pub fn logout_return_url(&self) -> &str {
        let logout = &self.selfservice.flows.logout.after;
        logout
            .default_browser_return_url
            .as_deref()
            .unwrap_or(&self.selfservice.default_browser_return_url)
    }

    /// The session cookie: `session.cookie.*` over `cookies.*`.
    pub fn session_cookie(&self) -> CookieSettings {
        let (s, c) = (&self.session.cookie, &self.cookies);
        CookieSettings {
            name: s.name.clone(),
            domain: s.domain.clone().or_else(|| c.domain.clone()),
            path: s.path.clone().unwrap_or_else(|| c.path.clone()),
            same_site: s.same_site.unwrap_or(c.same_site),
            persistent: s.persistent,
        }
    }

    /// `session.earliest_possible_extend`, else the session lifespan.
    pub fn earliest_possible_extend(&self) -> Duration {
        self.session
            .earliest_possible_extend
            .unwrap_or(self.session.lifespan)
    }

    /// TOTP issuer: `selfservice.methods.totp.config.issuer`, else the public host.
    pub fn totp_issuer(&self) -> String {
        match &self.selfservice.methods.totp.config.issuer {
            Some(i) if !i.is_empty() => i.clone(),
            _ => self
                .public_base_url()
                .host_str()
                .unwrap_or_default()
                .to_string(),
        }
    }

    /// How long recovery and verification codes stay valid: the configured
    /// `selfservice.methods.code.config.lifespan`, else [`DEFAULT_ONE_TIME_LIFESPAN`].
    pub fn code_lifespan(&self) -> Duration {
        if self.user_set("/selfservice/methods/code/config/lifespan") {
            self.selfservice.methods.code.config.lifespan
        } else {
            DEFAULT_ONE_TIME_LIFESPAN
        }
    }

    /// How long recovery and verification links stay valid: the configured
    /// `selfservice.methods.link.config.lifespan`, else [`DEFAULT_ONE_TIME_LIFESPAN`].
    pub fn link_lifespan(&self) -> Duration {
        if self.user_set("/selfservice/methods/link/config/lifespan") {
            self.selfservice.methods.link.config.lifespan
        } else {
            DEFAULT_ONE_TIME_LIFESPAN
        }
    }

    /// Whether the user's files or environment set the key at `pointer` (not a default).
    fn user_set(&self, pointer: &str) -> bool {
        self.user.0.pointer(pointer).is_some()
    }

    /// A boolean feature flag (`feature_flags.<name>`); unset or non-boolean → false.
    pub fn feature_flag(&self, name: &str) -> bool {
        self.feature_flags
            .get(name)
            .and_then(|v| v.as_bool())
            .unwrap_or(false)
    }
}

fn non_empty_or<'a>(primary: &'a [String], fallback: &'a [String]) -> &'a [String] {
    if primary.is_empty() {
        fallback
    } else {
        primary
    }
}
