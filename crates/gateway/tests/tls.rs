//! End-to-end: HTTPS listeners (`serve.proxy.tls`, `serve.api.tls`) with a self-signed
//! certificate generated for the test; certificate and key from `path` and from `base64`.

mod common;

use base64::Engine;
use common::*;
use nexus_gateway::{Gateway, OathkeeperConfig};
use serde_json::{json, Value};

struct Pem {
    cert: String,
    key: String,
}

fn self_signed() -> Pem {
    let ck = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    Pem {
        cert: ck.cert.pem(),
        key: ck.key_pair.serialize_pem(),
    }
}

fn b64(s: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(s)
}

/// A client that trusts `cert` and resolves `localhost` to the gateway's listeners.
fn https_client(pem: &Pem, addrs: &[std::net::SocketAddr]) -> reqwest::Client {
    let mut b = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(pem.cert.as_bytes()).unwrap())
        .redirect(reqwest::redirect::Policy::none());
    for a in addrs {
        b = b.resolve("localhost", *a);
    }
    b.build().unwrap()
}

#[tokio::test]
async fn proxy_and_api_serve_https_from_path_and_base64() {
    let (up, who) = (upstream().await, whoami().await);
    let pem = self_signed();
    let dir = tempfile::tempdir().unwrap();
    let cert_path = dir.path().join("cert.pem");
    let key_path = dir.path().join("key.pem");
    std::fs::write(&cert_path, &pem.cert).unwrap();
    std::fs::write(&key_path, &pem.key).unwrap();
    let cfg = base_config(
        &who.url(),
        json!({"serve": {
            "proxy": {"tls": {"cert": {"base64": b64(&pem.cert)}, "key": {"path": key_path}}},
            "api": {"tls": {"cert": {"path": cert_path}, "key": {"base64": b64(&pem.key)}}}
        }}),
    );
    // The rule only matches https URLs: the scheme comes from the TLS listener.
    let rules = json!([rule(
        "secure",
        "https://<**>/<**>",
        &["anonymous"],
        &format!("http://{up}")
    )]);
    let t = gateway(cfg, rules).await;

    let proxy = https_client(&pem, &[t.gw.proxy_addr]);
    let port = t.gw.proxy_addr.port();
    let resp = proxy
        .get(format!("https://localhost:{port}/hello?x=1"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let echoed: Value = resp.json().await.unwrap();
    assert_eq!(echoed["path"], "/hello");
    assert_eq!(echoed["headers"]["x-forwarded-proto"], "https");
    assert_eq!(echoed["headers"]["x-user-id"], "guest");

    // Plain HTTP on the TLS port is not served.
    assert!(client()
        .get(format!("http://127.0.0.1:{port}/hello"))
        .send()
        .await
        .map(|r| !r.status().is_success())
        .unwrap_or(true));

    let api = https_client(&pem, &[t.gw.api_addr]);
    let port = t.gw.api_addr.port();
    let resp = api
        .get(format!("https://localhost:{port}/health/alive"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    // Decisions without X-Forwarded-Proto take the listener's scheme.
    let resp = api
        .get(format!("https://localhost:{port}/decisions/hello"))
        .header("Host", "app.example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["x-user-id"], "guest");
}

fn load(extra: Value) -> Result<OathkeeperConfig, nexus_kit::config::ConfigError> {
    let mut cfg = base_config("http://127.0.0.1:1/sessions/whoami", extra);
    cfg["access_rules"]["repositories"] = json!(["inline://W10="]);
    OathkeeperConfig::from_value(cfg)
}

#[tokio::test]
async fn bad_tls_config_exits_64_naming_the_key() {
    let pem = self_signed();
    let other = self_signed();
    let cases = [
        (
            json!({"serve": {"proxy": {"tls": {"cert": {"base64": b64(&pem.cert)}}}}}),
            "serve.proxy.tls.key",
        ),
        (
            json!({"serve": {"api": {"tls": {"cert": {"base64": b64("junk")}, "key": {"base64": b64(&pem.key)}}}}}),
            "serve.api.tls.cert",
        ),
        (
            json!({"serve": {"proxy": {"tls": {"cert": {"base64": b64(&pem.cert)}, "key": {"path": "/nonexistent/key.pem"}}}}}),
            "serve.proxy.tls.key.path",
        ),
        (
            json!({"serve": {"proxy": {"tls": {"cert": {"base64": b64(&pem.cert)}, "key": {"base64": b64(&other.key)}}}}}),
            "serve.proxy.tls.key",
        ),
    ];
    for (extra, key) in cases {
        let e = load(extra).err().expect("config must be rejected");
        assert_eq!(e.exit_code(), 64);
        assert!(e.to_string().contains(key), "{key}: {e}");
    }
    // Both unset: plain HTTP, as in Oathkeeper.
    let cfg = load(json!({"serve": {"proxy": {"tls": {}}}})).unwrap();
    let gw = Gateway::builder(cfg).ephemeral().start().await.unwrap();
    gw.shutdown().await;
}
