//! The example configs under `deploy/` load as an operator would use them: the identity server
//! starts on `deploy/kratos/kratos.yml` (schema and courier templates included), the gateway
//! validates and serves `deploy/oathkeeper/` with its access rules, and known-insecure secrets
//! (the ones shipped there among them) stop `identity serve` outside `--dev` with exit 64.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use serde_json::{json, Value};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

#[test]
fn kratos_example_serves_in_dev_mode() {
    let (public, admin) = (free_port(), free_port());
    let mut child = bin()
        .current_dir(root())
        .args([
            "identity",
            "serve",
            "-c",
            "deploy/kratos/kratos.yml",
            "--dev",
        ])
        .env("DSN", "memory")
        .env("SERVE_PUBLIC_PORT", public.to_string())
        .env("SERVE_ADMIN_PORT", admin.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for_port(public, &mut child);
    wait_for_port(admin, &mut child);
    let alive = get(public, "/health/alive");
    assert!(alive.starts_with("HTTP/1.1 200"), "{alive}");
    let schemas = get(public, "/schemas");
    assert!(schemas.contains("\"default\""), "{schemas}");
    let status = terminate(&mut child);
    assert!(status.success(), "{status}");
}

/// Runs `cmd` expecting it to exit by itself; returns (status code, stderr). A server that
/// starts instead is killed and the test fails.
fn exits(mut cmd: Command) -> (Option<i32>, String) {
    let mut child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut err = String::new();
            std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
            return (status.code(), err);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("{cmd:?} kept running: the config was accepted");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn serve_deploy_config(dev: bool) -> Command {
    let mut cmd = bin();
    cmd.current_dir(root())
        .args(["identity", "serve", "-c", "deploy/kratos/kratos.yml"])
        .env("DSN", "memory")
        .env("SERVE_PUBLIC_PORT", free_port().to_string())
        .env("SERVE_ADMIN_PORT", free_port().to_string());
    if dev {
        cmd.arg("--dev");
    }
    cmd
}

#[test]
fn the_shipped_secrets_are_refused_without_dev() {
    let (code, err) = exits(serve_deploy_config(false));
    assert_eq!(code, Some(64), "{err}");
    assert!(err.contains("secrets.default.0"), "{err}");
    assert!(err.contains("--dev"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");

    // With its own secrets the same file passes validation (and then starts).
    let mut cmd = serve_deploy_config(false);
    cmd.env("SECRETS_DEFAULT", "4f9a1c7e2b8d4e6fa0c3b5d7e9f1a2c4")
        .env("SECRETS_COOKIE", "e3b1d5f7a9c2e4f6b8d0a1c3e5f7b9d2");
    let mut child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let port = cmd
        .get_envs()
        .find(|(k, _)| *k == "SERVE_PUBLIC_PORT")
        .and_then(|(_, v)| v?.to_str()?.parse().ok())
        .unwrap();
    wait_for_port(port, &mut child);
    let alive = get(port, "/health/alive");
    assert!(alive.starts_with("HTTP/1.1 200"), "{alive}");
    terminate(&mut child);
}

#[test]
fn insecure_secrets_exit_64_naming_the_key() {
    let cases = [
        (
            "SECRETS_COOKIE",
            "PLEASE-CHANGE-ME-I-AM-VERY-INSECURE",
            "secrets.cookie.0",
        ),
        ("SECRETS_DEFAULT", "short-secret", "secrets.default.0"),
        (
            "SECRETS_DEFAULT",
            "dev-only-cookie-secret-change-me-0123456789",
            "secrets.default.0",
        ),
        (
            "SERVE_ADMIN_API_KEYS",
            "change-me-to-a-long-random-key",
            "serve.admin.api_keys.0",
        ),
    ];
    for (var, value, key) in cases {
        let mut cmd = serve_deploy_config(false);
        cmd.env("SECRETS_DEFAULT", "4f9a1c7e2b8d4e6fa0c3b5d7e9f1a2c4")
            .env("SECRETS_COOKIE", "e3b1d5f7a9c2e4f6b8d0a1c3e5f7b9d2")
            .env(var, value);
        let (code, err) = exits(cmd);
        assert_eq!(code, Some(64), "{var}={value}: {err}");
        assert!(err.contains(key), "{var}={value}: {err}");
        assert!(
            !err.contains(value),
            "the secret itself is not printed: {err}"
        );
    }
    // Too short is refused even in dev mode, as Kratos does.
    let mut cmd = serve_deploy_config(true);
    cmd.env("SECRETS_DEFAULT", "short-secret");
    let (code, err) = exits(cmd);
    assert_eq!(code, Some(64), "{err}");
    assert!(
        err.contains("secrets.default.0") && err.contains("16"),
        "{err}"
    );
}

#[tokio::test]
async fn courier_templates_render_from_the_flat_files() {
    let path = root().join("deploy/kratos/courier-templates");
    let courier = nexus_identity::config::courier::Courier {
        template_override_path: Some(path.display().to_string()),
        ..Default::default()
    };
    let templates = nexus_identity::courier::Templates::load(&courier, &reqwest::Client::new())
        .await
        .unwrap();
    use nexus_identity::courier::TemplateType as T;
    for t in [
        T::verification_code_valid,
        T::recovery_code_valid,
        T::recovery_valid,
    ] {
        for source in templates.sources(t) {
            assert!(source.contains("courier-templates"), "{t:?}: {source}");
        }
    }
    let model = json!({
        "To": "ada@example.com",
        "VerificationCode": "123456",
        "VerificationURL": "https://auth.example.com/self-service/verification?flow=f&code=123456",
        "RecoveryCode": "654321",
        "RecoveryURL": "https://auth.example.com/self-service/recovery?flow=f&token=t",
        "ExpiresInMinutes": 10,
    });
    let v = templates
        .render(T::verification_code_valid, &model)
        .unwrap();
    assert_eq!(v.subject, "Verify your Nexus email address");
    assert!(v.plaintext.contains("\n123456\n"), "{}", v.plaintext);
    assert!(
        v.plaintext.contains("expires in 10 minutes"),
        "{}",
        v.plaintext
    );
    assert!(v.html.contains(">123456<"), "{}", v.html);
    let r = templates.render(T::recovery_code_valid, &model).unwrap();
    assert!(r.plaintext.contains("\n654321\n"), "{}", r.plaintext);
    let l = templates.render(T::recovery_valid, &model).unwrap();
    assert!(l.html.contains("token=t"), "{}", l.html);
    // Types without a file keep the built-in text.
    assert!(templates.sources(T::login_code_valid)[0].contains("built-in"));
}

#[test]
fn gateway_example_rules_validate() {
    let out = bin()
        .current_dir(root())
        .args([
            "gateway",
            "rules",
            "validate",
            "-c",
            "deploy/oathkeeper/oathkeeper.yml",
            "deploy/oathkeeper/access-rules/identity.yml",
            "deploy/oathkeeper/access-rules/ui.yml",
            "deploy/oathkeeper/access-rules/api.yml",
        ])
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("5 rules OK"), "{text}");
}

#[test]
fn gateway_example_config_serves_its_access_rules() {
    let dir = tempfile::tempdir().unwrap();
    let jwks = run(&["gateway", "credentials", "generate", "--alg", "ES256"]);
    assert!(jwks.status.success());
    std::fs::write(dir.path().join("jwks.json"), &jwks.stdout).unwrap();
    let rules = root().join("deploy/oathkeeper/access-rules");
    let repos = ["identity", "ui", "api"]
        .map(|f| format!("file://{}/{f}.yml", rules.display()))
        .join(",");
    let (proxy, api) = (free_port(), free_port());
    // The example names /etc/config paths and docker hosts: only those are overridden.
    let mut child = bin()
        .current_dir(root())
        .args(["gateway", "serve", "-c", "deploy/oathkeeper/oathkeeper.yml"])
        .env("ACCESS_RULES_REPOSITORIES", repos)
        .env(
            "MUTATORS_ID_TOKEN_CONFIG_JWKS_URL",
            format!("file://{}", dir.path().join("jwks.json").display()),
        )
        .env("SERVE_PROXY_HOST", "127.0.0.1")
        .env("SERVE_PROXY_PORT", proxy.to_string())
        .env("SERVE_API_HOST", "127.0.0.1")
        .env("SERVE_API_PORT", api.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for_port(api, &mut child);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let ids = loop {
        let res = get(api, "/rules");
        let body = res.split("\r\n\r\n").nth(1).unwrap_or_default();
        let ids: Vec<String> = serde_json::from_str::<Value>(body)
            .ok()
            .and_then(|v| v.as_array().cloned())
            .unwrap_or_default()
            .iter()
            .filter_map(|r| r["id"].as_str().map(String::from))
            .collect();
        if ids.len() == 5 || std::time::Instant::now() > deadline {
            break ids;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    assert_eq!(
        ids,
        [
            "kratos:public",
            "ui:pages",
            "django:graphql",
            "django:api",
            "django:health"
        ]
    );
    terminate(&mut child);
}
