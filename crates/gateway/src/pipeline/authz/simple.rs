//! `allow` and `deny`.

use async_trait::async_trait;

use crate::error::GatewayError;
use crate::pipeline::{AuthenticationSession, Authorizer, RequestContext};

/// Allows every request.
pub struct Allow;

impl Authorizer for Allow {}

/// Denies every request with 403.
pub struct Deny;

#[async_trait]
impl Authorizer for Deny {
    async fn authorize(
        &self,
        _req: &RequestContext,
        _s: &mut AuthenticationSession,
    ) -> Result<(), GatewayError> {
        Err(GatewayError::forbidden().with_reason("Access denied by the deny authorizer"))
    }
}
