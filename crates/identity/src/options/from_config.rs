//! Resolves `KratosConfig` into `Options` (and the hasher and policy settings).

use std::net::SocketAddr;
use std::time::Duration;

use url::Url;

use super::{CookieOptions, FlowOptions, MethodOptions, Options, RequiredAal, SessionOptions};
use crate::config::{self, KratosConfig};
use crate::domain::FlowKind;
use crate::method::webauthn::RelyingParty;

/// Request bodies are capped at 5 MB, as Kratos does.
pub const BODY_LIMIT: usize = 5 * 1024 * 1024;

/// How long a validated session may be served from the in-process cache (bounds staleness
/// across instances; local revocations purge it at once).
pub const SESSION_CACHE_TTL: Duration = Duration::from_secs(1);

impl Options {
    /// Resolves the options; base URLs not configured use the bound addresses.
    pub fn from_config(
        c: &KratosConfig,
        public: SocketAddr,
        admin: SocketAddr,
    ) -> Result<Options, String> {
        let public_url = base_url(
            c.serve.public.base_url.as_ref(),
            public,
            &c.serve.public.host,
        );
        let admin_url = base_url(c.serve.admin.base_url.as_ref(), admin, &c.serve.admin.host);
        let allowed_return_urls = c
            .selfservice
            .allowed_return_urls
            .iter()
            .map(|u| {
                Url::parse(u).map_err(|e| {
                    format!("config error at selfservice.allowed_return_urls: {u:?}: {e}")
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let flow = |kind: FlowKind| FlowOptions {
            ui_url: absolute(&public_url, c.flow_ui_url(kind)),
            lifespan: c.lifespan(kind),
            enabled: c.flow_enabled(kind),
            after_return_url: Some(c.after_return_url(kind, Some("password")).to_string()),
            after_password_hooks: hooks(c, kind, "password"),
            after_code_hooks: hooks(c, kind, "code"),
            after_passkey_hooks: hooks(c, kind, "passkey"),
            after_webauthn_hooks: hooks(c, kind, "webauthn"),
        };
        let session_cookie = c.session_cookie();
        Ok(Options {
            dev: c.dev,
            default_return_url: c.selfservice.default_browser_return_url.clone(),
            allowed_return_urls,
            login: flow(FlowKind::Login),
            registration: flow(FlowKind::Registration),
            registration_profile_first: c.selfservice.flows.registration.style
                == config::flows::RegistrationStyle::ProfileFirst
                && !c.selfservice.flows.registration.enable_legacy_one_step,
            settings: flow(FlowKind::Settings),
            recovery: flow(FlowKind::Recovery),
            verification: flow(FlowKind::Verification),
            error_ui_url: absolute(&public_url, c.error_ui_url()),
            logout_return_url: Some(c.logout_return_url().to_string()),
            session: SessionOptions {
                lifespan: c.session.lifespan,
                earliest_possible_extend: c.earliest_possible_extend(),
                cookie: CookieOptions {
                    name: session_cookie.name,
                    domain: session_cookie.domain,
                    path: session_cookie.path,
                    same_site: session_cookie.same_site.as_str().to_string(),
                    persistent: session_cookie.persistent,
                },
                whoami_required_aal: match c.session.whoami.required_aal {
                    config::flows::RequiredAal::Aal1 => RequiredAal::Aal1,
                    config::flows::RequiredAal::HighestAvailable => RequiredAal::HighestAvailable,
                },
                cache_ttl: SESSION_CACHE_TTL,
            },
            cookies: CookieOptions {
                name: String::new(),
                domain: c.cookies.domain.clone(),
                path: c.cookies.path.clone(),
                same_site: c.cookies.same_site.as_str().to_string(),
                persistent: true,
            },
            cookie_secrets: c
                .secrets_cookie()
                .iter()
                .map(|s| s.as_bytes().to_vec())
                .collect(),
            methods: MethodOptions {
                password: c.method_enabled("password"),
                profile: c.method_enabled("profile"),
                totp: c.method_enabled("totp"),
                totp_issuer: c.totp_issuer(),
                lookup_secret: c.method_enabled("lookup_secret"),
                webauthn: webauthn(c, &public_url)?,
                passkey: passkey(c, &public_url)?,
            },
            default_schema_id: c.identity.default_schema_id.clone(),
            body_limit: BODY_LIMIT,
            admin_api_keys: c.serve.admin.api_keys.0.clone(),
            pagination_secrets: pagination_secrets(c),
            settings_flow: super::account::settings(c),
            recovery_flow: super::account::address(&c.selfservice.flows.recovery),
            verification_flow: super::account::address(&c.selfservice.flows.verification),
            codes: super::account::codes(c),
            flags: super::account::flags(c),
            public_cors: c
                .serve
                .public
                .cors
                .enabled
                .then(|| c.serve.public.cors.clone()),
            public_url,
            admin_url,
        })
    }
}

/// The `webauthn` method's relying party, when the method is on.
fn webauthn(c: &KratosConfig, public_url: &Url) -> Result<Option<super::WebAuthnOptions>, String> {
    if !c.method_enabled("webauthn") {
        return Ok(None);
    }
    let m = &c.selfservice.methods.webauthn.config;
    let party = RelyingParty::new(&m.rp, public_url)
        .map_err(|e| format!("config error at selfservice.methods.webauthn.config.rp: {e}"))?;
    Ok(Some(super::WebAuthnOptions {
        party,
        passwordless: m.passwordless,
    }))
}

/// The `passkey` method's relying party, when the method is on.
fn passkey(c: &KratosConfig, public_url: &Url) -> Result<Option<RelyingParty>, String> {
    if !c.method_enabled("passkey") {
        return Ok(None);
    }
    RelyingParty::new(&c.selfservice.methods.passkey.config.rp, public_url)
        .map(Some)
        .map_err(|e| format!("config error at selfservice.methods.passkey.config.rp: {e}"))
}

/// `secrets.pagination`, else `secrets.default`; with neither, one random key for this
/// process (page tokens then do not survive a restart or cross instances).
fn pagination_secrets(c: &KratosConfig) -> Vec<Vec<u8>> {
    let configured: Vec<Vec<u8>> = c
        .secrets_pagination()
        .iter()
        .map(|s| s.as_bytes().to_vec())
        .collect();
    if !configured.is_empty() {
        return configured;
    }
    use rand::RngCore;
    let mut key = vec![0u8; 32];
    rand::thread_rng().fill_bytes(&mut key);
    vec![key]
}

/// Hook names of `after.<method>.hooks` plus the method-less `after.hooks`.
fn hooks(c: &KratosConfig, kind: FlowKind, method: &str) -> Vec<String> {
    c.after_hooks(kind, Some(method))
        .iter()
        .chain(c.after_hooks(kind, None))
        .map(|h| h.hook.clone())
        .collect()
}

fn base_url(configured: Option<&Url>, bound: SocketAddr, host: &str) -> Url {
    if let Some(u) = configured {
        let mut u = u.clone();
        if !u.path().ends_with('/') {
            let p = format!("{}/", u.path());
            u.set_path(&p);
        }
        return u;
    }
    let host = match host {
        "" | "0.0.0.0" | "::" => "127.0.0.1".to_string(),
        h => h.to_string(),
    };
    Url::parse(&format!("http://{host}:{}/", bound.port())).unwrap_or_else(|_| {
        Url::parse(&format!("http://127.0.0.1:{}/", bound.port())).expect("valid fallback URL")
    })
}

/// UI URLs may be relative to the public base URL.
fn absolute(base: &Url, url: &str) -> String {
    base.join(url)
        .map(|u| u.to_string())
        .unwrap_or_else(|_| url.to_string())
}
