//! Courier test helpers: an SMTP receiver and a courier watcher beside a `TestServer`.
#![allow(dead_code)]

pub mod smtp;

use std::time::Duration;

use nexus_identity::config::courier::Courier as CourierConfig;
use nexus_identity::config::SecretUrl;
use nexus_identity::registry::Registry;
use serde_json::Value;
use tokio::sync::oneshot;

/// Courier settings for tests: `uri`, fast polling, Kratos' default retries.
pub fn courier_config(uri: &str) -> CourierConfig {
    let mut c = CourierConfig::default();
    c.smtp.connection_uri = SecretUrl::new(uri);
    c.worker.pull_wait = Duration::from_millis(50);
    c
}

/// A courier watcher running in the test's runtime; stops when dropped.
pub struct Watcher {
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Watcher {
    /// Starts delivering `reg`'s queue as `config` says.
    pub fn start(reg: &Registry, config: &CourierConfig) -> Watcher {
        let dispatcher = reg.courier.smtp_dispatcher(config).expect("smtp config");
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(dispatcher.run(async move {
            let _ = rx.await;
        }));
        Watcher {
            stop: Some(tx),
            task: Some(task),
        }
    }

    /// Stops after the round in progress.
    pub async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.task.take() {
            let _ = tokio::time::timeout(Duration::from_secs(10), t).await;
        }
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        if let Some(t) = self.task.take() {
            t.abort();
        }
    }
}

/// The first run of `len` ASCII digits in `text`.
pub fn digits(text: &str, len: usize) -> Option<String> {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit() {
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            if i - start == len {
                return Some(text[start..i].to_string());
            }
        } else {
            i += 1;
        }
    }
    None
}

/// `GET <admin>/admin/courier/messages/<id>` as JSON.
pub async fn message(admin: &str, id: uuid::Uuid) -> Value {
    reqwest::get(format!("{admin}/admin/courier/messages/{id}"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Polls the message until `status` (panics after `timeout`).
pub async fn wait_status(admin: &str, id: uuid::Uuid, status: &str, timeout: Duration) -> Value {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let m = message(admin, id).await;
        if m["status"] == status {
            return m;
        }
        if tokio::time::Instant::now() > deadline {
            panic!("message {id} did not become {status}: {m}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
