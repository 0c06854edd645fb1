//! The upstream HTTP/1.1 client: a small keep-alive pool over hyper's connection API.
//!
//! hyper-util's generic client costs a spawned task per request (to return the connection once
//! the response is read), pool-key allocations and an absolute-to-origin-form URI rewrite. Here a
//! connection goes back to its host's idle list when the response body ends, and requests are
//! written in origin form directly. A request that a reused connection never sent (the upstream
//! closed it while idle) is retried once on a new connection, as hyper-util does.

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::Body;
use bytes::Bytes;
use http::uri::Authority;
use http::{Request, Response};
use hyper::body::{Frame, Incoming, SizeHint};
use hyper::client::conn::http1::{self, SendRequest};
use hyper_util::rt::TokioIo;
use parking_lot::Mutex;
use tokio::net::TcpStream;

/// Why an upstream exchange failed.
#[derive(Debug)]
pub enum SendError {
    /// No connection could be made (refused, unreachable, connect timeout).
    Connect(String),
    /// The connection failed while sending or before the response head.
    Exchange(String),
}

impl std::fmt::Display for SendError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SendError::Connect(e) => write!(f, "connect: {e}"),
            SendError::Exchange(e) => write!(f, "{e}"),
        }
    }
}

struct Idle {
    tx: SendRequest<Body>,
    since: Instant,
}

/// Idle connections by `host:port` text (hashing the text once is cheaper than `Authority`'s
/// case-folding hash).
#[derive(Default)]
struct Idles {
    by_host: HashMap<Box<str>, Vec<Idle>>,
}

/// Pool settings.
#[derive(Debug, Clone, Copy)]
pub struct PoolConfig {
    /// Deadline for establishing a TCP connection.
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

/// Keep-alive connections to upstreams, by `host:port`.
#[derive(Clone)]
pub struct Pool {
    idle: Arc<Mutex<Idles>>,
    cfg: PoolConfig,
}

impl Pool {
    /// An empty pool.
    pub fn new(cfg: PoolConfig) -> Self {
        Self {
            idle: Arc::default(),
            cfg,
        }
    }

    /// Number of idle connections to `host` (tests).
    pub fn idle_count(&self, host: &Authority) -> usize {
        self.idle
            .lock()
            .by_host
            .get(host.as_str())
            .map_or(0, Vec::len)
    }

    fn checkout(&self, host: &Authority) -> Option<SendRequest<Body>> {
        let mut idle = self.idle.lock();
        let list = idle.by_host.get_mut(host.as_str())?;
        while let Some(c) = list.pop() {
            if !c.tx.is_closed() && c.since.elapsed() < self.cfg.idle_timeout {
                return Some(c.tx);
            }
        }
        None
    }

    fn checkin(&self, host: &Authority, tx: SendRequest<Body>) {
        if tx.is_closed() {
            return;
        }
        let mut idle = self.idle.lock();
        let list = match idle.by_host.get_mut(host.as_str()) {
            Some(l) => l,
            None => idle.by_host.entry(host.as_str().into()).or_default(),
        };
        if list.len() >= self.cfg.max_idle_per_host {
            list.remove(0);
        }
        list.push(Idle {
            tx,
            since: Instant::now(),
        });
    }

    async fn connect(&self, host: &Authority) -> Result<SendRequest<Body>, SendError> {
        let addr = (host.host(), host.port_u16().unwrap_or(80));
        let stream =
            match tokio::time::timeout(self.cfg.connect_timeout, TcpStream::connect(addr)).await {
                Err(_) => return Err(SendError::Connect("timed out".into())),
                Ok(Err(e)) => return Err(SendError::Connect(e.to_string())),
                Ok(Ok(s)) => s,
            };
        let _ = stream.set_nodelay(true);
        let (tx, conn) = http1::Builder::new()
            .handshake(TokioIo::new(stream))
            .await
            .map_err(|e| SendError::Connect(e.to_string()))?;
        tokio::spawn(async move {
            if let Err(e) = conn.with_upgrades().await {
                tracing::debug!(error = %e, "upstream connection ended");
            }
        });
        Ok(tx)
    }

    /// Sends `req` (origin-form URI, `Host` set) to `host`. The response body returns the
    /// connection to the pool when it ends; upgrades (101) keep theirs.
    pub async fn send(
        &self,
        host: &Authority,
        mut req: Request<Body>,
    ) -> Result<Response<PooledBody>, SendError> {
        loop {
            let (mut tx, reused) = match self.checkout(host) {
                Some(tx) => (tx, true),
                None => (self.connect(host).await?, false),
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
                            self.checkin(host, tx);
                        } else {
                            body.home = Some((self.clone(), host.clone(), tx));
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

/// A response body that hands its connection back to the pool at its end.
pub struct PooledBody {
    inner: Incoming,
    home: Option<(Pool, Authority, SendRequest<Body>)>,
}

impl PooledBody {
    fn release(&mut self) {
        if let Some((pool, host, tx)) = self.home.take() {
            pool.checkin(&host, tx);
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
