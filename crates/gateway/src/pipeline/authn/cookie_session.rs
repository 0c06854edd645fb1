//! `cookie_session`: responsible when the request has a cookie (one of `only`, if set).

use async_trait::async_trait;
use http::header::{AUTHORIZATION, COOKIE};

use super::session_check::{header_names, Forwarded, SessionCheckConfig, SessionChecker};
use super::token_from::{cookies, has_cookie};
use crate::error::AuthnError;
use crate::pipeline::{AuthenticationSession, Authenticator, RequestContext, Services};

/// The cookie session authenticator.
pub struct CookieSession {
    checker: SessionChecker,
    forward: Vec<http::HeaderName>,
}

impl CookieSession {
    /// Builds from the merged config.
    pub fn new(cfg: SessionCheckConfig, services: &Services) -> Result<Self, String> {
        let mut forward = cfg.forward_http_headers.clone();
        if forward.is_empty() {
            forward = vec![AUTHORIZATION.to_string(), COOKIE.to_string()];
        }
        if !forward.iter().any(|h| h.eq_ignore_ascii_case("cookie")) {
            forward.push(COOKIE.to_string());
        }
        Ok(Self {
            forward: header_names(&forward),
            checker: SessionChecker::new(cfg, "subject", services)?,
        })
    }
}

impl CookieSession {
    fn responsible(&self, req: &RequestContext) -> bool {
        let only = &self.checker.config().only;
        if only.is_empty() {
            has_cookie(req)
        } else {
            cookies(req).any(|(n, _)| only.iter().any(|o| o == n))
        }
    }

    fn forwarded(&self) -> Forwarded<'_> {
        Forwarded {
            names: &self.forward,
            authorization: None,
        }
    }
}

#[async_trait]
impl Authenticator for CookieSession {
    /// Declining, and a session the cache holds, need no waiting.
    fn authenticate_now(
        &self,
        req: &RequestContext,
        session: &mut AuthenticationSession,
    ) -> Option<Result<(), AuthnError>> {
        if !self.responsible(req) {
            return Some(Err(AuthnError::NotResponsible));
        }
        self.checker
            .cached(req, &self.forwarded(), session)
            .then_some(Ok(()))
    }

    async fn authenticate(
        &self,
        req: &RequestContext,
        session: &mut AuthenticationSession,
    ) -> Result<(), AuthnError> {
        if !self.responsible(req) {
            return Err(AuthnError::NotResponsible);
        }
        self.checker.check(req, self.forwarded(), session).await?;
        Ok(())
    }
}
