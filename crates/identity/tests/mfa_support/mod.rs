//! Helpers of the second-factor end-to-end tests: a server with TOTP and lookup secrets on,
//! signed-in browsers and native apps, TOTP codes computed here from the shown secret.
#![allow(dead_code)]

use std::path::PathBuf;

use reqwest::header::ACCEPT;
use serde_json::{json, Value};
use totp_rs::{Algorithm, Secret, TOTP};

use crate::account_support as acc;
use crate::common::{self, Backend, TestServer, PASSWORD};

/// Issuer configured for TOTP.
pub const ISSUER: &str = "Nexus Test";

/// A server with TOTP and lookup secrets enabled and the schema naming the TOTP account.
pub async fn server(backend: Backend, tweak: impl FnOnce(&mut Value)) -> TestServer {
    TestServer::start_with(backend, |cfg| {
        acc::ui_urls(cfg);
        let schema = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/identity.mfa.schema.json");
        cfg["identity"]["schemas"] =
            json!([{ "id": "default", "url": format!("file://{}", schema.display()) }]);
        cfg["selfservice"]["methods"]["totp"] =
            json!({ "enabled": true, "config": { "issuer": ISSUER } });
        cfg["selfservice"]["methods"]["lookup_secret"] = json!({ "enabled": true });
        tweak(cfg);
    })
    .await
}

pub use crate::account_support::node;

/// `(group, name or id)` of every node but the CSRF token.
pub fn names(flow: &Value) -> Vec<(String, String)> {
    flow["ui"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|n| n["attributes"]["name"] != "csrf_token")
        .map(|n| {
            let a = &n["attributes"];
            let name = a["name"].as_str().or(a["id"].as_str()).unwrap_or_default();
            let name = match a["value"].as_str() {
                Some(v) if a["name"] == "method" => format!("method={v}"),
                _ => name.to_string(),
            };
            (n["group"].as_str().unwrap_or_default().to_string(), name)
        })
        .collect()
}

/// A TOTP generator for a base32 secret, independent of the server's code.
pub fn totp(secret: &str) -> TOTP {
    let bytes = Secret::Encoded(secret.to_string()).to_bytes().unwrap();
    TOTP::new_unchecked(Algorithm::SHA1, 6, 1, 30, bytes, None, String::new())
}

/// Unix seconds now.
pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// A six-digit code no step from one before to two after now produces.
pub fn wrong_code(t: &TOTP) -> String {
    let n = now();
    let valid: Vec<String> = (0..4).map(|i| t.generate(n + i * 30 - 30)).collect();
    (0..10)
        .map(|d| d.to_string().repeat(6))
        .find(|c| !valid.contains(c))
        .unwrap()
}

/// The secret shown in a settings flow's `totp_secret_key` text node.
pub fn shown_secret(flow: &Value) -> String {
    let n = node(flow, "totp_secret_key").expect("totp_secret_key node");
    assert_eq!(n["type"], "text");
    n["attributes"]["text"]["text"]
        .as_str()
        .unwrap()
        .to_string()
}

/// A native app: a registered identity and its session token.
pub struct App {
    pub email: String,
    pub token: String,
}

/// Registers through the API (the session hook signs in).
pub async fn app(srv: &TestServer) -> App {
    let email = common::email();
    let done = acc::register_api(srv, &email).await;
    App {
        token: done["session_token"].as_str().unwrap().to_string(),
        email,
    }
}

/// An API settings flow for `token`.
pub async fn settings_api(srv: &TestServer, token: &str) -> Value {
    let (status, flow) = acc::api_flow(srv, "settings", Some(token)).await;
    assert_eq!(status, 200, "{flow}");
    flow
}

/// Pairs TOTP on an API settings flow with the code for now; returns the generator.
pub async fn pair_totp(srv: &TestServer, token: &str) -> TOTP {
    let flow = settings_api(srv, token).await;
    let t = totp(&shown_secret(&flow));
    let body = json!({ "method": "totp", "totp_code": t.generate(now()) });
    let (status, done) = acc::post_json(&common::plain(), &flow, body, Some(token)).await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["state"], "success");
    t
}

/// A new aal1 session token from a password login.
pub async fn password_login(srv: &TestServer, email: &str) -> String {
    acc::login_api(srv, email, PASSWORD)
        .await
        .expect("password login")
}

/// `GET /self-service/login/api?aal=aal2` with `token`: status and body.
pub async fn aal2_flow(srv: &TestServer, token: &str) -> (u16, Value) {
    let res = common::plain()
        .get(srv.url("/self-service/login/api?aal=aal2"))
        .header("X-Session-Token", token)
        .header(ACCEPT, "application/json")
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap())
}

/// Submits `body` to a native login flow with `token`.
pub async fn submit(flow: &Value, body: Value, token: &str) -> (u16, Value) {
    acc::post_json(&common::plain(), flow, body, Some(token)).await
}

/// `whoami` with a token: status and body.
pub async fn whoami(srv: &TestServer, token: &str) -> (u16, Value) {
    let res = common::plain()
        .get(srv.url("/sessions/whoami"))
        .header("X-Session-Token", token)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap())
}

/// The `(method, aal)` pairs of a session's `authentication_methods`.
pub fn methods(session: &Value) -> Vec<(String, String)> {
    session["authentication_methods"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|m| {
            (
                m["method"].as_str().unwrap().to_string(),
                m["aal"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The error id of an error body.
pub fn error_id(body: &Value) -> &str {
    body["error"]["id"].as_str().unwrap_or_default()
}
