//! Rule sources: `file://` (or a plain path), `inline://<base64>`, `http(s)://`.

use std::path::PathBuf;

use base64::Engine;

use super::model::{parse_rules, RuleSpec};

/// Where a rule document comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleSource {
    /// A local file, watched for changes.
    File(PathBuf),
    /// Rules embedded in the config.
    Inline(String),
    /// A remote document, polled.
    Http(String),
}

/// What a fetch returned.
pub enum Fetched {
    /// A (possibly changed) rule list, with the HTTP ETag if any.
    Rules(Vec<RuleSpec>, Option<String>),
    /// `304 Not Modified`.
    Unchanged,
}

impl RuleSource {
    /// Parses a repository URL.
    pub fn parse(repo: &str) -> Result<Self, String> {
        if let Some(rest) = repo.strip_prefix("inline://") {
            let raw = base64::engine::general_purpose::STANDARD
                .decode(rest.trim())
                .or_else(|_| base64::engine::general_purpose::URL_SAFE.decode(rest.trim()))
                .map_err(|e| format!("inline rules are not base64: {e}"))?;
            return String::from_utf8(raw)
                .map(RuleSource::Inline)
                .map_err(|e| format!("inline rules are not UTF-8: {e}"));
        }
        if repo.starts_with("http://") || repo.starts_with("https://") {
            return Ok(RuleSource::Http(repo.to_owned()));
        }
        if let Some(path) = repo.strip_prefix("file://") {
            return Ok(RuleSource::File(PathBuf::from(path)));
        }
        if repo.contains("://") {
            return Err(format!("unsupported rule source {repo:?}"));
        }
        Ok(RuleSource::File(PathBuf::from(repo)))
    }

    /// Human-readable location.
    pub fn describe(&self) -> String {
        match self {
            RuleSource::File(p) => format!("file://{}", p.display()),
            RuleSource::Inline(_) => "inline://…".into(),
            RuleSource::Http(u) => u.clone(),
        }
    }

    /// Reads the rules.
    pub async fn fetch(
        &self,
        http: &reqwest::Client,
        etag: Option<&str>,
    ) -> Result<Fetched, String> {
        match self {
            RuleSource::Inline(text) => parse_rules(text).map(|r| Fetched::Rules(r, None)),
            RuleSource::File(path) => {
                let text = tokio::fs::read_to_string(path)
                    .await
                    .map_err(|e| format!("reading {}: {e}", path.display()))?;
                parse_rules(&text)
                    .map(|r| Fetched::Rules(r, None))
                    .map_err(|e| format!("{}: {e}", path.display()))
            }
            RuleSource::Http(url) => {
                let mut req = http.get(url).timeout(std::time::Duration::from_secs(10));
                if let Some(etag) = etag {
                    req = req.header(http::header::IF_NONE_MATCH, etag);
                }
                let resp = req
                    .send()
                    .await
                    .map_err(|e| format!("fetching {url}: {e}"))?;
                if resp.status() == http::StatusCode::NOT_MODIFIED {
                    return Ok(Fetched::Unchanged);
                }
                if !resp.status().is_success() {
                    return Err(format!("fetching {url}: status {}", resp.status()));
                }
                let etag = resp
                    .headers()
                    .get(http::header::ETAG)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
                let text = resp
                    .text()
                    .await
                    .map_err(|e| format!("fetching {url}: {e}"))?;
                parse_rules(&text)
                    .map(|r| Fetched::Rules(r, etag))
                    .map_err(|e| format!("{url}: {e}"))
            }
        }
    }
}
