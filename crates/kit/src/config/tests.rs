//! End-to-end tests of [`super::load`] against the real Kratos and Oathkeeper schemas.

use super::*;
use serde_json::json;
use std::path::Path;

pub(crate) const KRATOS_SCHEMA: &str = include_str!("testdata/kratos.schema.json");
pub(crate) const OATHKEEPER_SCHEMA: &str = include_str!("testdata/oathkeeper.schema.json");

const MINIMAL: &str = "
dsn: memory
identity:
  schemas:
    - id: default
      url: file:///etc/identity.schema.json
selfservice:
  default_browser_return_url: http://127.0.0.1:4455/
";

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn kratos(files: &[PathBuf], env: &MapEnv) -> Result<Loaded, ConfigError> {
    load_layered(KRATOS_SCHEMA, files, env)
}

#[test]
fn minimal_kratos_config_gets_schema_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "kratos.yml", MINIMAL);
    let l = kratos(&[f], &MapEnv::new()).unwrap();
    let v = &l.value;
    assert_eq!(v["dsn"], "memory");
    assert_eq!(v["serve"]["public"]["port"], 4433);
    assert_eq!(v["serve"]["admin"]["port"], 4434);
    assert_eq!(v["selfservice"]["flows"]["login"]["lifespan"], "1h");
    assert_eq!(v["selfservice"]["methods"]["password"]["enabled"], true);
    assert_eq!(v["log"]["level"], "info");
    // The user's view has no defaults.
    assert!(l.user.get("serve").is_none());
    assert_eq!(l.user["dsn"], "memory");
}

#[test]
fn env_overrides_by_schema_path() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "kratos.yml", MINIMAL);
    let env = MapEnv::new()
        .with("DSN", "sqlite:///tmp/db.sqlite?_fk=true")
        .with("SERVE_PUBLIC_BASE_URL", "https://auth.example.com/")
        .with("SERVE_PUBLIC_PORT", "5000")
        .with(
            "SECRETS_DEFAULT",
            "aaaaaaaaaaaaaaaaaaaa,bbbbbbbbbbbbbbbbbbbb",
        )
        .with(
            "SELFSERVICE_FLOWS_LOGIN_UI_URL",
            "https://app.example.com/login",
        )
        .with("SELFSERVICE_FLOWS_LOGIN_LIFESPAN", "15m")
        .with("SELFSERVICE_METHODS_PASSWORD_ENABLED", "false")
        .with("PATH", "/usr/bin")
        .with("NOT_A_KEY", "x");
    let v = kratos(&[f], &env).unwrap().value;
    assert_eq!(v["dsn"], "sqlite:///tmp/db.sqlite?_fk=true");
    assert_eq!(
        v["serve"]["public"]["base_url"],
        "https://auth.example.com/"
    );
    assert_eq!(v["serve"]["public"]["port"], 5000);
    assert_eq!(
        v["secrets"]["default"],
        json!(["aaaaaaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbbbbbb"])
    );
    assert_eq!(
        v["selfservice"]["flows"]["login"]["ui_url"],
        "https://app.example.com/login"
    );
    assert_eq!(v["selfservice"]["flows"]["login"]["lifespan"], "15m");
    assert_eq!(v["selfservice"]["methods"]["password"]["enabled"], false);
    assert!(v.get("path").is_none() && v.get("not").is_none());
}

#[test]
fn env_sets_array_elements_and_json_values() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "kratos.yml",
        &format!(
            "{MINIMAL}  methods:\n    oidc:\n      enabled: true\n      config:\n        providers:\n          - id: google\n            provider: google\n            client_id: old\n            client_secret: s\n            mapper_url: file:///m.jsonnet\n"
        ),
    );
    let env = MapEnv::new()
        .with(
            "SELFSERVICE_METHODS_OIDC_CONFIG_PROVIDERS_0_CLIENT_ID",
            "new-id",
        )
        .with(
            "SELFSERVICE_ALLOWED_RETURN_URLS",
            r#"["https://a.example.com/"]"#,
        )
        .with("COURIER_SMTP_HEADERS", r#"{"X-Env": "1"}"#);
    let v = kratos(&[f], &env).unwrap().value;
    let p = &v["selfservice"]["methods"]["oidc"]["config"]["providers"][0];
    assert_eq!(
        (p["client_id"].as_str(), p["id"].as_str()),
        (Some("new-id"), Some("google"))
    );
    assert_eq!(
        v["selfservice"]["allowed_return_urls"],
        json!(["https://a.example.com/"])
    );
    assert_eq!(v["courier"]["smtp"]["headers"]["X-Env"], "1");
}

#[test]
fn later_files_win_and_objects_merge() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(
        dir.path(),
        "a.yml",
        &format!("{MINIMAL}serve:\n  public:\n    port: 1111\n    host: 0.0.0.0\n"),
    );
    let b = write(
        dir.path(),
        "b.json",
        r#"{"serve": {"public": {"port": 2222}}, "dsn": "sqlite://x"}"#,
    );
    let v = kratos(&[a, b], &MapEnv::new()).unwrap().value;
    assert_eq!(v["serve"]["public"]["port"], 2222);
    assert_eq!(v["serve"]["public"]["host"], "0.0.0.0");
    assert_eq!(v["dsn"], "sqlite://x");
    assert_eq!(v["identity"]["schemas"][0]["id"], "default");
}

#[test]
fn invalid_values_name_the_key_and_the_source() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "kratos.yml",
        &format!("{MINIMAL}  flows:\n    login:\n      lifespan: 1x\n"),
    );
    let e = kratos(std::slice::from_ref(&f), &MapEnv::new()).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "config error at selfservice.flows.login.lifespan: \"1x\" is not a valid duration (from {})",
            f.display()
        )
    );
    assert_eq!(e.path(), Some("selfservice.flows.login.lifespan"));

    let good = write(dir.path(), "good.yml", MINIMAL);
    let env = MapEnv::new().with("SELFSERVICE_FLOWS_LOGIN_LIFESPAN", "soon");
    let e = kratos(std::slice::from_ref(&good), &env)
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "config error at selfservice.flows.login.lifespan: \"soon\" is not a valid duration (from env SELFSERVICE_FLOWS_LOGIN_LIFESPAN)"
    );
    let e = kratos(
        std::slice::from_ref(&good),
        &MapEnv::new().with("SERVE_ADMIN_PORT", "abc"),
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "config error at serve.admin.port: \"abc\" is not an integer (from env SERVE_ADMIN_PORT)"
    );
    let e = kratos(
        &[good],
        &MapEnv::new().with("SECRETS_DEFAULT", "short-secret"),
    )
    .unwrap_err();
    assert!(
        e.to_string()
            .starts_with("config error at secrets.default.0:"),
        "{e}"
    );
    assert!(
        !e.to_string().contains("short-secret"),
        "secret leaked: {e}"
    );
}

#[test]
fn missing_and_unknown_keys_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "k.yml", &MINIMAL.replace("dsn: memory\n", ""));
    let e = kratos(&[f], &MapEnv::new()).unwrap_err().to_string();
    assert_eq!(e, "config error at dsn: is required but missing");
    let f = write(
        dir.path(),
        "k2.yml",
        &format!("{MINIMAL}serve:\n  public:\n    portt: 1\n"),
    );
    let e = kratos(std::slice::from_ref(&f), &MapEnv::new())
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        format!(
            "config error at serve.public.portt: is not a known key here (from {})",
            f.display()
        )
    );
}

#[test]
fn oathkeeper_schema_loads_with_ory_refs() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "oathkeeper.yml",
        "serve:\n  proxy:\n    port: 4455\naccess_rules:\n  repositories:\n    - file:///rules.json\nauthenticators:\n  anonymous:\n    enabled: true\n",
    );
    let env = MapEnv::new()
        .with("LOG_LEVEL", "debug")
        .with("SERVE_API_PORT", "4457");
    let v = load(OATHKEEPER_SCHEMA, &[f], &env).unwrap();
    assert_eq!(v["log"]["level"], "debug");
    assert_eq!(v["serve"]["api"]["port"], 4457);
    assert_eq!(v["serve"]["proxy"]["port"], 4455);
    assert_eq!(v["authenticators"]["anonymous"]["enabled"], true);
}

#[test]
fn no_files_means_defaults_and_env_only() {
    let env = MapEnv::from_iter([("DSN", "memory")]);
    let e = kratos(&[], &env).unwrap_err().to_string();
    assert!(e.ends_with(": is required but missing"), "{e}");
}

#[test]
fn missing_key_inside_a_file_value_names_that_file() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "kratos.yml",
        &format!("{MINIMAL}  methods:\n    oidc:\n      config:\n        providers:\n          - id: g\n            provider: google\n            mapper_url: file:///m\n            client_id: c\n"),
    );
    let e = kratos(std::slice::from_ref(&f), &MapEnv::new())
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        format!(
            "config error at selfservice.methods.oidc.config.providers.0.client_secret: is required but missing (from {})",
            f.display()
        )
    );
}
