//! Helpers of the WebAuthn and passkey end-to-end tests: a server with the methods on, and
//! a software authenticator ([`authenticator`]) answering the challenges the server sends.
#![allow(dead_code)]

pub mod authenticator;

use std::path::PathBuf;

use serde_json::{json, Value};

use crate::account_support as acc;
use crate::common::{Backend, TestServer};

/// The relying party's id and the origin the pages are served from (the UI behind the
/// gateway, not the identity server itself).
pub const RP_ID: &str = "localhost";
/// See [`RP_ID`].
pub const ORIGIN: &str = "http://localhost:4455";

/// A server with TOTP off, security keys as a second factor (or passwordless), passkeys on,
/// and a schema naming the passkey display name.
pub async fn server(backend: Backend, tweak: impl FnOnce(&mut Value)) -> TestServer {
    TestServer::start_with(backend, |cfg| {
        acc::ui_urls(cfg);
        let schema = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/identity.passkey.schema.json");
        cfg["identity"]["schemas"] =
            json!([{ "id": "default", "url": format!("file://{}", schema.display()) }]);
        let rp = json!({ "id": RP_ID, "display_name": "Nexus Test", "origins": [ORIGIN] });
        cfg["selfservice"]["methods"]["webauthn"] =
            json!({ "enabled": true, "config": { "passwordless": false, "rp": rp } });
        cfg["selfservice"]["methods"]["passkey"] =
            json!({ "enabled": true, "config": { "rp": rp } });
        cfg["selfservice"]["flows"]["registration"]["style"] = json!("unified");
        cfg["selfservice"]["flows"]["registration"]["after"]["passkey"] =
            json!({ "hooks": [{ "hook": "session" }] });
        tweak(cfg);
    })
    .await
}

/// The JSON inside a node's string value.
pub fn json_value(flow: &Value, name: &str) -> Value {
    let node = acc::node(flow, name).unwrap_or_else(|| panic!("{name} node in {flow}"));
    serde_json::from_str(node["attributes"]["value"].as_str().unwrap()).unwrap()
}

/// The script node.
pub fn script(flow: &Value) -> Value {
    flow["ui"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["type"] == "script")
        .cloned()
        .unwrap_or_else(|| panic!("script node in {flow}"))
}

/// A browser login flow, fetched as a single-page app does (JSON).
pub async fn login_flow(srv: &TestServer, client: &reqwest::Client) -> Value {
    let res = client
        .get(srv.url("/self-service/login/browser"))
        .header(reqwest::header::ACCEPT, "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}
