//! `token_from {header | query_parameter | cookie}`; default `Authorization: Bearer`.

use serde::Deserialize;

use crate::pipeline::client_headers::{is_visible_ascii, visible_ascii};
use crate::pipeline::RequestContext;

/// Where a bearer-style token is read from.
#[derive(Debug, Clone, Deserialize, Default, PartialEq, Eq)]
pub struct TokenFrom {
    /// Header name (the value is used as is).
    pub header: Option<String>,
    /// Query parameter name.
    pub query_parameter: Option<String>,
    /// Cookie name.
    pub cookie: Option<String>,
}

/// Extracts the token; `None` when absent.
pub fn extract(from: Option<&TokenFrom>, req: &RequestContext) -> Option<String> {
    match from {
        Some(TokenFrom {
            header: Some(h), ..
        }) => req.headers.first_str(h).map(str::to_owned),
        Some(TokenFrom {
            query_parameter: Some(q),
            ..
        }) => url::form_urlencoded::parse(req.url.raw_query().as_bytes())
            .find(|(k, _)| k == q.as_str())
            .map(|(_, v)| v.into_owned()),
        Some(TokenFrom {
            cookie: Some(c), ..
        }) => cookie(req, c),
        _ => {
            let v = req.headers.first_str("authorization")?;
            let (scheme, token) = v.split_once(' ')?;
            scheme
                .eq_ignore_ascii_case("bearer")
                .then(|| token.trim().to_owned())
                .filter(|t| !t.is_empty())
        }
    }
}

/// A cookie's value from the `Cookie` headers.
pub fn cookie(req: &RequestContext, name: &str) -> Option<String> {
    cookies(req)
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.to_owned())
}

/// All `(name, value)` cookie pairs of the request.
pub fn cookies(req: &RequestContext) -> impl Iterator<Item = (&str, &str)> {
    req.headers
        .all("cookie")
        .filter_map(visible_ascii)
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| {
            let (n, v) = pair.trim().split_once('=')?;
            Some((n.trim(), v.trim()))
        })
}

/// Whether the request has at least one cookie pair: what `cookies(req).next().is_some()`
/// answers, without splitting and trimming (a piece of a `Cookie` value holds a pair exactly
/// when it holds a `=`, so a valid value with a `=` anywhere has one), and on the bytes (a
/// visible-ASCII value is text already).
pub fn has_cookie(req: &RequestContext) -> bool {
    req.headers
        .all("cookie")
        .any(|v| v.contains(&b'=') && is_visible_ascii(v))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use http::{HeaderMap, HeaderValue};

    use super::*;
    use crate::pipeline::RequestUrl;

    fn request(cookies: &[&[u8]]) -> RequestContext {
        let mut headers = HeaderMap::new();
        for c in cookies {
            headers.append(http::header::COOKIE, HeaderValue::from_bytes(c).unwrap());
        }
        RequestContext {
            method: http::Method::GET,
            url: Arc::new(RequestUrl::new("http", "h", "/", "")),
            headers: Arc::new(headers.into()),
            remote_addr: None,
            body: None,
            received: std::time::Instant::now(),
        }
    }

    #[test]
    fn has_cookie_agrees_with_the_cookie_pairs() {
        let cases: &[&[&[u8]]] = &[
            &[],
            &[b""],
            &[b"a=1"],
            &[b"=1"],
            &[b"a"],
            &[b"a; b"],
            &[b" ; a = ; "],
            &[b"a;b=2"],
            &[b";;;"],
            &[b"a=\xff"],
            &[b"a=\xff", b"b"],
            &[b"a=\xff", b"b=1"],
            &[b"x", b"y=z"],
        ];
        for c in cases {
            let req = request(c);
            assert_eq!(has_cookie(&req), cookies(&req).next().is_some(), "{c:?}");
        }
        assert!(has_cookie(&request(&[b"ory_kratos_session=abc"])));
        assert!(!has_cookie(&request(&[b"no pairs; here"])));
    }
}
