//! The remote session check shared by `cookie_session` and `bearer_token`, with our optional
//! session cache (keyed by a keyed hash of what would be forwarded; TTL bounded by the
//! session's own `expires_at` and Kratos' `Ory-Session-Cache-For`).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use http::{HeaderMap, HeaderName, HeaderValue};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::session_cache::{CacheKey, CheckedSession, KeyBuilder, SessionCache};
use crate::config::parse_duration;
use crate::error::GatewayError;
use crate::pipeline::gjson;
use crate::pipeline::remote::too_many;
use crate::pipeline::services::DEFAULT_OUTBOUND_TIMEOUT;
use crate::pipeline::{AuthenticationSession, RequestContext};

use super::token_from::TokenFrom;

/// Config keys common to `cookie_session` and `bearer_token`.
#[derive(Debug, Clone, Deserialize)]
pub struct SessionCheckConfig {
    /// The session endpoint, e.g. Kratos' `/sessions/whoami`.
    pub check_session_url: String,
    /// Cookie names that make `cookie_session` responsible (any cookie when empty).
    #[serde(default)]
    pub only: Vec<String>,
    /// Keep the check URL's query (else the request's query replaces it).
    #[serde(default = "yes")]
    pub preserve_query: bool,
    /// Keep the check URL's path (else the request's path replaces it).
    #[serde(default)]
    pub preserve_path: bool,
    /// Send `X-Forwarded-Host` with the original host.
    #[serde(default)]
    pub preserve_host: bool,
    /// Method for the check (default: the request's).
    #[serde(default)]
    pub force_method: Option<String>,
    /// Request headers forwarded to the check.
    #[serde(default)]
    pub forward_http_headers: Vec<String>,
    /// Extra headers on the check.
    #[serde(default)]
    pub additional_headers: BTreeMap<String, String>,
    /// GJSON path of `extra`.
    #[serde(default = "extra")]
    pub extra_from: String,
    /// GJSON path of the subject (default differs per authenticator).
    #[serde(default)]
    pub subject_from: Option<String>,
    /// `bearer_token` only: where the token is.
    #[serde(default)]
    pub token_from: Option<TokenFrom>,
    /// `bearer_token` only: required token prefix.
    #[serde(default)]
    pub prefix: Option<String>,
    /// Nexus extension: the session cache.
    #[serde(default)]
    pub cache: CacheConfig,
}

fn yes() -> bool {
    true
}

fn extra() -> String {
    "extra".into()
}

/// `cache {enabled, ttl, max_entries}` (off by default, as Oathkeeper has no cache).
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct CacheConfig {
    /// Whether successful checks are cached.
    pub enabled: bool,
    /// Upper bound of an entry's life.
    pub ttl: String,
    /// Maximum number of cached sessions.
    pub max_entries: u64,
}

impl Default for CacheConfig {
    fn default() -> Self {
        Self {
            enabled: false,
            ttl: "30s".into(),
            max_entries: 100_000,
        }
    }
}

/// A configured session checker. Everything that does not depend on the request (header
/// names, the forced method, the check URL) is parsed once here, not per request.
pub struct SessionChecker {
    cfg: SessionCheckConfig,
    check_url: url::Url,
    subject_from: String,
    force_method: Option<http::Method>,
    additional: Vec<(HeaderName, HeaderValue)>,
    /// The session cache, with its keys' parts that are the same for every request, hashed
    /// once ([`constant_key_parts`]).
    cache: Option<(SessionCache, KeyBuilder)>,
    http: reqwest::Client,
}

impl SessionChecker {
    /// Validates the config; `default_subject_from` differs per authenticator.
    pub fn new(
        cfg: SessionCheckConfig,
        default_subject_from: &str,
        services: &crate::pipeline::Services,
    ) -> Result<Self, String> {
        let check_url = url::Url::parse(&cfg.check_session_url)
            .map_err(|e| format!("check_session_url: {e}"))?;
        let cache = if cfg.cache.enabled {
            let ttl = parse_duration(&cfg.cache.ttl).map_err(|e| format!("cache.ttl: {e}"))?;
            Some(services.session_cache(&cfg.check_session_url, ttl, cfg.cache.max_entries))
        } else {
            None
        };
        let force_method = match cfg.force_method.as_deref().filter(|m| !m.is_empty()) {
            Some(m) => Some(
                http::Method::from_bytes(m.to_ascii_uppercase().as_bytes())
                    .map_err(|_| format!("force_method: invalid method {m:?}"))?,
            ),
            None => None,
        };
        let additional: Vec<(HeaderName, HeaderValue)> = cfg
            .additional_headers
            .iter()
            .map(|(k, v)| {
                let n = HeaderName::from_bytes(k.as_bytes())
                    .map_err(|e| format!("additional_headers.{k}: {e}"))?;
                let v =
                    HeaderValue::from_str(v).map_err(|e| format!("additional_headers.{k}: {e}"))?;
                Ok((n, v))
            })
            .collect::<Result<_, String>>()?;
        let cache = cache.map(|cache| {
            let prefix = constant_key_parts(cache.key(), &cfg, &check_url, &additional);
            (cache, prefix)
        });
        Ok(Self {
            subject_from: cfg
                .subject_from
                .clone()
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| default_subject_from.to_owned()),
            check_url,
            force_method,
            additional,
            cache,
            http: services.http.clone(),
            cfg,
        })
    }

    /// The config.
    pub fn config(&self) -> &SessionCheckConfig {
        &self.cfg
    }

    /// The check URL for this request (`preserve_path`/`preserve_query` applied).
    fn url_for(&self, req: &RequestContext) -> std::borrow::Cow<'_, url::Url> {
        use std::borrow::Cow;
        if self.cfg.preserve_path && self.cfg.preserve_query {
            return Cow::Borrowed(&self.check_url);
        }
        let mut url = self.check_url.clone();
        if !self.cfg.preserve_path {
            url.set_path(req.url.path());
        }
        if !self.cfg.preserve_query {
            url.set_query(Some(req.url.raw_query()).filter(|q| !q.is_empty()));
        }
        Cow::Owned(url)
    }

    /// Fills the session from the cache, if it holds this check's answer.
    pub fn cached(
        &self,
        req: &RequestContext,
        forwarded: &Forwarded<'_>,
        session: &mut AuthenticationSession,
    ) -> bool {
        let Some((cache, prefix)) = &self.cache else {
            return false;
        };
        let Some(hit) = cache.get(&self.cache_key(prefix, req, forwarded), req.received) else {
            return false;
        };
        session.subject = hit.subject.clone();
        session.extra = hit.extra.clone();
        true
    }

    /// Calls the session endpoint (or the cache) and fills the session.
    pub async fn check(
        &self,
        req: &RequestContext,
        forwarded: Forwarded<'_>,
        session: &mut AuthenticationSession,
    ) -> Result<(), GatewayError> {
        if self.cached(req, &forwarded, session) {
            return Ok(());
        }
        // Boxed: the remote call is the cold path, and would otherwise enlarge every
        // authenticator's future (which the allocator then serves off its slow path).
        Box::pin(self.ask(req, forwarded, session)).await
    }

    fn method<'a>(&'a self, req: &'a RequestContext) -> &'a http::Method {
        self.force_method.as_ref().unwrap_or(&req.method)
    }

    /// The cache key of a check: what determines the request [`Self::ask`] would send (the
    /// check URL, the path/query/host settings and the additional headers, hashed once in
    /// [`constant_key_parts`]; then the method, the request's path and query where they
    /// replace the URL's, its host where it is sent as `X-Forwarded-Host`, and the forwarded
    /// headers), without building that request.
    fn cache_key(
        &self,
        prefix: &KeyBuilder,
        req: &RequestContext,
        forwarded: &Forwarded<'_>,
    ) -> CacheKey {
        let cfg = &self.cfg;
        let mut key = prefix.clone();
        key.part(self.method(req).as_str().as_bytes());
        if !cfg.preserve_path {
            key.part(req.url.path().as_bytes());
        }
        if !cfg.preserve_query {
            key.part(req.url.raw_query().as_bytes());
        }
        if cfg.preserve_host {
            key.part(req.url.host().as_bytes());
        }
        for name in forwarded.names {
            for value in req.headers.all(name.as_str()) {
                key.part(name.as_str().as_bytes()).part(value);
            }
        }
        // Header names are never empty: this part ends the list.
        key.part(b"");
        match &forwarded.authorization {
            Some(v) => key.part(b"1").part(v.as_bytes()),
            None => key.part(b"0"),
        };
        key.finish()
    }

    /// The headers the check sends: the forwarded ones, the fallback `Authorization`, then
    /// `additional_headers` (each replacing a forwarded one of the same name).
    fn headers(&self, req: &RequestContext, forwarded: Forwarded<'_>) -> HeaderMap {
        let mut out = HeaderMap::with_capacity(forwarded.names.len() + self.additional.len() + 1);
        for n in forwarded.names {
            for v in req.headers.get_all(n) {
                out.append(n.clone(), v.clone());
            }
        }
        if let Some(v) = forwarded.authorization {
            if !out.contains_key(http::header::AUTHORIZATION) {
                out.insert(http::header::AUTHORIZATION, v);
            }
        }
        for (n, v) in &self.additional {
            out.insert(n.clone(), v.clone());
        }
        out
    }

    /// The remote session check, cached on success.
    async fn ask(
        &self,
        req: &RequestContext,
        forwarded: Forwarded<'_>,
        session: &mut AuthenticationSession,
    ) -> Result<(), GatewayError> {
        let key = self
            .cache
            .as_ref()
            .map(|(_, prefix)| self.cache_key(prefix, req, &forwarded));
        let url = self.url_for(req).into_owned();
        let mut out = self
            .http
            .request(self.method(req).clone(), url)
            .timeout(DEFAULT_OUTBOUND_TIMEOUT)
            .headers(self.headers(req, forwarded));
        if self.cfg.preserve_host {
            out = out.header("X-Forwarded-Host", req.url.host());
        }
        let resp = out.send().await.map_err(|e| {
            GatewayError::forbidden()
                .with_reason(format!("session check failed: {e}"))
                .from_upstream()
        })?;
        match resp.status().as_u16() {
            200 => {}
            429 => return Err(too_many(&resp)),
            s => {
                return Err(GatewayError::unauthorized()
                    .with_reason(format!("session check answered {s}"))
                    .from_upstream())
            }
        }
        let cache_for = resp
            .headers()
            .get("ory-session-cache-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_duration(v).ok());
        let body: Value = resp.json().await.map_err(|e| {
            GatewayError::unauthorized().with_reason(format!("session check body: {e}"))
        })?;
        let subject = match gjson::get(&body, &self.subject_from).as_deref() {
            Some(Value::String(s)) => s.clone(),
            _ => {
                return Err(GatewayError::forbidden()
                    .with_reason(format!("no string subject at {:?}", self.subject_from)))
            }
        };
        let extra = Arc::new(match gjson::get(&body, &self.cfg.extra_from).as_deref() {
            Some(Value::Object(o)) => o.clone(),
            _ => Map::new(),
        });
        if let (Some((cache, _)), Some(key)) = (&self.cache, key) {
            let mut ttl = cache.ttl;
            if let Some(c) = cache_for {
                ttl = ttl.min(c);
            }
            if let Some(left) = expires_in(&body) {
                ttl = ttl.min(left);
            }
            if !ttl.is_zero() {
                cache.insert(
                    key,
                    Arc::new(CheckedSession {
                        subject: subject.clone(),
                        extra: extra.clone(),
                        expires: Instant::now() + ttl,
                    }),
                );
            }
        }
        session.subject = subject;
        session.extra = extra;
        Ok(())
    }
}

/// The parts of every cache key of a checker that do not depend on the request: the check
/// URL, which of the request's path, query and host replace or join it, and the additional
/// headers.
fn constant_key_parts(
    mut key: KeyBuilder,
    cfg: &SessionCheckConfig,
    check_url: &url::Url,
    additional: &[(HeaderName, HeaderValue)],
) -> KeyBuilder {
    key.part(check_url.as_str().as_bytes())
        .part(&[cfg.preserve_path, cfg.preserve_query, cfg.preserve_host].map(u8::from));
    for (name, value) in additional {
        key.part(name.as_str().as_bytes()).part(value.as_bytes());
    }
    // The additional headers are a list of pairs: an empty part (no name is empty) ends it.
    key.part(b"");
    key
}

/// Time left until the session's `expires_at` (Kratos session JSON), if present.
fn expires_in(body: &Value) -> Option<Duration> {
    let at = body.get("expires_at")?.as_str()?;
    let at = chrono::DateTime::parse_from_rfc3339(at).ok()?;
    let left = at.signed_duration_since(chrono::Utc::now());
    Some(left.to_std().unwrap_or(Duration::ZERO))
}

/// Parses `forward_http_headers` once (invalid names are skipped, as before).
pub fn header_names(names: &[String]) -> Vec<HeaderName> {
    names
        .iter()
        .filter_map(|n| HeaderName::from_bytes(n.as_bytes()).ok())
        .collect()
}

/// What a session check forwards of the request besides its method, path and query.
pub struct Forwarded<'a> {
    /// The request headers sent along (`forward_http_headers`).
    pub names: &'a [HeaderName],
    /// Sent as `Authorization` when those headers have none (`bearer_token`'s token).
    pub authorization: Option<HeaderValue>,
}
