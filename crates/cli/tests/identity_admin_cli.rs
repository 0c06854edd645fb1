//! `nexus-auth identity import|list|get|delete` against a running server, and the argon2
//! calibration tool.

mod common;

use std::io::Write;
use std::process::{Output, Stdio};

use common::*;
use serde_json::{json, Value};

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Runs a remote identity command against `server` (endpoint from the flag).
fn remote(server: &RunningServer, args: &[&str]) -> Output {
    let mut all: Vec<&str> = vec!["identity"];
    all.extend_from_slice(args);
    let endpoint = server.admin_url();
    all.extend_from_slice(&["-e", &endpoint]);
    bin()
        .args(&all)
        .env_remove("NEXUS_ADMIN_URL")
        .env_remove("KRATOS_ADMIN_URL")
        .env_remove("NEXUS_ADMIN_API_KEY")
        .output()
        .unwrap()
}

fn person(email: &str, credentials: Value) -> Value {
    json!({ "schema_id": "default", "traits": { "email": email }, "credentials": credentials })
}

/// Logs in through the native API flow; the session token on success.
async fn login(server: &RunningServer, identifier: &str, password: &str) -> Option<String> {
    let http = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{}", server.public);
    let flow: Value = http
        .get(format!("{base}/self-service/login/api"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let res = http
        .post(format!(
            "{base}/self-service/login?flow={}",
            flow["id"].as_str().unwrap()
        ))
        .json(&json!({ "method": "password", "identifier": identifier, "password": password }))
        .send()
        .await
        .unwrap();
    if !res.status().is_success() {
        return None;
    }
    let body: Value = res.json().await.unwrap();
    body["session_token"].as_str().map(str::to_string)
}

#[tokio::test]
async fn import_list_get_and_delete_round_trip() {
    let server = RunningServer::start("");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("users.json");
    let hashed = bcrypt::hash("imported secret 123!", 4).unwrap();
    let users = json!([
        person(
            "ann@example.com",
            json!({ "password": { "config": { "password": "plain secret 456!" } } })
        ),
        person(
            "bob@example.com",
            json!({ "password": { "config": { "hashed_password": hashed } } })
        ),
        person("ann@example.com", json!({})),
        42
    ]);
    std::fs::write(&file, users.to_string()).unwrap();
    let path = file.display().to_string();

    let out = remote(&server, &["import", &path]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "a failed item fails the run: {}",
        stderr(&out)
    );
    assert!(
        stdout(&out).contains("imported 2 of 4 identities"),
        "{}",
        stdout(&out)
    );
    let err = stderr(&out);
    assert!(
        err.contains(&format!("{path}[2]")),
        "the duplicate is named: {err}"
    );
    assert!(err.contains("409"), "with the conflict status: {err}");
    assert!(
        err.contains(&format!("{path}[3]")),
        "the non-object is named: {err}"
    );
    assert!(!err.contains(&format!("{path}[0]")) && !err.contains(&format!("{path}[1]")));

    // Standard input, one object, quiet: just the new id.
    let mut child = bin()
        .args(["identity", "import", "-q", "-e", &server.admin_url()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let single = person("cid@example.com", json!({}));
    child
        .stdin
        .take()
        .unwrap()
        .write_all(single.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let cid = stdout(&out).trim().to_string();
    assert!(uuid::Uuid::parse_str(&cid).is_ok(), "an id: {cid:?}");

    // list: JSON, table, one page with the next token, all pages.
    let out = remote(&server, &["list", "-f", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let listed: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    let mut emails: Vec<&str> = listed
        .iter()
        .map(|i| i["traits"]["email"].as_str().unwrap())
        .collect();
    emails.sort();
    assert_eq!(
        emails,
        ["ann@example.com", "bob@example.com", "cid@example.com"]
    );
    let id_of = |email: &str| {
        listed
            .iter()
            .find(|i| i["traits"]["email"] == email)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    };

    let out = remote(&server, &["list"]);
    let table = stdout(&out);
    assert!(
        table
            .lines()
            .next()
            .unwrap()
            .contains("VERIFIABLE ADDRESSES"),
        "{table}"
    );
    assert!(table.contains(&id_of("bob@example.com")) && table.contains("bob@example.com"));

    let out = remote(&server, &["list", "--page-size", "1", "-f", "json"]);
    let page: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(page.len(), 1);
    assert!(stderr(&out).contains("--page-token"), "{}", stderr(&out));

    let out = remote(&server, &["list", "--page-size", "1", "--all", "-q"]);
    assert_eq!(stdout(&out).lines().count(), 3, "{}", stdout(&out));

    // get: the imported hash is kept, and the original password logs in.
    let bob = id_of("bob@example.com");
    let out = remote(
        &server,
        &[
            "get",
            &bob,
            "--include-credentials",
            "password",
            "-f",
            "json",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let got: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(got["id"], bob.as_str());
    assert_eq!(got["traits"]["email"], "bob@example.com");
    assert!(login(&server, "bob@example.com", "imported secret 123!")
        .await
        .is_some());
    assert!(login(&server, "bob@example.com", "wrong password 123!")
        .await
        .is_none());
    assert!(login(&server, "ann@example.com", "plain secret 456!")
        .await
        .is_some());

    // delete, then get fails with the server's 404.
    let ann = id_of("ann@example.com");
    let out = remote(&server, &["delete", &ann]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), ann);
    let out = remote(&server, &["get", &ann]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("404"), "{}", stderr(&out));
    let out = remote(&server, &["list", "-q"]);
    assert_eq!(stdout(&out).lines().count(), 2);
}

#[test]
fn remote_commands_need_a_usable_endpoint() {
    let out = bin()
        .args(["identity", "list"])
        .env_remove("NEXUS_ADMIN_URL")
        .env_remove("KRATOS_ADMIN_URL")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(64));
    assert!(stderr(&out).contains("--endpoint"), "{}", stderr(&out));

    let out = bin()
        .args(["identity", "get", "x", "-e", "ftp://example.com"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(64));

    // Nothing listens there: a clear error, not a hang or a panic.
    let nowhere = format!("http://127.0.0.1:{}", free_port());
    let out = bin()
        .args(["identity", "list", "-e", &nowhere])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("cannot reach the admin API"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn the_endpoint_can_come_from_kratos_admin_url() {
    let server = RunningServer::start("");
    let out = bin()
        .args(["identity", "list", "-f", "json"])
        .env_remove("NEXUS_ADMIN_URL")
        .env("KRATOS_ADMIN_URL", server.admin_url())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), "[]");
}

#[test]
fn argon2_calibrate_prints_a_hashers_block() {
    let out = bin()
        .args([
            "identity",
            "hashers",
            "argon2",
            "calibrate",
            "20ms",
            "--memory",
            "8MB",
            "-p",
            "1",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let doc: Value = serde_yaml::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["hashers"]["algorithm"], "argon2");
    assert_eq!(doc["hashers"]["argon2"]["memory"], "8MB");
    assert_eq!(doc["hashers"]["argon2"]["parallelism"], 1);
    assert!(doc["hashers"]["argon2"]["iterations"].as_u64().unwrap() >= 1);
    assert!(stderr(&out).contains("one hash takes"), "{}", stderr(&out));

    let out = bin()
        .args(["identity", "hashers", "argon2", "calibrate", "soon"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "clap rejects a bad duration");
}

#[test]
fn the_admin_api_key_comes_from_the_flag_or_the_environment() {
    let server = RunningServer::start_with_env(
        "",
        &[("SERVE_ADMIN_API_KEYS", "cli-admin-key-0123456789abcdef")],
    );
    let list = |key_flag: Option<&str>, key_env: Option<&str>| {
        let mut cmd = bin();
        cmd.args(["identity", "list", "-f", "json", "-e", &server.admin_url()])
            .env_remove("NEXUS_ADMIN_API_KEY");
        if let Some(k) = key_flag {
            cmd.args(["--api-key", k]);
        }
        if let Some(k) = key_env {
            cmd.env("NEXUS_ADMIN_API_KEY", k);
        }
        cmd.output().unwrap()
    };
    let out = list(None, None);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("401"), "{}", stderr(&out));
    assert_eq!(list(Some("wrong-key"), None).status.code(), Some(1));
    assert!(list(Some("cli-admin-key-0123456789abcdef"), None)
        .status
        .success());
    assert!(list(None, Some("cli-admin-key-0123456789abcdef"))
        .status
        .success());
}
