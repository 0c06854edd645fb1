//! Options for unit tests.

use std::time::Duration;

use super::*;

/// Minimal options with a public URL of `http://127.0.0.1:4433/`.
pub fn options() -> Options {
    let flow = || FlowOptions {
        ui_url: "http://127.0.0.1:4455/ui".into(),
        lifespan: Duration::from_secs(3600),
        enabled: true,
        after_return_url: None,
        after_password_hooks: Vec::new(),
        after_code_hooks: Vec::new(),
        after_passkey_hooks: Vec::new(),
        after_webauthn_hooks: Vec::new(),
    };
    let cookie = CookieOptions {
        name: "ory_kratos_session".into(),
        domain: None,
        path: "/".into(),
        same_site: "Lax".into(),
        persistent: true,
    };
    Options {
        dev: true,
        public_url: Url::parse("http://127.0.0.1:4433/").expect("valid URL"),
        admin_url: Url::parse("http://127.0.0.1:4434/").expect("valid URL"),
        default_return_url: "http://127.0.0.1:4455/".into(),
        allowed_return_urls: Vec::new(),
        login: flow(),
        registration: flow(),
        registration_profile_first: false,
        settings: flow(),
        recovery: flow(),
        verification: flow(),
        error_ui_url: "http://127.0.0.1:4455/error".into(),
        logout_return_url: None,
        session: SessionOptions {
            lifespan: Duration::from_secs(86400),
            earliest_possible_extend: Duration::from_secs(86400),
            cookie: cookie.clone(),
            whoami_required_aal: RequiredAal::HighestAvailable,
            cache_ttl: Duration::from_secs(1),
        },
        cookies: cookie,
        cookie_secrets: vec![b"test-secret-test-secret".to_vec()],
        methods: MethodOptions {
            password: true,
            profile: true,
            totp: false,
            totp_issuer: "127.0.0.1".into(),
            lookup_secret: false,
            webauthn: None,
            passkey: None,
        },
        default_schema_id: "default".into(),
        body_limit: BODY_LIMIT,
        admin_api_keys: Vec::new(),
        pagination_secrets: vec![b"test-pagination-secret".to_vec()],
        settings_flow: SettingsOptions::default(),
        recovery_flow: AddressOptions::default(),
        verification_flow: AddressOptions::default(),
        codes: CodeOptions::default(),
        flags: FeatureFlags::default(),
        public_cors: None,
    }
}
