//! `bearer_token`: responsible when a token is present (and starts with `prefix`).

use async_trait::async_trait;
use http::header::{AUTHORIZATION, COOKIE};
use http::HeaderValue;

use super::session_check::{forwarded_headers, header_names, SessionCheckConfig, SessionChecker};
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

#[async_trait]
impl Authenticator for BearerToken {
    async fn authenticate(
        &self,
        req: &RequestContext,
        session: &mut AuthenticationSession,
    ) -> Result<(), AuthnError> {
        let cfg = self.checker.config();
        let Some(token) = extract(cfg.token_from.as_ref(), req) else {
            return Err(AuthnError::NotResponsible);
        };
        if let Some(prefix) = &cfg.prefix {
            if !token.starts_with(prefix.as_str()) {
                return Err(AuthnError::NotResponsible);
            }
        }
        let mut headers = forwarded_headers(req, &self.forward);
        if !headers.contains_key(AUTHORIZATION) {
            if let Ok(v) = HeaderValue::from_str(&format!("Bearer {token}")) {
                headers.insert(AUTHORIZATION, v);
            }
        }
        self.checker.add_headers(&mut headers);
        self.checker.check(req, headers, session).await?;
        Ok(())
    }
}
