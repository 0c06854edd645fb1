//! The upstream exchange of the proxy's common case: a bodiless request to an `http://`
//! upstream, written and answered on a pooled TCP connection inside the request's own task.
//!
//! [`super::pool`] drives each upstream connection with hyper's client in a task of its own;
//! every request then crosses tasks four times (request, response head, body "want", body
//! data). Here the request task writes the head, parses the response head with `httparse`
//! and reads the body itself ([`DirectBody`]), so a request costs no task switch and no
//! channel. Requests with a body, upgrades and `https://` stay on [`super::pool`].
//!
//! Body framing follows RFC 9112 §6.3: no body for `HEAD`, 1xx, 204 and 304; chunked when the
//! last transfer coding is `chunked`; `Content-Length`; else until the upstream closes. An idle
//! connection that became readable (the upstream closed it, or sent stray bytes) is dropped
//! at checkout without a syscall, from the runtime's readiness; an idempotent request that a
//! reused connection failed before any response byte is retried once on a new connection.

use std::future::Future as _;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use bytes::{Buf, Bytes, BytesMut};
use http::uri::Authority;
use http::{HeaderMap, HeaderName, HeaderValue, Method, Response, StatusCode};
use hyper::body::{Frame, SizeHint};
use parking_lot::Mutex;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub use super::answer_head::RawFields;
use super::answer_head::{self, ParsedHead};
use super::fields::Fields;
use super::idle::IdleLists;
use super::pool::{PoolConfig, SendError};
use crate::server::MAX_HEADER_BYTES;

/// Read size for heads and bodies.
const READ_CHUNK: usize = 8 * 1024;

/// A connection with what was read past the last message.
struct Conn {
    stream: TcpStream,
    buf: BytesMut,
    /// The answer deadline, kept with the connection: moving a registered timer later is an
    /// atomic store, where a fresh one per request would be registered in the runtime's timer
    /// wheel and removed again.
    deadline: Option<Pin<Box<tokio::time::Sleep>>>,
}

/// Keep-alive TCP connections to `http://` upstreams, by `host:port`. One pointer: every
/// answer's body holds the pool it goes back to.
#[derive(Clone)]
pub struct DirectPool(Arc<Shared>);

struct Shared {
    idle: Mutex<IdleLists<Conn>>,
    cfg: PoolConfig,
    answer_timeout: Duration,
}

/// The answer deadline unless [`DirectPool::answer_timeout`] sets one.
const DEFAULT_ANSWER_TIMEOUT: Duration = Duration::from_secs(180);

impl DirectPool {
    /// An empty pool.
    pub fn new(cfg: PoolConfig) -> Self {
        Self(Arc::new(Shared {
            idle: Mutex::default(),
            cfg,
            answer_timeout: DEFAULT_ANSWER_TIMEOUT,
        }))
    }

    /// How long a request may wait for the answer's head, connecting included
    /// ([`SendError::TimedOut`] past it). A setting made at construction: the pool returned
    /// is a new one, with no idle connections.
    pub fn answer_timeout(self, limit: Duration) -> Self {
        Self(Arc::new(Shared {
            idle: Mutex::default(),
            cfg: self.0.cfg,
            answer_timeout: limit,
        }))
    }

    /// Idle connections to `host` (tests).
    pub fn idle_count(&self, host: &Authority) -> usize {
        self.0.idle.lock().count(host.as_str())
    }

    fn checkout(&self, host: &Authority, now: std::time::Instant) -> Option<Conn> {
        let mut cx = Context::from_waker(Waker::noop());
        // An idle connection has nothing to say: readable means closed or confused.
        let quiet = |c: &Conn| c.stream.poll_read_ready(&mut cx).is_pending();
        self.0
            .idle
            .lock()
            .take(host.as_str(), self.0.cfg.idle_timeout, now, quiet)
    }

    fn checkin(&self, host: &str, conn: Conn, since: std::time::Instant) {
        if conn.buf.is_empty() {
            self.0
                .idle
                .lock()
                .put(host, conn, self.0.cfg.max_idle_per_host, since);
        }
    }

    async fn connect(&self, host: &Authority) -> Result<Conn, SendError> {
        let port = host.port_u16().unwrap_or(80);
        let connect = TcpStream::connect((super::pool::bare_host(host), port));
        let stream = match tokio::time::timeout(self.0.cfg.connect_timeout, connect).await {
            Err(_) => return Err(SendError::Connect("timed out".into())),
            Ok(Err(e)) => return Err(SendError::Connect(e.to_string())),
            Ok(Ok(s)) => s,
        };
        let _ = stream.set_nodelay(true);
        Ok(Conn {
            stream,
            buf: BytesMut::new(),
            deadline: None,
        })
    }

    /// Sends the bodiless `req` (origin-form URI, `Host` set) to `host`; the body of the
    /// answer returns the connection to the pool when it ends. The head is encoded before
    /// the returned future is built, which then does not borrow `req`.
    pub fn send<'a>(
        &'a self,
        host: &'a Authority,
        req: &http::request::Parts,
    ) -> impl std::future::Future<Output = Result<Response<DirectBody>, SendError>> + Send + 'a
    {
        let answer = self.send_encoded(host, encode_head(req, host), &req.method, false);
        async move { answer.await.map(|a| Response::from_parts(a.parts, a.body)) }
    }

    /// Sends an encoded bodiless request ([`HeadWriter`]) made with `method`. With `raw`,
    /// the answer's header fields come as [`RawFields`] (for the gateway's own HTTP/1.1
    /// writer) instead of a header map.
    pub fn send_encoded<'a>(
        &'a self,
        host: &'a Authority,
        head: Vec<u8>,
        method: &Method,
        raw: bool,
    ) -> impl std::future::Future<Output = Result<DirectAnswer, SendError>> + Send + 'a {
        let bodiless_answer = *method == Method::HEAD;
        let retry_safe = method.is_idempotent();
        self.send_head(host, head, bodiless_answer, retry_safe, raw)
    }

    async fn send_head(
        &self,
        host: &Authority,
        head: Vec<u8>,
        bodiless_answer: bool,
        retry_safe: bool,
        raw: bool,
    ) -> Result<DirectAnswer, SendError> {
        // One clock read per request: the deadline, the idle check and the idle mark.
        let started = tokio::time::Instant::now();
        let until = started + self.0.answer_timeout;
        loop {
            let (mut conn, reused) = match self.checkout(host, started.into_std()) {
                Some(c) => (c, true),
                None => {
                    let connect = tokio::time::timeout_at(until, self.connect(host));
                    match Box::pin(connect).await {
                        Ok(c) => (c?, false),
                        Err(_) => return Err(SendError::TimedOut),
                    }
                }
            };
            match exchange_until(&mut conn, until, &head, bodiless_answer, raw).await {
                Ok(head) => {
                    let home = (self.clone(), host.clone(), started.into_std());
                    let body = DirectBody::new(conn, head.framing, head.keep_alive, home);
                    return Ok(DirectAnswer {
                        parts: head.parts,
                        raw: head.raw,
                        body,
                    });
                }
                Err(Failure::Silent(_)) if reused && retry_safe => continue,
                Err(Failure::TimedOut) => return Err(SendError::TimedOut),
                Err(Failure::Silent(e) | Failure::Broken(e)) => return Err(SendError::Exchange(e)),
            }
        }
    }
}

/// An upstream answer from the direct exchange.
pub struct DirectAnswer {
    /// Status and version; the header fields unless they came as `raw`.
    pub parts: http::response::Parts,
    /// The header fields as text, when asked for.
    pub raw: Option<RawFields>,
    /// The body, read from the connection as it is polled.
    pub body: DirectBody,
}

/// Why an exchange failed: before any response byte (retryable on a reused connection) or
/// after.
enum Failure {
    Silent(String),
    Broken(String),
    TimedOut,
}

/// [`exchange`] within the connection's deadline, moved to `until`.
async fn exchange_until(
    conn: &mut Conn,
    until: tokio::time::Instant,
    head: &[u8],
    bodiless_answer: bool,
    raw: bool,
) -> Result<ParsedHead, Failure> {
    let mut deadline = match conn.deadline.take() {
        Some(mut d) => {
            d.as_mut().reset(until);
            d
        }
        None => Box::pin(tokio::time::sleep_until(until)),
    };
    let answer = {
        let exchange = exchange(conn, head, bodiless_answer, raw);
        let mut exchange = std::pin::pin!(exchange);
        std::future::poll_fn(|cx| match exchange.as_mut().poll(cx) {
            Poll::Ready(r) => Poll::Ready(r),
            Poll::Pending => deadline.as_mut().poll(cx).map(|()| Err(Failure::TimedOut)),
        })
        .await
    };
    conn.deadline = Some(deadline);
    answer
}

/// An encoded request head: the request line, the fields as they come, then `host` and an
/// empty `content-length` where needed, as hyper's client writes them.
pub struct HeadWriter {
    buf: Vec<u8>,
    has_host: bool,
    has_length: bool,
}

impl HeadWriter {
    /// Starts with the request line (origin form).
    pub fn request_line(method: &Method, pq: &http::uri::PathAndQuery) -> Self {
        let mut buf = Vec::with_capacity(512);
        buf.extend_from_slice(method.as_str().as_bytes());
        buf.push(b' ');
        buf.extend_from_slice(pq.as_str().as_bytes());
        buf.extend_from_slice(b" HTTP/1.1\r\n");
        Self {
            buf,
            has_host: false,
            has_length: false,
        }
    }

    fn field(&mut self, name: &HeaderName, value: &[u8]) {
        self.has_host |= name == http::header::HOST;
        self.has_length |= name == http::header::CONTENT_LENGTH;
        self.line(name.as_str().as_bytes(), value);
    }

    /// A field whose name may be in any case.
    fn client_field(&mut self, name: &[u8], value: &[u8]) {
        self.has_host |= name.eq_ignore_ascii_case(b"host");
        self.has_length |= name.eq_ignore_ascii_case(b"content-length");
        self.line(name, value);
    }

    fn line(&mut self, name: &[u8], value: &[u8]) {
        self.buf.extend_from_slice(name);
        self.buf.extend_from_slice(b": ");
        self.buf.extend_from_slice(value);
        self.buf.extend_from_slice(b"\r\n");
    }

    /// The head, with `host: <authority>` when no field gave one and `content-length: 0` for
    /// a bodiless `POST`, `PUT` or `PATCH`.
    pub fn finish(mut self, method: &Method, host: &Authority) -> Vec<u8> {
        if !self.has_host {
            self.field(&http::header::HOST, host.as_str().as_bytes());
        }
        let wants_length = matches!(*method, Method::POST | Method::PUT | Method::PATCH);
        if wants_length && !self.has_length {
            self.buf.extend_from_slice(b"content-length: 0\r\n");
        }
        self.buf.extend_from_slice(b"\r\n");
        self.buf
    }
}

impl Fields for HeadWriter {
    fn add(&mut self, name: &HeaderName, value: &HeaderValue) {
        self.field(name, value.as_bytes());
    }

    fn add_client(&mut self, name: &[u8], value: &[u8]) {
        self.client_field(name, value);
    }

    fn add_text(&mut self, name: &HeaderName, value: &str) {
        if crate::pipeline::client_headers::is_visible_ascii(value.as_bytes()) {
            self.field(name, value.as_bytes());
        }
    }
}

/// The head of a bodiless request given as parts (tests and callers without a session).
fn encode_head(req: &http::request::Parts, host: &Authority) -> Vec<u8> {
    let root = http::uri::PathAndQuery::from_static("/");
    let mut head = HeadWriter::request_line(&req.method, req.uri.path_and_query().unwrap_or(&root));
    for (name, value) in &req.headers {
        head.add(name, value);
    }
    head.finish(&req.method, host)
}

/// Writes the head and reads the final response head (1xx interim answers are skipped).
async fn exchange(
    conn: &mut Conn,
    head: &[u8],
    bodiless_answer: bool,
    raw: bool,
) -> Result<ParsedHead, Failure> {
    if let Err(e) = conn.stream.write_all(head).await {
        return Err(Failure::Silent(format!("write: {e}")));
    }
    let mut received = false;
    loop {
        // Nothing read yet (the usual case right after writing): nothing to parse.
        let parsed = if conn.buf.is_empty() {
            Ok(None)
        } else {
            answer_head::parse(&mut conn.buf, bodiless_answer, raw)
        };
        match parsed {
            Ok(Some(parsed)) => {
                if parsed.parts.status.is_informational() {
                    if parsed.parts.status == StatusCode::SWITCHING_PROTOCOLS {
                        return Err(Failure::Broken("unexpected 101 answer".into()));
                    }
                    received = true;
                    continue;
                }
                return Ok(parsed);
            }
            Ok(None) => {}
            Err(e) => return Err(Failure::Broken(e)),
        }
        if conn.buf.len() >= MAX_HEADER_BYTES {
            return Err(Failure::Broken("response head too large".into()));
        }
        conn.buf.reserve(READ_CHUNK);
        match conn.stream.read_buf(&mut conn.buf).await {
            Ok(0) if received || !conn.buf.is_empty() => {
                return Err(Failure::Broken(
                    "connection closed before message completed".into(),
                ))
            }
            Ok(0) => {
                return Err(Failure::Silent(
                    "connection closed before any answer".into(),
                ))
            }
            Ok(_) => received = true,
            Err(e) if received => return Err(Failure::Broken(format!("read: {e}"))),
            Err(e) => return Err(Failure::Silent(format!("read: {e}"))),
        }
    }
}

/// How the response body ends.
#[derive(Debug, Clone, Copy)]
pub(super) enum Framing {
    /// This many bytes are left.
    Length(u64),
    /// Chunked transfer coding, in this state.
    Chunked(Chunk),
    /// The upstream closes the connection at the end.
    UntilClose,
}

/// Where the chunked decoder is.
#[derive(Debug, Clone, Copy)]
pub(super) enum Chunk {
    /// Before a chunk-size line.
    Size,
    /// Inside chunk data, this many bytes left.
    Data(u64),
    /// After chunk data, before its CRLF.
    DataEnd,
    /// In the trailer section (after the last chunk).
    Trailers,
}

/// A response body read from the upstream connection by whoever polls it; the connection
/// goes back to its pool at the end (when reusable).
pub struct DirectBody {
    conn: Option<Conn>,
    framing: Framing,
    keep_alive: bool,
    /// The pool to go back to, the host, and when the request started.
    home: Option<(DirectPool, Authority, std::time::Instant)>,
    /// Trailer fields of a chunked body, handed out after the data.
    trailers: Option<Box<HeaderMap>>,
}

impl DirectBody {
    fn new(
        conn: Conn,
        framing: Framing,
        keep_alive: bool,
        home: (DirectPool, Authority, std::time::Instant),
    ) -> Self {
        let mut body = Self {
            conn: Some(conn),
            framing,
            keep_alive: keep_alive && !matches!(framing, Framing::UntilClose),
            home: Some(home),
            trailers: None,
        };
        if matches!(framing, Framing::Length(0)) {
            body.finish();
        }
        body
    }

    /// The body ended: the connection goes home if it may be reused.
    fn finish(&mut self) {
        self.framing = Framing::Length(0);
        if let (Some(conn), Some((pool, host, since)), true) =
            (self.conn.take(), self.home.take(), self.keep_alive)
        {
            pool.checkin(host.as_str(), conn, since);
        }
    }

    /// Reads more from the upstream; `Ok(false)` at end of stream.
    fn poll_fill(&mut self, cx: &mut Context<'_>) -> Poll<std::io::Result<bool>> {
        let Some(conn) = self.conn.as_mut() else {
            return Poll::Ready(Ok(false));
        };
        conn.buf.reserve(READ_CHUNK);
        tokio_util::io::poll_read_buf(Pin::new(&mut conn.stream), cx, &mut conn.buf)
            .map_ok(|n| n > 0)
    }

    /// The next frame out of what is buffered (`Some(None)` at the end), or `None` when more
    /// must be read.
    fn next_buffered(&mut self) -> Result<Option<Option<Frame<Bytes>>>, String> {
        let Some(conn) = self.conn.as_mut() else {
            return Ok(Some(self.trailers.take().map(|t| Frame::trailers(*t))));
        };
        let step = decode(&mut self.framing, &mut conn.buf, &mut self.trailers)?;
        if matches!(self.framing, Framing::Length(0)) {
            self.finish();
        }
        Ok(match step {
            Step::Data(d) => Some(Some(Frame::data(d))),
            Step::End => Some(self.trailers.take().map(|t| Frame::trailers(*t))),
            Step::NeedMore => None,
        })
    }
}

/// What the decoder got out of the buffer.
enum Step {
    Data(Bytes),
    End,
    NeedMore,
}

/// Takes the next piece of body out of `buf`; `framing` becomes `Length(0)` at the end.
fn decode(
    framing: &mut Framing,
    buf: &mut BytesMut,
    trailers: &mut Option<Box<HeaderMap>>,
) -> Result<Step, String> {
    loop {
        match framing {
            Framing::Length(0) => return Ok(Step::End),
            Framing::Length(left) | Framing::Chunked(Chunk::Data(left)) => {
                if buf.is_empty() {
                    return Ok(Step::NeedMore);
                }
                let n = usize::try_from(*left).unwrap_or(usize::MAX).min(buf.len());
                *left -= n as u64;
                if let Framing::Chunked(c @ Chunk::Data(0)) = framing {
                    *c = Chunk::DataEnd;
                }
                return Ok(Step::Data(buf.split_to(n).freeze()));
            }
            Framing::UntilClose if buf.is_empty() => return Ok(Step::NeedMore),
            Framing::UntilClose => return Ok(Step::Data(buf.split().freeze())),
            Framing::Chunked(state) => {
                let Some(line_end) = buf.windows(2).position(|w| w == b"\r\n") else {
                    if buf.len() > 4096 {
                        return Err("chunk line too long".into());
                    }
                    return Ok(Step::NeedMore);
                };
                match *state {
                    Chunk::Size => {
                        let size = chunk_size(&buf[..line_end])?;
                        *state = if size == 0 {
                            Chunk::Trailers
                        } else {
                            Chunk::Data(size)
                        };
                    }
                    Chunk::DataEnd if line_end != 0 => {
                        return Err("missing CRLF after chunk data".into())
                    }
                    Chunk::DataEnd => *state = Chunk::Size,
                    Chunk::Trailers if line_end == 0 => {
                        buf.advance(2);
                        *framing = Framing::Length(0);
                        return Ok(Step::End);
                    }
                    Chunk::Trailers => {
                        let (name, value) = answer_head::field_line(&buf[..line_end])?;
                        trailers
                            .get_or_insert_with(Box::default)
                            .append(name, value);
                    }
                    Chunk::Data(_) => {}
                }
                buf.advance(line_end + 2);
            }
        }
    }
}

/// The hexadecimal size of a chunk-size line (extensions ignored).
fn chunk_size(line: &[u8]) -> Result<u64, String> {
    let digits = line.split(|b| *b == b';').next().unwrap_or(b"");
    let digits = std::str::from_utf8(digits)
        .map_err(|_| "invalid chunk size")?
        .trim();
    if digits.is_empty() || digits.len() > 15 {
        return Err(format!("invalid chunk size {digits:?}"));
    }
    u64::from_str_radix(digits, 16).map_err(|_| format!("invalid chunk size {digits:?}"))
}

/// Why a body read failed.
#[derive(Debug)]
pub struct BodyError(String);

impl std::fmt::Display for BodyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "upstream body: {}", self.0)
    }
}

impl std::error::Error for BodyError {}

impl hyper::body::Body for DirectBody {
    type Data = Bytes;
    type Error = BodyError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BodyError>>> {
        loop {
            match self.next_buffered() {
                Ok(Some(Some(frame))) => return Poll::Ready(Some(Ok(frame))),
                Ok(Some(None)) => return Poll::Ready(None),
                Ok(None) => {}
                Err(e) => {
                    self.conn = None;
                    return Poll::Ready(Some(Err(BodyError(e))));
                }
            }
            match self.poll_fill(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Ok(true)) => {}
                Poll::Ready(Ok(false)) if matches!(self.framing, Framing::UntilClose) => {
                    self.conn = None;
                    self.framing = Framing::Length(0);
                    return Poll::Ready(None);
                }
                Poll::Ready(Ok(false)) => {
                    self.conn = None;
                    return Poll::Ready(Some(Err(BodyError("closed before the end".into()))));
                }
                Poll::Ready(Err(e)) => {
                    self.conn = None;
                    return Poll::Ready(Some(Err(BodyError(e.to_string()))));
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        matches!(self.framing, Framing::Length(0)) && self.trailers.is_none()
    }

    fn size_hint(&self) -> SizeHint {
        match self.framing {
            Framing::Length(n) => SizeHint::with_exact(n),
            _ => SizeHint::default(),
        }
    }
}
