//! The request pipeline: authenticators → authorizer → mutators, with error handlers.
//! Handlers are traits built once per rule (global config ⊕ rule config, validated at load)
//! and run with a per-request [`RequestContext`] and [`AuthenticationSession`].

pub mod authn;
pub mod authz;
pub mod client_headers;
pub mod errors;
pub mod gjson;
pub mod mutate;
pub mod registry;
pub mod remote;
pub mod services;
pub mod session;
pub mod session_headers;
pub mod template;

use std::sync::Arc;

use async_trait::async_trait;

pub use client_headers::ClientHeaders;
pub use errors::ErrorHandler;
pub use services::Services;
pub use session::{AuthenticationSession, RequestContext, RequestUrl};

use crate::error::{AuthnError, GatewayError};

/// Establishes who is calling.
///
/// A handler answers through [`Self::authenticate_now`] when it needs no I/O (or finds its
/// answer in a cache), and through [`Self::authenticate`] when it must wait; the pipeline
/// tries the first and awaits the second only when the first has no answer. The defaults
/// decline, so the chain moves on.
#[async_trait]
pub trait Authenticator: Send + Sync {
    /// The answer without waiting, when there is one: fills `session.subject`/`extra`,
    /// declines with `NotResponsible`, or fails. `None`: [`Self::authenticate`] must run.
    fn authenticate_now(
        &self,
        _req: &RequestContext,
        _session: &mut AuthenticationSession,
    ) -> Option<Result<(), AuthnError>> {
        None
    }

    /// The answer, waiting for remote calls if need be (by default that of
    /// [`Self::authenticate_now`], else declining).
    async fn authenticate(
        &self,
        req: &RequestContext,
        session: &mut AuthenticationSession,
    ) -> Result<(), AuthnError> {
        self.authenticate_now(req, session)
            .unwrap_or(Err(AuthnError::NotResponsible))
    }
}

/// Decides whether the authenticated subject may proceed, now or after waiting (see
/// [`Authenticator`]). The defaults allow.
#[async_trait]
pub trait Authorizer: Send + Sync {
    /// The decision without waiting, when there is one (`Ok` allows; an error denies with its
    /// status). `None`: [`Self::authorize`] must run.
    fn authorize_now(
        &self,
        _req: &RequestContext,
        _session: &mut AuthenticationSession,
    ) -> Option<Result<(), GatewayError>> {
        None
    }

    /// The decision, waiting for remote calls if need be.
    async fn authorize(
        &self,
        req: &RequestContext,
        session: &mut AuthenticationSession,
    ) -> Result<(), GatewayError> {
        self.authorize_now(req, session).unwrap_or(Ok(()))
    }

    /// Whether this authorizer reads the request body (the proxy then buffers it).
    fn needs_body(&self) -> bool {
        false
    }
}

/// Transforms the session into upstream headers, now or after waiting (see
/// [`Authenticator`]). The defaults change nothing.
#[async_trait]
pub trait Mutator: Send + Sync {
    /// Adds headers to `session.header` (or replaces the session) without waiting, when it
    /// can. `None`: [`Self::mutate`] must run.
    fn mutate_now(
        &self,
        _req: &RequestContext,
        _session: &mut AuthenticationSession,
    ) -> Option<Result<(), GatewayError>> {
        None
    }

    /// Adds headers to `session.header`, waiting for remote calls if need be.
    async fn mutate(
        &self,
        req: &RequestContext,
        session: &mut AuthenticationSession,
    ) -> Result<(), GatewayError> {
        self.mutate_now(req, session).unwrap_or(Ok(()))
    }
}

/// A mutator that never waits: it implements only [`MutateNow::apply`], and is a
/// [`Mutator`] whose [`Mutator::mutate_now`] always answers.
pub trait MutateNow: Send + Sync {
    /// Adds headers to `session.header`.
    fn apply(
        &self,
        req: &RequestContext,
        session: &mut AuthenticationSession,
    ) -> Result<(), GatewayError>;
}

impl<T: MutateNow> Mutator for T {
    fn mutate_now(
        &self,
        req: &RequestContext,
        session: &mut AuthenticationSession,
    ) -> Option<Result<(), GatewayError>> {
        Some(self.apply(req, session))
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
            let answer = match a.authenticate_now(req, session) {
                Some(answer) => answer,
                None => a.authenticate(req, session).await,
            };
            match answer {
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
        match self.authorizer.authorize_now(req, session) {
            Some(decision) => decision?,
            None => self.authorizer.authorize(req, session).await?,
        }
        for m in &self.mutators {
            match m.mutate_now(req, session) {
                Some(done) => done?,
                None => m.mutate(req, session).await?,
            }
        }
        Ok(())
    }

    /// Whether the request body must be buffered for a handler.
    pub fn needs_body(&self) -> bool {
        self.authorizer.needs_body()
    }
}
