//! The reverse proxy (serve.proxy): match, run the pipeline, forward to `upstream.url` with
//! the mutated headers, stream bodies both ways, pass WebSocket upgrades through.

mod answer_head;
pub mod direct;
mod fields;
mod forward;
mod idle;
mod path;
pub mod pool;
pub mod request;

pub use forward::Upstream;
pub use path::{clean_path, upstream_path};
/// Helpers shared with decisions.
pub use request as request_helpers;
pub use request::{context, ForwardedPolicy};

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use http_body_util::BodyExt;

use crate::engine::{Denied, Engine};
use crate::error::GatewayError;
use crate::h1::Outgoing;
use crate::pipeline::ClientHeaders;
use crate::server::ConnInfo;

/// Largest body buffered for authorizers that read it (`remote`).
pub const MAX_BUFFERED_BODY: usize = 10 * 1024 * 1024;

/// Proxy state.
#[derive(Clone)]
pub struct ProxyState {
    /// The engine.
    pub engine: Arc<Engine>,
    /// Upstream client.
    pub upstream: Arc<Upstream>,
    /// Forwarded header policy.
    pub forwarded: ForwardedPolicy,
}

/// The proxy router: every path goes through [`handle`]. The listener calls
/// [`ProxyState::call`] directly unless CORS is configured (then this router carries the layer).
pub fn router(state: ProxyState) -> axum::Router {
    axum::Router::new().fallback(handle).with_state(state)
}

/// One proxied request, through axum.
pub async fn handle(
    State(st): State<ProxyState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    conn: Option<Extension<ConnInfo>>,
    req: Request,
) -> Response {
    let conn = conn.map_or(ConnInfo { peer, tls: false }, |Extension(c)| c);
    st.call(conn, req).await
}

impl ProxyState {
    /// One proxied request, with metrics.
    ///
    /// The request's head is taken apart before the returned future is built, so that future
    /// holds only what the awaits need (hyper moves it once per request; a smaller one is
    /// cheaper to move).
    pub fn call<B>(
        self,
        conn: ConnInfo,
        req: http::Request<B>,
    ) -> impl std::future::Future<Output = Response> + Send + 'static
    where
        B: hyper::body::Body<Data = bytes::Bytes> + Send + 'static,
        B::Error: Into<axum::BoxError>,
    {
        futures::FutureExt::map(self.call_with(conn, req, false), Outgoing::into_response)
    }

    /// [`Self::call`], where `raw_answer` says the caller writes the answer itself
    /// ([`crate::h1`]): an answer from the direct exchange may then be an
    /// [`Outgoing::Raw`], its fields as text instead of a header map.
    pub(crate) fn call_with<B>(
        self,
        conn: ConnInfo,
        req: http::Request<B>,
        raw_answer: bool,
    ) -> impl std::future::Future<Output = Outgoing> + Send + 'static
    where
        B: hyper::body::Body<Data = bytes::Bytes> + Send + 'static,
        B::Error: Into<axum::BoxError>,
    {
        let (mut parts, body) = req.into_parts();
        let headers = ClientHeaders::from(std::mem::take(&mut parts.headers));
        let asks_upgrade = request::is_upgrade(&headers);
        let upgrade = asks_upgrade
            .then(|| parts.extensions.remove::<hyper::upgrade::OnUpgrade>())
            .flatten();
        let head = Head {
            method: parts.method,
            uri: parts.uri,
            headers,
            asks_upgrade,
            upgrade,
        };
        self.call_head(conn, head, Body::new(body), raw_answer)
    }

    /// [`Self::call_with`] for a request taken apart.
    fn call_head(
        self,
        conn: ConnInfo,
        head: Head,
        body: Body,
        raw_answer: bool,
    ) -> impl std::future::Future<Output = Outgoing> + Send + 'static {
        let ctx = context(&head.method, &head.uri, head.headers, conn, &self.forwarded);
        let mut incoming = Incoming {
            method: head.method,
            uri: head.uri,
            ctx,
            asks_upgrade: head.asks_upgrade,
            upgrade: head.upgrade,
            raw_answer,
        };
        async move {
            let resp = proxy(&self, &mut incoming, body).await;
            self.engine.services.metrics.observe(
                "oathkeeper-proxy",
                incoming.method.as_str(),
                incoming.uri.path(),
                resp.status().as_u16(),
                incoming.ctx.received.elapsed(),
            );
            resp
        }
    }
}

impl crate::h1::Respond for ProxyState {
    fn respond(
        &self,
        conn: ConnInfo,
        req: crate::h1::PlainRequest,
    ) -> impl std::future::Future<Output = Outgoing> + Send + 'static {
        // The loop hands requests with an `Upgrade` field to hyper: a plain request never
        // asks for one.
        debug_assert!(!request::is_upgrade(&req.headers));
        let head = Head {
            asks_upgrade: false,
            method: req.method,
            uri: req.uri,
            headers: req.headers,
            upgrade: None,
        };
        let body = Body::new(http_body_util::Empty::<bytes::Bytes>::new());
        self.clone().call_head(conn, head, body, true)
    }
}

/// A request's head, taken apart.
struct Head {
    method: http::Method,
    uri: http::Uri,
    headers: ClientHeaders,
    /// Whether the headers ask for a protocol upgrade.
    asks_upgrade: bool,
    /// The client side of that upgrade, when hyper serves the connection.
    upgrade: Option<hyper::upgrade::OnUpgrade>,
}

/// What the proxy keeps of a request's head.
struct Incoming {
    method: http::Method,
    uri: http::Uri,
    ctx: crate::pipeline::RequestContext,
    /// Whether the request asks for a protocol upgrade (read once from its headers).
    asks_upgrade: bool,
    upgrade: Option<hyper::upgrade::OnUpgrade>,
    /// The answer may keep its fields as text ([`Outgoing::Raw`]).
    raw_answer: bool,
}

/// One request through the pipeline and upstream. It borrows the request's head from the
/// caller's future instead of taking it: this future, moved once per request, stays small.
async fn proxy(st: &ProxyState, incoming: &mut Incoming, body: Body) -> Outgoing {
    let Incoming {
        uri,
        ctx,
        asks_upgrade,
        upgrade,
        raw_answer,
        ..
    } = incoming;
    let (ctx, asks_upgrade, raw_answer) = (&mut *ctx, *asks_upgrade, *raw_answer);
    let (rule, captures) = match st.engine.match_rule(ctx) {
        Ok(m) => m,
        Err(denied) => return st.engine.error_response(&denied, ctx).into(),
    };
    let needs_body = rule.pipeline.as_ref().is_ok_and(|p| p.needs_body());
    let body = if needs_body {
        // Boxed: a rare path that would otherwise enlarge every request's future.
        let collect = Box::pin(http_body_util::Limited::new(body, MAX_BUFFERED_BODY).collect());
        match collect.await {
            Ok(b) => {
                let bytes = b.to_bytes();
                ctx.body = Some(bytes.clone());
                Body::from(bytes)
            }
            Err(_) => {
                let e = GatewayError::status(
                    http::StatusCode::PAYLOAD_TOO_LARGE,
                    "Request body too large",
                );
                return refuse(st, e, rule, ctx);
            }
        }
    } else {
        body
    };
    let allowed = match st.engine.run(rule, captures, ctx).await {
        Ok(a) => a,
        Err(denied) => return st.engine.error_response(&denied, ctx).into(),
    };
    let Some(target) = allowed.rule.upstream.as_ref() else {
        let e = GatewayError::internal(format!(
            "rule {:?} has no upstream.url",
            allowed.rule.spec.id
        ));
        return refuse(st, e, allowed.rule.clone(), ctx);
    };
    let out = match forward::build_request(
        uri,
        ctx,
        body,
        asks_upgrade,
        &allowed,
        target,
        &st.forwarded,
    ) {
        Ok(r) => r,
        Err(e) => return refuse(st, e, allowed.rule, ctx),
    };
    drop(allowed.session);
    match st
        .upstream
        .send(
            &target.scheme,
            &target.authority,
            out,
            upgrade.take(),
            raw_answer,
        )
        .await
    {
        Ok(answer) => answer,
        Err(e) => refuse(st, e, allowed.rule, ctx),
    }
}

/// The answer to a request that failed after matching `rule` (its error handlers decide).
fn refuse(
    st: &ProxyState,
    error: GatewayError,
    rule: Arc<crate::rule::set::CompiledRule>,
    ctx: &crate::pipeline::RequestContext,
) -> Outgoing {
    let denied = Denied {
        error,
        rule: Some(rule),
    };
    st.engine.error_response(&denied, ctx).into()
}
