//! Helpers shared by the admin API tests: raw JSON calls, the SDK pointed at the admin port,
//! native login and whoami.
#![allow(dead_code)]

use http::HeaderMap;
use ory_kratos_client::apis::configuration::{ApiKey, Configuration};
use serde_json::{json, Value};

use crate::common::{self, TestServer};

/// A response: status, headers, JSON body (`Null` when empty).
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Reply {
    /// `error.reason` of a Kratos error body.
    pub fn reason(&self) -> &str {
        self.body["error"]["reason"].as_str().unwrap_or_default()
    }

    /// The `rel="next"` URL of the `Link` header.
    pub fn next_link(&self) -> Option<String> {
        link(&self.headers, "next")
    }
}

/// The URL of the `Link` entry with relation `rel`.
pub fn link(headers: &HeaderMap, rel: &str) -> Option<String> {
    let value = headers.get("link")?.to_str().ok()?;
    value.split(",<").find_map(|part| {
        let part = part.trim_start_matches('<');
        let (url, params) = part.split_once('>')?;
        params
            .contains(&format!("rel=\"{rel}\""))
            .then(|| url.to_string())
    })
}

/// The SDK configured for the admin port.
pub fn admin_sdk(srv: &TestServer) -> Configuration {
    let mut c = Configuration::new();
    c.base_path = srv.admin.clone();
    c
}

/// The SDK for the admin port, sending `Authorization: Bearer <key>`.
pub fn admin_sdk_with_key(srv: &TestServer, key: &str) -> Configuration {
    let mut c = admin_sdk(srv);
    c.api_key = Some(ApiKey {
        prefix: Some("Bearer".into()),
        key: key.into(),
    });
    c
}

/// Any request with an optional JSON body.
pub async fn call(method: &str, url: &str, body: Option<Value>) -> Reply {
    call_with(method, url, body, None).await
}

/// Any request with an optional JSON body and bearer key.
pub async fn call_with(method: &str, url: &str, body: Option<Value>, key: Option<&str>) -> Reply {
    let method = http::Method::from_bytes(method.as_bytes()).unwrap();
    let mut req = common::plain().request(method, url);
    if let Some(b) = body {
        req = req.json(&b);
    }
    if let Some(k) = key {
        req = req.bearer_auth(k);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let text = res.text().await.unwrap();
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
    };
    Reply {
        status,
        headers,
        body,
    }
}

/// `<admin><path>`.
pub fn admin(srv: &TestServer, path: &str) -> String {
    format!("{}{}", srv.admin, path)
}

/// A create body for the fixture schema.
pub fn person(email: &str) -> Value {
    json!({
        "schema_id": "default",
        "traits": { "email": email, "name": { "first": "Ada", "last": "Lovelace" } }
    })
}

/// A create body with a plaintext password.
pub fn person_with_password(email: &str, password: &str) -> Value {
    let mut b = person(email);
    b["credentials"] = json!({ "password": { "config": { "password": password } } });
    b
}

/// `POST /admin/identities`, expecting 201; returns the identity JSON.
pub async fn create(srv: &TestServer, body: Value) -> Value {
    let r = call("POST", &admin(srv, "/admin/identities"), Some(body)).await;
    assert_eq!(r.status, 201, "{}", r.body);
    r.body
}

/// Native password login: the session token, or the status and body of the refusal.
pub async fn login(
    srv: &TestServer,
    identifier: &str,
    password: &str,
) -> Result<String, (u16, Value)> {
    let flow = call("GET", &srv.url("/self-service/login/api"), None).await;
    assert_eq!(flow.status, 200, "{}", flow.body);
    let action = flow.body["ui"]["action"].as_str().unwrap().to_string();
    let r = call(
        "POST",
        &action,
        Some(json!({ "method": "password", "identifier": identifier, "password": password })),
    )
    .await;
    match r.status {
        200 => Ok(r.body["session_token"].as_str().unwrap().to_string()),
        _ => Err((r.status, r.body)),
    }
}

/// `GET /sessions/whoami` with a session token.
pub async fn whoami(srv: &TestServer, token: &str) -> Reply {
    let res = common::plain()
        .get(srv.url("/sessions/whoami"))
        .header("X-Session-Token", token)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let body = res.json().await.unwrap_or(Value::Null);
    Reply {
        status,
        headers,
        body,
    }
}

/// The stored password hash, read through the admin API.
pub async fn stored_hash(srv: &TestServer, id: &str) -> String {
    let r = call(
        "GET",
        &admin(
            srv,
            &format!("/admin/identities/{id}?include_credential=password"),
        ),
        None,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["credentials"]["password"]["config"]["hashed_password"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}
