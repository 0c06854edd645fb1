//! Builds the flows' `RequestInfo` from an HTTP request: session, CSRF cookie, device.

use std::net::SocketAddr;
use std::sync::Arc;

use http::header::{AUTHORIZATION, ORIGIN, USER_AGENT};
use http::HeaderMap;

use super::cookies;
use crate::domain::{Device, Session};
use crate::flow::RequestInfo;
use crate::registry::Registry;
use crate::store::StoreError;

/// Where a session token was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenSource {
    /// `X-Session-Token` or `Authorization: Bearer`.
    Header(String),
    /// The session cookie (with its issued expiry).
    Cookie(String, crate::domain::Timestamp),
}

impl TokenSource {
    /// The token.
    pub fn token(&self) -> &str {
        match self {
            TokenSource::Header(t) | TokenSource::Cookie(t, _) => t,
        }
    }
}

/// `X-Session-Token` → session cookie → `Authorization: Bearer` (Kratos order).
pub fn session_token(
    reg: &Registry,
    headers: &HeaderMap,
    cookies: &[(String, String)],
) -> Option<TokenSource> {
    if let Some(t) = header(headers, "x-session-token").filter(|t| !t.is_empty()) {
        return Some(TokenSource::Header(t));
    }
    if let Some(v) = cookies::session_token_from(cookies, &reg.options) {
        return Some(TokenSource::Cookie(v.session_token, v.expires_at));
    }
    header(headers, AUTHORIZATION.as_str())
        .and_then(|v| v.strip_prefix("Bearer ").map(|t| t.trim().to_string()))
        .filter(|t| !t.is_empty())
        .map(TokenSource::Header)
}

/// The caller's active session, if any.
pub async fn active_session(
    reg: &Registry,
    headers: &HeaderMap,
    cookies: &[(String, String)],
) -> Result<Option<Arc<Session>>, StoreError> {
    match session_token(reg, headers, cookies) {
        Some(src) => reg.sessions.active_by_token(src.token()).await,
        None => Ok(None),
    }
}

/// Everything the flows need to know about the request.
pub async fn request_info(
    reg: &Registry,
    url: String,
    headers: &HeaderMap,
    peer: Option<SocketAddr>,
) -> Result<RequestInfo, StoreError> {
    let cookies = cookies::parse(headers);
    let session = active_session(reg, headers, &cookies).await?;
    Ok(RequestInfo {
        url,
        device: Some(device(headers, peer)),
        session,
        csrf_cookie: cookies::get(&cookies, &cookies::csrf_cookie_name(&reg.options)),
        csrf_header: header(headers, "x-csrf-token"),
        has_origin: headers.contains_key(ORIGIN),
        cookie_names: cookies.into_iter().map(|(n, _)| n).collect(),
    })
}

/// Client IP (first `X-Forwarded-For` hop, `True-Client-IP`, `X-Real-IP`, or the peer) and user agent.
pub fn device(headers: &HeaderMap, peer: Option<SocketAddr>) -> Device {
    let ip = header(headers, "true-client-ip")
        .or_else(|| header(headers, "x-real-ip"))
        .or_else(|| {
            header(headers, "x-forwarded-for")
                .and_then(|v| v.split(',').next().map(|s| s.trim().to_string()))
        })
        .or_else(|| peer.map(|p| p.ip().to_string()));
    let location = match (
        header(headers, "cf-ipcity"),
        header(headers, "cf-ipcountry"),
    ) {
        (Some(city), Some(country)) => Some(format!("{city}, {country}")),
        (None, Some(country)) => Some(country),
        (Some(city), None) => Some(city),
        _ => None,
    };
    Device {
        id: uuid::Uuid::new_v4(),
        ip_address: ip,
        user_agent: header(headers, USER_AGENT.as_str()),
        location,
    }
}

fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// The peer address, when the server was started with connect info (never fails).
#[derive(Debug, Clone, Copy, Default)]
pub struct Peer(pub Option<SocketAddr>);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Peer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut http::request::Parts,
        _state: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(Peer(
            parts
                .extensions
                .get::<axum::extract::ConnectInfo<SocketAddr>>()
                .map(|c| c.0),
        ))
    }
}
