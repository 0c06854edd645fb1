//! `oauth2_client_credentials`: Basic credentials exchanged for a token at `token_url`.

use std::time::{Duration, Instant};

use async_trait::async_trait;
use base64::Engine;
use serde::Deserialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::config::parse_duration;
use crate::error::{AuthnError, GatewayError};
use crate::pipeline::remote::{too_many, RetryConfig};
use crate::pipeline::services::DEFAULT_OUTBOUND_TIMEOUT;
use crate::pipeline::{AuthenticationSession, Authenticator, RequestContext, Services};

/// `configAuthenticatorsOauth2ClientCredentials`.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default)]
pub struct ClientCredentialsConfig {
    /// Token endpoint.
    pub token_url: String,
    /// Scopes requested.
    pub required_scope: Vec<String>,
    /// Deadline.
    pub retry: Option<RetryConfig>,
    /// `{enabled, ttl, max_tokens}`.
    pub cache: Option<ClientCredentialsCache>,
}

/// Token cache settings.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default)]
pub struct ClientCredentialsCache {
    /// On/off.
    pub enabled: bool,
    /// Upper bound (else the token's expiry).
    pub ttl: Option<String>,
    /// Capacity.
    pub max_tokens: Option<u64>,
}

/// The client credentials authenticator.
pub struct ClientCredentials {
    cfg: ClientCredentialsConfig,
    deadline: Duration,
    ttl: Option<Duration>,
    cache: Option<moka::sync::Cache<[u8; 32], Instant>>,
    http: reqwest::Client,
}

impl ClientCredentials {
    /// Builds from the merged config.
    pub fn new(cfg: ClientCredentialsConfig, services: &Services) -> Result<Self, String> {
        url::Url::parse(&cfg.token_url).map_err(|e| format!("token_url: {e}"))?;
        let deadline = cfg
            .retry
            .clone()
            .unwrap_or_default()
            .deadline(DEFAULT_OUTBOUND_TIMEOUT)?;
        let c = cfg.cache.clone().unwrap_or_default();
        let ttl = c.ttl.as_deref().map(parse_duration).transpose()?;
        let cache = c.enabled.then(|| {
            moka::sync::Cache::builder()
                .max_capacity(c.max_tokens.unwrap_or(1000))
                .build()
        });
        Ok(Self {
            cfg,
            deadline,
            ttl,
            cache,
            http: services.http.clone(),
        })
    }
}

fn basic(req: &RequestContext) -> Option<(String, String)> {
    let v = req
        .headers
        .get(http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, rest) = v.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let raw = base64::engine::general_purpose::STANDARD
        .decode(rest.trim())
        .ok()?;
    let text = String::from_utf8(raw).ok()?;
    let (id, secret) = text.split_once(':')?;
    let un = |s: &str| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8_lossy()
            .into_owned()
    };
    Some((un(id), un(secret)))
}

#[async_trait]
impl Authenticator for ClientCredentials {
    async fn authenticate(
        &self,
        req: &RequestContext,
        session: &mut AuthenticationSession,
    ) -> Result<(), AuthnError> {
        let Some((id, secret)) = basic(req) else {
            return Err(AuthnError::NotResponsible);
        };
        let key: [u8; 32] = Sha256::digest(format!(
            "{id}\0{secret}\0{}",
            self.cfg.required_scope.join(" ")
        ))
        .into();
        if let Some(cache) = &self.cache {
            if cache.get(&key).is_some_and(|until| until > Instant::now()) {
                session.subject = id;
                return Ok(());
            }
        }
        let resp = self
            .http
            .post(&self.cfg.token_url)
            .timeout(self.deadline)
            .basic_auth(&id, Some(&secret))
            .form(&[
                ("grant_type", "client_credentials"),
                ("scope", &self.cfg.required_scope.join(" ")),
            ])
            .send()
            .await
            .map_err(|e| GatewayError::internal(format!("token endpoint: {e}")).from_upstream())?;
        match resp.status().as_u16() {
            200 => {}
            429 => return Err(too_many(&resp).into()),
            s @ (500 | 503 | 504 | 404) => {
                let st = http::StatusCode::from_u16(s)
                    .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
                return Err(GatewayError::status(st, "token endpoint failed")
                    .from_upstream()
                    .into());
            }
            _ => {
                return Err(GatewayError::unauthorized()
                    .with_reason("client credentials rejected")
                    .into())
            }
        }
        let body: Value = resp.json().await.unwrap_or(Value::Null);
        if let Some(cache) = &self.cache {
            let exp = body
                .get("expires_in")
                .and_then(Value::as_u64)
                .map(Duration::from_secs);
            let ttl = match (self.ttl, exp) {
                (Some(a), Some(b)) => a.min(b),
                (a, b) => a.or(b).unwrap_or(Duration::from_secs(60)),
            };
            cache.insert(key, Instant::now() + ttl);
        }
        session.subject = id;
        Ok(())
    }
}
