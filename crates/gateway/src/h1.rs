//! The plain listeners' own HTTP/1.1 loop, for the requests a reverse proxy and the decisions
//! API mostly see: bodiless HTTP/1.1 requests in origin form (`GET /path`). It reads a head,
//! runs it through the listener's handler ([`Respond`]: the proxy's
//! [`crate::proxy::ProxyState::call`], the API's decisions or router) and writes the answer,
//! in the connection's task, with no per-request dispatch machinery. Keep-alive, pipelining,
//! `Connection: close`, 400/431 on bad or oversized heads and the listener's
//! `serve.*.timeout.read` behave as under hyper.
//!
//! Anything else (a request body, an upgrade, `Expect`, HTTP/1.0, a proxy-form target) hands
//! the connection, with what has been read of it, to hyper for the rest of its life.

mod head;
mod rewind;
mod write;

pub use rewind::Rewind;

use std::time::Duration;

use bytes::BytesMut;
use http_body_util::Empty;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::pipeline::ClientHeaders;
use crate::proxy::direct::{DirectBody, RawFields};
use crate::server::{ConnInfo, MAX_HEADER_BYTES};
use head::{Head, Keep};

/// A request as this loop hands it to its handler: the head, and no body. Its header fields
/// stay text until a handler wants a map.
#[derive(Debug)]
pub struct PlainRequest {
    /// The method.
    pub method: http::Method,
    /// The target (origin form).
    pub uri: http::Uri,
    /// The header fields.
    pub headers: ClientHeaders,
}

impl PlainRequest {
    /// The request as an `http` request with a header map, for handlers that want one.
    pub fn into_http(self) -> http::Request<Empty<bytes::Bytes>> {
        let mut req = http::Request::new(Empty::new());
        *req.method_mut() = self.method;
        *req.uri_mut() = self.uri;
        *req.version_mut() = http::Version::HTTP_11;
        *req.headers_mut() = self.headers.into_map();
        req
    }
}

/// What answers the requests this loop reads (one per listener, cloned per connection).
pub trait Respond: Clone + Send + Sync + 'static {
    /// The answer to `req`.
    fn respond(
        &self,
        conn: ConnInfo,
        req: PlainRequest,
    ) -> impl std::future::Future<Output = Outgoing> + Send + 'static;
}

/// An answer as this loop writes it.
pub enum Outgoing {
    /// A response.
    Response(axum::response::Response),
    /// An upstream's answer from the proxy's direct exchange, its header fields still text:
    /// they are copied out as they are, with no header map built in between. Boxed: the
    /// answer is moved through several futures, and a small move is cheaper than a large one.
    Raw(Box<RawAnswer>),
}

/// An upstream answer with its header fields as text.
pub struct RawAnswer {
    /// The status.
    pub status: http::StatusCode,
    /// The header fields (hop-by-hop ones left out).
    pub fields: RawFields,
    /// The body.
    pub body: DirectBody,
}

impl Outgoing {
    /// The status.
    pub fn status(&self) -> http::StatusCode {
        match self {
            Self::Response(r) => r.status(),
            Self::Raw(r) => r.status,
        }
    }
}

impl From<axum::response::Response> for Outgoing {
    fn from(r: axum::response::Response) -> Self {
        Self::Response(r)
    }
}

impl axum::response::IntoResponse for Outgoing {
    /// A response for another writer (hyper): text fields become a header map.
    fn into_response(self) -> axum::response::Response {
        match self {
            Self::Response(r) => r,
            Self::Raw(r) => {
                let r = *r;
                let mut resp = axum::response::Response::new(axum::body::Body::new(r.body));
                *resp.status_mut() = r.status;
                *resp.headers_mut() = r.fields.header_map();
                resp
            }
        }
    }
}

/// Serves `io` until it closes, fails, idles past `read` or needs hyper (`handoff`), answering
/// each request with `handler`'s response.
pub async fn serve_connection<H, F, Fut>(
    mut io: TcpStream,
    conn: ConnInfo,
    handler: H,
    read: Duration,
    handoff: F,
) where
    H: Respond,
    F: FnOnce(Rewind<TcpStream>) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut buf = BytesMut::with_capacity(8 * 1024);
    let mut out = Vec::with_capacity(4 * 1024);
    let deadline = tokio::time::sleep(read);
    tokio::pin!(deadline);
    loop {
        let mut armed = false;
        let (req, keep) = loop {
            if !buf.is_empty() {
                match head::parse(&mut buf, MAX_HEADER_BYTES) {
                    Head::Plain(req, keep) => break (req, keep),
                    Head::Partial => {}
                    Head::Handoff => return handoff(Rewind::new(buf.freeze(), io)).await,
                    Head::Bad(status) => {
                        let _ = io.write_all(&write::refusal(status)).await;
                        return;
                    }
                }
            }
            buf.reserve(4 * 1024);
            match io.try_read_buf(&mut buf) {
                Ok(0) => return,
                Ok(_) => continue,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(_) => return,
            }
            // Nothing to read yet: wait, within the head's deadline (armed once per head).
            if !armed {
                armed = true;
                deadline.as_mut().reset(tokio::time::Instant::now() + read);
            }
            tokio::select! {
                biased;
                r = io.read_buf(&mut buf) => match r {
                    Ok(0) | Err(_) => return,
                    Ok(_) => {}
                },
                () = &mut deadline => return,
            }
        };
        let answer = write::Answer {
            head_only: req.method == http::Method::HEAD,
            close: keep == Keep::Close,
            trailers: accepts_trailers(&req.headers),
        };
        let resp = handler.respond(conn, req).await;
        match write::response(&mut io, resp, answer, &mut out).await {
            Ok(true) => {}
            Ok(false) | Err(_) => return,
        }
    }
}

fn accepts_trailers(h: &ClientHeaders) -> bool {
    h.all("te")
        .any(|v| crate::proxy::request::has_token(v, "trailers"))
}
