//! End-to-end harness: a real identity server on 127.0.0.1:0 per test, on SQLite or PostgreSQL.
#![allow(dead_code)]

use std::path::PathBuf;

use nexus_identity::registry::Registry;
use nexus_identity::server;
use serde_json::{json, Value};
use tokio::sync::oneshot;

/// Which database backs the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// In-memory SQLite.
    Sqlite,
    /// A fresh PostgreSQL database on the machine's server.
    Postgres,
}

/// A running identity server.
pub struct TestServer {
    /// `http://127.0.0.1:<port>` of the public API (no trailing slash).
    pub public: String,
    /// `http://127.0.0.1:<port>` of the admin API.
    pub admin: String,
    /// The server's registry, for reaching into the store in tests.
    pub reg: Registry,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
    postgres_dsn: Option<String>,
    _dir: tempfile::TempDir,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.task.take() {
            t.abort();
        }
        if let Some(dsn) = self.postgres_dsn.take() {
            // Drop the per-test database (FORCE closes the server's pool connections).
            let _ = std::thread::spawn(move || {
                if let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    rt.block_on(nexus_identity::store::testing::drop_postgres_database(&dsn));
                }
            })
            .join();
        }
    }
}

/// The fixture identity schema (email identifier, verification, recovery, name).
pub fn schema_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/identity.schema.json")
}

/// A minimal config for tests; `tweak` edits it before the server starts.
pub fn base_config(dsn: &str) -> Value {
    json!({
        "dsn": dsn,
        "serve": {
            "public": { "host": "127.0.0.1" },
            "admin": { "host": "127.0.0.1" }
        },
        "identity": {
            "default_schema_id": "default",
            "schemas": [{ "id": "default", "url": format!("file://{}", schema_path().display()) }]
        },
        "selfservice": {
            "default_browser_return_url": "http://127.0.0.1:4455/welcome",
            "allowed_return_urls": ["http://127.0.0.1:4455/"],
            "methods": {
                "password": { "enabled": true, "config": { "haveibeenpwned_enabled": false } }
            },
            "flows": {
                "error": { "ui_url": "http://127.0.0.1:4455/error" },
                "login": { "ui_url": "http://127.0.0.1:4455/login" },
                "registration": {
                    "ui_url": "http://127.0.0.1:4455/registration",
                    "after": { "password": { "hooks": [{ "hook": "session" }] } }
                },
                "logout": { "after": { "default_browser_return_url": "http://127.0.0.1:4455/login" } }
            }
        },
        "secrets": { "cookie": ["a-very-secret-cookie-secret-0123"], "default": ["a-very-secret-default-secret-012"] },
        "hashers": { "algorithm": "bcrypt", "bcrypt": { "cost": 4 } },
        "log": { "level": "warning" }
    })
}

impl TestServer {
    /// Starts a server with the base config.
    pub async fn start(backend: Backend) -> TestServer {
        Self::start_with(backend, |_| {}).await
    }

    /// Starts a server after `tweak` edits the config.
    pub async fn start_with(backend: Backend, tweak: impl FnOnce(&mut Value)) -> TestServer {
        let dsn = match backend {
            Backend::Sqlite => "memory".to_string(),
            Backend::Postgres => postgres_dsn().await,
        };
        let mut cfg = base_config(&dsn);
        tweak(&mut cfg);
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("kratos.json");
        std::fs::write(&file, serde_json::to_vec_pretty(&cfg).unwrap()).unwrap();
        let mut config =
            nexus_identity::config::load(&[file], &nexus_kit::config::MapEnv::new(), true)
                .expect("test config loads");
        // Ephemeral ports: the schema forbids 0 in files, so set them on the typed config.
        config.serve.public.port = 0;
        config.serve.admin.port = 0;
        if backend == Backend::Postgres {
            let store = nexus_identity::store::open(&config.dsn)
                .await
                .expect("postgres opens");
            store.migrate().await.expect("postgres migrates");
        }
        let listeners = server::bind(&config).await.expect("bind");
        let public = listeners.public.local_addr().unwrap();
        let admin = listeners.admin.local_addr().unwrap();
        let reg = server::registry(&config, public, admin)
            .await
            .expect("registry");
        let (tx, rx) = oneshot::channel::<()>();
        let serve_reg = reg.clone();
        let task = tokio::spawn(async move {
            let _ = server::serve(serve_reg, listeners, async move {
                let _ = rx.await;
            })
            .await;
        });
        TestServer {
            public: format!("http://{public}"),
            admin: format!("http://{admin}"),
            reg,
            stop: Some(tx),
            task: Some(task),
            postgres_dsn: (backend == Backend::Postgres).then_some(dsn),
            _dir: dir,
        }
    }

    /// An SDK configuration pointing at the public API.
    pub fn sdk(&self) -> ory_kratos_client::apis::configuration::Configuration {
        let mut c = ory_kratos_client::apis::configuration::Configuration::new();
        c.base_path = self.public.clone();
        c
    }

    /// `<public><path>`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.public, path)
    }
}

/// A fresh PostgreSQL database for one test. On CI a missing server fails the test.
pub async fn postgres_dsn() -> String {
    match nexus_identity::store::testing::fresh_postgres_dsn().await {
        Some(dsn) => dsn,
        None => panic!("PostgreSQL is required for this test (set NEXUS_TEST_POSTGRES_URL or start the server)"),
    }
}

/// A browser-like client: cookie jar, no automatic redirects.
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// A plain client without cookies or redirects.
pub fn plain() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// A unique e-mail address.
pub fn email() -> String {
    format!("user-{}@example.com", uuid::Uuid::new_v4().simple())
}

/// A password that passes the default policy.
pub const PASSWORD: &str = "correct-horse-battery-staple-9";

/// Runs an async test body on both backends: `both!(name, |backend| async move { … })`.
#[macro_export]
macro_rules! both {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                ($body)(common::Backend::Sqlite).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if common::skip_postgres() {
                    return;
                }
                ($body)(common::Backend::Postgres).await;
            }
        }
    };
}

/// PostgreSQL tests are skipped only off CI and when no server is configured or reachable.
pub fn skip_postgres() -> bool {
    if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
        return false;
    }
    if std::env::var("NEXUS_TEST_POSTGRES_URL").is_ok() {
        return false;
    }
    let reachable = std::net::TcpStream::connect_timeout(
        &"127.0.0.1:5432".parse().unwrap(),
        std::time::Duration::from_millis(300),
    )
    .is_ok();
    if !reachable {
        eprintln!("note: PostgreSQL not reachable on 127.0.0.1:5432; skipping the PostgreSQL variant (never skipped on CI)");
    }
    !reachable
}

/// The `ui.messages[*].id`s of a flow JSON.
pub fn message_ids(flow: &Value) -> Vec<i64> {
    flow["ui"]["messages"]
        .as_array()
        .map(|m| m.iter().filter_map(|x| x["id"].as_i64()).collect())
        .unwrap_or_default()
}

/// The message ids on node `name`.
pub fn node_message_ids(flow: &Value, name: &str) -> Vec<i64> {
    flow["ui"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|n| n["attributes"]["name"] == name)
        .flat_map(|n| n["messages"].as_array().cloned().unwrap_or_default())
        .filter_map(|m| m["id"].as_i64())
        .collect()
}

/// The csrf_token node value of a browser flow.
pub fn csrf_of(flow: &Value) -> String {
    flow["ui"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|n| n["attributes"]["name"] == "csrf_token")
        .and_then(|n| n["attributes"]["value"].as_str())
        .unwrap_or_default()
        .to_string()
}
