//! `/sessions/whoami`, the caller's other sessions, and logout.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, delete, get};
use axum::Router;
use http::{HeaderMap, HeaderValue, StatusCode};
use serde_json::{json, Value};

use super::context::{self, TokenSource};
use super::flows::query_map;
use super::respond::{self, Client};
use super::{body, cookies, negotiate, render};
use crate::domain::{self, ApiError, Session};
use crate::flow::{logout, FlowError};
use crate::registry::Registry;
use crate::session::CachedSession;
use crate::store::ListSessions;

/// Session and logout routes.
pub fn router() -> Router<Registry> {
    Router::new()
        .route("/sessions/whoami", any(whoami))
        .route("/sessions", get(list_mine).delete(revoke_others))
        .route("/sessions/{id}", delete(revoke_one))
        .route("/self-service/logout/browser", get(logout_browser_url))
        .route("/self-service/logout", get(logout_browser))
        .route("/self-service/logout/api", delete(logout_api))
}

/// The caller's session (active or not) and where its token came from.
async fn caller(
    reg: &Registry,
    headers: &HeaderMap,
) -> Result<(Arc<Session>, TokenSource), ApiError> {
    let (cached, src) = cached_caller(reg, headers).await?;
    Ok((cached.session.clone(), src))
}

/// [`caller`] with the session's cache entry.
async fn cached_caller(
    reg: &Registry,
    headers: &HeaderMap,
) -> Result<(Arc<CachedSession>, TokenSource), ApiError> {
    let jar = cookies::parse(headers);
    let src = context::session_token(reg, headers, &jar).ok_or_else(ApiError::session_inactive)?;
    let cached = reg
        .sessions
        .cached_by_token(src.token())
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "session lookup failed");
            ApiError::internal()
        })?
        .filter(|c| c.session.is_active(domain::now()))
        .ok_or_else(ApiError::session_inactive)?;
    Ok((cached, src))
}

async fn whoami(State(reg): State<Registry>, q: RawQuery, headers: HeaderMap) -> Response {
    let (cached, src) = match cached_caller(&reg, &headers).await {
        Ok(c) => c,
        Err(e) => return respond::api_error(&e),
    };
    let session = &cached.session;
    let available = session
        .identity
        .as_ref()
        .map(|i| crate::method::code::available_aal(&reg.options, i))
        .unwrap_or_default();
    if session.authenticator_assurance_level < reg.options.whoami_aal(available) {
        let to = reg.options.public("self-service/login/browser?aal=aal2");
        return respond::api_error(&ApiError::aal2_required(to));
    }
    if let Some(template) = query_map(&q.0).get("tokenize_as") {
        return respond::api_error(&ApiError::bad_request(format!(
            "The tokenize_as template \"{template}\" is not configured."
        )));
    }
    let mut res = (
        StatusCode::OK,
        [(http::header::CONTENT_TYPE, "application/json")],
        // Only active sessions get here, so the cached rendering (`active: true`) stays right.
        cached.rendered(|s| render::session_bytes(s, &reg.options)),
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(&session.identity_id.to_string()) {
        res.headers_mut()
            .insert("x-kratos-authenticated-identity-id", v);
    }
    if let TokenSource::Cookie(_, issued_expiry) = src {
        if issued_expiry < session.expires_at {
            cookies::set_session(res.headers_mut(), &reg.options, session);
        }
    }
    res
}

async fn list_mine(State(reg): State<Registry>, q: RawQuery, headers: HeaderMap) -> Response {
    let (session, _) = match caller(&reg, &headers).await {
        Ok(c) => c,
        Err(e) => return respond::api_error(&e),
    };
    let params = query_map(&q.0);
    let page_size = params
        .get("page_size")
        .or_else(|| params.get("per_page"))
        .and_then(|v| v.parse::<u32>().ok())
        .unwrap_or(250)
        .clamp(1, 1000) as usize;
    let page_token = params
        .get("page_token")
        .and_then(|t| uuid::Uuid::parse_str(t).ok());
    let query = ListSessions {
        identity_id: Some(session.identity_id),
        active: Some(true),
        page_size,
        page_token,
        except: Some(session.id),
        with_identity: false,
    };
    match reg.store.list_sessions(&query).await {
        Ok(list) => {
            let body: Vec<Value> = list
                .iter()
                .map(|s| render::session(s, &reg.options))
                .collect();
            respond::json(StatusCode::OK, Value::Array(body))
        }
        Err(e) => respond::error(&reg, FlowError::from(e), Client::Json).await,
    }
}

async fn revoke_others(State(reg): State<Registry>, headers: HeaderMap) -> Response {
    let (session, _) = match caller(&reg, &headers).await {
        Ok(c) => c,
        Err(e) => return respond::api_error(&e),
    };
    match reg
        .sessions
        .revoke_all_of(session.identity_id, Some(session.id))
        .await
    {
        Ok(count) => respond::json(StatusCode::OK, json!({ "count": count })),
        Err(e) => respond::error(&reg, FlowError::from(e), Client::Json).await,
    }
}

async fn revoke_one(
    State(reg): State<Registry>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let (session, _) = match caller(&reg, &headers).await {
        Ok(c) => c,
        Err(e) => return respond::api_error(&e),
    };
    let Ok(id) = uuid::Uuid::parse_str(&id) else {
        return respond::api_error(&ApiError::not_found());
    };
    if id == session.id {
        return respond::api_error(&ApiError::bad_request(
            "You can not revoke the session you are using: use the logout flow instead.",
        ));
    }
    let owned = match reg.store.get_session(id, false).await {
        Ok(s) => s.filter(|s| s.identity_id == session.identity_id),
        Err(e) => return respond::error(&reg, FlowError::from(e), Client::Json).await,
    };
    if owned.is_none() {
        return respond::api_error(&ApiError::not_found());
    }
    match reg.sessions.revoke_by_id(id).await {
        Ok(_) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => respond::error(&reg, FlowError::from(e), Client::Json).await,
    }
}

async fn logout_browser_url(
    State(reg): State<Registry>,
    q: RawQuery,
    headers: HeaderMap,
) -> Response {
    let jar = cookies::parse(&headers);
    let session = match cookies::session_token_from(&jar, &reg.options) {
        Some(v) => reg
            .sessions
            .active_by_token(&v.session_token)
            .await
            .ok()
            .flatten(),
        None => None,
    };
    let Some(session) = session else {
        return respond::api_error(&ApiError::session_inactive());
    };
    let params = query_map(&q.0);
    match logout::logout_url(&reg, &session, params.get("return_to").map(String::as_str)) {
        Ok(flow) => respond::json(
            StatusCode::OK,
            serde_json::to_value(flow).unwrap_or(Value::Null),
        ),
        Err(e) => respond::error(&reg, e, Client::Json).await,
    }
}

async fn logout_browser(State(reg): State<Registry>, q: RawQuery, headers: HeaderMap) -> Response {
    let client = if negotiate::wants_json(&headers) {
        Client::Json
    } else {
        Client::BrowserPage
    };
    let jar = cookies::parse(&headers);
    let session = match cookies::session_token_from(&jar, &reg.options) {
        Some(v) => reg
            .sessions
            .active_by_token(&v.session_token)
            .await
            .ok()
            .flatten(),
        None => None,
    };
    let params = query_map(&q.0);
    let token = params.get("token").map(String::as_str).unwrap_or_default();
    let result = logout::logout_browser(
        &reg,
        session.as_deref(),
        token,
        params.get("return_to").map(String::as_str),
    )
    .await;
    match result {
        Ok(return_to) => {
            let mut headers = HeaderMap::new();
            cookies::clear_session(&mut headers, &reg.options);
            cookies::set_csrf(&mut headers, &reg.options, &domain::token::csrf_token());
            match client {
                Client::BrowserPage => respond::see_other(&return_to, headers),
                Client::Json => (StatusCode::NO_CONTENT, headers).into_response(),
            }
        }
        Err(e) => respond::error(&reg, e, client).await,
    }
}

async fn logout_api(State(reg): State<Registry>, headers: HeaderMap, raw: Body) -> Response {
    let body = match body::decode(&headers, raw, reg.options.body_limit).await {
        Ok(b) => b,
        Err(e) => return respond::api_error(&e),
    };
    let token = body.get("session_token").and_then(Value::as_str);
    match logout::logout_api(&reg, token).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => respond::error(&reg, e, Client::Json).await,
    }
}
