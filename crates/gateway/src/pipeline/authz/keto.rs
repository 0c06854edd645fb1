//! `keto_engine_acp_ory`: Keto's legacy ORY access control policy engine.

use std::sync::Arc;

use async_trait::async_trait;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::error::GatewayError;
use crate::pipeline::services::DEFAULT_OUTBOUND_TIMEOUT;
use crate::pipeline::template::RuleTemplate;
use crate::pipeline::{AuthenticationSession, Authorizer, RequestContext, Services};

/// `configAuthorizersKetoEngineAcpOry`.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default)]
pub struct KetoConfig {
    /// Keto base URL.
    pub base_url: String,
    /// Action template.
    pub required_action: String,
    /// Resource template.
    pub required_resource: String,
    /// Subject template (default: the session subject).
    pub subject: Option<String>,
    /// `regex`, `glob` or `exact`.
    pub flavor: Option<String>,
}

/// The Keto ACP authorizer.
pub struct Keto {
    url: String,
    action: Arc<RuleTemplate>,
    resource: Arc<RuleTemplate>,
    subject: Option<Arc<RuleTemplate>>,
    http: reqwest::Client,
}

impl Keto {
    /// Builds from the merged config.
    pub fn new(cfg: KetoConfig, services: &Services) -> Result<Self, String> {
        url::Url::parse(&cfg.base_url).map_err(|e| format!("base_url: {e}"))?;
        let flavor = cfg.flavor.clone().unwrap_or_else(|| "regex".into());
        Ok(Self {
            url: format!(
                "{}/engines/acp/ory/{flavor}/allowed",
                cfg.base_url.trim_end_matches('/')
            ),
            action: services.template(&cfg.required_action)?,
            resource: services.template(&cfg.required_resource)?,
            subject: cfg
                .subject
                .as_deref()
                .map(|s| services.template(s))
                .transpose()?,
            http: services.http.clone(),
        })
    }
}

#[async_trait]
impl Authorizer for Keto {
    async fn authorize(
        &self,
        req: &RequestContext,
        session: &mut AuthenticationSession,
    ) -> Result<(), GatewayError> {
        let subject = match &self.subject {
            Some(t) => t.render(session)?,
            None => session.subject.clone(),
        };
        let body = json!({
            "action": self.action.render(session)?,
            "resource": self.resource.render(session)?,
            "subject": subject,
            "context": {
                "remoteIpAddress": req.remote_addr.map(|a| a.to_string()).unwrap_or_default(),
                "requestedAt": chrono::Utc::now().to_rfc3339(),
            }
        });
        let resp = self
            .http
            .post(&self.url)
            .timeout(DEFAULT_OUTBOUND_TIMEOUT)
            .json(&body)
            .send()
            .await
            .map_err(|e| GatewayError::internal(format!("keto: {e}")).from_upstream())?;
        if resp.status() == http::StatusCode::FORBIDDEN {
            return Err(GatewayError::forbidden());
        }
        if !resp.status().is_success() {
            return Err(
                GatewayError::internal(format!("keto answered {}", resp.status())).from_upstream(),
            );
        }
        let v: Value = resp.json().await.unwrap_or(Value::Null);
        if v.get("allowed").and_then(Value::as_bool) == Some(true) {
            Ok(())
        } else {
            Err(GatewayError::forbidden())
        }
    }
}
