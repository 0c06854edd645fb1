//! `remote` (forwards the request body) and `remote_json` (templated JSON payload).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use http::header::{AUTHORIZATION, CONTENT_TYPE};
use serde::Deserialize;

use crate::error::GatewayError;
use crate::pipeline::remote::{too_many, RetryConfig};
use crate::pipeline::services::DEFAULT_OUTBOUND_TIMEOUT;
use crate::pipeline::template::RuleTemplate;
use crate::pipeline::{AuthenticationSession, Authorizer, RequestContext, Services};

/// `configAuthorizersRemote` / `configAuthorizersRemoteJSON`.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default)]
pub struct RemoteConfig {
    /// Authorization endpoint.
    pub remote: String,
    /// Templated request headers.
    pub headers: BTreeMap<String, String>,
    /// JSON payload template (`remote_json` only).
    pub payload: Option<String>,
    /// Response headers copied into the upstream request.
    pub forward_response_headers_to_upstream: Vec<String>,
    /// Deadline.
    pub retry: Option<RetryConfig>,
}

/// Both remote authorizers.
pub struct Remote {
    cfg: RemoteConfig,
    remote: Arc<RuleTemplate>,
    headers: Vec<(http::HeaderName, Arc<RuleTemplate>)>,
    payload: Option<Arc<RuleTemplate>>,
    deadline: Duration,
    http: reqwest::Client,
}

impl Remote {
    /// Builds from the merged config; `json` selects `remote_json`.
    pub fn new(cfg: RemoteConfig, json: bool, services: &Services) -> Result<Self, String> {
        let remote = services.template(&cfg.remote)?;
        if !cfg.remote.contains("{{") {
            url::Url::parse(&cfg.remote).map_err(|e| format!("remote: {e}"))?;
        }
        let headers = cfg
            .headers
            .iter()
            .map(|(k, v)| {
                let name = http::HeaderName::from_bytes(k.as_bytes())
                    .map_err(|e| format!("headers.{k}: {e}"))?;
                Ok((name, services.template(v)?))
            })
            .collect::<Result<_, String>>()?;
        let payload = match (json, &cfg.payload) {
            (true, Some(p)) => Some(services.template(p)?),
            (true, None) => return Err("payload is required".into()),
            (false, _) => None,
        };
        let deadline = cfg
            .retry
            .clone()
            .unwrap_or_default()
            .deadline(DEFAULT_OUTBOUND_TIMEOUT)?;
        Ok(Self {
            cfg,
            remote,
            headers,
            payload,
            deadline,
            http: services.http.clone(),
        })
    }
}

#[async_trait]
impl Authorizer for Remote {
    async fn authorize(
        &self,
        req: &RequestContext,
        session: &mut AuthenticationSession,
    ) -> Result<(), GatewayError> {
        let url = self.remote.render(session)?;
        let mut out = self.http.post(&url).timeout(self.deadline);
        if let Some(payload) = &self.payload {
            let body = payload.render(session)?;
            serde_json::from_str::<serde_json::Value>(&body).map_err(|e| {
                GatewayError::internal(format!("remote_json payload is not JSON: {e}"))
            })?;
            out = out.header(CONTENT_TYPE, "application/json").body(body);
        } else {
            if let Some(ct) = req.headers.get(CONTENT_TYPE) {
                out = out.header(CONTENT_TYPE, ct.clone());
            }
            out = out.body(req.body.clone().unwrap_or_default());
        }
        if let Some(a) = req.headers.get(AUTHORIZATION) {
            out = out.header(AUTHORIZATION, a.clone());
        }
        for (name, tpl) in &self.headers {
            out = out.header(name.clone(), tpl.render(session)?);
        }
        let resp = out.send().await.map_err(|e| {
            GatewayError::internal(format!("remote authorizer: {e}")).from_upstream()
        })?;
        match resp.status().as_u16() {
            200 => {}
            403 => {
                return Err(
                    GatewayError::forbidden().with_reason("remote authorizer denied the request")
                )
            }
            429 => return Err(too_many(&resp)),
            s => {
                return Err(GatewayError::internal(format!(
                    "expected status code 200 but got {s} from the remote authorizer"
                ))
                .from_upstream())
            }
        }
        for name in &self.cfg.forward_response_headers_to_upstream {
            if let (Ok(n), Some(v)) = (
                http::HeaderName::from_bytes(name.as_bytes()),
                resp.headers().get(name),
            ) {
                session.header.insert(n, v.clone());
            }
        }
        Ok(())
    }

    fn needs_body(&self) -> bool {
        self.payload.is_none()
    }
}
