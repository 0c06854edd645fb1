//! The gateway's one error type: every failure carries its HTTP status, where it came from,
//! and the headers to pass through (rate limits). Error handlers render it; nothing else does.

use http::{HeaderMap, StatusCode};
use serde_json::Value;

/// Where a failure originated, for logs and metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorSource {
    /// The client's request (bad credentials, no rule, …).
    Downstream,
    /// A remote dependency (session store, JWKS, authorizer, upstream).
    Upstream,
    /// Our own configuration or code.
    Internal,
}

/// A pipeline, proxy or decisions failure.
#[derive(Debug, Clone)]
pub struct GatewayError {
    /// The HTTP status to answer with.
    pub status: StatusCode,
    /// Herodot-style message (`error.message`).
    pub message: String,
    /// Longer explanation (`error.reason`), shown only by verbose handlers.
    pub reason: String,
    /// Structured details (`error.details`), e.g. JWT claims.
    pub details: Option<Value>,
    /// Headers copied into the response (e.g. `Retry-After`).
    pub headers: HeaderMap,
    /// Where it came from.
    pub source: ErrorSource,
}

impl std::fmt::Display for GatewayError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.status.as_u16(),
            self.message,
            self.reason
        )
    }
}

impl std::error::Error for GatewayError {}

impl GatewayError {
    fn new(status: StatusCode, message: &str, source: ErrorSource) -> Self {
        Self {
            status,
            message: message.to_owned(),
            reason: String::new(),
            details: None,
            headers: HeaderMap::new(),
            source,
        }
    }

    /// 401: credentials missing or invalid.
    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "The request could not be authorized",
            ErrorSource::Downstream,
        )
    }

    /// 403: authenticated but not allowed.
    pub fn forbidden() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "The requested action was forbidden",
            ErrorSource::Downstream,
        )
    }

    /// 404: no access rule matches.
    pub fn no_rule() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "Requested url does not match any rules",
            ErrorSource::Downstream,
        )
    }

    /// 500: more than one rule matches.
    pub fn multiple_rules() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Expected exactly one rule but found multiple rules",
            ErrorSource::Internal,
        )
    }

    /// 500: configuration or programming error; the reason is logged, not shown.
    pub fn internal(reason: impl Into<String>) -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "An internal server error occurred, please contact the system administrator",
            ErrorSource::Internal,
        )
        .with_reason(reason)
    }

    /// 429 from a dependency, with its rate-limit headers.
    pub fn too_many_requests(headers: HeaderMap) -> Self {
        let mut e = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "Too Many Requests",
            ErrorSource::Upstream,
        );
        e.headers = headers;
        e
    }

    /// 502: the upstream could not be reached.
    pub fn bad_gateway(reason: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_GATEWAY,
            "Bad Gateway",
            ErrorSource::Upstream,
        )
        .with_reason(reason)
    }

    /// 504: the upstream did not answer in time.
    pub fn gateway_timeout(reason: impl Into<String>) -> Self {
        Self::new(
            StatusCode::GATEWAY_TIMEOUT,
            "Gateway Timeout",
            ErrorSource::Upstream,
        )
        .with_reason(reason)
    }

    /// 431/400 style client error with a custom status.
    pub fn status(status: StatusCode, message: &str) -> Self {
        Self::new(status, message, ErrorSource::Downstream)
    }

    /// Adds a reason.
    pub fn with_reason(mut self, reason: impl Into<String>) -> Self {
        self.reason = reason.into();
        self
    }

    /// Adds details.
    pub fn with_details(mut self, details: Value) -> Self {
        self.details = Some(details);
        self
    }

    /// Marks the failure as coming from a remote dependency.
    pub fn from_upstream(mut self) -> Self {
        self.source = ErrorSource::Upstream;
        self
    }

    /// The snake_case status name used by error handler `when` clauses.
    pub fn status_name(&self) -> String {
        status_name(self.status)
    }
}

/// `Not Found` → `not_found`, as Oathkeeper names errors in `when.error`.
pub fn status_name(status: StatusCode) -> String {
    status
        .canonical_reason()
        .unwrap_or("internal_server_error")
        .to_ascii_lowercase()
        .replace([' ', '-'], "_")
        .replace('\'', "")
}

/// The outcome of a handler that may decline: `NotResponsible` moves to the next authenticator.
#[derive(Debug)]
pub enum AuthnError {
    /// The authenticator does not apply to this request.
    NotResponsible,
    /// The authenticator applies and failed; the chain stops.
    Failed(GatewayError),
}

impl From<GatewayError> for AuthnError {
    fn from(e: GatewayError) -> Self {
        AuthnError::Failed(e)
    }
}
