//! `serve.public.cors`: CORS on the public API, as Kratos configures it (rs/cors semantics:
//! the request's origin is echoed back when it matches `allowed_origins`, where `*` allows any
//! origin and an entry may hold one `*` wildcard, e.g. `https://*.example.com`).

use std::time::Duration;

use http::{HeaderName, Method};
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::config::serve::Cors;

/// The layer for `config` (only called when `enabled`).
pub fn layer(config: &Cors) -> CorsLayer {
    if config.options_passthrough {
        tracing::warn!(
            key = "serve.public.cors.options_passthrough",
            "config key is not supported yet and is ignored: preflight requests are answered here"
        );
    }
    let origins = OriginList::new(&config.allowed_origins);
    let mut layer = CorsLayer::new()
        .allow_origin(AllowOrigin::predicate(move |origin, _| {
            origin.to_str().is_ok_and(|o| origins.allows(o))
        }))
        .allow_methods(parsed::<Method>(
            &config.allowed_methods,
            "serve.public.cors.allowed_methods",
        ))
        .allow_headers(parsed::<HeaderName>(
            &config.allowed_headers,
            "serve.public.cors.allowed_headers",
        ))
        .expose_headers(parsed::<HeaderName>(
            &config.exposed_headers,
            "serve.public.cors.exposed_headers",
        ))
        .allow_credentials(config.allow_credentials);
    if config.max_age > 0 {
        layer = layer.max_age(Duration::from_secs(config.max_age));
    }
    layer
}

fn parsed<T: std::str::FromStr>(values: &[String], key: &'static str) -> Vec<T> {
    values
        .iter()
        .filter_map(|v| match v.trim().parse::<T>() {
            Ok(parsed) => Some(parsed),
            Err(_) => {
                tracing::warn!(key, value = %v, "ignoring an entry that is not valid here");
                None
            }
        })
        .collect()
}

/// Allowed origins, lower-cased; `*` anywhere in an entry matches any run of characters once.
#[derive(Debug, Clone)]
struct OriginList {
    any: bool,
    exact: Vec<String>,
    wildcards: Vec<(String, String)>,
}

impl OriginList {
    fn new(entries: &[String]) -> Self {
        let mut list = OriginList {
            any: false,
            exact: Vec::new(),
            wildcards: Vec::new(),
        };
        for entry in entries.iter().map(|e| e.trim().to_ascii_lowercase()) {
            if entry == "*" {
                list.any = true;
            } else if let Some((prefix, suffix)) = entry.split_once('*') {
                list.wildcards
                    .push((prefix.to_string(), suffix.to_string()));
            } else if !entry.is_empty() {
                list.exact.push(entry);
            }
        }
        list
    }

    fn allows(&self, origin: &str) -> bool {
        if self.any {
            return true;
        }
        let origin = origin.to_ascii_lowercase();
        self.exact.iter().any(|e| *e == origin)
            || self.wildcards.iter().any(|(prefix, suffix)| {
                origin.len() >= prefix.len() + suffix.len()
                    && origin.starts_with(prefix.as_str())
                    && origin.ends_with(suffix.as_str())
            })
    }
}

#[cfg(test)]
fn allows(entries: &[&str], origin: &str) -> bool {
    let entries: Vec<String> = entries.iter().map(|e| e.to_string()).collect();
    OriginList::new(&entries).allows(origin)
}

#[cfg(test)]
mod tests {
    use super::allows;

    #[test]
    fn origins_match_exactly_by_wildcard_or_any() {
        assert!(allows(
            &["https://app.example.com"],
            "https://app.example.com"
        ));
        assert!(allows(
            &["https://App.Example.com"],
            "https://app.example.COM"
        ));
        assert!(!allows(
            &["https://app.example.com"],
            "https://evil.example.com"
        ));
        assert!(allows(
            &["https://*.example.com"],
            "https://a.b.example.com"
        ));
        assert!(!allows(
            &["https://*.example.com"],
            "https://example.com.evil.net"
        ));
        assert!(!allows(&["https://*.example.com"], "http://a.example.com"));
        assert!(allows(&["*"], "https://anything.test"));
        assert!(!allows(&[], "https://anything.test"));
    }
}
