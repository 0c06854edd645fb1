//! The `nexus-auth` binary as an operator runs it: help, config errors, migrations, shutdown.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_nexus-auth"))
}

fn run(args: &[&str]) -> Output {
    bin().args(args).env_remove("DSN").output().expect("runs")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn schema() -> String {
    format!(
        "file://{}/../identity/tests/fixtures/identity.schema.json",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn write_config(dir: &Path, dsn: &str, public: u16, admin: u16, extra: &str) -> String {
    let path = dir.join("kratos.yml");
    let yaml = format!(
        "dsn: \"{dsn}\"\nserve:\n  public: {{ host: 127.0.0.1, port: {public} }}\n  admin: {{ host: 127.0.0.1, port: {admin} }}\nidentity:\n  schemas: [{{ id: default, url: \"{}\" }}]\nselfservice:\n  default_browser_return_url: http://127.0.0.1:4455/\nsecrets:\n  default: [\"cli-test-secret-cli-test-secret-0123\"]\n{extra}",
        schema()
    );
    std::fs::write(&path, yaml).unwrap();
    path.display().to_string()
}

fn wait_for_port(port: u16, child: &mut Child) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!("server exited early with {status}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("server did not listen on {port}");
}

fn get(port: u16, path: &str) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

fn terminate(child: &mut Child) -> std::process::ExitStatus {
    Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.kill().unwrap();
    panic!("server ignored SIGTERM");
}

#[test]
fn every_command_has_help() {
    for args in [
        vec!["--help"],
        vec!["identity", "--help"],
        vec!["identity", "serve", "--help"],
        vec!["identity", "migrate", "--help"],
        vec!["gateway", "--help"],
    ] {
        let out = run(&args);
        assert!(out.status.success(), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("Usage"),
            "{args:?}"
        );
    }
}

#[test]
fn bad_config_exits_64_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&["identity", "serve", "-c", "/nonexistent/kratos.yml"]);
    assert_eq!(out.status.code(), Some(64));

    let cfg = write_config(
        dir.path(),
        "memory",
        free_port(),
        free_port(),
        "selfservice_x: 1\n",
    );
    let out = run(&["identity", "serve", "-c", &cfg]);
    assert_eq!(out.status.code(), Some(64));
    assert!(String::from_utf8_lossy(&out.stderr).contains("selfservice_x"));

    let cfg = write_config(
        dir.path(),
        "memory",
        free_port(),
        free_port(),
        "hashers:\n  bcrypt:\n    cost: \"twelve\"\n",
    );
    let out = run(&["identity", "serve", "-c", &cfg]);
    assert_eq!(out.status.code(), Some(64));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("hashers.bcrypt.cost"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");

    // Environment overrides follow the Kratos rule and are validated too.
    let cfg = write_config(dir.path(), "memory", free_port(), free_port(), "");
    let out = bin()
        .args(["identity", "serve", "-c", &cfg])
        .env("SELFSERVICE_FLOWS_LOGIN_LIFESPAN", "soon")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(64));
    assert!(String::from_utf8_lossy(&out.stderr).contains("selfservice.flows.login.lifespan"));
}

#[test]
fn serve_refuses_pending_migrations_then_runs_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("nexus.db");
    let (public, admin) = (free_port(), free_port());
    let dsn = format!("sqlite://{}?_fk=true&mode=rwc", db.display());
    let cfg = write_config(dir.path(), &dsn, public, admin, "");

    let out = run(&["identity", "serve", "-c", &cfg, "--dev"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("nexus-auth identity migrate"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");

    for _ in 0..2 {
        let out = run(&["identity", "migrate", "-c", &cfg, "--yes"]);
        assert!(
            out.status.success(),
            "migrate is idempotent: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    let mut child = bin()
        .args(["identity", "serve", "-c", &cfg, "--dev"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for_port(public, &mut child);
    wait_for_port(admin, &mut child);
    assert!(get(public, "/health/alive").contains("\"status\":\"ok\""));
    assert!(get(admin, "/health/ready").starts_with("HTTP/1.1 200"));
    let status = terminate(&mut child);
    assert!(status.success(), "graceful shutdown exits 0, got {status}");
}

#[test]
fn memory_dsn_migrates_itself() {
    let dir = tempfile::tempdir().unwrap();
    let (public, admin) = (free_port(), free_port());
    let cfg = write_config(dir.path(), "memory", public, admin, "");
    let mut child = bin()
        .args(["identity", "serve", "-c", &cfg, "--dev"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for_port(public, &mut child);
    assert!(get(public, "/self-service/login/api").starts_with("HTTP/1.1 200"));
    assert!(terminate(&mut child).success());
}
