//! Error handlers (`json`, `redirect`, `www_authenticate`) and their `when` conditions.

pub mod handlers;
pub mod when;

use axum::response::Response;

use crate::error::GatewayError;
use crate::pipeline::RequestContext;

/// Renders a pipeline failure.
pub trait ErrorHandler: Send + Sync {
    /// The handler id (`json`, …).
    fn id(&self) -> &'static str;
    /// Whether the handler's `when` clause selects this error and request.
    fn matches(&self, err: &GatewayError, req: &RequestContext) -> bool;
    /// The response.
    fn render(&self, err: &GatewayError, req: &RequestContext) -> Response;
}

/// Picks the handler for `err`: the rule's handlers whose `when` matches (exactly one), else
/// the first matching global fallback, else plain JSON.
pub fn handle(
    rule_handlers: &[std::sync::Arc<dyn ErrorHandler>],
    fallback: &[std::sync::Arc<dyn ErrorHandler>],
    err: &GatewayError,
    req: &RequestContext,
) -> Response {
    let matched: Vec<_> = rule_handlers
        .iter()
        .filter(|h| h.matches(err, req))
        .collect();
    match matched.len() {
        1 => return matched[0].render(err, req),
        0 => {}
        _ => {
            let e = GatewayError::internal("more than one error handler matched the error");
            return handlers::Json::default().render(&e, req);
        }
    }
    if let Some(h) = fallback.iter().find(|h| h.matches(err, req)) {
        return h.render(err, req);
    }
    handlers::Json::default().render(err, req)
}
