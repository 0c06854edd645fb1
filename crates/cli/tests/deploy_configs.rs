//! The example configs under `deploy/` load as an operator would use them: the identity server
//! starts on `deploy/kratos/kratos.yml` (schema and courier templates included), the gateway
//! validates and serves `deploy/oathkeeper/` with its access rules.

mod common;

use std::path::{Path, PathBuf};
use std::process::Stdio;

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
    assert!(terminate(&mut child).success());
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
    assert!(terminate(&mut child).success());
}
