//! A real SMTP receiver for tests (RFC 5321 subset: EHLO/HELO, AUTH PLAIN/LOGIN, MAIL, RCPT,
//! DATA, RSET, NOOP, QUIT), on 127.0.0.1, with a small MIME reader for the delivered mails.
#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use parking_lot::Mutex;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::Notify;

/// One delivered mail.
#[derive(Debug, Clone)]
pub struct Mail {
    /// `MAIL FROM` address.
    pub from: String,
    /// `RCPT TO` addresses.
    pub to: Vec<String>,
    /// The raw message (headers and body, dot-unstuffed, CRLF line ends).
    pub data: String,
    /// `AUTH` user and password, if the client logged in.
    pub auth: Option<(String, String)>,
    /// Whether the session was encrypted (implicit TLS or STARTTLS).
    pub tls: bool,
}

impl Mail {
    /// A header of the top-level message (unfolded, case-insensitive name).
    pub fn header(&self, name: &str) -> Option<String> {
        headers_of(&self.data).remove(&name.to_ascii_lowercase())
    }

    /// The decoded `text/plain` part (or the whole body for a single-part mail).
    pub fn text(&self) -> String {
        part(&self.data, "text/plain").unwrap_or_default()
    }

    /// The decoded `text/html` part.
    pub fn html(&self) -> Option<String> {
        part(&self.data, "text/html")
    }
}

/// How the receiver answers `RCPT TO`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// 250.
    Accept,
    /// 451 (try again later).
    Transient,
    /// 550 (never).
    Permanent,
}

#[derive(Default)]
struct State {
    mails: Mutex<Vec<Mail>>,
    rules: Mutex<Vec<(String, Answer)>>,
    arrived: Notify,
    credentials: Mutex<Option<(String, String)>>,
}

/// Transport security the receiver offers.
#[derive(Clone)]
pub enum Security {
    /// Plain text, no STARTTLS.
    Plain,
    /// Plain text with STARTTLS offered (self-signed certificate).
    StartTls(tokio_rustls::TlsAcceptor),
    /// TLS from the first byte (`smtps://`, self-signed certificate).
    Implicit(tokio_rustls::TlsAcceptor),
}

/// A TLS acceptor with a fresh self-signed certificate for `localhost` and `127.0.0.1`.
pub fn self_signed() -> tokio_rustls::TlsAcceptor {
    use tokio_rustls::rustls;
    let ck = rcgen::generate_simple_self_signed(vec!["localhost".into(), "127.0.0.1".into()])
        .expect("certificate");
    let cert = rustls::pki_types::CertificateDer::from(ck.cert.der().to_vec());
    let key = rustls::pki_types::PrivateKeyDer::try_from(ck.key_pair.serialize_der()).expect("key");
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("protocols")
    .with_no_client_auth()
    .with_single_cert(vec![cert], key)
    .expect("server config");
    tokio_rustls::TlsAcceptor::from(Arc::new(config))
}

trait Io: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send {}
impl<T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send> Io for T {}

/// A running receiver; stops when dropped.
pub struct SmtpReceiver {
    /// The port it listens on.
    pub port: u16,
    state: Arc<State>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for SmtpReceiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl SmtpReceiver {
    /// Listens on a free port.
    pub async fn start() -> SmtpReceiver {
        Self::start_on(0).await
    }

    /// Listens on `port` (0: any free port).
    pub async fn start_on(port: u16) -> SmtpReceiver {
        Self::start_with(port, Security::Plain).await
    }

    /// Listens on `port` (0: any free port) offering `security`.
    pub async fn start_with(port: u16, security: Security) -> SmtpReceiver {
        let listener = TcpListener::bind(("127.0.0.1", port))
            .await
            .expect("bind smtp");
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(State::default());
        let shared = state.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((sock, _)) = listener.accept().await else {
                    continue;
                };
                let st = shared.clone();
                let security = security.clone();
                tokio::spawn(async move {
                    let _ = match security {
                        Security::Plain => session(Box::new(sock), st, None, false, true).await,
                        Security::StartTls(acceptor) => {
                            session(Box::new(sock), st, Some(acceptor), false, true).await
                        }
                        Security::Implicit(acceptor) => match acceptor.accept(sock).await {
                            Ok(tls) => session(Box::new(tls), st, None, true, true).await,
                            Err(_) => Ok(()),
                        },
                    };
                });
            }
        });
        SmtpReceiver { port, state, task }
    }

    /// `smtp://127.0.0.1:<port>/?disable_starttls=true`.
    pub fn uri(&self) -> String {
        format!("smtp://127.0.0.1:{}/?disable_starttls=true", self.port)
    }

    /// Requires `AUTH` with these credentials (advertised as PLAIN and LOGIN).
    pub fn require_auth(&self, user: &str, password: &str) {
        *self.state.credentials.lock() = Some((user.into(), password.into()));
    }

    /// Answers `RCPT TO` for addresses containing `pattern` with `answer`.
    pub fn answer(&self, pattern: &str, answer: Answer) {
        self.state.rules.lock().push((pattern.into(), answer));
    }

    /// Mails received so far.
    pub fn mails(&self) -> Vec<Mail> {
        self.state.mails.lock().clone()
    }

    /// Waits until at least `n` mails arrived (panics after `timeout`).
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Mail> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.state.arrived.notified();
            let got = self.mails();
            if got.len() >= n {
                return got;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                panic!(
                    "expected {n} mails within {timeout:?}, got {}",
                    self.mails().len()
                );
            }
        }
    }

    /// The first mail to `to` (waits up to `timeout`).
    pub async fn mail_to(&self, to: &str, timeout: Duration) -> Mail {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.state.arrived.notified();
            if let Some(m) = self
                .mails()
                .into_iter()
                .find(|m| m.to.iter().any(|t| t == to))
            {
                return m;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                panic!("no mail to {to} within {timeout:?}");
            }
        }
    }
}

fn session(
    stream: Box<dyn Io>,
    st: Arc<State>,
    starttls: Option<tokio_rustls::TlsAcceptor>,
    tls: bool,
    greet: bool,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = std::io::Result<()>> + Send>> {
    Box::pin(async move {
        let mut io = BufReader::new(stream);
        let mut line = String::new();
        // After STARTTLS the client speaks first (EHLO); otherwise the server greets.
        if greet {
            io.write_all(b"220 test.local ESMTP ready\r\n").await?;
        }
        let mut from = String::new();
        let mut to = Vec::new();
        let mut auth: Option<(String, String)> = None;
        loop {
            line.clear();
            if io.read_line(&mut line).await? == 0 {
                return Ok(());
            }
            let cmd = line.trim_end().to_string();
            let upper = cmd.to_ascii_uppercase();
            let need_auth = st.credentials.lock().clone();
            if upper.starts_with("EHLO") {
                let mut reply = String::from("250-test.local\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n");
                if need_auth.is_some() {
                    reply.push_str("250-AUTH PLAIN LOGIN\r\n");
                }
                if starttls.is_some() {
                    reply.push_str("250-STARTTLS\r\n");
                }
                reply.push_str("250 PIPELINING\r\n");
                io.write_all(reply.as_bytes()).await?;
            } else if upper == "STARTTLS" && starttls.is_some() {
                io.write_all(b"220 2.0.0 Ready to start TLS\r\n").await?;
                io.flush().await?;
                let acceptor = starttls.clone().unwrap();
                let upgraded = acceptor.accept(io.into_inner()).await?;
                return session(Box::new(upgraded), st, None, true, false).await;
            } else if upper.starts_with("HELO") {
                io.write_all(b"250 test.local\r\n").await?;
            } else if upper.starts_with("AUTH PLAIN") {
                let b64 = cmd[10..].trim();
                let raw = base64::engine::general_purpose::STANDARD
                    .decode(b64)
                    .unwrap_or_default();
                let parts: Vec<String> = raw
                    .split(|b| *b == 0)
                    .map(|p| String::from_utf8_lossy(p).into_owned())
                    .collect();
                let got = (
                    parts.get(1).cloned().unwrap_or_default(),
                    parts.get(2).cloned().unwrap_or_default(),
                );
                if need_auth.as_ref() == Some(&got) {
                    auth = Some(got);
                    io.write_all(b"235 2.7.0 Authentication successful\r\n")
                        .await?;
                } else {
                    io.write_all(b"535 5.7.8 Authentication credentials invalid\r\n")
                        .await?;
                }
            } else if upper.starts_with("AUTH LOGIN") {
                let user = ask(&mut io, b"334 VXNlcm5hbWU6\r\n").await?;
                let pass = ask(&mut io, b"334 UGFzc3dvcmQ6\r\n").await?;
                let got = (user, pass);
                if need_auth.as_ref() == Some(&got) {
                    auth = Some(got);
                    io.write_all(b"235 2.7.0 Authentication successful\r\n")
                        .await?;
                } else {
                    io.write_all(b"535 5.7.8 Authentication credentials invalid\r\n")
                        .await?;
                }
            } else if upper.starts_with("MAIL FROM:") {
                if need_auth.is_some() && auth.is_none() {
                    io.write_all(b"530 5.7.0 Authentication required\r\n")
                        .await?;
                    continue;
                }
                from = address(&cmd[10..]);
                to.clear();
                io.write_all(b"250 2.1.0 Ok\r\n").await?;
            } else if upper.starts_with("RCPT TO:") {
                let rcpt = address(&cmd[8..]);
                let answer = st
                    .rules
                    .lock()
                    .iter()
                    .find(|(p, _)| rcpt.contains(p.as_str()))
                    .map(|(_, a)| *a)
                    .unwrap_or(Answer::Accept);
                match answer {
                    Answer::Accept => {
                        to.push(rcpt);
                        io.write_all(b"250 2.1.5 Ok\r\n").await?;
                    }
                    Answer::Transient => {
                        io.write_all(b"451 4.3.0 Try again later\r\n").await?;
                    }
                    Answer::Permanent => {
                        io.write_all(b"550 5.1.1 No such user\r\n").await?;
                    }
                }
            } else if upper == "DATA" {
                if to.is_empty() {
                    io.write_all(b"554 5.5.1 No valid recipients\r\n").await?;
                    continue;
                }
                io.write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                    .await?;
                let mut data = String::new();
                loop {
                    let mut l = String::new();
                    if io.read_line(&mut l).await? == 0 {
                        return Ok(());
                    }
                    if l == ".\r\n" || l == ".\n" {
                        break;
                    }
                    let l = l.strip_prefix('.').map(str::to_string).unwrap_or(l);
                    data.push_str(&l);
                }
                st.mails.lock().push(Mail {
                    from: from.clone(),
                    to: std::mem::take(&mut to),
                    data,
                    auth: auth.clone(),
                    tls,
                });
                st.arrived.notify_waiters();
                io.write_all(b"250 2.0.0 Ok: queued\r\n").await?;
            } else if upper == "RSET" {
                from.clear();
                to.clear();
                io.write_all(b"250 2.0.0 Ok\r\n").await?;
            } else if upper == "NOOP" {
                io.write_all(b"250 2.0.0 Ok\r\n").await?;
            } else if upper == "QUIT" {
                io.write_all(b"221 2.0.0 Bye\r\n").await?;
                return Ok(());
            } else {
                io.write_all(b"502 5.5.2 Command not recognized\r\n")
                    .await?;
            }
        }
    })
}

async fn ask(io: &mut BufReader<Box<dyn Io>>, prompt: &[u8]) -> std::io::Result<String> {
    io.write_all(prompt).await?;
    let mut l = String::new();
    io.read_line(&mut l).await?;
    let v = base64::engine::general_purpose::STANDARD
        .decode(l.trim())
        .unwrap_or_default();
    Ok(String::from_utf8_lossy(&v).into_owned())
}

fn address(arg: &str) -> String {
    let arg = arg.trim();
    let inner = arg
        .strip_prefix('<')
        .and_then(|a| a.split_once('>'))
        .map(|(a, _)| a)
        .unwrap_or(arg);
    inner.to_string()
}

/// Header block and body of a MIME entity.
fn split_entity(raw: &str) -> (&str, &str) {
    if let Some(i) = raw.find("\r\n\r\n") {
        (&raw[..i], &raw[i + 4..])
    } else if let Some(i) = raw.find("\n\n") {
        (&raw[..i], &raw[i + 2..])
    } else {
        (raw, "")
    }
}

/// Unfolded headers, lowercase names.
fn headers_of(raw: &str) -> HashMap<String, String> {
    let (head, _) = split_entity(raw);
    let mut out: HashMap<String, String> = HashMap::new();
    let mut last: Option<String> = None;
    for line in head.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some(k) = &last {
                if let Some(v) = out.get_mut(k) {
                    v.push(' ');
                    v.push_str(line.trim());
                }
            }
        } else if let Some((k, v)) = line.split_once(':') {
            let k = k.trim().to_ascii_lowercase();
            out.insert(k.clone(), v.trim().to_string());
            last = Some(k);
        }
    }
    out
}

/// The decoded body of the first part with content type `want` (recursing into multiparts).
fn part(raw: &str, want: &str) -> Option<String> {
    let headers = headers_of(raw);
    let ctype = headers
        .get("content-type")
        .cloned()
        .unwrap_or_else(|| "text/plain".into());
    let (_, body) = split_entity(raw);
    if ctype.to_ascii_lowercase().starts_with("multipart/") {
        let boundary = ctype
            .split(';')
            .filter_map(|p| p.trim().strip_prefix("boundary="))
            .next()?
            .trim_matches('"')
            .to_string();
        let delimiter = format!("--{boundary}");
        for chunk in body.split(delimiter.as_str()).skip(1) {
            if chunk.starts_with("--") {
                break;
            }
            let chunk = chunk.trim_start_matches(['\r', '\n']);
            if let Some(found) = part(chunk, want) {
                return Some(found);
            }
        }
        return None;
    }
    if !ctype.to_ascii_lowercase().starts_with(want) {
        return None;
    }
    let encoding = headers
        .get("content-transfer-encoding")
        .map(|e| e.to_ascii_lowercase())
        .unwrap_or_default();
    Some(match encoding.as_str() {
        "base64" => {
            let compact: String = body.split_whitespace().collect();
            String::from_utf8_lossy(
                &base64::engine::general_purpose::STANDARD
                    .decode(compact)
                    .unwrap_or_default(),
            )
            .into_owned()
        }
        "quoted-printable" => quoted_printable(body),
        _ => body.replace("\r\n", "\n"),
    })
}

fn quoted_printable(s: &str) -> String {
    let s = s.replace("\r\n", "\n");
    let mut out = Vec::new();
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'=' {
            if b.get(i + 1) == Some(&b'\n') {
                i += 2;
                continue;
            }
            if let (Some(h), Some(l)) = (b.get(i + 1), b.get(i + 2)) {
                if let Ok(v) = u8::from_str_radix(&format!("{}{}", *h as char, *l as char), 16) {
                    out.push(v);
                    i += 3;
                    continue;
                }
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
