//! `oauth2_introspection`: RFC 7662 token introspection.

use std::collections::BTreeMap;
use std::time::Duration;

use async_trait::async_trait;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::jwt::scope_matches;
use super::token_from::{extract, TokenFrom};
use crate::error::{AuthnError, GatewayError};
use crate::pipeline::remote::{too_many, RetryConfig};
use crate::pipeline::services::DEFAULT_OUTBOUND_TIMEOUT;
use crate::pipeline::{AuthenticationSession, Authenticator, RequestContext, Services};

/// `configAuthenticatorsOauth2Introspection` (without `pre_authorization`).
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default)]
pub struct IntrospectionConfig {
    /// The introspection endpoint.
    pub introspection_url: String,
    /// Scope matching strategy.
    pub scope_strategy: Option<String>,
    /// Scopes the token must grant.
    pub required_scope: Vec<String>,
    /// Audiences that must all be present.
    pub target_audience: Vec<String>,
    /// Accepted issuers.
    pub trusted_issuers: Vec<String>,
    /// Required token prefix.
    pub prefix: Option<String>,
    /// Send `X-Forwarded-Host`.
    pub preserve_host: bool,
    /// Extra headers on the introspection request.
    pub introspection_request_headers: BTreeMap<String, String>,
    /// Where the token is.
    pub token_from: Option<TokenFrom>,
    /// Deadline.
    pub retry: Option<RetryConfig>,
    /// Accepted and ignored unless enabled (`ttl` bounds the cache).
    pub cache: Option<Value>,
}

/// The introspection authenticator.
pub struct Introspection {
    cfg: IntrospectionConfig,
    deadline: Duration,
    http: reqwest::Client,
}

impl Introspection {
    /// Builds from the merged config.
    pub fn new(cfg: IntrospectionConfig, services: &Services) -> Result<Self, String> {
        url::Url::parse(&cfg.introspection_url).map_err(|e| format!("introspection_url: {e}"))?;
        let deadline = cfg
            .retry
            .clone()
            .unwrap_or_default()
            .deadline(DEFAULT_OUTBOUND_TIMEOUT)?;
        Ok(Self {
            cfg,
            deadline,
            http: services.http.clone(),
        })
    }
}

#[async_trait]
impl Authenticator for Introspection {
    async fn authenticate(
        &self,
        req: &RequestContext,
        session: &mut AuthenticationSession,
    ) -> Result<(), AuthnError> {
        let Some(token) = extract(self.cfg.token_from.as_ref(), req) else {
            return Err(AuthnError::NotResponsible);
        };
        if let Some(p) = &self.cfg.prefix {
            if !token.starts_with(p.as_str()) {
                return Err(AuthnError::NotResponsible);
            }
        }
        let mut form = vec![("token", token.clone())];
        if self.cfg.scope_strategy.as_deref().unwrap_or("none") == "none"
            && !self.cfg.required_scope.is_empty()
        {
            form.push(("scope", self.cfg.required_scope.join(" ")));
        }
        let mut out = self
            .http
            .post(&self.cfg.introspection_url)
            .timeout(self.deadline)
            .form(&form);
        for (k, v) in &self.cfg.introspection_request_headers {
            out = out.header(k, v);
        }
        if self.cfg.preserve_host {
            out = out.header("X-Forwarded-Host", req.url.host());
        }
        let resp = out.send().await.map_err(|e| {
            GatewayError::internal(format!("introspection failed: {e}")).from_upstream()
        })?;
        match resp.status().as_u16() {
            200 => {}
            429 => return Err(too_many(&resp).into()),
            s => {
                return Err(
                    GatewayError::internal(format!("introspection answered {s}"))
                        .from_upstream()
                        .into(),
                )
            }
        }
        let body: Map<String, Value> = resp
            .json()
            .await
            .map_err(|e| GatewayError::internal(format!("introspection body: {e}")))?;
        let forbidden = |r: String| AuthnError::Failed(GatewayError::forbidden().with_reason(r));
        if body.get("active").and_then(Value::as_bool) != Some(true) {
            return Err(GatewayError::unauthorized()
                .with_reason("Access token introspection says token is not active")
                .into());
        }
        if let Some(exp) = body.get("exp").and_then(Value::as_i64) {
            if exp > 0 && exp < chrono::Utc::now().timestamp() {
                return Err(GatewayError::unauthorized()
                    .with_reason("Access token expired")
                    .into());
            }
        }
        if let Some(use_) = body.get("token_use").and_then(Value::as_str) {
            if use_ != "access_token" {
                return Err(forbidden(format!(
                    "Use of introspected token is not an access token but \"{use_}\""
                )));
            }
        }
        let aud: Vec<&str> = match body.get("aud") {
            Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
            Some(Value::String(s)) => vec![s.as_str()],
            _ => vec![],
        };
        for want in &self.cfg.target_audience {
            if !aud.contains(&want.as_str()) {
                return Err(forbidden(format!(
                    "Token audience is not intended for target audience {want}"
                )));
            }
        }
        if !self.cfg.trusted_issuers.is_empty() {
            let iss = body.get("iss").and_then(Value::as_str).unwrap_or("");
            if !self.cfg.trusted_issuers.iter().any(|t| t == iss) {
                return Err(forbidden(format!(
                    "Token issuer does not match any trusted issuer {iss}"
                )));
            }
        }
        if let Some(strategy) = self.cfg.scope_strategy.as_deref().filter(|s| *s != "none") {
            let have: Vec<&str> = body
                .get("scope")
                .and_then(Value::as_str)
                .unwrap_or("")
                .split_whitespace()
                .collect();
            for want in &self.cfg.required_scope {
                if !have.iter().any(|h| scope_matches(strategy, h, want)) {
                    return Err(forbidden(format!("Scope {want} was not granted")));
                }
            }
        }
        let mut extra = match body.get("ext") {
            Some(Value::Object(o)) => o.clone(),
            _ => Map::new(),
        };
        for k in ["username", "client_id", "scope", "aud"] {
            if let Some(v) = body.get(k) {
                extra.insert(k.to_owned(), v.clone());
            }
        }
        session.subject = body
            .get("sub")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        session.extra = std::sync::Arc::new(extra);
        Ok(())
    }
}
