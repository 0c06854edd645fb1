//! What every flow kind shares when it is created or replaced.

use super::FlowError;
use crate::domain::{self, text, Flow, FlowKind, FlowType};
use crate::registry::Registry;

/// A fresh flow of `kind` with its action URL and CSRF token (browser flows reuse the
/// browser's CSRF token so several tabs keep working; API flows have none).
pub fn new_flow(
    reg: &Registry,
    kind: FlowKind,
    flow_type: FlowType,
    request_url: &str,
    csrf_cookie: Option<&str>,
) -> Flow {
    let opts = &reg.options;
    let mut flow = Flow::new(
        kind,
        flow_type,
        opts.flow_lifespan(kind),
        request_url.to_string(),
        String::new(),
    );
    flow.ui.action = opts.flow_action(kind, flow.id);
    match flow_type {
        FlowType::Browser => {
            if let Some(token) = csrf_cookie.filter(|t| t.len() >= 32) {
                flow.csrf_token = token.to_string();
            }
        }
        FlowType::Api => flow.csrf_token = String::new(),
    }
    flow
}

/// Stores `replacement` (already rendered) for the expired flow `old`, with the expiry
/// message, and returns the error that points the client to it.
pub async fn replace_expired(
    reg: &Registry,
    old: &Flow,
    mut replacement: Flow,
) -> Result<FlowError, FlowError> {
    replacement.return_to = old.return_to.clone();
    replacement
        .ui
        .messages
        .push(text::flow_expired(old.kind, old.expires_at, domain::now()));
    reg.store.create_flow(&replacement).await?;
    Ok(FlowError::Expired {
        replacement: Box::new(replacement),
        expired_at: old.expires_at,
    })
}

/// Where a browser goes after completing a flow of `kind` without a `return_to`.
pub fn after_return_url(reg: &Registry, kind: FlowKind) -> String {
    reg.options
        .flow(kind)
        .after_return_url
        .clone()
        .unwrap_or_else(|| reg.options.default_return_url.clone())
}
