//! Logout: browser logout URLs and tokens, and API logout by session token.

use serde::Serialize;
use subtle::ConstantTimeEq;

use super::{return_to, FlowError};
use crate::domain::{ApiError, Session};
use crate::options::append_query;
use crate::registry::Registry;

/// `logoutFlow`: where the browser goes to end its session.
#[derive(Debug, Serialize)]
pub struct LogoutFlow {
    /// `<public>/self-service/logout?token=…`.
    pub logout_url: String,
    /// The logout token.
    pub logout_token: String,
}

/// The logout URL of `session` (with a checked `return_to`).
pub fn logout_url(
    reg: &Registry,
    session: &Session,
    requested_return_to: Option<&str>,
) -> Result<LogoutFlow, FlowError> {
    let opts = &reg.options;
    let return_to = return_to::check(
        requested_return_to,
        &opts.public_url,
        &opts.allowed_return_urls,
    )
    .map_err(|u| ApiError::return_to_forbidden(&u))?;
    let mut url = append_query(
        &opts.public("self-service/logout"),
        "token",
        &session.logout_token,
    );
    if let Some(r) = return_to {
        url = append_query(&url, "return_to", &r);
    }
    Ok(LogoutFlow {
        logout_url: url,
        logout_token: session.logout_token.clone(),
    })
}

/// Ends `session` if `token` is its logout token; returns where the browser goes next.
pub async fn logout_browser(
    reg: &Registry,
    session: Option<&Session>,
    token: &str,
    requested_return_to: Option<&str>,
) -> Result<String, FlowError> {
    let opts = &reg.options;
    let return_to = return_to::check(
        requested_return_to,
        &opts.public_url,
        &opts.allowed_return_urls,
    )
    .map_err(|u| ApiError::return_to_forbidden(&u))?
    .or_else(|| opts.logout_return_url.clone())
    .unwrap_or_else(|| opts.default_return_url.clone());
    let Some(session) = session else {
        return Ok(return_to);
    };
    if !bool::from(token.as_bytes().ct_eq(session.logout_token.as_bytes())) || token.is_empty() {
        return Err(ApiError::new(403, "Unable to log out because the logout token in the URL query does not match the session cookie.")
            .with_reason("The logout token does not belong to this session.")
            .into());
    }
    reg.sessions.revoke(session).await?;
    Ok(return_to)
}

/// `DELETE /self-service/logout/api`: revokes the session of `session_token`.
pub async fn logout_api(reg: &Registry, session_token: Option<&str>) -> Result<(), FlowError> {
    let Some(token) = session_token.filter(|t| !t.is_empty()) else {
        return Err(
            ApiError::bad_request("The session_token is missing from the request body.").into(),
        );
    };
    match reg.sessions.active_by_token(token).await? {
        Some(session) => {
            reg.sessions.revoke(&session).await?;
            Ok(())
        }
        None => Err(ApiError::new(403, "The provided Ory Session Token could not be found, is invalid, or otherwise malformed.").into()),
    }
}
