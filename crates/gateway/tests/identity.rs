//! End-to-end against the real identity server: users register through the identity API, then
//! `cookie_session` and `bearer_token` check their sessions at its `/sessions/whoami` while the
//! gateway proxies to an echoing upstream and answers decisions.

mod common;

use std::time::{Duration, Instant};

use common::*;
use nexus_identity::server;
use reqwest::header::{ACCEPT, LOCATION};
use serde_json::{json, Value};
use tokio::sync::oneshot;

const PASSWORD: &str = "correct-horse-battery-staple-9";
const LOGIN_UI: &str = "http://127.0.0.1:4455/login";

/// The identity server on 127.0.0.1:0 with an in-memory database.
struct Kratos {
    public: String,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
    _dir: tempfile::TempDir,
}

impl Kratos {
    async fn start() -> Kratos {
        let schema = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/identity/identity.schema.json");
        let cfg = json!({
            "dsn": "memory",
            "serve": {"public": {"host": "127.0.0.1"}, "admin": {"host": "127.0.0.1"}},
            "identity": {
                "default_schema_id": "default",
                "schemas": [{"id": "default", "url": format!("file://{}", schema.display())}]
            },
            "selfservice": {
                "default_browser_return_url": "http://127.0.0.1:4455/welcome",
                "allowed_return_urls": ["http://127.0.0.1:4455/"],
                "methods": {"password": {"enabled": true, "config": {"haveibeenpwned_enabled": false}}},
                "flows": {
                    "error": {"ui_url": "http://127.0.0.1:4455/error"},
                    "login": {"ui_url": LOGIN_UI},
                    "registration": {
                        "ui_url": "http://127.0.0.1:4455/registration",
                        "after": {"password": {"hooks": [{"hook": "session"}]}}
                    },
                    "logout": {"after": {"default_browser_return_url": LOGIN_UI}}
                }
            },
            "secrets": {"cookie": ["a-very-secret-cookie-secret-0123"], "default": ["a-very-secret-default-secret-012"]},
            "hashers": {"algorithm": "bcrypt", "bcrypt": {"cost": 4}},
            "log": {"level": "warning"}
        });
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("kratos.json");
        std::fs::write(&file, serde_json::to_vec(&cfg).unwrap()).unwrap();
        let mut config =
            nexus_identity::config::load(&[file], &nexus_kit::config::MapEnv::new(), true)
                .expect("identity config loads");
        config.serve.public.port = 0;
        config.serve.admin.port = 0;
        let listeners = server::bind(&config).await.expect("bind");
        let public = listeners.public.local_addr().unwrap();
        let admin = listeners.admin.local_addr().unwrap();
        let reg = server::registry(&config, public, admin)
            .await
            .expect("registry");
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let _ = server::serve(reg, listeners, async move {
                let _ = rx.await;
            })
            .await;
        });
        Kratos {
            public: format!("http://{public}"),
            stop: Some(tx),
            task,
            _dir: dir,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.public)
    }

    /// Stops the server and waits until its port is closed.
    async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        let _ = (&mut self.task).await;
    }

    /// Native registration: returns (identity id, session token).
    async fn register_api(&self, email: &str) -> (String, String) {
        let c = client();
        let flow: Value = c
            .get(self.url("/self-service/registration/api"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let action = flow["ui"]["action"].as_str().expect("flow action");
        let resp = c
            .post(action)
            .json(&json!({"method": "password", "password": PASSWORD, "traits": {"email": email}}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        let done: Value = resp.json().await.unwrap();
        let id = done["identity"]["id"].as_str().expect("identity id");
        let token = done["session_token"].as_str().expect("session token");
        (id.to_owned(), token.to_owned())
    }

    /// Browser registration: returns (identity id, `ory_kratos_session` cookie pair) and the
    /// browser that holds it.
    async fn register_browser(&self, email: &str) -> (String, String, reqwest::Client) {
        let browser = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let resp = browser
            .get(self.url("/self-service/registration/browser"))
            .header(ACCEPT, "text/html")
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 303);
        let location = resp.headers()[LOCATION].to_str().unwrap().to_owned();
        let flow_id = location.split("flow=").nth(1).expect("flow id in redirect");
        let flow: Value = browser
            .get(self.url(&format!("/self-service/registration/flows?id={flow_id}")))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let csrf = flow["ui"]["nodes"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|n| n["attributes"]["name"] == "csrf_token")
            .and_then(|n| n["attributes"]["value"].as_str())
            .expect("csrf token")
            .to_owned();
        let resp = browser
            .post(flow["ui"]["action"].as_str().unwrap())
            .form(&[
                ("csrf_token", csrf.as_str()),
                ("method", "password"),
                ("traits.email", email),
                ("password", PASSWORD),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 303);
        let cookie = resp
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with("ory_kratos_session="))
            .and_then(|c| c.split(';').next())
            .expect("session cookie")
            .to_owned();
        let who: Value = browser
            .get(self.url("/sessions/whoami"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let id = who["identity"]["id"]
            .as_str()
            .expect("identity id")
            .to_owned();
        (id, cookie, browser)
    }
}

/// Gateway config: both authenticators against `whoami`, the header mutator with the
/// templates rules use, JSON errors by default and a redirect to the login UI for browsers.
fn gateway_config(whoami: &str) -> Value {
    let check = json!({
        "check_session_url": whoami, "preserve_path": true,
        "extra_from": "@this", "subject_from": "identity.id"
    });
    let mut cookie = check.clone();
    cookie["only"] = json!(["ory_kratos_session"]);
    json!({
        "access_rules": {"matching_strategy": "glob"},
        "authenticators": {
            "cookie_session": {"enabled": true, "config": cookie},
            "bearer_token": {"enabled": true, "config": check}
        },
        "authorizers": {"allow": {"enabled": true}},
        "mutators": {"header": {"enabled": true, "config": {"headers": {
            "X-User": "{{ print .Subject }}",
            "X-Email": "{{ .Extra.identity.traits.email }}"
        }}}},
        "errors": {
            "fallback": ["json"],
            "handlers": {
                "json": {"enabled": true, "config": {}},
                "redirect": {"enabled": true, "config": {
                    "to": LOGIN_UI,
                    "when": [{"error": ["unauthorized", "forbidden"],
                              "request": {"header": {"accept": ["text/html"]}}}]
                }}
            }
        }
    })
}

fn rules(upstream: std::net::SocketAddr) -> Value {
    json!([{
        "id": "app",
        "match": {"url": "http://<**>/app/<**>", "methods": ["GET", "POST"]},
        "authenticators": [{"handler": "cookie_session"}, {"handler": "bearer_token"}],
        "authorizer": {"handler": "allow"},
        "mutators": [{"handler": "header"}],
        "errors": [{"handler": "redirect"}],
        "upstream": {"url": format!("http://{upstream}")}
    }])
}

fn unique_email() -> String {
    format!("user-{}@example.com", uuid::Uuid::new_v4().simple())
}

/// GETs `path` through the proxy with `header`; returns the status and the echoed request.
async fn via_proxy(t: &TestGateway, path: &str, header: (&str, &str)) -> (u16, Value) {
    let resp = client()
        .get(t.proxy(path))
        .header(header.0, header.1)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_from_the_identity_server_reach_the_upstream_as_headers() {
    let kratos = Kratos::start().await;
    let up = upstream().await;
    let t = gateway(gateway_config(&kratos.url("/sessions/whoami")), rules(up)).await;

    // bearer_token with a session token from the native registration flow.
    let email = unique_email();
    let (id, token) = kratos.register_api(&email).await;
    let bearer = format!("Bearer {token}");
    let (status, echoed) = via_proxy(&t, "/app/me", ("Authorization", &bearer)).await;
    assert_eq!(status, 200, "{echoed}");
    assert_eq!(echoed["headers"]["x-user"], id.as_str());
    assert_eq!(echoed["headers"]["x-email"], email.as_str());

    // cookie_session with the cookie of a browser registration.
    let email2 = unique_email();
    let (id2, cookie, _browser) = kratos.register_browser(&email2).await;
    let (status, echoed) = via_proxy(&t, "/app/me", ("Cookie", &cookie)).await;
    assert_eq!(status, 200, "{echoed}");
    assert_eq!(echoed["headers"]["x-user"], id2.as_str());
    assert_eq!(echoed["headers"]["x-email"], email2.as_str());

    // The decisions API, called the way nginx auth_request calls it.
    let resp = client()
        .get(t.api("/decisions"))
        .header("Cookie", &cookie)
        .header("X-Forwarded-Method", "GET")
        .header("X-Forwarded-Proto", "http")
        .header("X-Forwarded-Host", "app.example.com")
        .header("X-Forwarded-Uri", "/app/orders?page=2")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["x-user"], id2.as_str());
    assert_eq!(resp.headers()["x-email"], email2.as_str());

    // No credentials at all: an API client gets the JSON error.
    let (status, _) = via_proxy(&t, "/app/me", ("Accept", "application/json")).await;
    assert_eq!(status, 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logged_out_and_revoked_sessions_get_the_error_handlers_answer() {
    let kratos = Kratos::start().await;
    let up = upstream().await;
    let t = gateway(gateway_config(&kratos.url("/sessions/whoami")), rules(up)).await;

    // A session token revoked through native logout.
    let (_, token) = kratos.register_api(&unique_email()).await;
    let bearer = format!("Bearer {token}");
    assert_eq!(
        via_proxy(&t, "/app/x", ("Authorization", &bearer)).await.0,
        200
    );
    let resp = client()
        .delete(kratos.url("/self-service/logout/api"))
        .json(&json!({"session_token": token}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    let resp = client()
        .get(t.proxy("/app/x"))
        .header("Authorization", &bearer)
        .header("Accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401, "revoked token");
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], 401);

    // A browser session ended through the logout flow: the browser goes to the login UI.
    let (_, cookie, browser) = kratos.register_browser(&unique_email()).await;
    assert_eq!(via_proxy(&t, "/app/x", ("Cookie", &cookie)).await.0, 200);
    let logout: Value = browser
        .get(kratos.url("/self-service/logout/browser"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let resp = browser
        .get(logout["logout_url"].as_str().expect("logout_url"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    let resp = client()
        .get(t.proxy("/app/x"))
        .header("Cookie", &cookie)
        .header("Accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(
        resp.status(),
        302,
        "logged-out browser session is redirected"
    );
    let to = resp.headers()[LOCATION].to_str().unwrap();
    assert!(to.starts_with(LOGIN_UI), "{to}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_identity_server_is_a_quick_403() {
    let kratos = Kratos::start().await;
    let up = upstream().await;
    let t = gateway(gateway_config(&kratos.url("/sessions/whoami")), rules(up)).await;
    let (_, token) = kratos.register_api(&unique_email()).await;
    let bearer = format!("Bearer {token}");
    assert_eq!(
        via_proxy(&t, "/app/x", ("Authorization", &bearer)).await.0,
        200
    );
    kratos.stop().await;

    let started = Instant::now();
    let resp = client()
        .get(t.proxy("/app/x"))
        .header("Authorization", &bearer)
        .header("Accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(
        resp.status(),
        403,
        "transport errors are 403, as in Oathkeeper"
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "answered in {:?}, not after a hang",
        started.elapsed()
    );
}
