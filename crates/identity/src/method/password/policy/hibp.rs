//! Breached-password lookup through the Have I Been Pwned range API (k-anonymity: only the
//! first five hex digits of the password's SHA-1 leave the process).

use std::time::Duration;

use moka::future::Cache;
use sha1::{Digest as _, Sha1};

/// How long a looked-up count is reused (Kratos: 1 h).
const CACHE_TTL: Duration = Duration::from_secs(3600);
/// Most cached counts (one per recently checked password).
const CACHE_CAPACITY: u64 = 100_000;
/// Overall per-request deadline; the connect deadline (1 s) belongs to the HTTP client.
pub(crate) const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);
/// Connect deadline of the client built by [`default_client`] (Kratos: 1 s).
pub(crate) const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);
/// A range answer is ~40 KB; refuse anything far larger.
const MAX_BODY_BYTES: usize = 1 << 20;

/// Why the count could not be had.
#[derive(Debug)]
pub(crate) struct LookupError(pub String);

/// Client for `GET <base>/range/<PREFIX>`, with a 1 h cache of counts per password hash.
pub(crate) struct BreachClient {
    http: reqwest::Client,
    base: String,
    cache: Cache<String, u64>,
}

/// The HTTP client the policy recommends: 1 s connect and 5 s overall timeouts.
pub(crate) fn default_client() -> reqwest::Client {
    reqwest::Client::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .timeout(REQUEST_TIMEOUT)
        .build()
        .unwrap_or_default()
}

/// `api.pwnedpasswords.com` → `https://api.pwnedpasswords.com`; a given scheme is kept.
pub(crate) fn base_url(host: &str) -> String {
    let host = host.trim_end_matches('/');
    if host.starts_with("http://") || host.starts_with("https://") {
        host.to_owned()
    } else {
        format!("https://{host}")
    }
}

impl BreachClient {
    pub(crate) fn new(http: reqwest::Client, host: &str) -> Self {
        Self {
            http,
            base: base_url(host),
            cache: Cache::builder()
                .max_capacity(CACHE_CAPACITY)
                .time_to_live(CACHE_TTL)
                .build(),
        }
    }

    /// How many breaches `password` appears in (0 when absent).
    pub(crate) async fn breaches(&self, password: &str) -> Result<u64, LookupError> {
        let digest = hex::encode_upper(Sha1::digest(password.as_bytes()));
        if let Some(count) = self.cache.get(&digest).await {
            return Ok(count);
        }
        let (prefix, suffix) = digest.split_at(5);
        let count = self.fetch(prefix, suffix).await?;
        // Only the looked-up hash is cached (Kratos caches every suffix of the range, which
        // costs ~1000 entries per lookup for little gain).
        self.cache.insert(digest, count).await;
        Ok(count)
    }

    async fn fetch(&self, prefix: &str, suffix: &str) -> Result<u64, LookupError> {
        let url = format!("{}/range/{prefix}", self.base);
        let mut res = self
            .http
            .get(&url)
            .timeout(REQUEST_TIMEOUT)
            .send()
            .await
            .map_err(|e| LookupError(format!("request failed: {}", e.without_url())))?;
        if res.status() != reqwest::StatusCode::OK {
            return Err(LookupError(format!("unexpected status {}", res.status())));
        }
        let mut body = Vec::new();
        while let Some(chunk) = res
            .chunk()
            .await
            .map_err(|e| LookupError(format!("reading the body failed: {}", e.without_url())))?
        {
            if body.len() + chunk.len() > MAX_BODY_BYTES {
                return Err(LookupError("response too large".into()));
            }
            body.extend_from_slice(&chunk);
        }
        let body = String::from_utf8_lossy(&body);
        parse_count(&body, suffix)
    }
}

/// Finds `suffix` in a range answer (`SUFFIX:COUNT` lines). A line without a count counts
/// once, as Kratos does (ory/kratos#2145); thousands separators are tolerated.
fn parse_count(body: &str, suffix: &str) -> Result<u64, LookupError> {
    for line in body.lines() {
        let line = line.trim();
        let (candidate, count) = match line.split_once(':') {
            Some((s, c)) => (s, Some(c)),
            None => (line, None),
        };
        if !candidate.eq_ignore_ascii_case(suffix) {
            continue;
        }
        return match count {
            None => Ok(1),
            Some(c) => c
                .trim()
                .replace(',', "")
                .parse()
                .map_err(|_| LookupError("malformed count in range answer".into())),
        };
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls() {
        assert_eq!(
            base_url("api.pwnedpasswords.com"),
            "https://api.pwnedpasswords.com"
        );
        assert_eq!(base_url("http://127.0.0.1:1234/"), "http://127.0.0.1:1234");
        assert_eq!(base_url("https://hibp.internal"), "https://hibp.internal");
    }

    #[test]
    fn counts() {
        let body = "0018A45C4D1DEF81644B54AB7F969B88D65:1\r\nABCDEF:1,234\r\nFFFF\r\n";
        assert_eq!(parse_count(body, "ABCDEF").unwrap(), 1234);
        assert_eq!(parse_count(body, "abcdef").unwrap(), 1234);
        assert_eq!(parse_count(body, "FFFF").unwrap(), 1);
        assert_eq!(parse_count(body, "0000").unwrap(), 0);
        assert!(parse_count("ABC:x\n", "ABC").is_err());
    }
}
