//! The management API (serve.api): rules, JWKS, health, version, metrics; plus decisions.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::engine::Engine;
use crate::jwk::public_jwk;

/// All API routes.
pub fn router(engine: Arc<Engine>) -> axum::Router {
    axum::Router::new()
        .route("/rules", get(list_rules))
        .route("/rules/{id}", get(get_rule))
        .route("/.well-known/jwks.json", get(jwks))
        .route("/health/alive", get(alive))
        .route("/health/ready", get(ready))
        .route("/version", get(version))
        .route("/metrics", get(metrics))
        .layer(axum::middleware::from_fn_with_state(
            engine.clone(),
            observe,
        ))
        .with_state(engine.clone())
        .merge(crate::decisions::router(engine))
}

#[derive(Deserialize)]
struct Page {
    limit: Option<usize>,
    offset: Option<usize>,
}

fn not_found(msg: &str) -> Response {
    (
        StatusCode::NOT_FOUND,
        Json(json!({"error": {"code": 404, "status": "Not Found", "message": msg}})),
    )
        .into_response()
}

async fn list_rules(State(e): State<Arc<Engine>>, Query(p): Query<Page>) -> Response {
    let set = e.rules.rules();
    let limit = p.limit.unwrap_or(50).min(500);
    let offset = p.offset.unwrap_or(0);
    let rules: Vec<Value> = set
        .rules()
        .iter()
        .skip(offset)
        .take(limit)
        .map(|r| serde_json::to_value(&r.spec).unwrap_or(Value::Null))
        .collect();
    Json(rules).into_response()
}

async fn get_rule(State(e): State<Arc<Engine>>, Path(id): Path<String>) -> Response {
    match e.rules.rules().get(&id) {
        Some(r) => Json(serde_json::to_value(&r.spec).unwrap_or(Value::Null)).into_response(),
        None => not_found("Unable to find the requested resource"),
    }
}

async fn jwks(State(e): State<Arc<Engine>>) -> Response {
    let set = e.rules.rules();
    let urls = e
        .rules
        .registry()
        .id_token_jwks_urls(set.rules().iter().map(|r| &r.spec));
    let mut keys = Vec::new();
    for url in urls {
        match e
            .services
            .jwks
            .keys(
                &url,
                std::time::Duration::from_secs(300),
                std::time::Duration::from_secs(5),
            )
            .await
        {
            Ok(k) => keys.extend(k.iter().filter_map(public_jwk)),
            Err(err) => {
                tracing::error!(url, error = %err, "cannot load id_token keys");
                return (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    Json(json!({"error": {"code": 500, "status": "Internal Server Error", "message": "An internal server error occurred, please contact the system administrator"}})),
                )
                    .into_response();
            }
        }
    }
    Json(json!({ "keys": keys })).into_response()
}

async fn alive() -> Response {
    Json(json!({"status": "ok"})).into_response()
}

async fn ready(State(e): State<Arc<Engine>>) -> Response {
    if e.rules.rules().valid_count() == 0 {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"errors": {"rules": "no valid access rules loaded"}})),
        )
            .into_response();
    }
    Json(json!({"status": "ok"})).into_response()
}

async fn version() -> Response {
    Json(json!({"version": env!("CARGO_PKG_VERSION")})).into_response()
}

async fn metrics(State(e): State<Arc<Engine>>) -> Response {
    (
        [(http::header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        e.services.metrics.render(),
    )
        .into_response()
}

async fn observe(
    State(e): State<Arc<Engine>>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let started = std::time::Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let resp = next.run(req).await;
    e.services.metrics.observe(
        "oathkeeper-api",
        method.as_str(),
        &path,
        resp.status().as_u16(),
        started.elapsed(),
    );
    resp
}
