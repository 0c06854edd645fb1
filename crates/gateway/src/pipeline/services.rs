//! Long-lived services shared by all handlers and surviving rule reloads: the outbound HTTP
//! client, caches (sessions, JWKS, id tokens), parsed templates and config validators.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use serde_json::Value;

use super::authn::session_cache::SessionCache;
use super::template::RuleTemplate;
use crate::config::gateway_schema_value;
use crate::jwk::JwksCache;
use crate::metrics::Metrics;

/// Default deadline of outbound calls that have no configured one (session checks, JWKS).
pub const DEFAULT_OUTBOUND_TIMEOUT: Duration = Duration::from_secs(5);

/// Shared handler services.
pub struct Services {
    /// Outbound HTTP client (connect timeout set; per-call deadlines set by handlers).
    pub http: reqwest::Client,
    /// JSON Web Key Sets by URL (verification keys and id_token signing keys).
    pub jwks: JwksCache,
    /// Signed id_token JWTs by (issuer, ttl, jwks, claims, subject), until near expiry.
    pub id_tokens: moka::sync::Cache<String, (Arc<str>, std::time::Instant)>,
    /// Metrics registry.
    pub metrics: Metrics,
    session_caches: Mutex<HashMap<String, SessionCache>>,
    templates: Mutex<HashMap<String, Arc<RuleTemplate>>>,
    validators: Mutex<HashMap<String, Arc<jsonschema::Validator>>>,
}

impl Default for Services {
    fn default() -> Self {
        Self::new(Metrics::new("ory_oathkeeper_"))
    }
}

impl Services {
    /// Builds the shared services.
    pub fn new(metrics: Metrics) -> Self {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(2))
            .pool_max_idle_per_host(256)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("reqwest client builds");
        Self {
            jwks: JwksCache::new(http.clone()),
            http,
            id_tokens: moka::sync::Cache::builder().max_capacity(100_000).build(),
            metrics,
            session_caches: Mutex::default(),
            templates: Mutex::default(),
            validators: Mutex::default(),
        }
    }

    /// A parsed template, shared by every rule using the same text (never stale: keyed by
    /// the text itself, not by rule id).
    pub fn template(&self, text: &str) -> Result<Arc<RuleTemplate>, String> {
        if let Some(t) = self.templates.lock().get(text) {
            return Ok(t.clone());
        }
        let t = Arc::new(RuleTemplate::parse(text)?);
        self.templates.lock().insert(text.to_owned(), t.clone());
        Ok(t)
    }

    /// The session cache for one cache configuration (kept across rule reloads).
    pub fn session_cache(&self, key: &str, ttl: Duration, max: u64) -> SessionCache {
        self.session_caches
            .lock()
            .entry(format!("{key}|{ttl:?}|{max}"))
            .or_insert_with(|| SessionCache::new(ttl, max))
            .clone()
    }

    /// Validates a merged handler config against `definitions.<definition>` of the schema.
    pub fn validate_config(&self, definition: &str, config: &Value) -> Result<(), String> {
        let validator = {
            let mut map = self.validators.lock();
            if let Some(v) = map.get(definition) {
                v.clone()
            } else {
                let root = gateway_schema_value();
                let schema = serde_json::json!({
                    "$ref": format!("#/definitions/{definition}"),
                    "definitions": root["definitions"],
                });
                let v = Arc::new(
                    jsonschema::validator_for(&schema)
                        .map_err(|e| format!("schema for {definition}: {e}"))?,
                );
                map.insert(definition.to_owned(), v.clone());
                v
            }
        };
        let errors: Vec<String> = validator
            .iter_errors(config)
            .map(|e| {
                let path = e.instance_path().to_string();
                if path.is_empty() {
                    e.to_string()
                } else {
                    format!("{}: {e}", path.trim_start_matches('/').replace('/', "."))
                }
            })
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors.join("; "))
        }
    }
}
