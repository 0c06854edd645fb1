//! The one mapping from flow outcomes and errors to HTTP responses.

use axum::response::{IntoResponse, Response};
use axum::Json;
use http::header::LOCATION;
use http::{HeaderMap, HeaderValue, StatusCode};
use serde_json::{json, Value};

use super::render;
use crate::domain::{self, ApiError, Flow, FlowType};
use crate::flow::FlowError;
use crate::registry::Registry;

/// How the client talks to us.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Client {
    /// A navigating browser: redirects and error pages.
    BrowserPage,
    /// JSON (API flows, AJAX from browsers, SDKs).
    Json,
}

impl Client {
    /// Browser page unless the flow is an API flow or the client asked for JSON.
    pub fn of(flow_type: FlowType, wants_json: bool) -> Self {
        if flow_type == FlowType::Browser && !wants_json {
            Client::BrowserPage
        } else {
            Client::Json
        }
    }
}

/// A JSON response.
pub fn json(status: StatusCode, body: Value) -> Response {
    (status, Json(body)).into_response()
}

/// A 303 See Other to `to`.
pub fn see_other(to: &str, headers: HeaderMap) -> Response {
    let mut res = (StatusCode::SEE_OTHER, headers).into_response();
    if let Ok(v) = HeaderValue::from_str(to) {
        res.headers_mut().insert(LOCATION, v);
    }
    res
}

/// Renders an API error as Kratos JSON.
pub fn api_error(e: &ApiError) -> Response {
    let status = StatusCode::from_u16(e.code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    json(status, serde_json::to_value(e).unwrap_or(Value::Null))
}

/// Renders an admin operation's error; internal causes are logged, never shown.
pub fn admin_error(e: &crate::manage::AdminError) -> Response {
    if let crate::manage::AdminError::Internal(cause) = e {
        tracing::error!(%cause, "admin API internal error");
    }
    api_error(&e.to_api())
}

/// The flow itself with `status` (400 for validation errors).
pub fn flow(status: StatusCode, f: &Flow, headers: HeaderMap) -> Response {
    let mut res = json(status, render::flow(f));
    res.headers_mut().extend(headers);
    res
}

/// Renders a flow error: JSON for API/AJAX clients; pages go to the error UI (or to a fresh
/// flow when the old one expired).
pub async fn error(reg: &Registry, err: FlowError, client: Client) -> Response {
    match err {
        FlowError::Api(e) => match client {
            Client::Json => api_error(&e),
            Client::BrowserPage => to_error_page(reg, &e).await,
        },
        FlowError::Expired {
            replacement,
            expired_at,
        } => {
            let ui = reg
                .options
                .ui_url_with_flow(replacement.kind, replacement.id);
            match client {
                Client::BrowserPage => see_other(&ui, HeaderMap::new()),
                Client::Json => {
                    let mut e = ApiError::flow_expired(expired_at, domain::now())
                        .with_detail("redirect_to", ui);
                    e.use_flow_id = Some(replacement.id);
                    api_error(&e)
                }
            }
        }
        FlowError::Redirect { to, error } => match client {
            Client::BrowserPage => see_other(&to, HeaderMap::new()),
            Client::Json => api_error(&error),
        },
        FlowError::Replaced {
            replacement,
            reason,
        } => match client {
            Client::BrowserPage => see_other(
                &reg.options
                    .ui_url_with_flow(replacement.kind, replacement.id),
                HeaderMap::new(),
            ),
            Client::Json => api_error(&ApiError::flow_replaced(reason, replacement.id)),
        },
        FlowError::Internal(cause) => {
            tracing::error!(%cause, "internal error");
            let e = ApiError::internal();
            match client {
                Client::Json => api_error(&e),
                Client::BrowserPage => to_error_page(reg, &e).await,
            }
        }
    }
}

/// Stores the error for `/self-service/errors?id=` and redirects to the error UI.
async fn to_error_page(reg: &Registry, e: &ApiError) -> Response {
    let id = uuid::Uuid::new_v4();
    let body = json!(e.error);
    if let Err(err) = reg.store.create_error(id, &body).await {
        tracing::error!(error = %err, "could not store self-service error");
        return api_error(e);
    }
    see_other(&reg.options.error_url(id), HeaderMap::new())
}
