//! Builds handlers from ids and configs: global config ⊕ rule config (deep merge, rule wins),
//! validated against the handler's schema definition once, at rule load.

use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::authn::{
    bearer_token, cookie_session, jwt, oauth2_client_credentials as occ,
    oauth2_introspection as oi, simple,
};
use super::authz::{keto, remote, simple as authz_simple};
use super::errors::handlers;
use super::mutate::{headers as mh, hydrator, id_token};
use super::{Authenticator, Authorizer, ErrorHandler, Mutator, Pipeline, Services};
use crate::config::OathkeeperConfig;
use crate::rule::{RuleHandler, RuleSpec};

const AUTHENTICATORS: &[(&str, Option<&str>)] = &[
    ("noop", None),
    ("anonymous", Some("configAuthenticatorsAnonymous")),
    ("unauthorized", None),
    ("cookie_session", Some("configAuthenticatorsCookieSession")),
    ("bearer_token", Some("configAuthenticatorsBearerToken")),
    ("jwt", Some("configAuthenticatorsJwt")),
    (
        "oauth2_introspection",
        Some("configAuthenticatorsOauth2Introspection"),
    ),
    (
        "oauth2_client_credentials",
        Some("configAuthenticatorsOauth2ClientCredentials"),
    ),
];
const AUTHORIZERS: &[(&str, Option<&str>)] = &[
    ("allow", None),
    ("deny", None),
    ("remote", Some("configAuthorizersRemote")),
    ("remote_json", Some("configAuthorizersRemoteJSON")),
    (
        "keto_engine_acp_ory",
        Some("configAuthorizersKetoEngineAcpOry"),
    ),
];
const MUTATORS: &[(&str, Option<&str>)] = &[
    ("noop", None),
    ("header", Some("configMutatorsHeader")),
    ("cookie", Some("configMutatorsCookie")),
    ("id_token", Some("configMutatorsIdToken")),
    ("hydrator", Some("configMutatorsHydrator")),
];
const ERRORS: &[(&str, Option<&str>)] = &[
    ("json", Some("configErrorsJSON")),
    ("redirect", Some("configErrorsRedirect")),
    ("www_authenticate", Some("configErrorsWWWAuthenticate")),
];

fn table(kind: &str) -> &'static [(&'static str, Option<&'static str>)] {
    match kind {
        "authenticators" => AUTHENTICATORS,
        "authorizers" => AUTHORIZERS,
        "mutators" => MUTATORS,
        "errors" => ERRORS,
        _ => &[],
    }
}

/// Whether `id` is a handler of `kind`.
pub fn is_known(kind: &str, id: &str) -> bool {
    table(kind).iter().any(|(n, _)| *n == id)
}

/// Whether an enabled handler must have a `config` (anonymous' is optional).
pub fn needs_config(kind: &str, id: &str) -> bool {
    table(kind).iter().any(|(n, d)| {
        *n == id && d.is_some() && !matches!(id, "anonymous" | "json" | "www_authenticate")
    })
}

/// Deep merge, `over` wins.
pub fn deep_merge(base: &mut Value, over: &Value) {
    match (base, over) {
        (Value::Object(b), Value::Object(o)) => {
            for (k, v) in o {
                deep_merge(b.entry(k.clone()).or_insert(Value::Null), v);
            }
        }
        (b, o) if !o.is_null() => *b = o.clone(),
        _ => {}
    }
}

/// Turns handler references into handlers.
#[derive(Clone)]
pub struct Registry {
    config: Arc<OathkeeperConfig>,
    services: Arc<Services>,
}

impl Registry {
    /// A registry over the global config.
    pub fn new(config: Arc<OathkeeperConfig>, services: Arc<Services>) -> Self {
        Self { config, services }
    }

    /// The shared services.
    pub fn services(&self) -> &Arc<Services> {
        &self.services
    }

    /// The merged, validated config of `h`, deserialized into `T`.
    fn merged<T: DeserializeOwned>(&self, kind: &str, h: &RuleHandler) -> Result<T, String> {
        let id = h.handler.as_str();
        let (_, def) = table(kind)
            .iter()
            .find(|(n, _)| *n == id)
            .ok_or_else(|| format!("unknown {} handler {id:?}", &kind[..kind.len() - 1]))?;
        let sw = self.config.handler(kind, id);
        if !sw.is_some_and(|s| s.enabled) {
            return Err(format!(
                "{} handler {id:?} is disabled",
                &kind[..kind.len() - 1]
            ));
        }
        let mut merged = match sw.map(|s| &s.config) {
            Some(v) if v.is_object() => v.clone(),
            _ => Value::Object(Default::default()),
        };
        deep_merge(&mut merged, &h.config);
        if let Some(def) = def {
            self.services
                .validate_config(def, &merged)
                .map_err(|e| format!("{kind}.{id}.config: {e}"))?;
        }
        serde_json::from_value(merged).map_err(|e| format!("{kind}.{id}.config: {e}"))
    }

    /// An authenticator.
    pub fn authenticator(&self, h: &RuleHandler) -> Result<Arc<dyn Authenticator>, String> {
        let k = "authenticators";
        let s = &self.services;
        Ok(match h.handler.as_str() {
            "noop" => {
                self.merged::<Value>(k, h)?;
                Arc::new(simple::Noop)
            }
            "unauthorized" => {
                self.merged::<Value>(k, h)?;
                Arc::new(simple::Unauthorized)
            }
            "anonymous" => Arc::new(simple::Anonymous(self.merged(k, h)?)),
            "cookie_session" => {
                Arc::new(cookie_session::CookieSession::new(self.merged(k, h)?, s)?)
            }
            "bearer_token" => Arc::new(bearer_token::BearerToken::new(self.merged(k, h)?, s)?),
            "jwt" => Arc::new(jwt::Jwt::new(self.merged(k, h)?, s.clone())?),
            "oauth2_introspection" => Arc::new(oi::Introspection::new(self.merged(k, h)?, s)?),
            "oauth2_client_credentials" => {
                Arc::new(occ::ClientCredentials::new(self.merged(k, h)?, s)?)
            }
            other => return Err(format!("unknown authenticator {other:?}")),
        })
    }

    /// An authorizer.
    pub fn authorizer(&self, h: &RuleHandler) -> Result<Arc<dyn Authorizer>, String> {
        let k = "authorizers";
        let s = &self.services;
        Ok(match h.handler.as_str() {
            "allow" => {
                self.merged::<Value>(k, h)?;
                Arc::new(authz_simple::Allow)
            }
            "deny" => {
                self.merged::<Value>(k, h)?;
                Arc::new(authz_simple::Deny)
            }
            "remote" => Arc::new(remote::Remote::new(self.merged(k, h)?, false, s)?),
            "remote_json" => Arc::new(remote::Remote::new(self.merged(k, h)?, true, s)?),
            "keto_engine_acp_ory" => Arc::new(keto::Keto::new(self.merged(k, h)?, s)?),
            "" => return Err("authorizer is required".into()),
            other => return Err(format!("unknown authorizer {other:?}")),
        })
    }

    /// A mutator.
    pub fn mutator(&self, h: &RuleHandler) -> Result<Arc<dyn Mutator>, String> {
        let k = "mutators";
        let s = &self.services;
        Ok(match h.handler.as_str() {
            "noop" => {
                self.merged::<Value>(k, h)?;
                Arc::new(mh::Noop)
            }
            "header" => Arc::new(mh::Header::new(self.merged(k, h)?, s)?),
            "cookie" => Arc::new(mh::Cookie::new(self.merged(k, h)?, s)?),
            "id_token" => Arc::new(id_token::IdToken::new(self.merged(k, h)?, s.clone())?),
            "hydrator" => Arc::new(hydrator::Hydrator::new(self.merged(k, h)?, s)?),
            other => return Err(format!("unknown mutator {other:?}")),
        })
    }

    /// An error handler.
    pub fn error_handler(&self, h: &RuleHandler) -> Result<Arc<dyn ErrorHandler>, String> {
        let k = "errors";
        Ok(match h.handler.as_str() {
            "json" => Arc::new(self.merged::<handlers::Json>(k, h)?),
            "redirect" => Arc::new(self.merged::<handlers::Redirect>(k, h)?),
            "www_authenticate" => Arc::new(self.merged::<handlers::WwwAuthenticate>(k, h)?),
            other => return Err(format!("unknown error handler {other:?}")),
        })
    }

    /// `errors.fallback` with their global configs (unusable entries are skipped and logged).
    pub fn fallback_error_handlers(&self) -> Vec<Arc<dyn ErrorHandler>> {
        self.config
            .errors
            .fallback
            .iter()
            .filter_map(|id| {
                let h = RuleHandler {
                    handler: id.clone(),
                    config: Value::Null,
                };
                self.error_handler(&h)
                    .map_err(|e| tracing::warn!(error = %e, "fallback error handler unusable"))
                    .ok()
            })
            .collect()
    }

    /// The whole pipeline of a rule; `Err` makes the rule invalid (it matches and fails 500).
    pub fn pipeline(&self, spec: &RuleSpec) -> Result<Pipeline, String> {
        if spec.authenticators.is_empty() {
            return Err("authenticators must not be empty".into());
        }
        if spec.mutators.is_empty() {
            return Err("mutators must not be empty".into());
        }
        Ok(Pipeline {
            authenticators: spec
                .authenticators
                .iter()
                .map(|h| self.authenticator(h))
                .collect::<Result<_, _>>()?,
            authorizer: self.authorizer(&spec.authorizer)?,
            mutators: spec
                .mutators
                .iter()
                .map(|h| self.mutator(h))
                .collect::<Result<_, _>>()?,
            errors: spec
                .errors
                .iter()
                .map(|h| self.error_handler(h))
                .collect::<Result<_, _>>()?,
        })
    }

    /// Every `id_token` JWKS URL in the global config and in `rules` (for the JWKS endpoint).
    pub fn id_token_jwks_urls<'a>(&self, rules: impl Iterator<Item = &'a RuleSpec>) -> Vec<String> {
        let mut urls = Vec::new();
        if let Some(u) = self
            .config
            .mutators
            .get("id_token")
            .and_then(|s| s.config.get("jwks_url"))
            .and_then(Value::as_str)
        {
            urls.push(u.to_owned());
        }
        for r in rules {
            for m in r.mutators.iter().filter(|m| m.handler == "id_token") {
                if let Some(u) = m.config.get("jwks_url").and_then(Value::as_str) {
                    urls.push(u.to_owned());
                }
            }
        }
        urls.sort();
        urls.dedup();
        urls
    }
}
