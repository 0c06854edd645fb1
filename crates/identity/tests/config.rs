//! Loading kratos.yml: the quickstart, env overrides, JSON files, errors and redaction.

use nexus_identity::config::{self, AddressStrategy, MapEnv, RequiredAal, SameSite};
use nexus_identity::domain::FlowKind;
use std::path::{Path, PathBuf};
use std::time::Duration;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

const MIN: Duration = Duration::from_secs(60);

#[test]
fn quickstart_config_loads_in_dev_mode() {
    let c = config::load(&[fixture("kratos-quickstart.yml")], &MapEnv::new(), true).unwrap();
    assert!(c.dev);
    assert_eq!(c.dsn.expose(), "memory");
    assert_eq!(c.public_base_url().as_str(), "http://127.0.0.1:4433/");
    assert_eq!(c.admin_base_url().as_str(), "http://kratos:4434/");
    assert_eq!((c.serve.public.port, c.serve.admin.port), (4433, 4434));
    assert!(c.serve.public.cors.enabled && c.serve.public.cors.allow_credentials);
    assert_eq!(c.selfservice.allowed_return_urls.len(), 3);

    for m in [
        "password",
        "profile",
        "code",
        "link",
        "totp",
        "lookup_secret",
    ] {
        assert!(c.method_enabled(m), "{m}");
    }
    for m in ["webauthn", "passkey", "oidc", "nope"] {
        assert!(!c.method_enabled(m), "{m}");
    }
    assert_eq!(c.totp_issuer(), "Kratos");
    assert_eq!(c.selfservice.methods.password.config.min_password_length, 8);
    assert_eq!(c.selfservice.methods.code.config.max_submissions, 5);

    assert_eq!(
        c.flow_ui_url(FlowKind::Login),
        "http://127.0.0.1:4455/login"
    );
    assert_eq!(c.lifespan(FlowKind::Login), 10 * MIN);
    assert_eq!(c.lifespan(FlowKind::Registration), 10 * MIN);
    assert_eq!(c.lifespan(FlowKind::Settings), 60 * MIN);
    assert_eq!(
        c.selfservice.flows.settings.privileged_session_max_age,
        15 * MIN
    );
    assert_eq!(
        c.selfservice.flows.settings.required_aal,
        RequiredAal::HighestAvailable
    );
    assert!(c.flow_enabled(FlowKind::Recovery) && c.flow_enabled(FlowKind::Registration));
    assert_eq!(c.selfservice.flows.recovery.strategy, AddressStrategy::Code);
    assert_eq!(c.error_ui_url(), "http://127.0.0.1:4455/error");
    let hooks: Vec<_> = c
        .after_hooks(FlowKind::Registration, Some("password"))
        .iter()
        .map(|h| h.hook.as_str())
        .collect();
    assert_eq!(hooks, ["session", "show_verification_ui"]);
    assert!(c.after_hooks(FlowKind::Login, Some("password")).is_empty());
    assert_eq!(
        c.after_return_url(FlowKind::Verification, None),
        "http://127.0.0.1:4455/"
    );
    assert_eq!(
        c.after_return_url(FlowKind::Login, Some("password")),
        "http://127.0.0.1:4455/"
    );
    assert_eq!(c.logout_return_url(), "http://127.0.0.1:4455/login");

    assert_eq!(c.secrets_cookie(), ["PLEASE-CHANGE-ME-I-AM-VERY-INSECURE"]);
    assert_eq!(c.secrets_cipher().len(), 1);
    assert_eq!(c.hashers.bcrypt.cost, 8, "dev mode keeps a low bcrypt cost");
    assert_eq!(c.hashers.argon2.memory, 128 << 20);
    assert_eq!(c.hashers.argon2.dedicated_memory, 1 << 30);
    assert_eq!(
        c.hashers.argon2.expected_duration,
        Duration::from_millis(500)
    );
    assert_eq!(
        (c.log.level.as_str(), c.log.format.as_str()),
        ("debug", "text")
    );
    assert!(c.log.leak_sensitive_values);
    assert!(c.feature_flag("use_continue_with_transitions"));
    assert!(!c.feature_flag("cacheable_sessions"));
    assert_eq!(c.courier.message_retries, 5);
    assert_eq!(c.courier.smtp.from_address, "no-reply@ory.kratos.sh");

    assert_eq!(c.session.lifespan, 24 * 60 * MIN);
    assert_eq!(c.earliest_possible_extend(), c.session.lifespan);
    let cookie = c.session_cookie();
    assert_eq!(cookie.name, "ory_kratos_session");
    assert_eq!(
        (cookie.path.as_str(), cookie.same_site, cookie.persistent),
        ("/", SameSite::Lax, true)
    );
    assert!(!c.security.account_enumeration.mitigate);
    assert!(
        c.unimplemented_keys().is_empty(),
        "{:?}",
        c.unimplemented_keys()
    );
}

#[test]
fn quickstart_example_secrets_are_refused_outside_dev() {
    let e = config::load(&[fixture("kratos-quickstart.yml")], &MapEnv::new(), false).unwrap_err();
    assert_eq!(e.path(), Some("secrets.cookie.0"));
    assert_eq!(e.exit_code(), 64);
    assert!(!e.to_string().contains('\n'));
}

#[test]
fn env_overrides_apply() {
    let env = MapEnv::new()
        .with("DSN", "postgres://kratos:pw@db:5432/kratos?sslmode=disable")
        .with("SERVE_PUBLIC_BASE_URL", "https://auth.example.com/")
        .with(
            "SECRETS_DEFAULT",
            "first-secret-0123456789,second-secret-0123456789",
        )
        .with(
            "SELFSERVICE_FLOWS_LOGIN_UI_URL",
            "https://app.example.com/login",
        )
        .with("SELFSERVICE_FLOWS_LOGIN_LIFESPAN", "30m")
        .with("SESSION_COOKIE_SAME_SITE", "Strict")
        .with("SERVE_ADMIN_PORT", "9434");
    let c = config::load(&[fixture("kratos-quickstart.yml")], &env, true).unwrap();
    assert_eq!(
        c.dsn.expose(),
        "postgres://kratos:pw@db:5432/kratos?sslmode=disable"
    );
    assert_eq!(c.public_base_url().as_str(), "https://auth.example.com/");
    assert_eq!(
        c.secrets_default(),
        ["first-secret-0123456789", "second-secret-0123456789"]
    );
    assert_eq!(c.secrets_cookie(), ["PLEASE-CHANGE-ME-I-AM-VERY-INSECURE"]);
    assert_eq!(
        c.flow_ui_url(FlowKind::Login),
        "https://app.example.com/login"
    );
    assert_eq!(c.lifespan(FlowKind::Login), 30 * MIN);
    assert_eq!(c.session_cookie().same_site, SameSite::Strict);
    assert_eq!(c.serve.admin.port, 9434);
}

#[test]
fn invalid_values_name_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let over = write(
        dir.path(),
        "override.yml",
        "selfservice:\n  flows:\n    login:\n      lifespan: 1x\n",
    );
    let e = config::load(
        &[fixture("kratos-quickstart.yml"), over.clone()],
        &MapEnv::new(),
        true,
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "config error at selfservice.flows.login.lifespan: \"1x\" is not a valid duration (from {})",
            over.display()
        )
    );

    let env = MapEnv::new().with("SELFSERVICE_FLOWS_LOGIN_LIFESPAN", "forever");
    let e = config::load(&[fixture("kratos-quickstart.yml")], &env, true).unwrap_err();
    assert_eq!(e.path(), Some("selfservice.flows.login.lifespan"));
    assert!(
        e.to_string()
            .ends_with("(from env SELFSERVICE_FLOWS_LOGIN_LIFESPAN)"),
        "{e}"
    );

    let mem = write(
        dir.path(),
        "mem.yml",
        "hashers:\n  argon2:\n    memory: 128MBx\n",
    );
    let e = config::load(
        &[fixture("kratos-minimal.json"), mem],
        &MapEnv::new(),
        false,
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "config error at hashers.argon2.memory: \"128MBx\" is not a valid byte size"
    );

    let e = config::load(
        &[fixture("kratos-minimal.json")],
        &MapEnv::new().with("DSN", "redis://x"),
        false,
    )
    .unwrap_err();
    assert_eq!(e.path(), Some("dsn"));
}

#[test]
fn json_file_gets_kratos_defaults() {
    let c = config::load(&[fixture("kratos-minimal.json")], &MapEnv::new(), false).unwrap();
    assert_eq!(
        c.dsn.expose(),
        "sqlite:///var/lib/kratos/db.sqlite?_fk=true"
    );
    assert_eq!(c.public_base_url().as_str(), "https://127.0.0.1:4433/");
    assert_eq!(c.admin_base_url().as_str(), "https://127.0.0.1:4434/");
    assert_eq!(c.identity.default_schema_id, "default");
    assert_eq!(
        c.flow_ui_url(FlowKind::Settings),
        "https://www.ory.sh/kratos/docs/fallback/settings"
    );
    assert_eq!(c.lifespan(FlowKind::Verification), 60 * MIN);
    assert!(!c.flow_enabled(FlowKind::Verification) && !c.flow_enabled(FlowKind::Recovery));
    assert!(c.method_enabled("password") && c.method_enabled("code") && !c.method_enabled("totp"));
    assert_eq!(c.hashers.bcrypt.cost, 12);
    assert!(!c.serve.public.cors.enabled && c.serve.public.cors.allow_credentials);
    assert_eq!(c.serve.public.cors.allowed_origins, ["*"]);
    assert_eq!(c.secrets_cookie(), ["a-real-secret-of-sufficient-length"]);
    assert_eq!(
        c.secrets_pagination(),
        ["a-real-secret-of-sufficient-length"]
    );
    assert_eq!(c.session_cookie().name, "ory_kratos_session");
    let dev = config::load(&[fixture("kratos-minimal.json")], &MapEnv::new(), true).unwrap();
    assert_eq!(dev.public_base_url().as_str(), "http://127.0.0.1:4433/");
}

#[test]
fn missing_secret_is_generated_and_low_bcrypt_cost_raised() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "kratos.yml",
        "dsn: memory\nidentity:\n  schemas:\n    - id: default\n      url: file:///s.json\nselfservice:\n  default_browser_return_url: /\nhashers:\n  bcrypt:\n    cost: 4\n",
    );
    let c = config::load(&[f], &MapEnv::new(), false).unwrap();
    assert_eq!(c.secrets_default().len(), 1);
    assert!(c.secrets_default()[0].len() >= 16);
    assert_eq!(c.secrets_cookie(), c.secrets_default());
    assert_eq!(c.hashers.bcrypt.cost, 12);
}

#[test]
fn debug_output_redacts_secrets() {
    let env = MapEnv::new()
        .with("DSN", "postgres://kratos:db-password@db:5432/kratos")
        .with("SECRETS_DEFAULT", "top-secret-default-value");
    let c = config::load(&[fixture("kratos-quickstart.yml")], &env, true).unwrap();
    let shown = format!("{c:?}");
    for secret in [
        "top-secret-default-value",
        "PLEASE-CHANGE-ME-I-AM-VERY-INSECURE",
        "32-LONG-SECRET-NOT-SECURE-AT-ALL",
        "db-password",
        "smtps://test:test@",
    ] {
        assert!(!shown.contains(secret), "{secret} leaked in Debug");
    }
    assert!(shown.contains("ory_kratos_session"));
}

#[test]
fn unimplemented_keys_are_listed_once() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "extra.yml",
        "serve:\n  public:\n    tls:\n      cert:\n        path: /c.pem\n      key:\n        path: /k.pem\noauth2_provider:\n  url: https://hydra:4445\n",
    );
    let c = config::load(&[fixture("kratos-minimal.json"), f], &MapEnv::new(), false).unwrap();
    assert_eq!(
        c.unimplemented_keys(),
        [
            "serve.public.tls.cert.path",
            "serve.public.tls.key.path",
            "oauth2_provider.url"
        ]
    );
    c.warn_unimplemented();
}

#[test]
fn webauthn_and_passkey_are_implemented_and_a_bad_origin_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "mfa.yml",
        "selfservice:\n  methods:\n    webauthn:\n      enabled: true\n      config:\n        passwordless: false\n        rp:\n          id: localhost\n          display_name: Nexus\n          origins: [\"http://localhost:4455\"]\n    passkey:\n      enabled: true\n      config:\n        rp:\n          id: localhost\n          display_name: Nexus\n          origins: [\"not a url\"]\n",
    );
    let c = config::load(&[fixture("kratos-minimal.json"), f], &MapEnv::new(), false).unwrap();
    let keys = c.unimplemented_keys();
    assert!(
        !keys
            .iter()
            .any(|k| k.contains("webauthn") || k.contains("passkey")),
        "{keys:?}"
    );
    let addr: std::net::SocketAddr = "127.0.0.1:4433".parse().unwrap();
    let err = nexus_identity::options::Options::from_config(&c, addr, addr)
        .err()
        .expect("a bad passkey origin is refused");
    assert!(
        err.contains("selfservice.methods.passkey.config.rp"),
        "{err}"
    );
}
