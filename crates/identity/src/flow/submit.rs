//! Checks every flow submission goes through: existence, kind, expiry, replay, CSRF.

use serde_json::Value;
use subtle::ConstantTimeEq;

use super::{FlowError, RequestInfo};
use crate::domain::{self, text, ApiError, ErrorId, Flow, FlowKind, FlowType};

/// The result of loading a flow for submission.
pub enum Loaded {
    /// Ready to process.
    Ready(Box<Flow>),
    /// Expired: the caller creates a replacement.
    Expired(Box<Flow>),
    /// Already completed: render it with the "already completed" message.
    Completed(Box<Flow>),
}

/// Checks a flow loaded for submission: its kind, then the CSRF checks for its type, expiry
/// and completion. The caller loads the flow once and hands it over.
pub fn check(
    flow: Flow,
    kind: FlowKind,
    body: &Value,
    req: &RequestInfo,
) -> Result<Loaded, FlowError> {
    if flow.kind != kind {
        return Err(FlowError::Api(ApiError::not_found()));
    }
    check_csrf(&flow, body, req)?;
    if flow.is_expired(domain::now()) {
        return Ok(Loaded::Expired(Box::new(flow)));
    }
    if flow.is_completed() {
        let mut flow = flow;
        flow.ui.clear_messages();
        flow.ui.messages.push(text::retry_success(kind));
        return Ok(Loaded::Completed(Box::new(flow)));
    }
    Ok(Loaded::Ready(Box::new(flow)))
}

/// Browser flows: the submitted token must match the flow's and the cookie's.
/// API flows: no `Origin` header and no cookies other than Cloudflare's.
pub fn check_csrf(flow: &Flow, body: &Value, req: &RequestInfo) -> Result<(), FlowError> {
    match flow.flow_type {
        FlowType::Browser => {
            let submitted = body
                .get("csrf_token")
                .and_then(Value::as_str)
                .map(str::to_string)
                .or_else(|| req.csrf_header.clone());
            let Some(submitted) = submitted.filter(|s| !s.is_empty()) else {
                return Err(ApiError::csrf_violation(
                    "The CSRF token is missing from the request body or X-CSRF-Token header.",
                )
                .into());
            };
            let Some(cookie) = req.csrf_cookie.as_deref() else {
                return Err(ApiError::csrf_violation("The CSRF cookie is missing: the request did not carry the cookie set when the flow was created.").into());
            };
            let token_ok = bool::from(submitted.as_bytes().ct_eq(flow.csrf_token.as_bytes()));
            let cookie_ok = bool::from(cookie.as_bytes().ct_eq(flow.csrf_token.as_bytes()));
            if token_ok && cookie_ok {
                Ok(())
            } else {
                Err(ApiError::csrf_violation(
                    "The CSRF token does not match the CSRF cookie or the flow.",
                )
                .into())
            }
        }
        FlowType::Api => {
            if req.has_origin {
                return Err(api_flow_browser_error("an Origin header"));
            }
            let browser_cookie = req
                .cookie_names
                .iter()
                .any(|n| !(n.starts_with("__cf") || n.starts_with("_cf") || n.starts_with("cf_")));
            if browser_cookie {
                return Err(api_flow_browser_error("cookies"));
            }
            Ok(())
        }
    }
}

fn api_flow_browser_error(what: &str) -> FlowError {
    let mut e = ApiError::bad_request(format!(
        "The request was rejected to protect you from Cross-Site-Request-Forgery (CSRF). The flow was interrupted because the request contained {what}, which indicates that it was sent by a browser. Please use browser flows for browser-based clients."
    ));
    e.error.id = Some(ErrorId::SecurityCsrfViolation.as_str());
    FlowError::Api(e)
}

/// The `method` field of a submission.
pub fn method(body: &Value) -> Option<&str> {
    body.get("method")
        .and_then(Value::as_str)
        .filter(|m| !m.is_empty())
}

/// A string field of a submission, if present and non-empty.
pub fn string<'a>(body: &'a Value, key: &str) -> Option<&'a str> {
    body.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

/// A boolean field of a submission: JSON `true` or the form value `"true"`.
pub fn flag(body: &Value, key: &str) -> bool {
    match body.get(key) {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s == "true",
        _ => false,
    }
}

/// Copies `transient_payload` into the flow when sent.
pub fn take_transient_payload(flow: &mut Flow, body: &Value) {
    if let Some(p) = body.get("transient_payload").filter(|p| p.is_object()) {
        flow.transient_payload = Some(p.clone());
    }
}
