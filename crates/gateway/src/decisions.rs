//! `/decisions…`: the request is rebuilt from `X-Forwarded-Method/Proto/Host/Uri` (keeping
//! the `X-Forwarded-Uri` query, unlike Oathkeeper) and answered 200 with the mutated headers.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::response::Response;
use axum::Extension;
use http::header::{HeaderName, CONTENT_LENGTH, HOST};
use http::request::Parts;

use crate::engine::Engine;
use crate::pipeline::{RequestContext, RequestUrl};
use crate::proxy::request_helpers::{decode_clean, method_from};
use crate::server::ConnInfo;

/// The decisions routes (`/decisions` and everything below it).
pub fn router(engine: Arc<Engine>) -> axum::Router {
    axum::Router::new()
        .route("/decisions", axum::routing::any(handle))
        .route("/decisions/", axum::routing::any(handle))
        .route("/decisions/{*rest}", axum::routing::any(handle))
        .with_state(engine)
}

/// Whether `path` is served by the decisions handler.
pub fn is_decisions_path(path: &str) -> bool {
    path.strip_prefix("/decisions")
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

const X_FORWARDED_METHOD: HeaderName = HeaderName::from_static("x-forwarded-method");
const X_FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");
const X_FORWARDED_HOST: HeaderName = HeaderName::from_static("x-forwarded-host");
const X_FORWARDED_URI: HeaderName = HeaderName::from_static("x-forwarded-uri");

fn header<'a>(p: &'a Parts, name: &HeaderName) -> Option<&'a str> {
    p.headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

/// Rebuilds the original request (the headers move from `parts` into the context). Without
/// `X-Forwarded-Proto` the scheme is the decisions listener's own.
pub fn context(parts: &mut Parts, conn: ConnInfo) -> RequestContext {
    let peer = Some(conn.peer.ip());
    let own_scheme = if conn.tls { "https" } else { "http" };
    let method = method_from(header(parts, &X_FORWARDED_METHOD), &parts.method);
    let scheme = header(parts, &X_FORWARDED_PROTO).unwrap_or(own_scheme);
    let host = header(parts, &X_FORWARDED_HOST)
        .or_else(|| header(parts, &HOST))
        .unwrap_or("");
    let query = parts.uri.query().unwrap_or("");
    let (path, query) = match header(parts, &X_FORWARDED_URI) {
        Some(uri) => uri.split_once('?').unwrap_or((uri, query)),
        None => (
            parts.uri.path().strip_prefix("/decisions").unwrap_or("/"),
            query,
        ),
    };
    let url = RequestUrl::new(scheme, host, &decode_clean(path), query);
    RequestContext {
        method,
        url: Arc::new(url),
        headers: Arc::new(std::mem::take(&mut parts.headers).into()),
        remote_addr: peer,
        body: None,
        received: Instant::now(),
    }
}

/// One decision, through axum.
pub async fn handle(
    State(engine): State<Arc<Engine>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    conn: Option<Extension<ConnInfo>>,
    req: Request,
) -> Response {
    let conn = conn.map_or(ConnInfo { peer, tls: false }, |Extension(c)| c);
    decide(&engine, conn, req).await
}

/// One decision: 200 with the mutated headers, or the error handlers' answer.
pub async fn decide<B>(engine: &Engine, conn: ConnInfo, req: http::Request<B>) -> Response {
    let (mut parts, _body) = req.into_parts();
    let ctx = context(&mut parts, conn);
    let resp = match engine.decide(&ctx).await {
        Ok(allowed) => {
            let mut resp = Response::new(Body::empty());
            let out = resp.headers_mut();
            out.reserve(allowed.session.header.len());
            for (k, v) in &allowed.session.header {
                if k != CONTENT_LENGTH {
                    out.append(k.clone(), v.clone());
                }
            }
            resp
        }
        Err(denied) => engine.error_response(&denied, &ctx),
    };
    engine.services.metrics.observe(
        "oathkeeper-api",
        parts.method.as_str(),
        "/decisions",
        resp.status().as_u16(),
        ctx.received.elapsed(),
    );
    resp
}
