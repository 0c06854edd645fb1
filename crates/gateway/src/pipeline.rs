//! The request pipeline: authenticators → authorizer → mutators, with error handlers.
//! Handlers are traits built once per rule (global config ⊕ rule config, validated at load)
//! and run with a per-request [`RequestContext`] and [`AuthenticationSession`].

pub mod authn;
pub mod authz;
pub mod errors;
pub mod gjson;
pub mod mutate;
pub mod registry;
pub mod remote;
pub mod services;
pub mod session;
pub mod template;

use std::sync::Arc;

use async_trait::async_trait;

pub use errors::ErrorHandler;
pub use services::Services;
pub use session::{AuthenticationSession, RequestContext, RequestUrl};

use crate::error::{AuthnError, GatewayError};

/// Establishes who is calling. The default hook declines, so the chain moves on.
#[async_trait]
pub trait Authenticator: Send + Sync {
    /// Fills `session.subject`/`extra`, declines with `NotResponsible`, or fails.
    async fn authenticate(
        &self,
        _req: &RequestContext,
        _session: &mut AuthenticationSession,
    ) -> Result<(), AuthnError> {
        Err(AuthnError::NotResponsible)
    }
}

/// Decides whether the authenticated subject may proceed. The default hook allows.
#[async_trait]
pub trait Authorizer: Send + Sync {
    /// `Ok` allows; an error denies with its status.
    async fn authorize(
        &self,
        _req: &RequestContext,
        _session: &mut AuthenticationSession,
    ) -> Result<(), GatewayError> {
        Ok(())
    }

    /// Whether this authorizer reads the request body (the proxy then buffers it).
    fn needs_body(&self) -> bool {
        false
    }
}

/// Transforms the session into upstream headers. The default hook changes nothing.
#[async_trait]
pub trait Mutator: Send + Sync {
    /// Adds headers to `session.header` (or replaces the session).
    async fn mutate(
        &self,
        _req: &RequestContext,
        _session: &mut AuthenticationSession,
    ) -> Result<(), GatewayError> {
        Ok(())
    }
}

/// A rule's handlers, ready to run.
pub struct Pipeline {
    /// Tried in order until one is responsible.
    pub authenticators: Vec<Arc<dyn Authenticator>>,
    /// The rule's authorizer.
    pub authorizer: Arc<dyn Authorizer>,
    /// Applied in order.
    pub mutators: Vec<Arc<dyn Mutator>>,
    /// The rule's error handlers (filtered by `when`).
    pub errors: Vec<Arc<dyn ErrorHandler>>,
}

impl std::fmt::Debug for Pipeline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pipeline")
            .field("authenticators", &self.authenticators.len())
            .field("mutators", &self.mutators.len())
            .finish_non_exhaustive()
    }
}

impl Pipeline {
    /// Runs authentication, authorization and mutation.
    pub async fn run(
        &self,
        req: &RequestContext,
        session: &mut AuthenticationSession,
    ) -> Result<(), GatewayError> {
        let mut authenticated = false;
        for a in &self.authenticators {
            match a.authenticate(req, session).await {
                Ok(()) => {
                    authenticated = true;
                    break;
                }
                Err(AuthnError::NotResponsible) => continue,
                Err(AuthnError::Failed(e)) => return Err(e),
            }
        }
        if !authenticated {
            return Err(GatewayError::unauthorized().with_reason(
                "No authentication handler was responsible for handling the authentication request",
            ));
        }
        self.authorizer.authorize(req, session).await?;
        for m in &self.mutators {
            m.mutate(req, session).await?;
        }
        Ok(())
    }

    /// Whether the request body must be buffered for a handler.
    pub fn needs_body(&self) -> bool {
        self.authorizer.needs_body()
    }
}
