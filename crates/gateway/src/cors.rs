//! `serve.*.cors`: applied before rule matching, so preflights never reach a rule.

use std::time::Duration;

use http::{HeaderName, HeaderValue, Method};
use serde::Deserialize;
use serde_json::Value;
use tower_http::cors::{AllowOrigin, CorsLayer};

/// `cors` keys (schema defaults applied by the loader).
#[derive(Debug, Deserialize, Default)]
#[serde(default)]
struct CorsConfig {
    enabled: bool,
    allowed_origins: Vec<String>,
    allowed_methods: Vec<String>,
    allowed_headers: Vec<String>,
    exposed_headers: Vec<String>,
    allow_credentials: bool,
    max_age: Option<u64>,
}

/// The CORS layer, or `None` when disabled.
pub fn layer(raw: Option<&Value>) -> Option<CorsLayer> {
    let cfg: CorsConfig = serde_json::from_value(raw?.clone()).ok()?;
    if !cfg.enabled {
        return None;
    }
    let origins: Vec<String> = if cfg.allowed_origins.is_empty() {
        vec!["*".into()]
    } else {
        cfg.allowed_origins
    };
    let any = origins.iter().any(|o| o == "*");
    let allow_origin = if any {
        // With credentials a literal `*` is not allowed by browsers; mirror the origin instead.
        if cfg.allow_credentials {
            AllowOrigin::mirror_request()
        } else {
            AllowOrigin::any()
        }
    } else {
        let patterns = origins.clone();
        AllowOrigin::predicate(move |origin: &HeaderValue, _| {
            let o = origin.to_str().unwrap_or("");
            patterns.iter().any(|p| match p.split_once('*') {
                Some((pre, post)) => o.starts_with(pre) && o.ends_with(post),
                None => p == o,
            })
        })
    };
    let methods: Vec<Method> = cfg
        .allowed_methods
        .iter()
        .filter_map(|m| m.parse().ok())
        .collect();
    let headers: Vec<HeaderName> = cfg
        .allowed_headers
        .iter()
        .filter_map(|h| h.parse().ok())
        .collect();
    let exposed: Vec<HeaderName> = cfg
        .exposed_headers
        .iter()
        .filter_map(|h| h.parse().ok())
        .collect();
    let mut layer = CorsLayer::new()
        .allow_origin(allow_origin)
        .allow_methods(methods)
        .allow_headers(headers)
        .expose_headers(exposed)
        .allow_credentials(cfg.allow_credentials);
    if let Some(age) = cfg.max_age.filter(|a| *a > 0) {
        layer = layer.max_age(Duration::from_secs(age));
    }
    Some(layer)
}
