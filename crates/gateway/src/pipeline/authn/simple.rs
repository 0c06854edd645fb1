//! `noop`, `anonymous` and `unauthorized`.

use serde::Deserialize;

use crate::error::{AuthnError, GatewayError};
use crate::pipeline::{AuthenticationSession, Authenticator, RequestContext};

/// Lets everyone through with an empty subject.
pub struct Noop;

impl Authenticator for Noop {
    fn authenticate_now(
        &self,
        _req: &RequestContext,
        _s: &mut AuthenticationSession,
    ) -> Option<Result<(), AuthnError>> {
        Some(Ok(()))
    }
}

/// Rejects every request with 401.
pub struct Unauthorized;

impl Authenticator for Unauthorized {
    fn authenticate_now(
        &self,
        _req: &RequestContext,
        _s: &mut AuthenticationSession,
    ) -> Option<Result<(), AuthnError>> {
        Some(Err(GatewayError::unauthorized()
            .with_reason("Authentication is required")
            .into()))
    }
}

/// `anonymous{subject}`.
#[derive(Debug, Deserialize)]
#[serde(default)]
pub struct AnonymousConfig {
    /// Subject for anonymous callers.
    pub subject: String,
}

impl Default for AnonymousConfig {
    fn default() -> Self {
        Self {
            subject: "anonymous".into(),
        }
    }
}

/// Sets a fixed subject unless the request carries `Authorization`.
pub struct Anonymous(pub AnonymousConfig);

impl Authenticator for Anonymous {
    fn authenticate_now(
        &self,
        req: &RequestContext,
        s: &mut AuthenticationSession,
    ) -> Option<Result<(), AuthnError>> {
        if req.headers.has("authorization") {
            return Some(Err(AuthnError::NotResponsible));
        }
        s.subject = self.0.subject.clone();
        Some(Ok(()))
    }
}
