//! `cookie_session`: responsible when the request has a cookie (one of `only`, if set).

use async_trait::async_trait;
use http::header::{AUTHORIZATION, COOKIE};

use super::session_check::{forwarded_headers, header_names, SessionCheckConfig, SessionChecker};
use super::token_from::cookies;
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

#[async_trait]
impl Authenticator for CookieSession {
    async fn authenticate(
        &self,
        req: &RequestContext,
        session: &mut AuthenticationSession,
    ) -> Result<(), AuthnError> {
        let only = &self.checker.config().only;
        let responsible = if only.is_empty() {
            cookies(req).next().is_some()
        } else {
            cookies(req).any(|(n, _)| only.iter().any(|o| o == n))
        };
        if !responsible {
            return Err(AuthnError::NotResponsible);
        }
        let mut headers = forwarded_headers(req, &self.forward);
        self.checker.add_headers(&mut headers);
        self.checker.check(req, headers, session).await?;
        Ok(())
    }
}
