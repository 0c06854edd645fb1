//! JWKS fetched from `file://`, `http(s)://` or `base64://`, cached with a TTL; on a failed
//! refresh the stale keys keep being used.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine;
use parking_lot::Mutex;
use serde_json::Value;

/// Cached key sets by URL.
pub struct JwksCache {
    http: reqwest::Client,
    entries: Mutex<HashMap<String, (Arc<Vec<Value>>, Instant)>>,
}

impl JwksCache {
    /// An empty cache using `http` for remote sets.
    pub fn new(http: reqwest::Client) -> Self {
        Self {
            http,
            entries: Mutex::default(),
        }
    }

    /// The keys at `url`, refetched when older than `ttl`; `max_wait` bounds the fetch.
    pub async fn keys(
        &self,
        url: &str,
        ttl: Duration,
        max_wait: Duration,
    ) -> Result<Arc<Vec<Value>>, String> {
        let cached = self.entries.lock().get(url).cloned();
        if let Some((keys, at)) = &cached {
            if at.elapsed() < ttl {
                return Ok(keys.clone());
            }
        }
        match self.fetch(url, max_wait).await {
            Ok(keys) => {
                let keys = Arc::new(keys);
                self.entries
                    .lock()
                    .insert(url.to_owned(), (keys.clone(), Instant::now()));
                Ok(keys)
            }
            Err(e) => match cached {
                Some((keys, _)) => {
                    tracing::warn!(url, error = %e, "JWKS refresh failed, using stale keys");
                    Ok(keys)
                }
                None => Err(e),
            },
        }
    }

    /// Forgets `url` so the next lookup refetches (unknown `kid`).
    pub fn invalidate(&self, url: &str) {
        self.entries.lock().remove(url);
    }

    async fn fetch(&self, url: &str, max_wait: Duration) -> Result<Vec<Value>, String> {
        check_source(url)?;
        let text = if let Some(path) = url.strip_prefix("file://") {
            tokio::fs::read_to_string(path)
                .await
                .map_err(|e| format!("reading JWKS {url}: {e}"))?
        } else if let Some(b64) = url.strip_prefix("base64://") {
            let raw = base64::engine::general_purpose::STANDARD
                .decode(b64)
                .or_else(|_| base64::engine::general_purpose::URL_SAFE.decode(b64))
                .map_err(|e| format!("decoding JWKS {url}: {e}"))?;
            String::from_utf8_lossy(&raw).into_owned()
        } else if url.starts_with("http://") || url.starts_with("https://") {
            let resp = self
                .http
                .get(url)
                .timeout(max_wait)
                .send()
                .await
                .map_err(|e| format!("fetching JWKS {url}: {e}"))?;
            if !resp.status().is_success() {
                return Err(format!("fetching JWKS {url}: status {}", resp.status()));
            }
            resp.text()
                .await
                .map_err(|e| format!("fetching JWKS {url}: {e}"))?
        } else {
            tokio::fs::read_to_string(url)
                .await
                .map_err(|e| format!("reading JWKS {url}: {e}"))?
        };
        let doc: Value =
            serde_json::from_str(&text).map_err(|e| format!("JWKS {url} is not JSON: {e}"))?;
        doc.get("keys")
            .and_then(Value::as_array)
            .cloned()
            .ok_or_else(|| format!("JWKS {url} has no \"keys\" array"))
    }
}

/// Cloud object-store schemes Oathkeeper reads JWKS and rules from, which Nexus does not
/// support yet.
pub const UNSUPPORTED_SCHEMES: &[&str] = &["s3", "gs", "azblob"];

/// Rejects JWKS locations in an object store, with a reason saying so (instead of failing
/// later as an unreadable local path).
pub fn check_source(url: &str) -> Result<(), String> {
    match url.split_once("://") {
        Some((scheme, _)) if UNSUPPORTED_SCHEMES.contains(&scheme) => Err(format!(
            "{scheme}:// JWKS sources are not supported yet (use file://, http(s):// or base64://)"
        )),
        _ => Ok(()),
    }
}
