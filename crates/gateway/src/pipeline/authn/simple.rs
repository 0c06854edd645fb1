//! `noop`, `anonymous` and `unauthorized`.

use async_trait::async_trait;
use serde::Deserialize;

use crate::error::{AuthnError, GatewayError};
use crate::pipeline::{AuthenticationSession, Authenticator, RequestContext};

/// Lets everyone through with an empty subject.
pub struct Noop;

#[async_trait]
impl Authenticator for Noop {
    async fn authenticate(
        &self,
        _req: &RequestContext,
        _s: &mut AuthenticationSession,
    ) -> Result<(), AuthnError> {
        Ok(())
    }
}

/// Rejects every request with 401.
pub struct Unauthorized;

#[async_trait]
impl Authenticator for Unauthorized {
    async fn authenticate(
        &self,
        _req: &RequestContext,
        _s: &mut AuthenticationSession,
    ) -> Result<(), AuthnError> {
        Err(GatewayError::unauthorized()
            .with_reason("Authentication is required")
            .into())
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

#[async_trait]
impl Authenticator for Anonymous {
    async fn authenticate(
        &self,
        req: &RequestContext,
        s: &mut AuthenticationSession,
    ) -> Result<(), AuthnError> {
        if req.headers.contains_key(http::header::AUTHORIZATION) {
            return Err(AuthnError::NotResponsible);
        }
        s.subject = self.0.subject.clone();
        Ok(())
    }
}
