//! `nexus-auth dev` delivers email to its outbox: each message is printed to stdout in full
//! (rendered from deploy/kratos/courier-templates/) and listed as sent, body included, by the
//! admin API behind the gateway.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::*;
use serde_json::Value;

struct Dev {
    child: Child,
    origin: String,
    out: Arc<Mutex<String>>,
    _dir: tempfile::TempDir,
}

impl Drop for Dev {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Dev {
    fn start(admin: &str) -> Dev {
        let dir = tempfile::tempdir().unwrap();
        let ui = dir.path().join("ui");
        std::fs::create_dir_all(&ui).unwrap();
        std::fs::write(ui.join("index.html"), "<!doctype html><title>UI</title>").unwrap();
        let port = free_port();
        let mut child = bin()
            .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
            .args([
                "dev",
                "--listen",
                &format!("127.0.0.1:{port}"),
                "--admin",
                admin,
            ])
            .arg("--data-dir")
            .arg(dir.path().join("data"))
            .arg("--ui-dir")
            .arg(&ui)
            .env_remove("DSN")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let out = Arc::new(Mutex::new(String::new()));
        let stdout = child.stdout.take().unwrap();
        let sink = out.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let mut s = sink.lock().unwrap();
                s.push_str(&line);
                s.push('\n');
            }
        });
        wait_for_port(port, &mut child);
        Dev {
            child,
            origin: format!("http://localhost:{port}"),
            out,
            _dir: dir,
        }
    }

    /// The printed email to `to` from `template` (its text up to the closing rule).
    async fn mail(&self, to: &str, template: &str) -> String {
        let head = format!("[outbox] email to {to} · template {template} ·");
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let text = self.out.lock().unwrap().clone();
            if let Some(at) = text.find(&head) {
                let rest = &text[at..];
                if let Some(end) = rest.find("\n──") {
                    return rest[..end].to_string();
                }
            }
            assert!(
                Instant::now() < deadline,
                "no {template} email to {to}:\n{text}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

#[tokio::test]
async fn emails_are_printed_and_listed_as_sent() {
    let dev = Dev::start("boss@example.com");
    let o = &dev.origin;
    let jar = || {
        reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .unwrap()
    };
    let boss = jar();
    register_browser(&boss, o, "boss@example.com").await;
    register_browser(&jar(), o, "someone@example.com").await;

    let mail = dev
        .mail("someone@example.com", "verification_code_valid")
        .await;
    assert!(
        mail.contains("Subject: Verify your Nexus email address"),
        "{mail}"
    );
    let code = mail
        .lines()
        .map(str::trim)
        .find(|l| l.len() == 6 && l.chars().all(|c| c.is_ascii_digit()))
        .unwrap_or_else(|| panic!("no code line in {mail}"))
        .to_string();

    // Listed by the admin API (through the gateway's admin route) as sent, with the body.
    let deadline = Instant::now() + Duration::from_secs(30);
    let message = loop {
        let list: Vec<Value> = boss
            .get(format!(
                "{o}/api/admin/courier/messages?recipient=someone@example.com"
            ))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if let Some(m) = list.into_iter().find(|m| m["status"] == "sent") {
            break m;
        }
        assert!(Instant::now() < deadline, "the message never became sent");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(message["template_type"], "verification_code_valid");
    assert!(
        message["body"].as_str().unwrap().contains(&code),
        "{message}"
    );
}
