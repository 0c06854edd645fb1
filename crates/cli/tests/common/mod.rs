//! Helpers shared by the binary's tests: run `nexus-auth`, write a config, start a server.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_nexus-auth"))
}

pub fn run(args: &[&str]) -> Output {
    bin().args(args).env_remove("DSN").output().expect("runs")
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub fn schema() -> String {
    format!(
        "file://{}/../identity/tests/fixtures/identity.schema.json",
        env!("CARGO_MANIFEST_DIR")
    )
}

pub fn write_config(dir: &Path, dsn: &str, public: u16, admin: u16, extra: &str) -> String {
    let path = dir.join("kratos.yml");
    let yaml = format!(
        "dsn: \"{dsn}\"\nserve:\n  public: {{ host: 127.0.0.1, port: {public} }}\n  admin: {{ host: 127.0.0.1, port: {admin} }}\nidentity:\n  schemas: [{{ id: default, url: \"{}\" }}]\nselfservice:\n  default_browser_return_url: http://127.0.0.1:4455/\nsecrets:\n  default: [\"cli-test-secret-cli-test-secret-0123\"]\n{extra}",
        schema()
    );
    std::fs::write(&path, yaml).unwrap();
    path.display().to_string()
}

/// Waits until `child` itself listens on `port`. A port from [`free_port`] is free only until
/// someone binds it: another test's server may take it first, and a connection would then
/// succeed while `child` is still starting (a SIGTERM sent then kills it before its handler
/// is installed). On Linux the listening socket must therefore be one of `child`'s own.
pub fn wait_for_port(port: u16, child: &mut Child) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() && listens(child.id(), port) {
            return;
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!("server exited early with {status}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("server did not listen on {port}");
}

/// Whether process `pid` holds a socket listening on `port` (`/proc/net/tcp*` and
/// `/proc/<pid>/fd`; always true where there is no `/proc`).
pub fn listens(pid: u32, port: u16) -> bool {
    if !cfg!(target_os = "linux") {
        return true;
    }
    let inodes: Vec<String> = ["/proc/net/tcp", "/proc/net/tcp6"]
        .iter()
        .filter_map(|table| std::fs::read_to_string(table).ok())
        .flat_map(|text| {
            text.lines()
                .skip(1)
                .filter_map(|line| {
                    let f: Vec<&str> = line.split_whitespace().collect();
                    let local_port = f.get(1)?.rsplit(':').next()?;
                    let (state, inode) = (*f.get(3)?, *f.get(9)?);
                    (state == "0A" && u16::from_str_radix(local_port, 16).ok()? == port)
                        .then(|| format!("socket:[{inode}]"))
                })
                .collect::<Vec<_>>()
        })
        .collect();
    let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
        return false;
    };
    fds.flatten().any(|fd| {
        std::fs::read_link(fd.path())
            .is_ok_and(|target| inodes.iter().any(|i| target.as_os_str() == i.as_str()))
    })
}

pub fn get(port: u16, path: &str) -> String {
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

pub fn terminate(child: &mut Child) -> std::process::ExitStatus {
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

/// An identity server child process on free ports with an in-memory database, stopped on drop.
pub struct RunningServer {
    /// The child process.
    pub child: Child,
    /// Public port.
    pub public: u16,
    /// Admin port.
    pub admin: u16,
    _dir: tempfile::TempDir,
}

impl RunningServer {
    /// Starts `identity serve --dev` with `extra` YAML appended to the test config.
    pub fn start(extra: &str) -> Self {
        Self::start_with_env(extra, &[])
    }

    /// [`RunningServer::start`] with extra environment variables (config overrides).
    pub fn start_with_env(extra: &str, env: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let (public, admin) = (free_port(), free_port());
        let cfg = write_config(dir.path(), "memory", public, admin, extra);
        let mut child = bin()
            .args(["identity", "serve", "-c", &cfg, "--dev"])
            .env_remove("DSN")
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        wait_for_port(public, &mut child);
        wait_for_port(admin, &mut child);
        RunningServer {
            child,
            public,
            admin,
            _dir: dir,
        }
    }

    /// The admin API base URL.
    pub fn admin_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.admin)
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// GET `url` as JSON (`Accept: application/json`).
pub async fn get_json(http: &reqwest::Client, url: &str) -> serde_json::Value {
    http.get(url)
        .header("accept", "application/json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Registers `email` through the browser flow, as the UI does (the client keeps the session
/// cookie). Returns the flow's action URL and the answer (asserted 200).
pub async fn register_browser(
    http: &reqwest::Client,
    origin: &str,
    email: &str,
) -> (String, serde_json::Value) {
    let flow = get_json(http, &format!("{origin}/self-service/registration/browser")).await;
    let action = flow["ui"]["action"].as_str().unwrap().to_string();
    let csrf = flow["ui"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["attributes"]["name"] == "csrf_token")
        .unwrap()["attributes"]["value"]
        .clone();
    let res = http
        .post(&action)
        .header("accept", "application/json")
        .json(&serde_json::json!({ "method": "password", "csrf_token": csrf, "password": "a long dev password 42", "traits": { "email": email } }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    (action, res.json().await.unwrap())
}
