//! Test servers: an echoing upstream, a Kratos-like whoami, and a gateway started in-process.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{Message, WebSocketUpgrade};
use axum::extract::Request;
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::Json;
use nexus_gateway::{Gateway, OathkeeperConfig, RunningGateway};
use serde_json::{json, Value};

/// Serves `router` on 127.0.0.1:0.
pub async fn serve(router: axum::Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, router).await.unwrap();
    });
    addr
}

/// An upstream that echoes what it received as JSON; `/slow` sleeps, `/ws` echoes WebSocket
/// messages.
pub async fn upstream() -> SocketAddr {
    async fn echo(req: Request) -> Response {
        let (parts, body) = req.into_parts();
        let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap();
        let headers: serde_json::Map<String, Value> = parts
            .headers
            .iter()
            .map(|(k, v)| (k.to_string(), json!(v.to_str().unwrap_or(""))))
            .collect();
        Json(json!({
            "method": parts.method.as_str(),
            "path": parts.uri.path(),
            "query": parts.uri.query(),
            "headers": headers,
            "body_len": bytes.len(),
        }))
        .into_response()
    }
    async fn slow() -> &'static str {
        tokio::time::sleep(Duration::from_secs(5)).await;
        "late"
    }
    async fn ws(up: WebSocketUpgrade) -> Response {
        up.on_upgrade(|mut socket| async move {
            while let Some(Ok(msg)) = socket.recv().await {
                if let Message::Text(t) = msg {
                    let _ = socket.send(Message::Text(format!("echo:{t}").into())).await;
                }
            }
        })
    }
    serve(
        axum::Router::new()
            .route("/slow", get(slow))
            .route("/ws", get(ws))
            .fallback(any(echo)),
    )
    .await
}

/// A Kratos-like `/sessions/whoami`: cookie `ory_kratos_session=valid` or
/// `Authorization: Bearer valid-token` → 200 session, else 401. Counts calls.
pub struct Whoami {
    pub addr: SocketAddr,
    pub calls: Arc<AtomicUsize>,
}

impl Whoami {
    pub fn url(&self) -> String {
        format!("http://{}/sessions/whoami", self.addr)
    }

    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

pub async fn whoami() -> Whoami {
    let calls = Arc::new(AtomicUsize::new(0));
    let c = calls.clone();
    let handler = move |req: Request| {
        let c = c.clone();
        async move {
            c.fetch_add(1, Ordering::SeqCst);
            let h = |n: &str| {
                req.headers()
                    .get(n)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_owned()
            };
            let ok = h("cookie").contains("ory_kratos_session=valid")
                || h("authorization") == "Bearer valid-token";
            if !ok {
                return (
                    http::StatusCode::UNAUTHORIZED,
                    Json(json!({"error": {"code": 401, "status": "Unauthorized", "message": "No valid session credentials found in the request."}})),
                )
                    .into_response();
            }
            Json(json!({
                "id": "session-1",
                "active": true,
                "expires_at": (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339(),
                "identity": {"id": "user-1", "traits": {"email": "user@example.com"}},
            }))
            .into_response()
        }
    };
    let addr = serve(axum::Router::new().route("/sessions/whoami", any(handler))).await;
    Whoami { addr, calls }
}

/// A started gateway with its rule file.
pub struct TestGateway {
    pub gw: RunningGateway,
    pub dir: tempfile::TempDir,
    pub rules_path: std::path::PathBuf,
}

impl TestGateway {
    pub fn proxy(&self, path: &str) -> String {
        format!("http://{}{path}", self.gw.proxy_addr)
    }

    pub fn api(&self, path: &str) -> String {
        format!("http://{}{path}", self.gw.api_addr)
    }
}

/// Starts a gateway with `config` (a JSON config value) and `rules` written to a file that
/// the config's repositories point at.
pub async fn gateway(config: Value, rules: Value) -> TestGateway {
    gateway_trusting(config, rules, Vec::new()).await
}

/// [`gateway`] that also trusts `roots` for `https://` upstreams.
pub async fn gateway_trusting(
    mut config: Value,
    rules: Value,
    roots: Vec<tokio_rustls::rustls::pki_types::CertificateDer<'static>>,
) -> TestGateway {
    let dir = tempfile::tempdir().unwrap();
    let rules_path = dir.path().join("rules.json");
    std::fs::write(&rules_path, serde_json::to_string_pretty(&rules).unwrap()).unwrap();
    let repos = config["access_rules"]["repositories"].clone();
    if repos.is_null() {
        config["access_rules"]["repositories"] =
            json!([format!("file://{}", rules_path.display())]);
    }
    let cfg = OathkeeperConfig::from_value(config).unwrap();
    let gw = Gateway::builder(cfg)
        .ephemeral()
        .rule_poll_interval(Duration::from_millis(200))
        .upstream_roots(roots)
        .start()
        .await
        .unwrap();
    TestGateway {
        gw,
        dir,
        rules_path,
    }
}

/// A client that does not follow redirects.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The common handler config: cookie_session/bearer_token against `whoami`, allow, header.
pub fn base_config(whoami: &str, extra: Value) -> Value {
    let mut cfg = json!({
        "access_rules": {"matching_strategy": "glob"},
        "authenticators": {
            "noop": {"enabled": true},
            "anonymous": {"enabled": true, "config": {"subject": "guest"}},
            "unauthorized": {"enabled": true},
            "cookie_session": {"enabled": true, "config": {
                "check_session_url": whoami, "preserve_path": true,
                "extra_from": "@this", "subject_from": "identity.id"
            }},
            "bearer_token": {"enabled": true, "config": {
                "check_session_url": whoami, "preserve_path": true,
                "extra_from": "@this", "subject_from": "identity.id"
            }}
        },
        "authorizers": {"allow": {"enabled": true}, "deny": {"enabled": true}},
        "mutators": {
            "noop": {"enabled": true},
            "header": {"enabled": true, "config": {"headers": {"X-User-Id": "{{ print .Subject }}"}}}
        },
        "errors": {"fallback": ["json"], "handlers": {"json": {"enabled": true, "config": {"verbose": true}}}}
    });
    nexus_gateway::pipeline::registry::deep_merge(&mut cfg, &extra);
    cfg
}

/// A rule with the given id, glob url, methods, authenticators and upstream.
pub fn rule(id: &str, url: &str, authn: &[&str], upstream: &str) -> Value {
    json!({
        "id": id,
        "match": {"url": url, "methods": ["GET", "POST", "PUT", "DELETE", "OPTIONS"]},
        "authenticators": authn.iter().map(|h| json!({"handler": h})).collect::<Vec<_>>(),
        "authorizer": {"handler": "allow"},
        "mutators": [{"handler": "header"}],
        "upstream": {"url": upstream}
    })
}

/// Polls `check` until it holds (bounded, not a timing assertion).
pub async fn eventually<F, Fut>(mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..100 {
        if check().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}
