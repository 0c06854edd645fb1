//! Building and sending the upstream request.

use std::time::Duration;

use futures::future::Either;
use futures::FutureExt;

use axum::body::Body;
use axum::response::Response;
use http::header::{self, HeaderName};
use http::uri::PathAndQuery;
use http::{HeaderMap, HeaderValue, Request, Uri};
use hyper_util::rt::TokioIo;
use tokio_rustls::rustls::pki_types::CertificateDer;

use super::direct::{self, DirectPool};
use super::fields;
use super::path::upstream_path;
use super::pool::{Pool, PoolConfig, SendError};
use super::request::ForwardedPolicy;
use crate::engine::Allowed;
use crate::error::GatewayError;
use crate::h1::{Outgoing, RawAnswer};
use crate::pipeline::RequestContext;
use crate::rule::set::UpstreamTarget;

/// Hop-by-hop fields, which are not passed on.
pub(super) const HOP_BY_HOP: &[&str] = &[
    "connection",
    "keep-alive",
    "proxy-connection",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
];

pub(super) fn is_hop_by_hop(name: &HeaderName) -> bool {
    HOP_BY_HOP.contains(&name.as_str())
}

/// Header names listed in `Connection` beyond the standard hop-by-hop ones (`keep-alive`,
/// the usual token, needs no parsing).
pub(super) fn connection_named(h: &HeaderMap) -> Vec<HeaderName> {
    h.get_all(header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|t| !HOP_BY_HOP.iter().any(|h| h.eq_ignore_ascii_case(t)))
        .filter_map(|t| HeaderName::from_bytes(t.as_bytes()).ok())
        .collect()
}

/// Removes hop-by-hop headers, including those named in `Connection`. One scan of the keys
/// in the common case where there is nothing to remove, and no allocation unless
/// `Connection` names other headers.
pub fn strip_hop_by_hop(h: &mut HeaderMap) {
    if !h.keys().any(is_hop_by_hop) {
        return;
    }
    // Each key appears once in `keys()`, so at most one slot per hop-by-hop name.
    let mut present = [const { None::<HeaderName> }; HOP_BY_HOP.len()];
    for (slot, k) in present
        .iter_mut()
        .zip(h.keys().filter(|k| is_hop_by_hop(k)))
    {
        *slot = Some(k.clone());
    }
    for n in connection_named(h) {
        h.remove(n);
    }
    for n in present.into_iter().flatten() {
        h.remove(n);
    }
}

/// The upstream path and query: the client's as is when neither the upstream URL has a path
/// nor `strip_path` is set (no allocation), else the documented strip + join.
fn path_and_query(
    client: &Uri,
    target: &UpstreamTarget,
    strip: &str,
) -> Result<PathAndQuery, GatewayError> {
    let base = target.base_path();
    if base.trim_end_matches('/').is_empty() && strip.trim_end_matches('/').is_empty() {
        if let Some(pq) = client.path_and_query() {
            return Ok(pq.clone());
        }
    }
    let mut s = upstream_path(base, strip, client.path());
    if let Some(q) = client.query() {
        s.push('?');
        s.push_str(q);
    }
    PathAndQuery::try_from(s).map_err(|e| GatewayError::internal(format!("upstream path: {e}")))
}

/// What goes upstream: an encoded head for the direct exchange (a bodiless `http` request
/// without upgrade), or a request for hyper's client.
pub enum UpstreamRequest {
    /// The request line and header fields, ready to write.
    Direct {
        /// The encoded head.
        head: Vec<u8>,
        /// Its method (`HEAD` answers have no body; only idempotent requests are retried).
        method: http::Method,
    },
    /// Everything else.
    Pooled(Request<Body>),
}

/// The upstream request: rewritten URI, `Host`, forwarded headers, session headers, chosen in
/// one pass over the client's headers ([`fields::upstream_fields`]). A bodiless `http`
/// request is encoded straight into its head, without a header map. `upgrade`: whether the
/// client's headers ask for a protocol upgrade ([`super::request::is_upgrade`]).
pub fn build_request(
    client_uri: &Uri,
    ctx: &RequestContext,
    body: Body,
    upgrade: bool,
    allowed: &Allowed,
    target: &UpstreamTarget,
    policy: &ForwardedPolicy,
) -> Result<UpstreamRequest, GatewayError> {
    let spec = &allowed.rule.spec.upstream;
    if target.scheme != http::uri::Scheme::HTTP && target.scheme != http::uri::Scheme::HTTPS {
        return Err(GatewayError::bad_gateway(format!(
            "upstream scheme {:?} is not supported (http and https only)",
            target.scheme.as_str()
        )));
    }
    // Origin form: the pool connects to `target.authority` and `Host` carries the name.
    let pq = path_and_query(client_uri, target, &spec.strip_path)?;
    let src = &*ctx.headers;
    if target.scheme == http::uri::Scheme::HTTP
        && hyper::body::Body::is_end_stream(&body)
        && ctx.method != http::Method::CONNECT
        && !upgrade
    {
        let mut head = direct::HeadWriter::request_line(&ctx.method, &pq);
        fields::upstream_fields(ctx, allowed, target, policy, &mut head);
        return Ok(UpstreamRequest::Direct {
            head: head.finish(&ctx.method, &target.authority),
            method: ctx.method.clone(),
        });
    }
    let session = &allowed.session.header;
    // Room for the client's headers, the session's and three `X-Forwarded-*` (`Host` replaces
    // the client's): for a usual request, a map small enough for the allocator's fast path.
    let mut headers = HeaderMap::with_capacity(src.len() + session.len() + 3);
    fields::upstream_fields(ctx, allowed, target, policy, &mut headers);
    if upgrade {
        headers.insert(header::CONNECTION, HeaderValue::from_static("upgrade"));
        if let Some(u) = src.get(header::UPGRADE) {
            headers.insert(header::UPGRADE, u.clone());
        }
    }
    let mut req = Request::new(body);
    *req.method_mut() = ctx.method.clone();
    *req.uri_mut() = Uri::from(pq);
    *req.version_mut() = http::Version::HTTP_11;
    *req.headers_mut() = headers;
    Ok(UpstreamRequest::Pooled(req))
}

/// The upstream client (HTTP/1.1 keep-alive pools) with a response-head deadline.
pub struct Upstream {
    pool: Pool,
    direct: DirectPool,
    timeout: Duration,
}

impl Upstream {
    /// A client that waits at most `timeout` for the upstream's response head and trusts the
    /// webpki roots plus `extra_roots` (empty outside tests) for `https` upstreams.
    pub fn new(timeout: Duration, extra_roots: &[CertificateDer<'static>]) -> Self {
        Self {
            pool: Pool::with_roots(PoolConfig::default(), extra_roots),
            direct: DirectPool::new(PoolConfig::default()).answer_timeout(timeout),
            timeout,
        }
    }

    /// The hyper-driven pool: requests with bodies, upgrades, `https` (tests).
    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    /// The pool of bodiless `http` requests (tests).
    pub fn direct_pool(&self) -> &DirectPool {
        &self.direct
    }

    /// Sends the request to `scheme://host` (`raw_answer`: see
    /// [`super::ProxyState::call_with`]); 502 when unreachable (or the TLS handshake
    /// fails), 504 on timeout. For upgrades, splices the two connections after a `101`.
    /// Bodiless `http` requests take the direct exchange; the rest goes through hyper's
    /// client, boxed so that every request's future stays small.
    pub fn send<'a>(
        &'a self,
        scheme: &http::uri::Scheme,
        host: &'a http::uri::Authority,
        req: UpstreamRequest,
        client_upgrade: Option<hyper::upgrade::OnUpgrade>,
        raw_answer: bool,
    ) -> impl std::future::Future<Output = Result<Outgoing, GatewayError>> + Send + 'a {
        match req {
            UpstreamRequest::Direct { head, method } => {
                // The direct pool keeps its own deadline (cheaper than a timer per request)
                // and leaves out hop-by-hop fields itself when they stay text.
                let exchange = self.direct.send_encoded(host, head, &method, raw_answer);
                Either::Left(exchange.map(|r| r.map(direct_answer).map_err(send_error)))
            }
            UpstreamRequest::Pooled(req) => Either::Right(
                Box::pin(self.send_pooled(scheme.clone(), host, req, client_upgrade))
                    .map(|r| r.map(Outgoing::Response)),
            ),
        }
    }

    async fn send_pooled(
        &self,
        scheme: http::uri::Scheme,
        host: &http::uri::Authority,
        req: Request<Body>,
        client_upgrade: Option<hyper::upgrade::OnUpgrade>,
    ) -> Result<Response, GatewayError> {
        let resp = within(self.timeout, self.pool.send(&scheme, host, req)).await?;
        if resp.status() == http::StatusCode::SWITCHING_PROTOCOLS {
            if let Some(client_upgrade) = client_upgrade {
                let (parts, body) = resp.into_parts();
                let mut upstream_resp = hyper::Response::from_parts(parts.clone(), body);
                let upstream_upgrade = hyper::upgrade::on(&mut upstream_resp);
                tokio::spawn(async move {
                    if let (Ok(c), Ok(u)) = (client_upgrade.await, upstream_upgrade.await) {
                        let (mut c, mut u) = (TokioIo::new(c), TokioIo::new(u));
                        let _ = tokio::io::copy_bidirectional(&mut c, &mut u).await;
                    }
                });
                return Ok(Response::from_parts(parts, Body::empty()));
            }
        }
        Ok(without_hop_by_hop(resp))
    }
}

/// The direct exchange's answer for the client: as text when it came so, else as a response
/// without hop-by-hop headers.
fn direct_answer(answer: direct::DirectAnswer) -> Outgoing {
    match answer.raw {
        Some(fields) => Outgoing::Raw(Box::new(RawAnswer {
            status: answer.parts.status,
            fields,
            body: answer.body,
        })),
        None => Outgoing::Response(without_hop_by_hop(Response::from_parts(
            answer.parts,
            answer.body,
        ))),
    }
}

/// The upstream's answer within `limit`: 504 past it, 502 when the exchange failed.
fn within<T>(
    limit: Duration,
    exchange: impl std::future::Future<Output = Result<T, SendError>>,
) -> impl std::future::Future<Output = Result<T, GatewayError>> {
    tokio::time::timeout(limit, exchange).map(|r| match r {
        Err(_) => Err(send_error(SendError::TimedOut)),
        Ok(r) => r.map_err(send_error),
    })
}

/// 504 when the upstream did not answer in time, else 502.
fn send_error(e: SendError) -> GatewayError {
    match e {
        SendError::TimedOut => GatewayError::gateway_timeout("upstream did not answer in time"),
        e => GatewayError::bad_gateway(format!("upstream: {e}")),
    }
}

/// The upstream's response for the client, without its hop-by-hop headers.
fn without_hop_by_hop<B>(resp: http::Response<B>) -> Response
where
    B: hyper::body::Body<Data = bytes::Bytes> + Send + 'static,
    B::Error: Into<axum::BoxError>,
{
    let (mut parts, body) = resp.into_parts();
    strip_hop_by_hop(&mut parts.headers);
    Response::from_parts(parts, Body::new(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_hop_by_hop_and_connection_named() {
        let mut h = HeaderMap::new();
        h.insert(
            header::CONNECTION,
            HeaderValue::from_static("keep-alive, x-secret"),
        );
        h.insert("keep-alive", HeaderValue::from_static("timeout=5"));
        h.insert("x-secret", HeaderValue::from_static("1"));
        h.insert(
            header::TRANSFER_ENCODING,
            HeaderValue::from_static("chunked"),
        );
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
        strip_hop_by_hop(&mut h);
        assert_eq!(h.len(), 1);
        assert!(h.contains_key(header::CONTENT_TYPE));
    }
}
