//! The optional admin API key (a Nexus extension; Kratos' admin API has no authentication).
//!
//! With `serve.admin.api_keys` set, every admin request except `/health/*` and `/version`
//! must carry `Authorization: Bearer <key>`. The presented key is compared with every
//! configured key through SHA-256 digests in constant time, so neither which key matched
//! nor how long the keys are shows in the timing.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use http::HeaderValue;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::domain::ApiError;
use crate::http::respond;
use crate::registry::Registry;

/// Middleware: lets the request through when no keys are configured, for the open paths,
/// or with a valid key; answers 401 otherwise.
pub async fn require_api_key(State(reg): State<Registry>, req: Request, next: Next) -> Response {
    let keys = &reg.options.admin_api_keys;
    if keys.is_empty() || is_open(req.uri().path()) {
        return next.run(req).await;
    }
    let presented = req
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(bearer);
    if presented.is_some_and(|p| matches_any(p, keys)) {
        return next.run(req).await;
    }
    let mut res = respond::api_error(&unauthorized());
    res.headers_mut().insert(
        WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer realm=\"admin\""),
    );
    res
}

/// Health checks and the version stay reachable for probes.
fn is_open(path: &str) -> bool {
    path.starts_with("/health/") || path == "/version"
}

/// The token of an `Authorization: Bearer <token>` header (scheme case-insensitive).
fn bearer(header: &str) -> Option<&str> {
    let (scheme, token) = header.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// Compares against every key without stopping at the first match.
fn matches_any(presented: &str, keys: &[String]) -> bool {
    let digest = Sha256::digest(presented.as_bytes());
    keys.iter()
        .fold(subtle::Choice::from(0), |found, key| {
            found | Sha256::digest(key.as_bytes()).ct_eq(&digest)
        })
        .into()
}

fn unauthorized() -> ApiError {
    ApiError::new(401, "The request could not be authorized")
        .with_reason("The admin API requires an API key: send it as `Authorization: Bearer <key>`.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_headers() {
        let keys = vec![
            "k1-0123456789abcdef".to_string(),
            "k2-0123456789abcdef".to_string(),
        ];
        assert!(matches_any("k2-0123456789abcdef", &keys));
        assert!(!matches_any("k2-0123456789abcde", &keys));
        assert!(!matches_any("", &keys));
        assert_eq!(bearer("Bearer abc"), Some("abc"));
        assert_eq!(bearer("bearer  abc "), Some("abc"));
        assert_eq!(bearer("Basic abc"), None);
        assert_eq!(bearer("Bearer "), None);
        assert!(is_open("/health/ready") && is_open("/version"));
        assert!(!is_open("/admin/identities") && !is_open("/admin/health/alive"));
    }
}
