//! `allow` and `deny`.

use crate::error::GatewayError;
use crate::pipeline::{AuthenticationSession, Authorizer, RequestContext};

/// Allows every request.
pub struct Allow;

impl Authorizer for Allow {
    fn authorize_now(
        &self,
        _req: &RequestContext,
        _s: &mut AuthenticationSession,
    ) -> Option<Result<(), GatewayError>> {
        Some(Ok(()))
    }
}

/// Denies every request with 403.
pub struct Deny;

impl Authorizer for Deny {
    fn authorize_now(
        &self,
        _req: &RequestContext,
        _s: &mut AuthenticationSession,
    ) -> Option<Result<(), GatewayError>> {
        Some(Err(
            GatewayError::forbidden().with_reason("Access denied by the deny authorizer")
        ))
    }
}
