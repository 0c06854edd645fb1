//! `bearer_token`: responsible when a token is present (and starts with `prefix`).

use async_trait::async_trait;
use http::header::{AUTHORIZATION, COOKIE};
use http::HeaderValue;

use super::session_check::{header_names, Forwarded, SessionCheckConfig, SessionChecker};
use super::token_from::extract;
use crate::error::AuthnError;
use crate::pipeline::{AuthenticationSession, Authenticator, RequestContext, Services};

/// The bearer token authenticator.
pub struct BearerToken {
    checker: SessionChecker,
    forward: Vec<http::HeaderName>,
}

impl BearerToken {
    /// Builds from the merged config.
    pub fn new(cfg: SessionCheckConfig, services: &Services) -> Result<Self, String> {
        let mut forward = cfg.forward_http_headers.clone();
        if forward.is_empty() {
            forward = vec![AUTHORIZATION.to_string(), COOKIE.to_string()];
        }
        Ok(Self {
            forward: header_names(&forward),
            checker: SessionChecker::new(cfg, "sub", services)?,
        })
    }
}

impl BearerToken {
    /// What the check forwards, or `None` when there is no token (with its prefix).
    fn forwarded(&self, req: &RequestContext) -> Option<Forwarded<'_>> {
        let cfg = self.checker.config();
        let token = extract(cfg.token_from.as_ref(), req)?;
        if let Some(prefix) = &cfg.prefix {
            if !token.starts_with(prefix.as_str()) {
                return None;
            }
        }
        let sends_authorization =
            self.forward.contains(&AUTHORIZATION) && req.headers.has("authorization");
        let authorization = if sends_authorization {
            None
        } else {
            HeaderValue::from_str(&format!("Bearer {token}")).ok()
        };
        Some(Forwarded {
            names: &self.forward,
            authorization,
        })
    }
}

#[async_trait]
impl Authenticator for BearerToken {
    /// Declining, and a session the cache holds, need no waiting.
    fn authenticate_now(
        &self,
        req: &RequestContext,
        session: &mut AuthenticationSession,
    ) -> Option<Result<(), AuthnError>> {
        let Some(forwarded) = self.forwarded(req) else {
            return Some(Err(AuthnError::NotResponsible));
        };
        self.checker
            .cached(req, &forwarded, session)
            .then_some(Ok(()))
    }

    async fn authenticate(
        &self,
        req: &RequestContext,
        session: &mut AuthenticationSession,
    ) -> Result<(), AuthnError> {
        let Some(forwarded) = self.forwarded(req) else {
            return Err(AuthnError::NotResponsible);
        };
        self.checker.check(req, forwarded, session).await?;
        Ok(())
    }
}
