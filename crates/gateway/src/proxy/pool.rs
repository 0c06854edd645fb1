//! The upstream HTTP/1.1 client: a small keep-alive pool over hyper's connection API.
//!
//! hyper-util's generic client costs a spawned task per request (to return the connection once
//! the response is read), pool-key allocations and an absolute-to-origin-form URI rewrite. Here a
//! connection goes back to its host's idle list when the response body ends, and requests are
//! written in origin form directly. A request that a reused connection never sent (the upstream
//! closed it while idle) is retried once on a new connection, as hyper-util does.
//!
//! `https://` upstreams get a rustls client handshake (SNI = upstream host, ALPN `http/1.1`,
//! certificates always verified against the webpki roots) before the same HTTP/1.1 handshake;
//! their idle connections are kept apart from plain ones to the same `host:port`.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::Body;
use bytes::Bytes;
use http::uri::{Authority, Scheme};
use http::{Request, Response};
use hyper::body::{Frame, Incoming, SizeHint};
use hyper::client::conn::http1::{self, SendRequest};
use hyper_util::rt::TokioIo;
use parking_lot::Mutex;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName};
use tokio_rustls::rustls::{self, ClientConfig, RootCertStore};
use tokio_rustls::TlsConnector;

use super::idle::IdleLists;

/// Why an upstream exchange failed.
#[derive(Debug)]
pub enum SendError {
    /// No connection could be made (refused, unreachable, connect timeout).
    Connect(String),
    /// The connection failed while sending or before the response head.
    Exchange(String),
    /// No answer in time.
    TimedOut,
}

impl std::fmt::Display for SendError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SendError::Connect(e) => write!(f, "connect: {e}"),
            SendError::Exchange(e) => write!(f, "{e}"),
            SendError::TimedOut => f.write_str("no answer in time"),
        }
    }
}

/// Idle connections by scheme (TLS ones apart from plain ones to the same `host:port`).
#[derive(Default)]
struct Idles {
    plain: IdleLists<SendRequest<Body>>,
    tls: IdleLists<SendRequest<Body>>,
}

impl Idles {
    fn by_scheme(&mut self, tls: bool) -> &mut IdleLists<SendRequest<Body>> {
        if tls {
            &mut self.tls
        } else {
            &mut self.plain
        }
    }
}

/// Pool settings.
#[derive(Debug, Clone, Copy)]
pub struct PoolConfig {
    /// Deadline for establishing a connection (TCP, and the TLS handshake for `https`).
    pub connect_timeout: Duration,
    /// Idle connections older than this are not reused.
    pub idle_timeout: Duration,
    /// Idle connections kept per upstream host.
    pub max_idle_per_host: usize,
}

impl Default for PoolConfig {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(5),
            idle_timeout: Duration::from_secs(90),
            max_idle_per_host: 1024,
        }
    }
}

/// Keep-alive connections to upstreams, by scheme and `host:port`.
#[derive(Clone)]
pub struct Pool {
    idle: Arc<Mutex<Idles>>,
    cfg: PoolConfig,
    tls: TlsConnector,
}

/// The TLS client for `https` upstreams: webpki roots plus `extra_roots`, ring, ALPN
/// `http/1.1` (the pool speaks HTTP/1.1 only).
fn tls_connector(extra_roots: &[CertificateDer<'static>]) -> TlsConnector {
    let mut roots = RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let (added, ignored) = roots.add_parsable_certificates(extra_roots.iter().cloned());
    if ignored > 0 {
        tracing::warn!(
            added,
            ignored,
            "some extra upstream root certificates were not usable"
        );
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("ring supports the default TLS versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    TlsConnector::from(Arc::new(config))
}

impl Pool {
    /// An empty pool trusting the webpki roots for `https` upstreams.
    pub fn new(cfg: PoolConfig) -> Self {
        Self::with_roots(cfg, &[])
    }

    /// An empty pool that also trusts `extra_roots` for `https` upstreams (tests with their
    /// own CA; verification stays on).
    pub fn with_roots(cfg: PoolConfig, extra_roots: &[CertificateDer<'static>]) -> Self {
        Self {
            idle: Arc::default(),
            cfg,
            tls: tls_connector(extra_roots),
        }
    }

    /// Number of idle connections to `scheme://host` (tests).
    pub fn idle_count(&self, scheme: &Scheme, host: &Authority) -> usize {
        self.idle
            .lock()
            .by_scheme(*scheme == Scheme::HTTPS)
            .count(host.as_str())
    }

    fn checkout(&self, tls: bool, host: &Authority) -> Option<SendRequest<Body>> {
        self.idle.lock().by_scheme(tls).take(
            host.as_str(),
            self.cfg.idle_timeout,
            Instant::now(),
            |tx| !tx.is_closed(),
        )
    }

    fn checkin(&self, tls: bool, host: &Authority, tx: SendRequest<Body>) {
        if tx.is_closed() {
            return;
        }
        self.idle.lock().by_scheme(tls).put(
            host.as_str(),
            tx,
            self.cfg.max_idle_per_host,
            Instant::now(),
        );
    }

    async fn connect(&self, tls: bool, host: &Authority) -> Result<SendRequest<Body>, SendError> {
        let port = host.port_u16().unwrap_or(if tls { 443 } else { 80 });
        let connect = async {
            let stream = TcpStream::connect((bare_host(host), port))
                .await
                .map_err(|e| SendError::Connect(e.to_string()))?;
            let _ = stream.set_nodelay(true);
            if !tls {
                return handshake(stream).await;
            }
            // SNI and verification want the bare name.
            let name = bare_host(host);
            let name = ServerName::try_from(name.to_owned())
                .map_err(|e| SendError::Connect(format!("tls: server name {name:?}: {e}")))?;
            let stream = self
                .tls
                .connect(name, stream)
                .await
                .map_err(|e| SendError::Connect(format!("tls: {e}")))?;
            handshake(stream).await
        };
        match tokio::time::timeout(self.cfg.connect_timeout, connect).await {
            Err(_) => Err(SendError::Connect("timed out".into())),
            Ok(r) => r,
        }
    }

    /// Sends `req` (origin-form URI, `Host` set) to `host`. The response body returns the
    /// connection to the pool when it ends; upgrades (101) keep theirs.
    pub async fn send(
        &self,
        scheme: &Scheme,
        host: &Authority,
        mut req: Request<Body>,
    ) -> Result<Response<PooledBody>, SendError> {
        let tls = if *scheme == Scheme::HTTPS {
            true
        } else if *scheme == Scheme::HTTP {
            false
        } else {
            return Err(SendError::Connect(format!(
                "scheme {:?} is not supported (http and https only)",
                scheme.as_str()
            )));
        };
        loop {
            let (mut tx, reused) = match self.checkout(tls, host) {
                Some(tx) => (tx, true),
                None => (Box::pin(self.connect(tls, host)).await?, false),
            };
            if tx.ready().await.is_err() {
                if reused {
                    continue;
                }
                return Err(SendError::Exchange("connection closed".into()));
            }
            match tx.try_send_request(req).await {
                Ok(resp) => {
                    let upgrade = resp.status() == http::StatusCode::SWITCHING_PROTOCOLS;
                    let (parts, body) = resp.into_parts();
                    let mut body = PooledBody {
                        inner: body,
                        home: None,
                    };
                    if !upgrade {
                        if hyper::body::Body::is_end_stream(&body.inner) {
                            self.checkin(tls, host, tx);
                        } else {
                            body.home = Some((self.clone(), tls, host.clone(), tx));
                        }
                    }
                    return Ok(Response::from_parts(parts, body));
                }
                Err(mut e) => match e.take_message() {
                    // Never written: the idle connection was closed under us; retry.
                    Some(r) if reused => req = r,
                    _ => return Err(SendError::Exchange(e.into_error().to_string())),
                },
            }
        }
    }
}

/// The host without the brackets `Authority::host` keeps around IPv6 addresses (connecting
/// to `[::1]` would look the bracketed text up as a name).
pub fn bare_host(host: &Authority) -> &str {
    host.host().trim_start_matches('[').trim_end_matches(']')
}

/// The HTTP/1.1 handshake over a connected (plain or TLS) stream; the connection is driven by
/// its own task.
async fn handshake<T>(io: T) -> Result<SendRequest<Body>, SendError>
where
    T: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (tx, conn) = http1::Builder::new()
        .handshake(TokioIo::new(io))
        .await
        .map_err(|e| SendError::Connect(e.to_string()))?;
    tokio::spawn(async move {
        if let Err(e) = conn.with_upgrades().await {
            tracing::debug!(error = %e, "upstream connection ended");
        }
    });
    Ok(tx)
}

/// A response body that hands its connection back to the pool at its end.
pub struct PooledBody {
    inner: Incoming,
    /// Pool, TLS or not, host and connection to check in.
    home: Option<(Pool, bool, Authority, SendRequest<Body>)>,
}

impl PooledBody {
    fn release(&mut self) {
        if let Some((pool, tls, host, tx)) = self.home.take() {
            pool.checkin(tls, &host, tx);
        }
    }
}

impl hyper::body::Body for PooledBody {
    type Data = Bytes;
    type Error = hyper::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, hyper::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        match &polled {
            Poll::Ready(None) => self.release(),
            Poll::Ready(Some(Ok(_))) if self.inner.is_end_stream() => self.release(),
            // A failed body means a broken connection: drop it.
            Poll::Ready(Some(Err(_))) => self.home = None,
            _ => {}
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
