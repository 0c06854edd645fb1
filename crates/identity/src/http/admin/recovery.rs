//! `POST /admin/recovery/code` and `POST /admin/recovery/link`.

use axum::body::Body;
use axum::extract::State;
use axum::response::Response;
use axum::routing::post;
use axum::Router;
use http::{StatusCode, Uri};
use serde_json::Value;

use super::input;
use crate::flow::recovery::admin;
use crate::http::respond;
use crate::registry::Registry;

/// Recovery routes.
pub fn router() -> Router<Registry> {
    Router::new()
        .route("/admin/recovery/code", post(create_code))
        .route("/admin/recovery/link", post(create_link))
}

fn request_url(reg: &Registry, uri: &Uri) -> String {
    super::admin_url(
        &reg.options,
        uri.path_and_query().map(|p| p.as_str()).unwrap_or("/"),
    )
}

async fn create_code(State(reg): State<Registry>, uri: Uri, body: Body) -> Response {
    let body: Value = match input::json(body, reg.options.body_limit).await {
        Ok(b) => b,
        Err(e) => return respond::api_error(&e),
    };
    match admin::create_code(&reg, &body, &request_url(&reg, &uri)).await {
        Ok(v) => respond::json(StatusCode::CREATED, v),
        Err(e) => respond::admin_error(&e),
    }
}

async fn create_link(State(reg): State<Registry>, uri: Uri, body: Body) -> Response {
    let body: Value = match input::json(body, reg.options.body_limit).await {
        Ok(b) => b,
        Err(e) => return respond::api_error(&e),
    };
    match admin::create_link(&reg, &body, &request_url(&reg, &uri)).await {
        Ok(v) => respond::json(StatusCode::OK, v),
        Err(e) => respond::admin_error(&e),
    }
}
