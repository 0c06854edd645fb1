//! Courier delivery benchmark (issue 5): queue N messages, then time how long the real
//! `nexus-auth identity courier watch` takes to deliver all of them to a local SMTP receiver.
//!
//! ```text
//! courier_load <nexus-auth binary> <sqlite|postgres> [count, default 1000]
//! ```
//! The messages are rendered from the built-in `verification_code_valid` template and queued
//! through `Courier::send_email` before the watcher starts; the clock runs from spawning the
//! watcher (process start included) until the receiver holds every mail and the store shows
//! every message `sent`. The watcher uses the default `courier.worker` settings.

#[path = "../../crates/identity/tests/courier_support/smtp.rs"]
mod smtp;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use nexus_identity::courier::{Courier, TemplateType, Templates};
use nexus_identity::domain::message::MessageStatus;
use nexus_identity::store::{self, ListMessages};
use serde_json::json;

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let bin = args.first().expect("path to nexus-auth").clone();
    let backend = args.get(1).map(String::as_str).unwrap_or("sqlite");
    let count: usize = args.get(2).map_or(1000, |n| n.parse().expect("a count"));
    let dir = tempfile::tempdir().expect("temp dir");

    let dsn = match backend {
        "sqlite" => format!(
            "sqlite://{}?_fk=true&mode=rwc",
            dir.path().join("bench.db").display()
        ),
        "postgres" => store::testing::fresh_postgres_dsn()
            .await
            .expect("PostgreSQL on 127.0.0.1:5432 or NEXUS_TEST_POSTGRES_URL"),
        other => panic!("unknown backend {other:?} (sqlite | postgres)"),
    };
    let st = store::open(&dsn).await.expect("open store");
    st.migrate().await.expect("migrate");
    let courier = Courier::new(st.clone(), Templates::builtin());

    let queued = Instant::now();
    for i in 0..count {
        let to = format!("user-{i}@bench.example");
        courier
            .send_email(
                TemplateType::verification_code_valid,
                &to,
                json!({
                    "VerificationCode": format!("{:06}", i % 1_000_000),
                    "VerificationURL": format!("https://auth.bench.example/self-service/verification?flow=f&code={i}"),
                    "Identity": {"traits": {"email": to}},
                    "ExpiresInMinutes": 15,
                }),
            )
            .await
            .expect("queue");
    }
    let queued = queued.elapsed();

    let receiver = smtp::SmtpReceiver::start().await;
    let schema = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../deploy/kratos/identity.schema.json"
    );
    let config = dir.path().join("kratos.yml");
    std::fs::write(
        &config,
        format!(
            "dsn: \"{dsn}\"\nidentity:\n  schemas: [{{ id: default, url: \"file://{schema}\" }}]\n\
             selfservice:\n  default_browser_return_url: http://127.0.0.1:4455/\n\
             courier:\n  smtp:\n    connection_uri: \"{}\"\n    from_address: bench@bench.example\n\
             log:\n  level: error\n",
            receiver.uri()
        ),
    )
    .expect("write config");

    let started = Instant::now();
    let mut watcher = Command::new(&bin)
        .args(["identity", "courier", "watch", "-c"])
        .arg(&config)
        .env_remove("DSN")
        .stdout(Stdio::null())
        .spawn()
        .expect("start the courier watcher");
    let mails = receiver.wait_for(count, Duration::from_secs(120)).await;
    let received = started.elapsed();
    // Delivered is not done until the queue says so.
    loop {
        let sent = st
            .list_messages(&ListMessages {
                page_size: count + 1,
                status: Some(MessageStatus::Sent),
                ..ListMessages::default()
            })
            .await
            .expect("list");
        if sent.len() >= count {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "not all marked sent"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let settled = started.elapsed();
    let _ = watcher.kill();
    let _ = watcher.wait();
    let extra = receiver.mails().len().saturating_sub(count);
    if backend == "postgres" {
        store::testing::drop_postgres_database(&dsn).await;
    }
    println!(
        "courier {backend}: queued {count} in {:.2} s; delivered {} in {:.2} s, all sent in {:.2} s ({:.0} msg/s); duplicates: {extra}",
        queued.as_secs_f64(),
        mails.len(),
        received.as_secs_f64(),
        settled.as_secs_f64(),
        count as f64 / settled.as_secs_f64(),
    );
}
