//! `nexus-auth identity courier watch` and `identity serve --watch-courier` as processes,
//! delivering to an SMTP receiver running in the test; start-up failures exit 64.

mod common;
#[path = "../../identity/tests/courier_support/smtp.rs"]
mod smtp;

use std::process::Stdio;
use std::time::Duration;

use common::{bin, free_port, terminate, wait_for_port, write_config};
use nexus_identity::courier::{Courier, TemplateType, Templates};
use serde_json::json;

const WAIT: Duration = Duration::from_secs(30);

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

fn courier_yaml(uri: &str) -> String {
    format!(
        "courier:\n  smtp:\n    connection_uri: \"{uri}\"\n    from_address: cli@nexus.test\n  worker:\n    pull_wait: 100ms\n"
    )
}

#[test]
fn courier_watch_delivers_the_shared_queue_and_stops_on_sigterm() {
    let rt = runtime();
    let receiver = rt.block_on(smtp::SmtpReceiver::start());
    let dir = tempfile::tempdir().unwrap();
    let dsn = format!(
        "sqlite://{}?_fk=true&mode=rwc",
        dir.path().join("k.db").display()
    );
    let cfg = write_config(
        dir.path(),
        &dsn,
        free_port(),
        free_port(),
        &courier_yaml(&receiver.uri()),
    );
    let migrated = bin()
        .args(["identity", "migrate", "-c", &cfg, "--yes"])
        .env_remove("DSN")
        .output()
        .unwrap();
    assert!(migrated.status.success(), "{migrated:?}");
    // Another process (here: the test) queues; the watcher only delivers.
    let ids: Vec<_> = rt.block_on(async {
        let store = nexus_identity::store::open(&dsn).await.unwrap();
        let courier = Courier::new(store, Templates::builtin());
        let mut ids = Vec::new();
        for i in 0..5 {
            ids.push(
                courier
                    .send_email(
                        TemplateType::recovery_code_valid,
                        &format!("cli-{i}@example.com"),
                        json!({"RecoveryCode": format!("70000{i}")}),
                    )
                    .await
                    .unwrap(),
            );
        }
        ids
    });
    let mut child = bin()
        .args(["identity", "courier", "watch", "-c", &cfg])
        .env_remove("DSN")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mails = rt.block_on(receiver.wait_for(5, WAIT));
    let mut codes: Vec<String> = mails
        .iter()
        .map(|m| {
            let t = m.text();
            t.split_whitespace()
                .find(|w| w.len() == 6 && w.chars().all(|c| c.is_ascii_digit()))
                .unwrap()
                .to_string()
        })
        .collect();
    codes.sort();
    assert_eq!(codes, ["700000", "700001", "700002", "700003", "700004"]);
    assert!(mails.iter().all(|m| m.from == "cli@nexus.test"));
    let status = terminate(&mut child);
    assert!(status.success(), "{status}");
    rt.block_on(async {
        let store = nexus_identity::store::open(&dsn).await.unwrap();
        for id in ids {
            let m = store.get_message(id).await.unwrap().unwrap();
            assert_eq!(m.status.as_str(), "sent");
        }
    });
}

#[test]
fn serve_watch_courier_delivers_the_sign_up_code() {
    let rt = runtime();
    let receiver = rt.block_on(smtp::SmtpReceiver::start());
    let dir = tempfile::tempdir().unwrap();
    let (public, admin) = (free_port(), free_port());
    let cfg = dir.path().join("kratos.yml");
    std::fs::write(
        &cfg,
        format!(
            "dsn: memory\nserve:\n  public: {{ host: 127.0.0.1, port: {public} }}\n  admin: {{ host: 127.0.0.1, port: {admin} }}\n\
             identity:\n  schemas: [{{ id: default, url: \"{}\" }}]\n\
             selfservice:\n  default_browser_return_url: http://127.0.0.1:4455/\n\
             \x20 methods:\n    password:\n      config: {{ haveibeenpwned_enabled: false }}\n\
             \x20 flows:\n    verification: {{ enabled: true, use: code, ui_url: \"http://127.0.0.1:4455/verification\" }}\n\
             secrets:\n  default: [\"cli-test-secret-cli-test-secret-0123\"]\n\
             hashers: {{ algorithm: bcrypt, bcrypt: {{ cost: 4 }} }}\n{}",
            common::schema(),
            courier_yaml(&receiver.uri())
        ),
    )
    .unwrap();
    let cfg = cfg.display().to_string();
    let mut child = bin()
        .args(["identity", "serve", "-c", &cfg, "--dev", "--watch-courier"])
        .env_remove("DSN")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for_port(public, &mut child);
    wait_for_port(admin, &mut child);
    let address = format!("serve-{}@example.com", uuid::Uuid::new_v4().simple());
    let mail = rt.block_on(async {
        let http = reqwest::Client::new();
        let flow: serde_json::Value = http
            .get(format!(
                "http://127.0.0.1:{public}/self-service/registration/api"
            ))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let action = flow["ui"]["action"].as_str().unwrap().to_string();
        let body = json!({
            "method": "password",
            "password": "correct-horse-battery-staple-9",
            "traits": {"email": address, "name": {"first": "Ada"}}
        });
        let res = http.post(action).json(&body).send().await.unwrap();
        assert_eq!(res.status(), 200, "{:?}", res.text().await);
        receiver.mail_to(&address, WAIT).await
    });
    let text = mail.text();
    assert!(
        text.split_whitespace()
            .any(|w| w.len() == 6 && w.chars().all(|c| c.is_ascii_digit())),
        "a verification code in {text}"
    );
    let status = terminate(&mut child);
    assert!(status.success(), "{status}");
}

#[test]
fn broken_template_or_smtp_uri_exits_64_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let templates = dir.path().join("templates");
    std::fs::create_dir_all(&templates).unwrap();
    std::fs::write(
        templates.join("recovery_code_valid.email.body.plaintext.gotmpl"),
        "Hello\n{{ .RecoveryCode \n",
    )
    .unwrap();
    let extra = format!(
        "courier:\n  template_override_path: {}\n",
        templates.display()
    );
    let cfg = write_config(dir.path(), "memory", free_port(), free_port(), &extra);
    let out = bin()
        .args(["identity", "serve", "-c", &cfg])
        .env_remove("DSN")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(64), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("recovery_code_valid.email.body.plaintext.gotmpl:2"),
        "{err}"
    );

    let extra =
        "courier:\n  smtp:\n    connection_uri: \"ftp://mailer:hunter2-secret@127.0.0.1/\"\n";
    let cfg = write_config(dir.path(), "memory", free_port(), free_port(), extra);
    let out = bin()
        .args(["identity", "serve", "-c", &cfg, "--watch-courier"])
        .env_remove("DSN")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(64), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("courier.smtp.connection_uri"), "{err}");
    assert!(!err.contains("hunter2-secret"), "{err}");
}
