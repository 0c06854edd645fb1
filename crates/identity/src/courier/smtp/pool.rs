//! SMTP sessions on sockets we open ourselves, so that every one has TCP_NODELAY.
//!
//! lettre (0.11.23, the newest release) never sets TCP_NODELAY, and it writes a message's body
//! and the closing `\r\n.\r\n` as two writes: Nagle's algorithm holds the second until the
//! server's delayed ACK (40 ms on Linux), so each connection managed ~25 messages/s. The fix
//! (lettre PR #1159) is not released. lettre still speaks SMTP here (`AsyncSmtpConnection`:
//! greeting, EHLO, STARTTLS, AUTH, MAIL/RCPT/DATA); this file connects the socket and keeps
//! up to [`CONNECTIONS`] idle sessions for reuse, as lettre's own pool did. When a lettre
//! release carries the fix, `AsyncSmtpTransport` can take this file's place again.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::task::{ready, Context, Poll};
use std::time::{Duration, Instant};

use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, DEFAULT_MECHANISMS};
#[allow(deprecated)]
use lettre::transport::smtp::client::AsyncNetworkStream;
use lettre::transport::smtp::client::{AsyncSmtpConnection, AsyncTokioStream, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::time::timeout;

use super::{describe, CONNECTIONS};

/// An idle session older than this is closed rather than reused.
const IDLE_TIMEOUT: Duration = Duration::from_secs(30);

/// How sessions are encrypted.
pub(super) enum Security {
    /// None (`smtp://…?disable_starttls=true`).
    Plain,
    /// STARTTLS, which the server must offer (`smtp://`).
    StartTls(TlsParameters),
    /// TLS from the first byte (`smtps://`).
    Implicit(TlsParameters),
}

/// The mail server and how to open a session with it.
pub(super) struct Server {
    /// Host name or IP address.
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// Encryption.
    pub security: Security,
    /// Our name in EHLO.
    pub hello: ClientId,
    /// AUTH PLAIN or LOGIN after EHLO (and STARTTLS), when set.
    pub credentials: Option<Credentials>,
    /// Longest wait for a session to open, and for a message to be accepted.
    pub timeout: Duration,
}

/// Why a message was not sent.
pub(super) enum Failure {
    /// No session could be opened, or the session broke or stalled with no SMTP answer.
    Unavailable(String),
    /// The server answered no, or lettre refused to send (e.g. 8-bit text it cannot carry).
    Refused(lettre::transport::smtp::Error),
}

/// Up to [`CONNECTIONS`] idle sessions with one server, reused most recent first.
pub(super) struct Pool {
    inner: Arc<Inner>,
}

struct Inner {
    server: Server,
    idle: Mutex<Vec<Idle>>,
    reaper_started: AtomicBool,
}

struct Idle {
    conn: AsyncSmtpConnection,
    since: Instant,
}

impl Pool {
    /// A pool for `server`; no connection is made until the first message.
    pub fn new(server: Server) -> Self {
        Pool {
            inner: Arc::new(Inner {
                server,
                idle: Mutex::new(Vec::new()),
                reaper_started: AtomicBool::new(false),
            }),
        }
    }

    /// Sends one message on an idle session, or on a new one.
    pub async fn send(&self, envelope: &Envelope, email: &[u8]) -> Result<(), Failure> {
        let mut conn = self.checkout().await?;
        match timeout(self.inner.server.timeout, conn.send(envelope, email)).await {
            Ok(Ok(_)) => {
                self.park(conn);
                Ok(())
            }
            Ok(Err(e)) => {
                // After a refused command lettre has already sent QUIT and marked the session
                // broken; a refusal before any command (8BITMIME, SMTPUTF8) leaves it usable.
                if !conn.has_broken() {
                    self.park(conn);
                }
                if e.status().is_none() && !e.is_client() {
                    Err(Failure::Unavailable(describe(&e)))
                } else {
                    Err(Failure::Refused(e))
                }
            }
            // Dropped mid-message: the socket closes and the server discards the message.
            Err(_) => Err(Failure::Unavailable(format!(
                "no answer from the mail server within {} s",
                self.inner.server.timeout.as_secs()
            ))),
        }
    }

    /// Whether a new session (connect, TLS, EHLO, login) can be opened; it is kept for reuse.
    pub async fn probe(&self) -> bool {
        match self.open().await {
            Ok(conn) => {
                self.park(conn);
                true
            }
            Err(_) => false,
        }
    }

    async fn checkout(&self) -> Result<AsyncSmtpConnection, Failure> {
        loop {
            let parked = {
                let mut idle = self.inner.idle.lock().unwrap_or_else(|p| p.into_inner());
                idle.retain(|i| i.since.elapsed() <= IDLE_TIMEOUT);
                idle.pop()
            };
            let Some(Idle { mut conn, .. }) = parked else {
                return self.open().await;
            };
            // The server may have closed it meanwhile (its own idle timeout, a restart).
            if timeout(self.inner.server.timeout, conn.test_connected())
                .await
                .unwrap_or(false)
            {
                return Ok(conn);
            }
            tracing::debug!("courier: dropping a closed SMTP session");
        }
    }

    fn park(&self, conn: AsyncSmtpConnection) {
        {
            let mut idle = self.inner.idle.lock().unwrap_or_else(|p| p.into_inner());
            if idle.len() >= CONNECTIONS as usize {
                return; // dropping `conn` closes its socket
            }
            idle.push(Idle {
                conn,
                since: Instant::now(),
            });
        }
        if !self.inner.reaper_started.swap(true, Ordering::Relaxed) {
            tokio::spawn(reap(Arc::downgrade(&self.inner)));
        }
    }

    async fn open(&self) -> Result<AsyncSmtpConnection, Failure> {
        let server = &self.inner.server;
        match timeout(server.timeout, handshake(server)).await {
            Ok(Ok(conn)) => {
                tracing::debug!(
                    host = %server.host,
                    port = server.port,
                    "courier: SMTP session opened"
                );
                Ok(conn)
            }
            Ok(Err(reason)) => Err(Failure::Unavailable(reason)),
            Err(_) => Err(Failure::Unavailable(format!(
                "no SMTP session with {}:{} within {} s",
                server.host,
                server.port,
                server.timeout.as_secs()
            ))),
        }
    }
}

/// A TCP connection with Nagle's algorithm off: lettre writes a message's body and its
/// terminating `.` separately, and Nagle would hold the `.` until the server's delayed ACK
/// (40 ms a message).
async fn connect(server: &Server) -> Result<TcpStream, String> {
    let tcp = TcpStream::connect((server.host.as_str(), server.port))
        .await
        .map_err(|e| format!("cannot connect to {}:{}: {e}", server.host, server.port))?;
    tcp.set_nodelay(true)
        .map_err(|e| format!("cannot set TCP_NODELAY: {e}"))?;
    Ok(tcp)
}

/// Connect (see [`connect`]), then greeting, EHLO, STARTTLS and AUTH as configured.
async fn handshake(server: &Server) -> Result<AsyncSmtpConnection, String> {
    let smtp = |e: lettre::transport::smtp::Error| describe(&e);
    let tcp = connect(server).await?;
    let stream: Box<dyn AsyncTokioStream> = match &server.security {
        Security::Implicit(tls) => Box::new(
            ImplicitTls::handshake(tcp, tls.clone())
                .await
                .map_err(smtp)?,
        ),
        Security::Plain | Security::StartTls(_) => Box::new(tcp),
    };
    let mut conn = AsyncSmtpConnection::connect_with_transport(stream, &server.hello)
        .await
        .map_err(smtp)?;
    if let Security::StartTls(tls) = &server.security {
        conn.starttls(tls.clone(), &server.hello)
            .await
            .map_err(smtp)?;
    }
    if let Some(credentials) = &server.credentials {
        conn.auth(DEFAULT_MECHANISMS, credentials)
            .await
            .map_err(smtp)?;
    }
    Ok(conn)
}

/// Closes sessions idle longer than [`IDLE_TIMEOUT`] (with QUIT) until the pool is dropped.
async fn reap(pool: Weak<Inner>) {
    loop {
        tokio::time::sleep(IDLE_TIMEOUT / 3).await;
        let Some(inner) = pool.upgrade() else {
            return;
        };
        let expired: Vec<Idle> = {
            let mut idle = inner.idle.lock().unwrap_or_else(|p| p.into_inner());
            let (old, fresh) = idle
                .drain(..)
                .partition(|i| i.since.elapsed() > IDLE_TIMEOUT);
            *idle = fresh;
            old
        };
        drop(inner);
        for Idle { mut conn, .. } in expired {
            let _ = timeout(Duration::from_secs(5), conn.quit()).await;
        }
    }
}

/// An implicit-TLS session offered to lettre as a plain stream.
///
/// `connect_with_transport` takes any [`AsyncTokioStream`] but reads the greeting at once, so
/// TLS must already be up; applying our [`TlsParameters`] (verification, server name, client
/// certificate) is only possible through lettre's `AsyncNetworkStream`, public but deprecated
/// in 0.11. This adapter turns its `futures` I/O traits into Tokio's.
#[allow(deprecated)]
#[derive(Debug)]
struct ImplicitTls(AsyncNetworkStream);

impl ImplicitTls {
    async fn handshake(
        tcp: TcpStream,
        tls: TlsParameters,
    ) -> Result<Self, lettre::transport::smtp::Error> {
        #[allow(deprecated)]
        let mut stream = AsyncNetworkStream::use_existing_tokio1(Box::new(tcp));
        stream.upgrade_tls(tls).await?;
        Ok(ImplicitTls(stream))
    }
}

impl AsyncTokioStream for ImplicitTls {
    fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.0.peer_addr()
    }
}

impl AsyncRead for ImplicitTls {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let n = ready!(futures::io::AsyncRead::poll_read(
            Pin::new(&mut self.0),
            cx,
            buf.initialize_unfilled()
        ))?;
        buf.advance(n);
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for ImplicitTls {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        futures::io::AsyncWrite::poll_write(Pin::new(&mut self.0), cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        futures::io::AsyncWrite::poll_flush(Pin::new(&mut self.0), cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        futures::io::AsyncWrite::poll_close(Pin::new(&mut self.0), cx)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicUsize;

    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    use tokio::net::TcpListener;

    use super::*;

    /// A minimal SMTP server on 127.0.0.1; counts sessions and accepted messages.
    struct Receiver {
        port: u16,
        sessions: Arc<AtomicUsize>,
        messages: Arc<AtomicUsize>,
    }

    impl Receiver {
        /// `hang_up`: close the connection after each accepted message.
        async fn start(hang_up: bool) -> Receiver {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let port = listener.local_addr().unwrap().port();
            let sessions = Arc::new(AtomicUsize::new(0));
            let messages = Arc::new(AtomicUsize::new(0));
            let (s, m) = (sessions.clone(), messages.clone());
            tokio::spawn(async move {
                while let Ok((socket, _)) = listener.accept().await {
                    s.fetch_add(1, Ordering::SeqCst);
                    tokio::spawn(session(socket, m.clone(), hang_up));
                }
            });
            Receiver {
                port,
                sessions,
                messages,
            }
        }

        fn pool(&self) -> Pool {
            Pool::new(self.server())
        }

        fn server(&self) -> Server {
            Server {
                host: "127.0.0.1".into(),
                port: self.port,
                security: Security::Plain,
                hello: ClientId::Domain("test.example".into()),
                credentials: None,
                timeout: Duration::from_secs(5),
            }
        }
    }

    async fn session(socket: TcpStream, messages: Arc<AtomicUsize>, hang_up: bool) {
        let (read, mut write) = socket.into_split();
        let mut lines = BufReader::new(read).lines();
        write.write_all(b"220 test ESMTP\r\n").await.unwrap();
        let mut in_data = false;
        while let Ok(Some(line)) = lines.next_line().await {
            let reply: &[u8] = if in_data {
                if line != "." {
                    continue;
                }
                in_data = false;
                messages.fetch_add(1, Ordering::SeqCst);
                b"250 queued\r\n"
            } else if line.starts_with("DATA") {
                in_data = true;
                b"354 go on\r\n"
            } else if line.starts_with("QUIT") {
                let _ = write.write_all(b"221 bye\r\n").await;
                return;
            } else {
                b"250 ok\r\n" // EHLO, MAIL, RCPT, NOOP
            };
            if write.write_all(reply).await.is_err() {
                return;
            }
            if hang_up && reply.starts_with(b"250 queued") {
                return;
            }
        }
    }

    fn envelope() -> Envelope {
        Envelope::new(
            Some("from@test.example".parse().unwrap()),
            vec!["to@test.example".parse().unwrap()],
        )
        .unwrap()
    }

    const MAIL: &[u8] = b"Subject: hi\r\n\r\nhello\r\n";

    #[tokio::test]
    async fn connections_have_nagle_off() {
        let receiver = Receiver::start(false).await;
        let tcp = connect(&receiver.server()).await.unwrap();
        assert!(tcp.nodelay().unwrap());
    }

    #[tokio::test]
    async fn one_session_carries_many_messages() {
        let receiver = Receiver::start(false).await;
        let pool = receiver.pool();
        for _ in 0..50 {
            assert!(pool.send(&envelope(), MAIL).await.is_ok());
        }
        assert_eq!(receiver.messages.load(Ordering::SeqCst), 50);
        assert_eq!(receiver.sessions.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_session_closed_by_the_server_is_replaced() {
        let receiver = Receiver::start(true).await;
        let pool = receiver.pool();
        for _ in 0..3 {
            assert!(pool.send(&envelope(), MAIL).await.is_ok());
        }
        assert_eq!(receiver.messages.load(Ordering::SeqCst), 3);
        assert_eq!(receiver.sessions.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn no_server_is_unavailable() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let pool = Receiver {
            port,
            sessions: Default::default(),
            messages: Default::default(),
        }
        .pool();
        assert!(matches!(
            pool.send(&envelope(), MAIL).await,
            Err(Failure::Unavailable(_))
        ));
        assert!(!pool.probe().await);
    }
}
