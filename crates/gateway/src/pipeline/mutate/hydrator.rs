//! `hydrator`: POSTs the session to an API and takes the answer as the new session.

use std::time::Duration;

use async_trait::async_trait;
use serde::Deserialize;
use serde_json::Value;

use crate::config::parse_duration;
use crate::error::GatewayError;
use crate::pipeline::remote::RetryConfig;
use crate::pipeline::services::DEFAULT_OUTBOUND_TIMEOUT;
use crate::pipeline::{AuthenticationSession, Mutator, RequestContext, Services};

/// `configMutatorsHydrator`.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default)]
pub struct HydratorConfig {
    /// `{url, auth.basic, retry}`.
    pub api: HydratorApi,
    /// `{enabled, ttl}`.
    pub cache: Option<Value>,
}

/// `api`.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default)]
pub struct HydratorApi {
    /// Endpoint.
    pub url: String,
    /// `{basic: {username, password}}`.
    pub auth: Option<Value>,
    /// Deadline.
    pub retry: Option<RetryConfig>,
}

/// The hydrator mutator.
pub struct Hydrator {
    cfg: HydratorConfig,
    deadline: Duration,
    http: reqwest::Client,
}

impl Hydrator {
    /// Builds from the merged config.
    pub fn new(cfg: HydratorConfig, services: &Services) -> Result<Self, String> {
        url::Url::parse(&cfg.api.url).map_err(|e| format!("api.url: {e}"))?;
        let deadline = match cfg
            .api
            .retry
            .as_ref()
            .and_then(|r| r.give_up_after.as_deref())
        {
            Some(s) => parse_duration(s)?,
            None => DEFAULT_OUTBOUND_TIMEOUT,
        };
        Ok(Self {
            cfg,
            deadline,
            http: services.http.clone(),
        })
    }
}

#[async_trait]
impl Mutator for Hydrator {
    async fn mutate(
        &self,
        req: &RequestContext,
        s: &mut AuthenticationSession,
    ) -> Result<(), GatewayError> {
        let mut url = url::Url::parse(&self.cfg.api.url)
            .map_err(|e| GatewayError::internal(e.to_string()))?;
        if !req.url.raw_query().is_empty() {
            url.set_query(Some(req.url.raw_query()));
        }
        let mut out = self
            .http
            .post(url)
            .timeout(self.deadline)
            .headers(without_host(&req.headers))
            .header(http::header::CONTENT_TYPE, "application/json")
            .body(s.to_wire_json().to_string());
        if let Some(basic) = self.cfg.api.auth.as_ref().and_then(|a| a.get("basic")) {
            let user = basic.get("username").and_then(Value::as_str).unwrap_or("");
            let pass = basic.get("password").and_then(Value::as_str);
            out = out.basic_auth(user, pass);
        }
        let resp = out
            .send()
            .await
            .map_err(|e| GatewayError::internal(format!("hydrator: {e}")).from_upstream())?;
        match resp.status().as_u16() {
            200 => {}
            401 => return Err(GatewayError::unauthorized().with_reason("hydrator answered 401")),
            s => {
                return Err(GatewayError::internal(format!("hydrator answered {s}")).from_upstream())
            }
        }
        let body: Value = resp
            .json()
            .await
            .map_err(|e| GatewayError::internal(format!("hydrator body: {e}")))?;
        if body.get("subject").and_then(Value::as_str) != Some(s.subject.as_str()) {
            return Err(GatewayError::internal("hydrator changed the subject"));
        }
        if let Some(Value::Object(extra)) = body.get("extra") {
            s.extra = std::sync::Arc::new(extra.clone());
        }
        if let Some(Value::Object(h)) = body.get("header") {
            for (k, vals) in h {
                let first = match vals {
                    Value::Array(a) => a.first().and_then(Value::as_str),
                    Value::String(v) => Some(v.as_str()),
                    _ => None,
                };
                if let (Ok(n), Some(Ok(v))) = (
                    http::HeaderName::from_bytes(k.as_bytes()),
                    first.map(http::HeaderValue::from_str),
                ) {
                    s.header.insert(n, v);
                }
            }
        }
        Ok(())
    }
}

fn without_host(h: &http::HeaderMap) -> http::HeaderMap {
    let mut h = h.clone();
    h.remove(http::header::HOST);
    h.remove(http::header::CONTENT_LENGTH);
    h
}
