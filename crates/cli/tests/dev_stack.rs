//! `nexus-auth dev`: the whole stack on one origin — UI, identity API, the protected demo
//! upstream with a verified id_token, and the admin API behind the admin-rights check.

mod common;

use std::process::{Child, Stdio};

use common::*;
use serde_json::Value;

struct Dev {
    child: Child,
    origin: String,
    _dir: tempfile::TempDir,
}

impl Drop for Dev {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(admin_email: &str) -> Dev {
    let dir = tempfile::tempdir().unwrap();
    let ui = dir.path().join("ui");
    std::fs::create_dir_all(&ui).unwrap();
    std::fs::write(
        ui.join("index.html"),
        "<!doctype html><title>Nexus UI</title>",
    )
    .unwrap();
    let port = free_port();
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let mut child = bin()
        .current_dir(root)
        .args([
            "dev",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--admin",
            admin_email,
        ])
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .arg("--ui-dir")
        .arg(&ui)
        .env_remove("DSN")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for_port(port, &mut child);
    Dev {
        child,
        origin: format!("http://localhost:{port}"),
        _dir: dir,
    }
}

/// Registers through the browser flow, as the UI does; the client keeps the session cookie.
async fn register(http: &reqwest::Client, origin: &str, email: &str) -> Value {
    let (action, registered) = register_browser(http, origin, email).await;
    assert!(
        action.starts_with(origin),
        "actions stay on the one origin: {action}"
    );
    registered
}

#[tokio::test]
async fn one_origin_serves_ui_identity_upstream_and_admin() {
    let dev = start("boss@example.com");
    let o = &dev.origin;
    let anonymous = reqwest::Client::new();

    let ip = o.replace("localhost", "127.0.0.1");
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let res = no_redirects
        .get(format!("{ip}/login?return_to=%2Fsettings"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        308,
        "the IP address leads to the localhost origin"
    );
    assert_eq!(
        res.headers()["location"],
        format!("{o}/login?return_to=%2Fsettings").as_str()
    );
    let login = get_json(&anonymous, &format!("{o}/self-service/login/browser")).await;
    let passkey_nodes = login["ui"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["group"] == "passkey")
        .count();
    assert!(passkey_nodes > 0, "sign-in offers passkeys: {login}");

    let page = anonymous.get(format!("{o}/login")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("Nexus UI"));
    let res = anonymous.get(format!("{o}/api/echo")).send().await.unwrap();
    assert_eq!(res.status(), 401, "the demo upstream needs a session");

    let user = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let registered = register(&user, o, "someone@example.com").await;
    let id = registered["identity"]["id"].as_str().unwrap().to_string();
    let echo: Value = user
        .get(format!("{o}/api/echo"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(echo["user_id"], id.as_str());
    assert_eq!(echo["id_token_claims"]["sub"], id.as_str(), "{echo}");
    assert_eq!(
        echo["id_token_claims"]["session"]["identity"]["traits"]["email"],
        "someone@example.com"
    );
    let res = user
        .get(format!("{o}/api/admin/identities"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403, "not an admin");

    let boss = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    register(&boss, o, "boss@example.com").await;
    let res = boss
        .get(format!("{o}/api/admin/identities"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let list: Vec<Value> = res.json().await.unwrap();
    assert_eq!(list.len(), 2);
}
