//! Health, version, identity schemas and self-service errors.

use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use http::StatusCode;
use serde_json::{json, Value};

use super::flows::query_map;
use super::respond;
use crate::domain::ApiError;
use crate::registry::Registry;

/// Routes both ports serve.
pub fn health_router() -> Router<Registry> {
    Router::new()
        .route("/health/alive", get(alive))
        .route("/health/ready", get(ready))
        .route("/version", get(version))
}

/// Public meta routes.
pub fn public_router() -> Router<Registry> {
    Router::new()
        .route("/schemas", get(list_schemas))
        .route("/schemas/{id}", get(get_schema))
        .route("/self-service/errors", get(get_error))
        .route("/.well-known/ory/webauthn.js", get(webauthn_script))
}

/// The WebAuthn and passkey triggers' script (cacheable: its integrity pins its content).
async fn webauthn_script() -> Response {
    let mut res = Response::new(axum::body::Body::from(
        crate::method::webauthn::script::SOURCE,
    ));
    let headers = res.headers_mut();
    headers.insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("text/javascript; charset=UTF-8"),
    );
    headers.insert(
        http::header::CACHE_CONTROL,
        http::HeaderValue::from_static("public, max-age=3600"),
    );
    res
}

async fn alive() -> Response {
    respond::json(StatusCode::OK, json!({ "status": "ok" }))
}

async fn ready(State(reg): State<Registry>) -> Response {
    match reg.store.ping().await {
        Ok(()) => respond::json(StatusCode::OK, json!({ "status": "ok" })),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            respond::json(
                StatusCode::SERVICE_UNAVAILABLE,
                json!({ "errors": { "database": "the database is not reachable" } }),
            )
        }
    }
}

async fn version() -> Response {
    respond::json(
        StatusCode::OK,
        json!({ "version": env!("CARGO_PKG_VERSION") }),
    )
}

async fn list_schemas(State(reg): State<Registry>) -> Response {
    let list: Vec<Value> = reg
        .schemas
        .list()
        .map(|(id, schema)| json!({ "id": id, "schema": schema }))
        .collect();
    respond::json(StatusCode::OK, Value::Array(list))
}

async fn get_schema(State(reg): State<Registry>, Path(id): Path<String>) -> Response {
    match reg.schemas.find(&id) {
        Some(schema) => respond::json(StatusCode::OK, schema.raw().clone()),
        None => respond::api_error(&ApiError::not_found()),
    }
}

async fn get_error(State(reg): State<Registry>, RawQuery(q): RawQuery) -> Response {
    let Some(id) = query_map(&q)
        .get("id")
        .and_then(|id| uuid::Uuid::parse_str(id).ok())
    else {
        return respond::api_error(&ApiError::not_found());
    };
    match reg.store.get_error(id).await {
        Ok(Some((error, created_at))) => respond::json(
            StatusCode::OK,
            json!({ "id": id, "error": error, "created_at": created_at, "updated_at": created_at }),
        ),
        Ok(None) => respond::api_error(&ApiError::not_found()),
        Err(e) => {
            tracing::error!(error = %e, "error lookup failed");
            respond::api_error(&ApiError::internal())
        }
    }
}
