//! `id_token`: a signed JWT for the upstream, cached per (issuer, ttl, jwks, claims, subject)
//! and re-signed when less than 10% of its life remains.

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use jsonwebtoken::{encode, Header};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::config::parse_duration;
use crate::error::GatewayError;
use crate::jwk::{first_signing_jwk, signing_key};
use crate::pipeline::template::RuleTemplate;
use crate::pipeline::{AuthenticationSession, Mutator, RequestContext, Services};

/// `configMutatorsIdToken`.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default)]
pub struct IdTokenConfig {
    /// `iss` of issued tokens.
    pub issuer_url: String,
    /// Where the private signing keys are.
    pub jwks_url: String,
    /// Token lifetime (default 15m).
    pub ttl: Option<String>,
    /// JSON template of extra claims.
    pub claims: Option<String>,
}

/// The id_token mutator.
pub struct IdToken {
    cfg: IdTokenConfig,
    ttl: Duration,
    claims: Option<Arc<RuleTemplate>>,
    services: Arc<Services>,
}

impl IdToken {
    /// Builds from the merged config.
    pub fn new(cfg: IdTokenConfig, services: Arc<Services>) -> Result<Self, String> {
        crate::jwk::check_source(&cfg.jwks_url).map_err(|e| format!("jwks_url: {e}"))?;
        let ttl = parse_duration(cfg.ttl.as_deref().unwrap_or("15m"))?;
        let claims = cfg
            .claims
            .as_deref()
            .map(|c| services.template(c))
            .transpose()?;
        Ok(Self {
            cfg,
            ttl,
            claims,
            services,
        })
    }

    /// The JWKS URLs this mutator signs with (for `/.well-known/jwks.json`).
    pub fn jwks_url(&self) -> &str {
        &self.cfg.jwks_url
    }
}

#[async_trait]
impl Mutator for IdToken {
    async fn mutate(
        &self,
        _req: &RequestContext,
        s: &mut AuthenticationSession,
    ) -> Result<(), GatewayError> {
        let claims_text = match &self.claims {
            Some(t) => t.render(s)?,
            None => String::new(),
        };
        let key = format!(
            "{}\0{:?}\0{}\0{}\0{}",
            self.cfg.issuer_url, self.ttl, self.cfg.jwks_url, claims_text, s.subject
        );
        if let Some((jwt, until)) = self.services.id_tokens.get(&key) {
            if until > Instant::now() {
                s.header.insert(http::header::AUTHORIZATION, bearer(&jwt)?);
                return Ok(());
            }
        }
        let mut claims: Map<String, Value> = if claims_text.trim().is_empty() {
            Map::new()
        } else {
            serde_json::from_str(&claims_text).map_err(|e| {
                GatewayError::internal(format!("id_token claims are not a JSON object: {e}"))
            })?
        };
        let now = chrono::Utc::now().timestamp();
        let exp = now + self.ttl.as_secs() as i64;
        claims.insert("exp".into(), json!(exp));
        claims.insert("jti".into(), json!(uuid::Uuid::new_v4().to_string()));
        claims.insert("iat".into(), json!(now));
        claims.insert("iss".into(), json!(self.cfg.issuer_url));
        claims.insert("nbf".into(), json!(now));
        claims.insert("sub".into(), json!(s.subject));
        let keys = self
            .services
            .jwks
            .keys(
                &self.cfg.jwks_url,
                Duration::from_secs(300),
                Duration::from_secs(5),
            )
            .await
            .map_err(GatewayError::internal)?;
        let jwk = first_signing_jwk(&keys).ok_or_else(|| {
            GatewayError::internal(format!("no private signing key in {}", self.cfg.jwks_url))
        })?;
        let (enc, alg) = signing_key(jwk).map_err(GatewayError::internal)?;
        let mut header = Header::new(alg);
        header.kid = jwk.get("kid").and_then(Value::as_str).map(str::to_owned);
        let jwt: Arc<str> = encode(&header, &claims, &enc)
            .map_err(|e| GatewayError::internal(format!("signing id_token: {e}")))?
            .into();
        let fresh_for = self.ttl.mul_f64(0.9);
        self.services
            .id_tokens
            .insert(key, (jwt.clone(), Instant::now() + fresh_for));
        s.header.insert(http::header::AUTHORIZATION, bearer(&jwt)?);
        Ok(())
    }
}

fn bearer(jwt: &str) -> Result<http::HeaderValue, GatewayError> {
    http::HeaderValue::from_str(&format!("Bearer {jwt}"))
        .map_err(|_| GatewayError::internal("invalid JWT header"))
}
