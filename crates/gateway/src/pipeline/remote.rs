//! Helpers for handlers that call remote services: deadlines from `retry`, header copying.

use std::time::Duration;

use http::{HeaderMap, HeaderName};
use serde::Deserialize;

use crate::config::parse_duration;
use crate::error::GatewayError;

/// `retry {give_up_after, max_delay}`: we follow the docs, `give_up_after` is the deadline.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default)]
pub struct RetryConfig {
    /// Overall deadline of the remote call.
    pub give_up_after: Option<String>,
    /// Maximum wait between attempts.
    pub max_delay: Option<String>,
}

impl RetryConfig {
    /// The call's deadline, `default` when unset.
    pub fn deadline(&self, default: Duration) -> Result<Duration, String> {
        match &self.give_up_after {
            Some(s) => parse_duration(s),
            None => Ok(default),
        }
    }
}

/// Maps a transport error: timeouts to 504-ish internal errors are not what Oathkeeper does;
/// the caller decides the status, this only classifies.
pub fn is_timeout(e: &reqwest::Error) -> bool {
    e.is_timeout()
}

/// The rate-limit headers copied through on a 429.
pub fn rate_limit_headers(from: &reqwest::header::HeaderMap) -> HeaderMap {
    let mut out = HeaderMap::new();
    for name in [
        "retry-after",
        "x-ratelimit-limit",
        "x-ratelimit-remaining",
        "x-ratelimit-reset",
        "x-ratelimit-type",
    ] {
        if let Some(v) = from.get(name) {
            out.insert(HeaderName::from_static(name), v.clone());
        }
    }
    out
}

/// 429 from a dependency, passed through with its headers.
pub fn too_many(resp: &reqwest::Response) -> GatewayError {
    GatewayError::too_many_requests(rate_limit_headers(resp.headers()))
}
