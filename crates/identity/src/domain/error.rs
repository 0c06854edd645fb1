//! The Kratos error object (`errorGeneric`) and the error ids the API uses.

use serde::Serialize;
use serde_json::{Map, Value};

/// Stable error ids (Kratos `text/message_error.go`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorId {
    /// 401: no valid session.
    SessionInactive,
    /// 401: aal1 required first.
    SessionAal1Required,
    /// 401: the session already has the requested AAL.
    SessionAalAlreadyFulfilled,
    /// 403: second factor required.
    SessionAal2Required,
    /// 403: re-authentication required.
    SessionRefreshRequired,
    /// 403: CSRF check failed.
    SecurityCsrfViolation,
    /// 403: flow belongs to another identity.
    SecurityIdentityMismatch,
    /// 400: already signed in.
    SessionAlreadyAvailable,
    /// 400: address must be verified first.
    SessionVerifiedAddressRequired,
    /// 400: `return_to` not allowed.
    ReturnToForbidden,
    /// 400: flow disabled by configuration.
    FlowDisabled,
    /// 410: flow expired.
    FlowExpired,
    /// 410: flow replaced by another.
    FlowReplaced,
    /// 422: browser must navigate.
    BrowserLocationChangeRequired,
}

impl ErrorId {
    /// The wire id.
    pub fn as_str(self) -> &'static str {
        use ErrorId::*;
        match self {
            SessionInactive => "session_inactive",
            SessionAal1Required => "session_aal1_required",
            SessionAalAlreadyFulfilled => "session_aal_already_fulfilled",
            SessionAal2Required => "session_aal2_required",
            SessionRefreshRequired => "session_refresh_required",
            SecurityCsrfViolation => "security_csrf_violation",
            SecurityIdentityMismatch => "security_identity_mismatch",
            SessionAlreadyAvailable => "session_already_available",
            SessionVerifiedAddressRequired => "session_verified_address_required",
            ReturnToForbidden => "self_service_flow_return_to_forbidden",
            FlowDisabled => "self_service_flow_disabled",
            FlowExpired => "self_service_flow_expired",
            FlowReplaced => "self_service_flow_replaced",
            BrowserLocationChangeRequired => "browser_location_change_required",
        }
    }
}

/// The body of an error (`genericError`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ErrorBody {
    /// Stable id, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<&'static str>,
    /// HTTP status code.
    pub code: u16,
    /// HTTP status text.
    pub status: String,
    /// Why it happened, for people.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub reason: String,
    /// What happened.
    pub message: String,
    /// More structured details.
    #[serde(skip_serializing_if = "Map::is_empty")]
    pub details: Map<String, Value>,
}

/// An API error as Kratos renders it: `{"error": {...}}` plus optional top-level fields.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ApiError {
    /// The error.
    pub error: ErrorBody,
    /// Where a browser should go next.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redirect_browser_to: Option<String>,
    /// A replacement flow.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub use_flow_id: Option<uuid::Uuid>,
    /// When the flow expired.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expired_at: Option<super::Timestamp>,
}

impl ApiError {
    /// An error with a status code and message.
    pub fn new(code: u16, message: impl Into<String>) -> Self {
        ApiError {
            error: ErrorBody {
                id: None,
                code,
                status: status_text(code).to_string(),
                reason: String::new(),
                message: message.into(),
                details: Map::new(),
            },
            redirect_browser_to: None,
            use_flow_id: None,
            expired_at: None,
        }
    }

    /// Sets the id.
    pub fn with_id(mut self, id: ErrorId) -> Self {
        self.error.id = Some(id.as_str());
        self
    }

    /// Sets the reason.
    pub fn with_reason(mut self, reason: impl Into<String>) -> Self {
        self.error.reason = reason.into();
        self
    }

    /// Adds a detail.
    pub fn with_detail(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.error.details.insert(key.to_string(), value.into());
        self
    }

    /// Sets `redirect_browser_to`.
    pub fn with_redirect(mut self, to: impl Into<String>) -> Self {
        self.redirect_browser_to = Some(to.into());
        self
    }

    /// The HTTP status code.
    pub fn code(&self) -> u16 {
        self.error.code
    }

    /// The id, if any.
    pub fn id(&self) -> Option<&'static str> {
        self.error.id
    }

    /// 400 with a reason.
    pub fn bad_request(reason: impl Into<String>) -> Self {
        Self::new(
            400,
            "The request was malformed or contained invalid parameters",
        )
        .with_reason(reason)
    }

    /// 404.
    pub fn not_found() -> Self {
        Self::new(404, "The requested resource could not be found")
            .with_reason("Unable to locate the resource")
    }

    /// 409 conflict.
    pub fn conflict(reason: impl Into<String>) -> Self {
        Self::new(409, "The resource could not be created due to a conflict").with_reason(reason)
    }

    /// 413: body over the limit.
    pub fn payload_too_large(limit: usize) -> Self {
        Self::new(413, "The request body is too large")
            .with_reason(format!("Request bodies are limited to {limit} bytes."))
    }

    /// 415/400: unsupported content type.
    pub fn unsupported_media_type(got: &str) -> Self {
        Self::new(415, "Unsupported Media Type").with_reason(format!(
            "Content-Type \"{got}\" is not supported: send application/json or application/x-www-form-urlencoded."
        ))
    }

    /// 500; the cause goes to the log, never to the client.
    pub fn internal() -> Self {
        Self::new(
            500,
            "An internal server error occurred, please contact the system administrator",
        )
    }

    /// 401 `session_inactive`.
    pub fn session_inactive() -> Self {
        Self::new(401, "request does not have a valid authentication session")
            .with_id(ErrorId::SessionInactive)
            .with_reason("No active session was found in this request.")
    }

    /// 400 `session_already_available`.
    pub fn session_already_available() -> Self {
        Self::new(400, "you are already logged in")
            .with_id(ErrorId::SessionAlreadyAvailable)
            .with_reason("A valid session was detected and thus login is not possible. Did you forget to set `?refresh=true`?")
    }

    /// 403 `security_csrf_violation`.
    pub fn csrf_violation(reject_reason: &str) -> Self {
        Self::new(403, "the request was rejected to protect you from Cross-Site-Request-Forgery")
            .with_id(ErrorId::SecurityCsrfViolation)
            .with_reason("Please retry the flow and optionally clear your cookies. The request was rejected to protect you from Cross-Site-Request-Forgery (CSRF) which could cause account takeover, leaking personal information, and other serious security issues.")
            .with_detail("reject_reason", reject_reason)
            .with_detail("hint", "The CSRF token is missing or does not match the CSRF cookie. Make sure the request carries the csrf_token field from the flow and the cookies the flow set; cookies are only sent when the UI and the identity server share a domain.")
            .with_detail("docs", "https://www.ory.sh/kratos/docs/debug/csrf")
    }

    /// 410 `self_service_flow_expired`.
    pub fn flow_expired(expired_at: super::Timestamp, now: super::Timestamp) -> Self {
        let minutes = (now - expired_at).num_milliseconds() as f64 / 60_000.0;
        let mut e = Self::new(410, "self-service flow expired")
            .with_id(ErrorId::FlowExpired)
            .with_reason(format!(
                "The self-service flow expired {minutes:.2} minutes ago, initialize a new one."
            ));
        e.expired_at = Some(expired_at);
        e
    }

    /// 400 `self_service_flow_return_to_forbidden`.
    pub fn return_to_forbidden(url: &str) -> Self {
        Self::new(400, "Requested return_to URL is not allowed.")
            .with_id(ErrorId::ReturnToForbidden)
            .with_reason(format!("Requested return_to URL \"{url}\" is not allowed."))
    }

    /// 400 `self_service_flow_disabled`.
    pub fn flow_disabled(what: &str) -> Self {
        Self::new(
            400,
            format!("{what} is not allowed because it was disabled."),
        )
        .with_id(ErrorId::FlowDisabled)
        .with_reason(format!("{what} is not allowed because it was disabled."))
    }

    /// 403 `session_refresh_required`.
    pub fn refresh_required(redirect: String) -> Self {
        Self::new(403, "The requested action was forbidden")
            .with_id(ErrorId::SessionRefreshRequired)
            .with_reason("The login session is too old and thus not allowed to update these fields. Please re-authenticate.")
            .with_redirect(redirect)
    }

    /// 403 `security_identity_mismatch`: the flow belongs to another identity.
    pub fn identity_mismatch() -> Self {
        Self::new(403, "The requested action was forbidden")
            .with_id(ErrorId::SecurityIdentityMismatch)
            .with_reason("The request was initiated by someone else and has been blocked for security reasons. Please go back and try again.")
    }

    /// 410 `self_service_flow_replaced`: use the flow in `use_flow_id` instead.
    pub fn flow_replaced(reason: impl Into<String>, replacement: uuid::Uuid) -> Self {
        let mut e = Self::new(410, "self-service flow replaced")
            .with_id(ErrorId::FlowReplaced)
            .with_reason(reason);
        e.use_flow_id = Some(replacement);
        e
    }

    /// 403 `session_verified_address_required`: sign-in needs a verified address first.
    pub fn verified_address_required() -> Self {
        Self::new(403, "your email or phone address is not yet verified")
            .with_id(ErrorId::SessionVerifiedAddressRequired)
            .with_reason("Your account's email or phone address are not verified yet. Please check your email or phone inbox or re-request verification.")
    }

    /// 403 `session_aal2_required`.
    pub fn aal2_required(redirect: String) -> Self {
        Self::new(403, "Session does not fulfill the requested Authenticator Assurance Level")
            .with_id(ErrorId::SessionAal2Required)
            .with_reason("An active session was found but it does not fulfill the Authenticator Assurance Level, implying that the session must first be authenticated with a second factor.")
            .with_redirect(redirect)
    }

    /// 401 `session_aal1_required`.
    pub fn aal1_required(redirect: String) -> Self {
        Self::new(
            401,
            "You must be signed in with a first factor before you can use a second factor.",
        )
        .with_id(ErrorId::SessionAal1Required)
        .with_redirect(redirect)
    }

    /// 422 `browser_location_change_required`.
    pub fn location_change_required(to: String) -> Self {
        Self::new(422, "In order to complete this flow please redirect the browser to: ".to_string() + &to)
            .with_id(ErrorId::BrowserLocationChangeRequired)
            .with_reason("In order to complete this flow please redirect the browser to the URL in redirect_browser_to.")
            .with_redirect(to)
    }

    /// 401: the identity is disabled (v26.2.0 wording, no id).
    pub fn identity_disabled() -> Self {
        Self::new(401, "The request could not be authorized")
            .with_reason("This account was disabled.")
    }
}

/// The HTTP status text of a code.
pub fn status_text(code: u16) -> &'static str {
    match code {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        410 => "Gone",
        413 => "Payload Too Large",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        503 => "Service Unavailable",
        _ => "Internal Server Error",
    }
}
