//! Turning an incoming request into the pipeline's [`RequestContext`].

use std::borrow::Cow;
use std::net::IpAddr;
use std::sync::Arc;

use http::{Method, Uri};

use super::path::clean_path;
use crate::pipeline::{ClientHeaders, RequestContext, RequestUrl};
use crate::server::ConnInfo;

/// `serve.proxy.trust_forwarded_headers`.
#[derive(Debug, Clone, Copy, Default)]
pub struct ForwardedPolicy {
    /// Trust client-supplied `X-Forwarded-Proto/Host/For`.
    pub trust: bool,
}

/// Whether a comma-separated field value lists `token` (ASCII case-insensitive), as
/// `Connection: keep-alive, close` lists `close`.
pub fn has_token(value: &[u8], token: &str) -> bool {
    value
        .split(|&b| b == b',')
        .any(|t| t.trim_ascii().eq_ignore_ascii_case(token.as_bytes()))
}

/// Whether the request asks for a protocol upgrade (WebSocket).
pub fn is_upgrade(h: &ClientHeaders) -> bool {
    h.first_str("connection")
        .is_some_and(|v| has_token(v.as_bytes(), "upgrade"))
        && h.has("upgrade")
}

fn first<'a>(h: &'a ClientHeaders, name: &str) -> Option<&'a str> {
    h.first_str(name)
        .map(|v| v.split(',').next().unwrap_or("").trim())
        .filter(|v| !v.is_empty())
}

/// The match URL: host from `Host` (never `X-Forwarded-Host`); scheme `https` on a TLS
/// listener, else from `X-Forwarded-Proto` only when trusted. The headers move into the
/// context.
pub fn context(
    method: &Method,
    uri: &Uri,
    headers: ClientHeaders,
    conn: ConnInfo,
    policy: &ForwardedPolicy,
) -> RequestContext {
    let scheme = if conn.tls {
        "https"
    } else {
        policy
            .trust
            .then(|| first(&headers, "x-forwarded-proto"))
            .flatten()
            .filter(|p| *p == "https")
            .unwrap_or("http")
    };
    let peer: Option<IpAddr> = Some(conn.peer.ip());
    let authority;
    let host = match headers.first_str("host") {
        Some(h) => h,
        None => {
            authority = uri.authority().map(|a| a.to_string());
            authority.as_deref().unwrap_or_default()
        }
    };
    let url = RequestUrl::new(
        scheme,
        host,
        &decode_clean(uri.path()),
        uri.query().unwrap_or(""),
    );
    RequestContext {
        method: method.clone(),
        url: Arc::new(url),
        headers: Arc::new(headers),
        remote_addr: peer,
        body: None,
        received: std::time::Instant::now(),
    }
}

/// Percent-decodes and cleans a path for matching (borrowed when it is clean already, the
/// usual case).
pub fn decode_clean(raw: &str) -> Cow<'_, str> {
    if is_clean(raw) {
        return Cow::Borrowed(raw);
    }
    let decoded = percent_encoding::percent_decode_str(raw).decode_utf8_lossy();
    Cow::Owned(clean_path(&decoded))
}

/// Whether `raw` is already what [`decode_clean`] would return: absolute, no `%`, no empty,
/// `.` or `..` segment (the usual case, which then costs one scan and one copy).
fn is_clean(raw: &str) -> bool {
    let Some(rest) = raw.strip_prefix('/') else {
        return false;
    };
    if raw.contains('%') {
        return false;
    }
    let mut segs = rest.split('/').peekable();
    while let Some(seg) = segs.next() {
        let last = segs.peek().is_none();
        match seg {
            "" if last => {}
            "" | "." | ".." => return false,
            _ => {}
        }
    }
    true
}

/// A method from a header value (decisions' `X-Forwarded-Method`).
pub fn method_from(v: Option<&str>, fallback: &Method) -> Method {
    let Some(m) = v.map(str::trim) else {
        return fallback.clone();
    };
    let parsed = if m.bytes().any(|b| b.is_ascii_lowercase()) {
        Method::from_bytes(m.to_ascii_uppercase().as_bytes())
    } else {
        Method::from_bytes(m.as_bytes())
    };
    parsed.unwrap_or_else(|_| fallback.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_clean_fast_path_agrees_with_the_slow_one() {
        for p in [
            "/",
            "/a",
            "/a/",
            "/a/b",
            "/a//b",
            "/a/./b",
            "/a/../b",
            "/..",
            "/.",
            "/a/%2e%2e/b",
            "/%7Euser",
            "a/b",
            "",
            "/a/b/..",
            "/x/y/",
        ] {
            let slow = clean_path(&percent_encoding::percent_decode_str(p).decode_utf8_lossy());
            assert_eq!(decode_clean(p), slow, "{p:?}");
        }
    }

    #[test]
    fn methods_from_headers() {
        assert_eq!(method_from(Some("post"), &Method::GET), Method::POST);
        assert_eq!(method_from(Some(" PUT "), &Method::GET), Method::PUT);
        assert_eq!(method_from(None, &Method::HEAD), Method::HEAD);
        assert_eq!(method_from(Some("bad method"), &Method::GET), Method::GET);
    }
}
