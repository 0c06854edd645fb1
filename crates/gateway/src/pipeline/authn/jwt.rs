//! `jwt`: verifies a bearer JWT against keys from `jwks_urls` (RSA, EC, RSA-PSS, HMAC and,
//! unlike Oathkeeper, EdDSA), then checks audience, issuer and scopes.

use std::time::Duration;

use async_trait::async_trait;
use jsonwebtoken::{jwk::Jwk, Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::token_from::{extract, TokenFrom};
use crate::config::parse_duration;
use crate::error::{AuthnError, GatewayError};
use crate::pipeline::{AuthenticationSession, Authenticator, RequestContext, Services};

/// `configAuthenticatorsJwt`.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default)]
pub struct JwtConfig {
    /// Key set locations.
    pub jwks_urls: Vec<String>,
    /// Scopes the token must grant.
    pub required_scope: Vec<String>,
    /// Audiences that must all be in `aud`.
    pub target_audience: Vec<String>,
    /// Accepted issuers (any when empty).
    pub trusted_issuers: Vec<String>,
    /// Accepted algorithms (`[RS256]` when empty).
    pub allowed_algorithms: Vec<String>,
    /// `hierarchic`, `exact`, `wildcard` or `none`.
    pub scope_strategy: Option<String>,
    /// Where the token is.
    pub token_from: Option<TokenFrom>,
    /// Key set cache lifetime.
    pub jwks_ttl: Option<String>,
    /// Key set fetch deadline.
    pub jwks_max_wait: Option<String>,
}

/// The JWT authenticator.
pub struct Jwt {
    cfg: JwtConfig,
    algorithms: Vec<Algorithm>,
    ttl: Duration,
    max_wait: Duration,
    services: std::sync::Arc<Services>,
}

impl Jwt {
    /// Builds from the merged config.
    pub fn new(cfg: JwtConfig, services: std::sync::Arc<Services>) -> Result<Self, String> {
        let names = if cfg.allowed_algorithms.is_empty() {
            vec!["RS256".to_owned()]
        } else {
            cfg.allowed_algorithms.clone()
        };
        let algorithms = names
            .iter()
            .map(|a| {
                a.parse::<Algorithm>()
                    .map_err(|_| format!("allowed_algorithms: unknown {a:?}"))
            })
            .collect::<Result<_, _>>()?;
        for (i, url) in cfg.jwks_urls.iter().enumerate() {
            crate::jwk::check_source(url).map_err(|e| format!("jwks_urls.{i}: {e}"))?;
        }
        let ttl = parse_duration(cfg.jwks_ttl.as_deref().unwrap_or("30s"))?;
        let max_wait = parse_duration(cfg.jwks_max_wait.as_deref().unwrap_or("1s"))?;
        Ok(Self {
            cfg,
            algorithms,
            ttl,
            max_wait,
            services,
        })
    }

    async fn candidate_keys(&self, kid: Option<&str>, refresh: bool) -> Vec<Value> {
        let mut out = Vec::new();
        for url in &self.cfg.jwks_urls {
            if refresh {
                self.services.jwks.invalidate(url);
            }
            match self.services.jwks.keys(url, self.ttl, self.max_wait).await {
                Ok(keys) => out.extend(
                    keys.iter()
                        .filter(|k| {
                            k.get("use")
                                .and_then(Value::as_str)
                                .is_none_or(|u| u == "sig")
                                && kid.is_none_or(|kid| {
                                    k.get("kid").and_then(Value::as_str) == Some(kid)
                                })
                        })
                        .cloned(),
                ),
                Err(e) => tracing::warn!(error = %e, "JWKS unavailable"),
            }
        }
        out
    }

    fn verify(
        &self,
        token: &str,
        alg: Algorithm,
        keys: &[Value],
    ) -> Result<Map<String, Value>, String> {
        let mut validation = Validation::new(alg);
        validation.validate_aud = false;
        validation.leeway = 0;
        validation.validate_nbf = true;
        validation.required_spec_claims.clear();
        let mut last = "no usable key for this token".to_owned();
        for key in keys {
            let Ok(jwk) = serde_json::from_value::<Jwk>(key.clone()) else {
                continue;
            };
            let Ok(dk) = DecodingKey::from_jwk(&jwk) else {
                continue;
            };
            match jsonwebtoken::decode::<Map<String, Value>>(token, &dk, &validation) {
                Ok(data) => return Ok(data.claims),
                Err(e) => last = e.to_string(),
            }
        }
        Err(last)
    }

    fn check_claims(&self, claims: &mut Map<String, Value>) -> Result<(), String> {
        let aud: Vec<String> = match claims.get("aud") {
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
            _ => vec![],
        };
        for want in &self.cfg.target_audience {
            if !aud.contains(want) {
                return Err(format!("token audience does not contain {want:?}"));
            }
        }
        if !self.cfg.trusted_issuers.is_empty() {
            let iss = claims.get("iss").and_then(Value::as_str).unwrap_or("");
            if !self.cfg.trusted_issuers.iter().any(|t| t == iss) {
                return Err(format!("token issuer {iss:?} is not trusted"));
            }
        }
        let scopes = normalise_scopes(claims);
        let strategy = self.cfg.scope_strategy.as_deref().unwrap_or("none");
        for want in &self.cfg.required_scope {
            if !scopes
                .iter()
                .any(|have| scope_matches(strategy, have, want))
            {
                return Err(format!("token lacks scope {want:?}"));
            }
        }
        Ok(())
    }
}

/// Reads `scp`, `scope` or `scopes` (list or space separated) and stores them as `scp`.
fn normalise_scopes(claims: &mut Map<String, Value>) -> Vec<String> {
    let mut scopes = Vec::new();
    for key in ["scp", "scope", "scopes"] {
        match claims.get(key) {
            Some(Value::String(s)) => scopes.extend(s.split_whitespace().map(str::to_owned)),
            Some(Value::Array(a)) => {
                scopes.extend(a.iter().filter_map(|v| v.as_str().map(str::to_owned)))
            }
            _ => continue,
        }
        break;
    }
    claims.remove("scope");
    claims.remove("scopes");
    claims.insert("scp".into(), json!(scopes));
    scopes
}

/// Ory's scope strategies.
pub fn scope_matches(strategy: &str, have: &str, want: &str) -> bool {
    match strategy {
        "hierarchic" => want == have || want.starts_with(&format!("{have}.")),
        "wildcard" => {
            let (h, w): (Vec<_>, Vec<_>) = (have.split('.').collect(), want.split('.').collect());
            if h.last() == Some(&"*") {
                w.len() >= h.len()
                    && h[..h.len() - 1]
                        .iter()
                        .zip(&w)
                        .all(|(a, b)| a == &"*" || a == b)
            } else {
                h.len() == w.len() && h.iter().zip(&w).all(|(a, b)| a == &"*" || a == b)
            }
        }
        _ => have == want,
    }
}

#[async_trait]
impl Authenticator for Jwt {
    async fn authenticate(
        &self,
        req: &RequestContext,
        session: &mut AuthenticationSession,
    ) -> Result<(), AuthnError> {
        let Some(token) = extract(self.cfg.token_from.as_ref(), req) else {
            return Err(AuthnError::NotResponsible);
        };
        if token.split('.').count() != 3 {
            return Err(AuthnError::NotResponsible);
        }
        let fail =
            |reason: String| AuthnError::Failed(GatewayError::unauthorized().with_reason(reason));
        let header =
            jsonwebtoken::decode_header(&token).map_err(|e| fail(format!("malformed JWT: {e}")))?;
        if !self.algorithms.contains(&header.alg) {
            return Err(fail(format!(
                "JWT signed with disallowed algorithm {:?}",
                header.alg
            )));
        }
        let mut keys = self.candidate_keys(header.kid.as_deref(), false).await;
        if keys.is_empty() && header.kid.is_some() {
            keys = self.candidate_keys(header.kid.as_deref(), true).await;
        }
        let mut claims = self
            .verify(&token, header.alg, &keys)
            .map_err(|e| fail(format!("JWT invalid: {e}")))?;
        if let Err(reason) = self.check_claims(&mut claims) {
            return Err(AuthnError::Failed(
                GatewayError::unauthorized()
                    .with_reason(reason)
                    .with_details(json!({ "jwt_claims": claims })),
            ));
        }
        session.subject = claims
            .get("sub")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        session.extra = std::sync::Arc::new(claims);
        Ok(())
    }
}
