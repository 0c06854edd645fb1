//! HTTP: the public and admin routers and the one mapping of outcomes to responses.

pub mod admin;
pub mod body;
pub mod context;
pub mod cookies;
pub mod cors;
pub mod flows;
pub mod meta;
pub mod negotiate;
pub mod render;
pub mod respond;
pub mod sessions;

use axum::extract::{Request, State};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use http::header::LOCATION;
use http::{HeaderValue, StatusCode, Uri};

use crate::domain::ApiError;
use crate::registry::Registry;

/// The public API (port 4433).
pub fn public_app(reg: Registry) -> Router {
    let cors = reg.options.public_cors.as_ref().map(cors::layer);
    let router = Router::new()
        .merge(meta::health_router())
        .merge(meta::public_router())
        .merge(flows::router())
        .merge(sessions::router())
        .fallback(public_fallback)
        .layer(axum::extract::DefaultBodyLimit::disable())
        .with_state(reg);
    match cors {
        Some(layer) => router.layer(layer),
        None => router,
    }
}

/// The admin API (port 4434).
///
/// Prefixing rewrites the URI, so it wraps the whole router (a `Router::layer` only runs
/// after routing); the API key guard runs before anything else.
pub fn admin_app(reg: Registry) -> Router {
    let routes = Router::new()
        .merge(meta::health_router())
        .merge(admin::router())
        .fallback(admin_fallback)
        .layer(axum::extract::DefaultBodyLimit::disable())
        .with_state(reg.clone());
    let service = tower::ServiceBuilder::new()
        .layer(middleware::from_fn_with_state(
            reg.clone(),
            admin::guard::require_api_key,
        ))
        .layer(middleware::from_fn_with_state(reg, admin_prefix))
        .service(routes);
    Router::new().fallback_service(service)
}

/// Admin routes called on the public port go to the admin port (307), as Kratos does.
async fn public_fallback(State(reg): State<Registry>, uri: Uri) -> Response {
    let path = uri.path();
    if path.starts_with("/admin/") || path == "/admin" || path.starts_with("/identities") {
        return temporary_redirect(&reg.options.admin_url, &uri);
    }
    respond::api_error(&ApiError::not_found())
}

/// Self-service routes called on the admin port go to the public port (307).
async fn admin_fallback(State(reg): State<Registry>, uri: Uri) -> Response {
    let path = uri.path();
    let public = [
        "/admin/self-service/",
        "/admin/sessions/whoami",
        "/admin/schemas",
    ];
    if public.iter().any(|p| path.starts_with(p)) {
        let stripped = path.trim_start_matches("/admin");
        let rebuilt: Uri = match uri.query() {
            Some(q) => format!("{stripped}?{q}"),
            None => stripped.to_string(),
        }
        .parse()
        .unwrap_or_default();
        return temporary_redirect(&reg.options.public_url, &rebuilt);
    }
    respond::api_error(&ApiError::not_found())
}

fn temporary_redirect(base: &url::Url, uri: &Uri) -> Response {
    let target = format!(
        "{}{}",
        base.as_str().trim_end_matches('/'),
        uri.path_and_query().map(|p| p.as_str()).unwrap_or("/")
    );
    let mut res = StatusCode::TEMPORARY_REDIRECT.into_response();
    if let Ok(v) = HeaderValue::from_str(&target) {
        res.headers_mut().insert(LOCATION, v);
    }
    res
}

/// The admin server prefixes `/admin` to any path lacking it (health and version excepted).
async fn admin_prefix(State(_reg): State<Registry>, mut req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let exempt = path.starts_with("/admin")
        || path.starts_with("/health/")
        || path == "/version"
        || path.starts_with("/metrics");
    if !exempt {
        let pq = req
            .uri()
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/");
        if let Ok(uri) = format!("/admin{pq}").parse::<Uri>() {
            *req.uri_mut() = uri;
        }
    }
    next.run(req).await
}
