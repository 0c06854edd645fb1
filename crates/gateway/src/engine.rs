//! The shared request path of proxy and decisions: match → pipeline → errors.

use std::sync::Arc;

use axum::response::Response;

use crate::config::OathkeeperConfig;
use crate::error::GatewayError;
use crate::pipeline::{errors, AuthenticationSession, RequestContext, Services};
use crate::rule::{CompiledRule, RuleRepository};

/// Everything a request needs.
pub struct Engine {
    /// The typed config.
    pub config: Arc<OathkeeperConfig>,
    /// The live rules.
    pub rules: Arc<RuleRepository>,
    /// Shared services.
    pub services: Arc<Services>,
}

/// A request that passed the pipeline.
pub struct Allowed {
    /// The matched rule.
    pub rule: Arc<CompiledRule>,
    /// The final session (headers to set upstream).
    pub session: AuthenticationSession,
}

/// A request that failed, with the rule it matched (for its error handlers).
pub struct Denied {
    /// The failure.
    pub error: GatewayError,
    /// The matched rule, if matching succeeded.
    pub rule: Option<Arc<CompiledRule>>,
}

impl Engine {
    /// Matches the rule only (the proxy needs it before reading the body).
    pub fn match_rule(
        &self,
        req: &RequestContext,
    ) -> Result<(Arc<CompiledRule>, Vec<String>), Denied> {
        let set = self.rules.guard();
        set.find(req.method.as_str(), req.url.match_string())
            .map(|m| (m.rule, m.captures))
            .map_err(|error| Denied { error, rule: None })
    }

    /// Runs the rule's pipeline.
    pub async fn run(
        &self,
        rule: Arc<CompiledRule>,
        captures: Vec<String>,
        req: &RequestContext,
    ) -> Result<Allowed, Denied> {
        let pipeline = match &rule.pipeline {
            Ok(p) => p,
            Err(e) => {
                let error =
                    GatewayError::internal(format!("rule {:?} is invalid: {e}", rule.spec.id));
                return Err(Denied {
                    error,
                    rule: Some(rule),
                });
            }
        };
        let mut session = AuthenticationSession::new(req, captures);
        match pipeline.run(req, &mut session).await {
            Ok(()) => Ok(Allowed { rule, session }),
            Err(error) => Err(Denied {
                error,
                rule: Some(rule),
            }),
        }
    }

    /// Matches and runs.
    pub async fn decide(&self, req: &RequestContext) -> Result<Allowed, Denied> {
        let (rule, captures) = self.match_rule(req)?;
        self.run(rule, captures, req).await
    }

    /// The one place failures become responses: the rule's error handlers, else the fallback.
    pub fn error_response(&self, denied: &Denied, req: &RequestContext) -> Response {
        let set = self.rules.guard();
        let rule_handlers = match denied.rule.as_ref().map(|r| &r.pipeline) {
            Some(Ok(p)) => p.errors.as_slice(),
            _ => &[],
        };
        errors::handle(rule_handlers, &set.fallback_errors, &denied.error, req)
    }
}
