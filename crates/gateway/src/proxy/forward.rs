//! Building and sending the upstream request.

use std::time::Duration;

use axum::body::Body;
use axum::response::Response;
use http::header::{self, HeaderName};
use http::request::Parts;
use http::{HeaderMap, HeaderValue, Request, Uri};
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use hyper_util::rt::{TokioExecutor, TokioIo};

use super::path::upstream_path;
use super::request::ForwardedPolicy;
use crate::engine::Allowed;
use crate::error::GatewayError;
use crate::pipeline::RequestContext;

const HOP_BY_HOP: &[&str] = &[
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

/// Removes hop-by-hop headers, including those named in `Connection`.
pub fn strip_hop_by_hop(h: &mut HeaderMap) {
    let named: Vec<HeaderName> = h
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|t| HeaderName::from_bytes(t.trim().as_bytes()).ok())
        .collect();
    for n in named {
        h.remove(n);
    }
    for n in HOP_BY_HOP {
        h.remove(*n);
    }
}

/// The upstream request: rewritten URI, `Host`, forwarded headers, session headers.
pub fn build_request(
    parts: &Parts,
    ctx: &RequestContext,
    body: Body,
    allowed: &Allowed,
    upstream: &url::Url,
    policy: &ForwardedPolicy,
) -> Result<Request<Body>, GatewayError> {
    let spec = &allowed.rule.spec.upstream;
    let path = upstream_path(upstream.path(), &spec.strip_path, parts.uri.path());
    let mut target = format!(
        "{}://{}{}",
        upstream.scheme(),
        upstream.host_str().unwrap_or(""),
        upstream.port().map(|p| format!(":{p}")).unwrap_or_default()
    );
    target.push_str(&path);
    if let Some(q) = parts.uri.query() {
        target.push('?');
        target.push_str(q);
    }
    let uri: Uri = target
        .parse()
        .map_err(|e| GatewayError::internal(format!("upstream URI {target:?}: {e}")))?;
    let upgrade = super::request::is_upgrade(&parts.headers);
    let mut headers = parts.headers.clone();
    let upgrade_value = headers.get(header::UPGRADE).cloned();
    strip_hop_by_hop(&mut headers);
    let (fwd_for, fwd_host, fwd_proto) = (
        headers.remove("x-forwarded-for"),
        headers.remove("x-forwarded-host"),
        headers.remove("x-forwarded-proto"),
    );
    headers.remove("forwarded");
    let peer = ctx.remote_addr.map(|a| a.to_string());
    let chain = match (
        policy.trust,
        fwd_for.as_ref().and_then(|v| v.to_str().ok()),
        &peer,
    ) {
        (true, Some(prev), Some(p)) => Some(format!("{prev}, {p}")),
        (_, _, Some(p)) => Some(p.clone()),
        _ => None,
    };
    if let Some(v) = chain.and_then(|c| HeaderValue::from_str(&c).ok()) {
        headers.insert("x-forwarded-for", v);
    }
    let host_value = if policy.trust { fwd_host } else { None }
        .or_else(|| HeaderValue::from_str(&ctx.url.host).ok());
    if let Some(v) = host_value {
        headers.insert("x-forwarded-host", v);
    }
    let proto = if policy.trust { fwd_proto } else { None }
        .or_else(|| HeaderValue::from_str(&ctx.url.scheme).ok());
    if let Some(v) = proto {
        headers.insert("x-forwarded-proto", v);
    }
    for (k, v) in &allowed.session.header {
        headers.insert(k.clone(), v.clone());
    }
    if !spec.preserve_host {
        let authority = uri
            .authority()
            .map(|a| a.as_str().to_owned())
            .unwrap_or_default();
        if let Ok(v) = HeaderValue::from_str(&authority) {
            headers.insert(header::HOST, v);
        }
    }
    if upgrade {
        headers.insert(header::CONNECTION, HeaderValue::from_static("upgrade"));
        if let Some(u) = upgrade_value {
            headers.insert(header::UPGRADE, u);
        }
    }
    let mut req = Request::builder()
        .method(parts.method.clone())
        .uri(uri)
        .version(http::Version::HTTP_11)
        .body(body)
        .map_err(|e| GatewayError::internal(e.to_string()))?;
    *req.headers_mut() = headers;
    Ok(req)
}

/// The upstream HTTP client (HTTP/1.1, pooled) with a response-head deadline.
pub struct Upstream {
    client: Client<HttpConnector, Body>,
    timeout: Duration,
}

impl Upstream {
    /// A client that waits at most `timeout` for the upstream's response head.
    pub fn new(timeout: Duration) -> Self {
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        connector.set_connect_timeout(Some(Duration::from_secs(5)));
        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(90))
            .pool_max_idle_per_host(1024)
            .build(connector);
        Self { client, timeout }
    }

    /// Sends the request; 502 when unreachable, 504 on timeout. For upgrades, splices the
    /// two connections after a `101`.
    pub async fn send(
        &self,
        req: Request<Body>,
        client_upgrade: Option<hyper::upgrade::OnUpgrade>,
    ) -> Result<Response, GatewayError> {
        let resp = match tokio::time::timeout(self.timeout, self.client.request(req)).await {
            Err(_) => {
                return Err(GatewayError::gateway_timeout(
                    "upstream did not answer in time",
                ))
            }
            Ok(Err(e)) => return Err(GatewayError::bad_gateway(format!("upstream: {e}"))),
            Ok(Ok(r)) => r,
        };
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
        let (mut parts, body) = resp.into_parts();
        strip_hop_by_hop(&mut parts.headers);
        Ok(Response::from_parts(parts, Body::new(body)))
    }
}
