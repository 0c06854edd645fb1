//! Per-request state: the (reconstructed) request and the authentication session.

use std::net::IpAddr;
use std::sync::Arc;

use bytes::Bytes;
use http::{HeaderName, HeaderValue, Method};
use serde_json::{json, Map, Value};

use super::session_headers::SessionHeaders;
use super::ClientHeaders;

/// The URL a rule is matched against (`<scheme>://<host><path>`), plus the query: kept as
/// one string, `<scheme>://<host><path>[?<query>]`, with the parts' offsets, so that building
/// it is one allocation and the match string is a slice of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestUrl {
    text: String,
    scheme_end: usize,
    path_start: usize,
    path_end: usize,
}

impl Default for RequestUrl {
    fn default() -> Self {
        Self::new("", "", "", "")
    }
}

impl RequestUrl {
    /// From its parts: `path` decoded and cleaned, `raw_query` without `?`.
    pub fn new(scheme: &str, host: &str, path: &str, raw_query: &str) -> Self {
        let mut text =
            String::with_capacity(scheme.len() + 3 + host.len() + path.len() + 1 + raw_query.len());
        text.push_str(scheme);
        text.push_str("://");
        text.push_str(host);
        let path_start = text.len();
        text.push_str(path);
        let path_end = text.len();
        if !raw_query.is_empty() {
            text.push('?');
            text.push_str(raw_query);
        }
        Self {
            text,
            scheme_end: scheme.len(),
            path_start,
            path_end,
        }
    }

    /// `http` or `https`.
    pub fn scheme(&self) -> &str {
        &self.text[..self.scheme_end]
    }

    /// Host with optional port.
    pub fn host(&self) -> &str {
        &self.text[self.scheme_end + 3..self.path_start]
    }

    /// Decoded, cleaned path.
    pub fn path(&self) -> &str {
        &self.text[self.path_start..self.path_end]
    }

    /// The raw query, without `?`.
    pub fn raw_query(&self) -> &str {
        self.text.get(self.path_end + 1..).unwrap_or("")
    }

    /// The match string `<scheme>://<host><path>`.
    pub fn match_string(&self) -> &str {
        &self.text[..self.path_end]
    }

    /// The full URL, query included.
    pub fn full(&self) -> &str {
        &self.text
    }

    /// Go `url.URL` for templates: its fields plus what its methods rules call return
    /// (`Query` as `url.Values`, `String`, `Hostname`, `Port`, `RequestURI`).
    pub fn to_template_json(&self) -> Value {
        let mut v = self.to_go_json();
        let mut query: Map<String, Value> = Map::new();
        for (k, val) in url::form_urlencoded::parse(self.raw_query().as_bytes()) {
            match query
                .entry(k.into_owned())
                .or_insert_with(|| Value::Array(Vec::new()))
            {
                Value::Array(a) => a.push(Value::String(val.into_owned())),
                _ => unreachable!("inserted as an array"),
            }
        }
        let (hostname, port) = split_host_port(self.host());
        let request_uri = &self.text[self.path_start..];
        if let Value::Object(o) = &mut v {
            o.insert("Query".into(), Value::Object(query));
            o.insert("String".into(), Value::String(self.full().to_owned()));
            o.insert("Hostname".into(), Value::String(hostname.to_owned()));
            o.insert("Port".into(), Value::String(port.to_owned()));
            o.insert("RequestURI".into(), Value::String(request_uri.to_owned()));
        }
        v
    }

    /// Go `url.URL` as JSON (`Scheme`, `Host`, `Path`, `RawQuery`, …).
    pub fn to_go_json(&self) -> Value {
        json!({
            "Scheme": self.scheme(), "Opaque": "", "User": null, "Host": self.host(),
            "Path": self.path(), "RawPath": "", "OmitHost": false, "ForceQuery": false,
            "RawQuery": self.raw_query(), "Fragment": "", "RawFragment": ""
        })
    }
}

/// `host[:port]` (IPv6 in brackets) → (host without brackets, port or "").
fn split_host_port(host: &str) -> (&str, &str) {
    if let Some(rest) = host.strip_prefix('[') {
        return match rest.split_once(']') {
            Some((h, p)) => (h, p.strip_prefix(':').unwrap_or("")),
            None => (rest, ""),
        };
    }
    match host.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') => (h, p),
        _ => (host, ""),
    }
}

/// The request as the pipeline sees it (for decisions: rebuilt from `X-Forwarded-*`).
/// URL and headers are shared with the session's [`MatchContext`] rather than copied.
#[derive(Debug, Clone)]
pub struct RequestContext {
    /// Method (from `X-Forwarded-Method` for decisions).
    pub method: Method,
    /// Scheme, host, path and query.
    pub url: Arc<RequestUrl>,
    /// The client's headers.
    pub headers: Arc<ClientHeaders>,
    /// The client's address, when known.
    pub remote_addr: Option<IpAddr>,
    /// The buffered body, only for handlers that need it.
    pub body: Option<Bytes>,
    /// When the request's head was read: the request's clock for cache expiry and metrics
    /// (one clock read serves them all).
    pub received: std::time::Instant,
}

/// Match results available to templates.
#[derive(Debug, Clone, Default)]
pub struct MatchContext {
    /// Regexp capture groups of the matching rule.
    pub regexp_capture_groups: Vec<String>,
    /// The matched URL (shared with the request).
    pub url: Arc<RequestUrl>,
    /// The request method.
    pub method: Method,
    /// The request headers (shared with the request).
    pub header: Arc<ClientHeaders>,
}

/// Who the caller is and what goes upstream (Oathkeeper `AuthenticationSession`).
#[derive(Debug, Clone, Default)]
pub struct AuthenticationSession {
    /// The authenticated subject.
    pub subject: String,
    /// Extra data from the authenticator (e.g. the Kratos session); shared with the session
    /// cache, so a cache hit costs a reference count, not a deep copy.
    pub extra: Arc<Map<String, Value>>,
    /// Headers set on the upstream request / decisions response.
    pub header: SessionHeaders,
    /// The match.
    pub match_context: MatchContext,
}

/// `http.Header` as JSON: (canonical) name → list of values, from fields in order (a
/// `HeaderMap`, the session's [`SessionHeaders`]).
pub fn headers_to_json<'a>(
    fields: impl IntoIterator<Item = (&'a HeaderName, &'a HeaderValue)>,
    canonical: bool,
) -> Value {
    let mut m = Map::new();
    for (name, value) in fields {
        let key = if canonical {
            canonical_header(name.as_str())
        } else {
            name.as_str().to_owned()
        };
        let value = Value::String(String::from_utf8_lossy(value.as_bytes()).into_owned());
        if let Value::Array(values) = m.entry(key).or_insert_with(|| Value::Array(Vec::new())) {
            values.push(value);
        }
    }
    Value::Object(m)
}

/// Go's `textproto.CanonicalMIMEHeaderKey`: `x-user-id` → `X-User-Id`.
pub fn canonical_header(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = true;
    for c in name.chars() {
        if upper {
            out.extend(c.to_uppercase());
        } else {
            out.extend(c.to_lowercase());
        }
        upper = c == '-';
    }
    out
}

impl AuthenticationSession {
    /// A fresh session for a matched request.
    pub fn new(req: &RequestContext, captures: Vec<String>) -> Self {
        static EMPTY: std::sync::OnceLock<Arc<Map<String, Value>>> = std::sync::OnceLock::new();
        Self {
            subject: String::new(),
            extra: EMPTY.get_or_init(Arc::default).clone(),
            header: SessionHeaders::new(),
            match_context: MatchContext {
                regexp_capture_groups: captures,
                url: req.url.clone(),
                method: req.method.clone(),
                header: req.headers.clone(),
            },
        }
    }

    /// The wire JSON (hydrator, remote payloads): snake_case like Oathkeeper's JSON tags.
    pub fn to_wire_json(&self) -> Value {
        json!({
            "subject": self.subject,
            "extra": &*self.extra,
            "header": headers_to_json(&self.header, true),
            "match_context": {
                "regexp_capture_groups": self.match_context.regexp_capture_groups,
                "url": self.match_context.url.to_go_json(),
                "method": self.match_context.method.as_str(),
                "header": headers_to_json(self.match_context.header.map(), true),
            }
        })
    }

    /// The template context: Go field names (`.Subject`, `.Extra`, `.MatchContext.URL`).
    pub fn to_template_json(&self) -> Value {
        json!({
            "Subject": self.subject,
            "Extra": &*self.extra,
            "Header": headers_to_json(&self.header, true),
            "MatchContext": {
                "RegexpCaptureGroups": self.match_context.regexp_capture_groups,
                "URL": self.match_context.url.to_template_json(),
                "Method": self.match_context.method.as_str(),
                "Header": headers_to_json(self.match_context.header.map(), true),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::RequestUrl;

    #[test]
    fn request_url_parts_come_back_as_given() {
        let u = RequestUrl::new("https", "h.example:8443", "/a/b", "q=1&r=2");
        assert_eq!(u.scheme(), "https");
        assert_eq!(u.host(), "h.example:8443");
        assert_eq!(u.path(), "/a/b");
        assert_eq!(u.raw_query(), "q=1&r=2");
        assert_eq!(u.match_string(), "https://h.example:8443/a/b");
        assert_eq!(u.full(), "https://h.example:8443/a/b?q=1&r=2");

        let bare = RequestUrl::new("http", "h", "/", "");
        assert_eq!(bare.raw_query(), "");
        assert_eq!(bare.full(), "http://h/");

        // A decoded `?` in the path stays in the path.
        let odd = RequestUrl::new("http", "h", "/a?b", "");
        assert_eq!((odd.path(), odd.raw_query()), ("/a?b", ""));

        let empty = RequestUrl::default();
        assert_eq!((empty.scheme(), empty.host(), empty.path()), ("", "", ""));
    }
}
