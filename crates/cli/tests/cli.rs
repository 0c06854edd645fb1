//! The `nexus-auth` binary as an operator runs it: help, config errors, migrations, shutdown.

mod common;

use std::process::Stdio;

use common::*;

#[test]
fn every_command_has_help() {
    for args in [
        vec!["--help"],
        vec!["identity", "--help"],
        vec!["identity", "serve", "--help"],
        vec!["identity", "migrate", "--help"],
        vec!["identity", "import", "--help"],
        vec!["identity", "list", "--help"],
        vec!["identity", "get", "--help"],
        vec!["identity", "delete", "--help"],
        vec!["identity", "hashers", "argon2", "calibrate", "--help"],
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

/// A SIGTERM that arrives as soon as the port accepts connections (before the server has
/// finished starting) is a graceful shutdown with status 0, never death by signal.
#[test]
fn sigterm_right_after_listening_is_a_clean_exit() {
    for _ in 0..3 {
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
        let status = terminate(&mut child);
        assert!(status.success(), "{status}");
    }
}

/// The same for the gateway.
#[test]
fn gateway_sigterm_right_after_listening_is_a_clean_exit() {
    for _ in 0..3 {
        let dir = tempfile::tempdir().unwrap();
        let (proxy, api) = (free_port(), free_port());
        let cfg = dir.path().join("oathkeeper.yml");
        std::fs::write(
            &cfg,
            format!(
                "serve:\n  proxy: {{ host: 127.0.0.1, port: {proxy} }}\n  api: {{ host: 127.0.0.1, port: {api} }}\n"
            ),
        )
        .unwrap();
        let mut child = bin()
            .args(["gateway", "serve", "-c", &cfg.display().to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        wait_for_port(proxy, &mut child);
        let status = terminate(&mut child);
        assert!(status.success(), "{status}");
    }
}

/// `wait_for_port` tells a child's own listener from another process's on the same port.
#[test]
#[cfg(target_os = "linux")]
fn a_listener_is_attributed_to_its_own_process() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    assert!(listens(std::process::id(), port));
    let mut other = std::process::Command::new("sleep")
        .arg("5")
        .spawn()
        .unwrap();
    assert!(
        !listens(other.id(), port),
        "the port is ours, not the child's"
    );
    other.kill().unwrap();
    let _ = other.wait();
}
