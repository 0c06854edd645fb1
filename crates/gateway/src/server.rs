//! Starting the gateway: a builder tests use in-process on `127.0.0.1:0`, and the listeners.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ConnectInfo;
use futures::future::{BoxFuture, Either};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio_rustls::rustls::pki_types::CertificateDer;
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

use crate::config::OathkeeperConfig;
use crate::engine::Engine;
use crate::h1::{PlainRequest, Respond};
use crate::metrics::Metrics;
use crate::pipeline::registry::Registry;
use crate::pipeline::Services;
use crate::proxy::{ForwardedPolicy, ProxyState, Upstream};
use crate::rule::RuleRepository;

/// Largest request head accepted (bigger heads get 431).
pub const MAX_HEADER_BYTES: usize = 64 * 1024;

/// Entry point for building a gateway.
pub struct Gateway;

impl Gateway {
    /// A builder over a validated config.
    pub fn builder(config: OathkeeperConfig) -> GatewayBuilder {
        GatewayBuilder {
            config,
            proxy_addr: None,
            api_addr: None,
            poll: Duration::from_secs(30),
            upstream_roots: Vec::new(),
        }
    }
}

/// Configures listeners before starting.
pub struct GatewayBuilder {
    config: OathkeeperConfig,
    proxy_addr: Option<SocketAddr>,
    api_addr: Option<SocketAddr>,
    poll: Duration,
    upstream_roots: Vec<CertificateDer<'static>>,
}

impl GatewayBuilder {
    /// Overrides `serve.proxy` (tests: `127.0.0.1:0`).
    pub fn proxy_addr(mut self, addr: SocketAddr) -> Self {
        self.proxy_addr = Some(addr);
        self
    }

    /// Overrides `serve.api`.
    pub fn api_addr(mut self, addr: SocketAddr) -> Self {
        self.api_addr = Some(addr);
        self
    }

    /// Both listeners on `127.0.0.1:0`.
    pub fn ephemeral(self) -> Self {
        let any: SocketAddr = "127.0.0.1:0".parse().expect("valid addr");
        self.proxy_addr(any).api_addr(any)
    }

    /// How often `http(s)://` rule sources are polled.
    pub fn rule_poll_interval(mut self, every: Duration) -> Self {
        self.poll = every;
        self
    }

    /// Extra root certificates trusted for `https://` upstreams, besides the webpki roots
    /// (tests with their own CA; there is no way to turn verification off).
    pub fn upstream_roots(mut self, roots: Vec<CertificateDer<'static>>) -> Self {
        self.upstream_roots = roots;
        self
    }

    /// Loads rules, binds both listeners and starts serving.
    pub async fn start(self) -> anyhow::Result<RunningGateway> {
        let config = Arc::new(self.config);
        let services = Arc::new(Services::new(Metrics::new("ory_oathkeeper_")));
        let registry = Registry::new(config.clone(), services.clone());
        let rules = RuleRepository::load(
            &config.access_rules.repositories,
            registry,
            config.access_rules.matching_strategy,
        )
        .await
        .map_err(|e| anyhow::anyhow!("access_rules.repositories: {e}"))?;
        rules.spawn_watchers(self.poll);
        let engine = Arc::new(Engine {
            config: config.clone(),
            rules,
            services,
        });

        let proxy_addr = match self.proxy_addr {
            Some(a) => a,
            None => config.serve.proxy.bind_addr().parse()?,
        };
        let api_addr = match self.api_addr {
            Some(a) => a,
            None => config.serve.api.bind_addr().parse()?,
        };
        let proxy_tls = crate::tls::acceptor(config.serve.proxy.tls.as_ref(), "serve.proxy")?;
        let api_tls = crate::tls::acceptor(config.serve.api.tls.as_ref(), "serve.api")?;
        let proxy_listener = TcpListener::bind(proxy_addr).await?;
        let api_listener = TcpListener::bind(api_addr).await?;
        let (tx, rx) = watch::channel(false);
        let proxy_state = ProxyState {
            engine: engine.clone(),
            upstream: Arc::new(Upstream::new(
                config.serve.proxy.timeout.write,
                &self.upstream_roots,
            )),
            forwarded: ForwardedPolicy {
                trust: config.serve.proxy.trust_forwarded_headers,
            },
        };
        let running = RunningGateway {
            proxy_addr: proxy_listener.local_addr()?,
            api_addr: api_listener.local_addr()?,
            engine: engine.clone(),
            shutdown: tx,
            tasks: vec![
                tokio::spawn(serve_proxy(
                    proxy_listener,
                    proxy_tls,
                    proxy_state,
                    config.serve.proxy.cors.as_ref(),
                    rx.clone(),
                    config.serve.proxy.timeout.read,
                )),
                tokio::spawn(serve_api(
                    api_listener,
                    api_tls,
                    engine.clone(),
                    config.serve.api.cors.as_ref(),
                    rx,
                    config.serve.api.timeout.read,
                )),
            ],
        };
        tracing::info!(proxy = %running.proxy_addr, api = %running.api_addr, "gateway listening");
        Ok(running)
    }
}

/// A started gateway.
pub struct RunningGateway {
    /// Where the proxy listens.
    pub proxy_addr: SocketAddr,
    /// Where the API (and decisions) listens.
    pub api_addr: SocketAddr,
    /// The engine (rules, services), for tests.
    pub engine: Arc<Engine>,
    shutdown: watch::Sender<bool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl RunningGateway {
    /// Stops accepting connections.
    pub async fn shutdown(self) {
        let _ = self.shutdown.send(true);
        for t in self.tasks {
            let _ = t.await;
        }
    }

    /// Runs until `signal` completes (see [`nexus_kit::signal::shutdown_signal`]), then stops.
    pub async fn run_until(self, signal: impl std::future::Future<Output = ()>) {
        signal.await;
        tracing::info!("shutting down");
        self.shutdown().await;
    }
}

/// The connection a request arrived on.
#[derive(Debug, Clone, Copy)]
pub struct ConnInfo {
    /// The client's address.
    pub peer: SocketAddr,
    /// Whether the connection is HTTPS (`serve.*.tls`).
    pub tls: bool,
}

/// What a listener does with one request.
type Handler = Arc<
    dyn Fn(ConnInfo, http::Request<Incoming>) -> BoxFuture<'static, axum::response::Response>
        + Send
        + Sync,
>;

/// Serves requests through an axum router (with its layers), giving it the peer address
/// (`ConnectInfo`) and the [`ConnInfo`] (an extension).
fn router_handler(router: axum::Router) -> Handler {
    Arc::new(move |conn, req| Box::pin(route(router.clone(), conn, req)))
}

/// One request through `router`, with the peer address (`ConnectInfo`) and the [`ConnInfo`]
/// (an extension).
fn route<B>(
    router: axum::Router,
    conn: ConnInfo,
    mut req: http::Request<B>,
) -> impl std::future::Future<Output = axum::response::Response> + Send + 'static
where
    B: hyper::body::Body<Data = bytes::Bytes> + Send + 'static,
    B::Error: Into<axum::BoxError>,
{
    req.extensions_mut().insert(ConnectInfo(conn.peer));
    req.extensions_mut().insert(conn);
    let routed = router.oneshot(req.map(axum::body::Body::new));
    async move {
        match routed.await {
            Ok(r) => r,
            Err(never) => match never {},
        }
    }
}

/// The API without CORS: decisions skip the router (they are the API's hot path), the rest
/// goes through it; the same through hyper and through our own HTTP/1.1 loop.
#[derive(Clone)]
struct Api {
    engine: Arc<Engine>,
    router: axum::Router,
}

impl Api {
    fn answer<B>(
        &self,
        conn: ConnInfo,
        req: http::Request<B>,
    ) -> impl std::future::Future<Output = axum::response::Response> + Send + 'static
    where
        B: hyper::body::Body<Data = bytes::Bytes> + Send + 'static,
        B::Error: Into<axum::BoxError>,
    {
        if crate::decisions::is_decisions_path(req.uri().path()) {
            let engine = self.engine.clone();
            return Either::Left(async move {
                crate::decisions::decide_request(&engine, conn, req).await
            });
        }
        Either::Right(route(self.router.clone(), conn, req))
    }
}

impl Respond for Api {
    fn respond(
        &self,
        conn: ConnInfo,
        req: PlainRequest,
    ) -> impl std::future::Future<Output = crate::h1::Outgoing> + Send + 'static {
        // Decisions use the fields as read, with no header map built for them.
        let answer = if crate::decisions::is_decisions_path(req.uri.path()) {
            let engine = self.engine.clone();
            Either::Left(async move {
                let PlainRequest {
                    method,
                    uri,
                    headers,
                } = req;
                crate::decisions::decide(&engine, conn, &method, &uri, headers).await
            })
        } else {
            Either::Right(self.answer(conn, req.into_http()))
        };
        futures::FutureExt::map(answer, crate::h1::Outgoing::Response)
    }
}

/// Serves the API: as [`serve_proxy`], through the router alone when CORS is configured.
fn serve_api(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    engine: Arc<Engine>,
    cors: Option<&serde_json::Value>,
    stop: watch::Receiver<bool>,
    read: Duration,
) -> BoxFuture<'static, ()> {
    let router = crate::api::router(engine.clone());
    match crate::cors::layer(cors) {
        Some(cors) => {
            let handler = router_handler(router.layer(cors));
            Box::pin(serve(
                listener,
                tls,
                move |c, r| handler(c, r),
                None::<Api>,
                stop,
                read,
            ))
        }
        None => {
            let api = Api { engine, router };
            let fast = api.clone();
            let handler = move |conn, req| api.answer(conn, req);
            Box::pin(serve(listener, tls, handler, Some(fast), stop, read))
        }
    }
}

/// Serves the proxy. Without CORS, plain connections go through our own HTTP/1.1 loop
/// ([`crate::h1`]), which hands unusual requests to hyper; the handler's future is a concrete
/// type either way, kept in the connection's own allocation: no boxed future per request.
fn serve_proxy(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    state: ProxyState,
    cors: Option<&serde_json::Value>,
    stop: watch::Receiver<bool>,
    read: Duration,
) -> BoxFuture<'static, ()> {
    match crate::cors::layer(cors) {
        // CORS answers preflights before matching, so it needs the layered router.
        Some(cors) => {
            let handler = router_handler(crate::proxy::router(state).layer(cors));
            Box::pin(serve(
                listener,
                tls,
                move |c, r| handler(c, r),
                None::<ProxyState>,
                stop,
                read,
            ))
        }
        None => {
            let fast = state.clone();
            let handler = move |conn, req| state.clone().call(conn, req);
            Box::pin(serve(listener, tls, handler, Some(fast), stop, read))
        }
    }
}

/// Serves a listener: `handler` answers through hyper; `fast`, when given, answers the plain
/// (non-TLS) connections' bodiless HTTP/1.1 requests through our own loop ([`crate::h1`]).
async fn serve<H, F, Q>(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    handler: H,
    fast: Option<Q>,
    mut stop: watch::Receiver<bool>,
    read: Duration,
) where
    H: Fn(ConnInfo, http::Request<Incoming>) -> F + Clone + Send + Sync + 'static,
    F: std::future::Future<Output = axum::response::Response> + Send + 'static,
    Q: Respond,
{
    // Plain listeners speak HTTP/1.1 only, as Oathkeeper's (Go serves HTTP/2 over TLS alone):
    // hyper's own HTTP/1 connection skips the auto builder's preface sniffing and its
    // rewinding IO wrapper. TLS listeners offer h2 by ALPN, so they keep the auto builder.
    let mut h1 = hyper::server::conn::http1::Builder::new();
    h1.timer(TokioTimer::new())
        .header_read_timeout(read)
        .max_buf_size(MAX_HEADER_BYTES.max(8192));
    let h1 = Arc::new(h1);
    let mut builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(read)
        .max_buf_size(MAX_HEADER_BYTES.max(8192));
    let builder = Arc::new(builder);
    loop {
        let (stream, peer) = tokio::select! {
            r = listener.accept() => match r {
                Ok(x) => x,
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            },
            _ = stop.changed() => break,
        };
        let _ = stream.set_nodelay(true);
        let handler = handler.clone();
        let builder = builder.clone();
        let h1 = h1.clone();
        let tls = tls.clone();
        let fast = fast.clone();
        tokio::spawn(async move {
            let conn = ConnInfo {
                peer,
                tls: tls.is_some(),
            };
            let svc = hyper::service::service_fn(move |req: http::Request<Incoming>| {
                let fut = handler(conn, req);
                async move { Ok::<_, std::convert::Infallible>(fut.await) }
            });
            match (tls, fast) {
                (None, Some(fast)) => {
                    crate::h1::serve_connection(stream, conn, fast, read, |io| async move {
                        let _ = h1
                            .serve_connection(TokioIo::new(io), svc)
                            .with_upgrades()
                            .await;
                    })
                    .await;
                }
                (None, None) => {
                    let _ = h1
                        .serve_connection(TokioIo::new(stream), svc)
                        .with_upgrades()
                        .await;
                }
                (Some(tls), _) => {
                    // The handshake shares the request-head deadline (slow-loris bound).
                    let stream = match tokio::time::timeout(read, tls.accept(stream)).await {
                        Ok(Ok(s)) => s,
                        Ok(Err(e)) => {
                            tracing::debug!(%peer, error = %e, "TLS handshake failed");
                            return;
                        }
                        Err(_) => {
                            tracing::debug!(%peer, "TLS handshake timed out");
                            return;
                        }
                    };
                    let _ = builder
                        .serve_connection_with_upgrades(TokioIo::new(stream), svc)
                        .await;
                }
            }
        });
    }
}
