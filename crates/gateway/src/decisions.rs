//! `/decisions…`: the request is rebuilt from `X-Forwarded-Method/Proto/Host/Uri` (keeping
//! the `X-Forwarded-Uri` query, unlike Oathkeeper) and answered 200 with the mutated headers.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::response::Response;
use axum::Extension;
use http::header::CONTENT_LENGTH;
use http::{Method, Uri};

use crate::engine::Engine;
use crate::pipeline::{ClientHeaders, RequestContext, RequestUrl};
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

/// The first value of `name` as trimmed text, when there is one and it is not empty.
fn forwarded<'a>(h: &'a ClientHeaders, name: &str) -> Option<&'a str> {
    h.first_str(name).map(str::trim).filter(|v| !v.is_empty())
}

/// Rebuilds the original request from the decisions request's method, target and header
/// fields (which move into the context). Without `X-Forwarded-Proto` the scheme is the
/// decisions listener's own.
pub fn context(
    method: &Method,
    uri: &Uri,
    headers: ClientHeaders,
    conn: ConnInfo,
) -> RequestContext {
    let own_scheme = if conn.tls { "https" } else { "http" };
    let original_method = method_from(forwarded(&headers, "x-forwarded-method"), method);
    let scheme = forwarded(&headers, "x-forwarded-proto").unwrap_or(own_scheme);
    let host = forwarded(&headers, "x-forwarded-host")
        .or_else(|| forwarded(&headers, "host"))
        .unwrap_or("");
    let query = uri.query().unwrap_or("");
    let (path, query) = match forwarded(&headers, "x-forwarded-uri") {
        Some(uri) => uri.split_once('?').unwrap_or((uri, query)),
        None => (uri.path().strip_prefix("/decisions").unwrap_or("/"), query),
    };
    let url = RequestUrl::new(scheme, host, &decode_clean(path), query);
    RequestContext {
        method: original_method,
        url: Arc::new(url),
        headers: Arc::new(headers),
        remote_addr: Some(conn.peer.ip()),
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
    decide_request(&engine, conn, req).await
}

/// [`decide`] for a request with a header map (through hyper or the router).
pub async fn decide_request<B>(engine: &Engine, conn: ConnInfo, req: http::Request<B>) -> Response {
    let (parts, _body) = req.into_parts();
    decide(
        engine,
        conn,
        &parts.method,
        &parts.uri,
        parts.headers.into(),
    )
    .await
}

/// One decision: 200 with the mutated headers, or the error handlers' answer. The request's
/// body, if any, plays no part.
pub async fn decide(
    engine: &Engine,
    conn: ConnInfo,
    method: &Method,
    uri: &Uri,
    headers: ClientHeaders,
) -> Response {
    let ctx = context(method, uri, headers, conn);
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
        method.as_str(),
        "/decisions",
        resp.status().as_u16(),
        ctx.received.elapsed(),
    );
    resp
}
