//! The three error handlers.

use axum::body::Body;
use axum::response::Response;
use http::{header, HeaderValue, StatusCode};
use serde::Deserialize;
use serde_json::json;

use super::when::{matches, WhenEntry};
use super::ErrorHandler;
use crate::error::GatewayError;
use crate::pipeline::RequestContext;

fn with_headers(mut resp: Response, err: &GatewayError) -> Response {
    for (k, v) in &err.headers {
        resp.headers_mut().insert(k.clone(), v.clone());
    }
    resp
}

/// `json {verbose, when}`.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default)]
pub struct Json {
    /// Include reason and details.
    pub verbose: bool,
    /// Conditions.
    pub when: Vec<WhenEntry>,
}

impl ErrorHandler for Json {
    fn id(&self) -> &'static str {
        "json"
    }

    fn matches(&self, err: &GatewayError, req: &RequestContext) -> bool {
        matches(&self.when, err, req)
    }

    fn render(&self, err: &GatewayError, _req: &RequestContext) -> Response {
        if err.status.is_server_error() {
            tracing::error!(status = err.status.as_u16(), source = ?err.source, reason = %err.reason, "request failed");
        } else {
            tracing::debug!(status = err.status.as_u16(), reason = %err.reason, "request denied");
        }
        let mut body = json!({
            "code": err.status.as_u16(),
            "status": err.status.canonical_reason().unwrap_or(""),
            "message": err.message,
        });
        if self.verbose && !err.status.is_server_error() {
            if !err.reason.is_empty() {
                body["reason"] = json!(err.reason);
            }
            if let Some(d) = &err.details {
                body["details"] = d.clone();
            }
        }
        let resp = Response::builder()
            .status(err.status)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(json!({ "error": body }).to_string()))
            .expect("valid response");
        with_headers(resp, err)
    }
}

/// `redirect {to, code, return_to_query_param, when}`.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default)]
pub struct Redirect {
    /// Target URL.
    pub to: String,
    /// 301 or 302.
    pub code: Option<u16>,
    /// Query parameter carrying the original URL.
    pub return_to_query_param: Option<String>,
    /// Conditions.
    pub when: Vec<WhenEntry>,
}

impl ErrorHandler for Redirect {
    fn id(&self) -> &'static str {
        "redirect"
    }

    fn matches(&self, err: &GatewayError, req: &RequestContext) -> bool {
        matches(&self.when, err, req)
    }

    fn render(&self, _err: &GatewayError, req: &RequestContext) -> Response {
        let mut to = self.to.clone();
        if let Some(param) = self
            .return_to_query_param
            .as_deref()
            .filter(|p| !p.is_empty())
        {
            if let Ok(mut u) = url::Url::parse(&self.to) {
                u.query_pairs_mut().append_pair(param, &return_to(req));
                to = u.to_string();
            }
        }
        let code = StatusCode::from_u16(self.code.unwrap_or(302)).unwrap_or(StatusCode::FOUND);
        Response::builder()
            .status(code)
            .header(
                header::LOCATION,
                HeaderValue::from_str(&to).unwrap_or(HeaderValue::from_static("/")),
            )
            .body(Body::empty())
            .expect("valid response")
    }
}

/// The original URL: from `X-Forwarded-Proto/Host/Uri` when present, else the request URL.
fn return_to(req: &RequestContext) -> String {
    let h = |n: &str| {
        req.headers
            .get(n)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    match (
        h("x-forwarded-proto"),
        h("x-forwarded-host"),
        h("x-forwarded-uri"),
    ) {
        (Some(p), Some(host), Some(uri)) => format!("{p}://{host}{uri}"),
        _ => req.url.full().to_owned(),
    }
}

/// `www_authenticate {realm, when}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct WwwAuthenticate {
    /// Basic realm.
    pub realm: String,
    /// Conditions.
    pub when: Vec<WhenEntry>,
}

impl Default for WwwAuthenticate {
    fn default() -> Self {
        Self {
            realm: "Please authenticate.".into(),
            when: vec![],
        }
    }
}

impl ErrorHandler for WwwAuthenticate {
    fn id(&self) -> &'static str {
        "www_authenticate"
    }

    fn matches(&self, err: &GatewayError, req: &RequestContext) -> bool {
        matches(&self.when, err, req)
    }

    fn render(&self, _err: &GatewayError, _req: &RequestContext) -> Response {
        Response::builder()
            .status(StatusCode::UNAUTHORIZED)
            .header(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_str(&format!("Basic realm={}", self.realm))
                    .unwrap_or(HeaderValue::from_static("Basic")),
            )
            .body(Body::empty())
            .expect("valid response")
    }
}
