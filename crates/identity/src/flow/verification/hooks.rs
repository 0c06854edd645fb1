//! Verification started by other flows: after sign-up, after a settings change that added
//! an address, and at sign-in (`require_verified_address`, `verification` hooks).
//!
//! As Kratos' `verification` hook, a verification flow is created in state `sent_email` for
//! the first address that needs it and the code or link is sent at once (the address is the
//! identity's own, so there is nothing to hide). The caller gets the
//! `show_verification_ui` item pointing at that flow.

use serde_json::{json, Value};

use super::{is_enabled, new_flow, render_sent};
use crate::domain::{ApiError, Flow, FlowKind, FlowState, FlowType, Identity, VerificationStatus};
use crate::flow::{address, return_to, FlowError};
use crate::registry::Registry;

/// Which addresses a hook sends to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    /// Sign-up and sign-in: any address not verified yet.
    Unverified,
    /// Settings: addresses nothing was sent to yet (new ones).
    Pending,
}

/// Starts a verification for the first address of `identity` that `which` selects, from
/// the flow `origin`; returns its `show_verification_ui` item, or `None` when verification
/// is off or no address needs it.
pub async fn start(
    reg: &Registry,
    origin: &Flow,
    identity: &Identity,
    which: Which,
) -> Result<Option<Value>, FlowError> {
    if !is_enabled(reg) {
        return Ok(None);
    }
    let Some(target) = identity.verifiable_addresses.iter().find(|a| {
        !a.value.is_empty()
            && match which {
                Which::Unverified => !a.verified,
                Which::Pending => a.status == VerificationStatus::Pending,
            }
    }) else {
        return Ok(None);
    };
    let strategy = reg.options.verification_flow.strategy;
    let csrf = (origin.flow_type == FlowType::Browser).then_some(origin.csrf_token.as_str());
    let mut flow = new_flow(reg, origin.flow_type, &origin.request_url, csrf);
    flow.return_to = after_verification_return_to(reg, &origin.request_url);
    flow.transient_payload = origin.transient_payload.clone();
    flow.identity_id = Some(identity.id);
    flow.state = FlowState::SentEmail;
    render_sent(&mut flow, strategy, &target.value);
    reg.store.create_flow(&flow).await?;
    address::send_to(reg, &flow, identity, &target.value, strategy).await?;
    let url = match flow.flow_type {
        FlowType::Browser => reg
            .options
            .ui_url_with_flow(FlowKind::Verification, flow.id),
        FlowType::Api => String::new(),
    };
    let mut item = json!({
        "action": "show_verification_ui",
        "flow": { "id": flow.id, "verifiable_address": target.value },
    });
    if !url.is_empty() {
        item["flow"]["url"] = json!(url);
    }
    Ok(Some(item))
}

/// `after_verification_return_to` of the originating request becomes the verification
/// flow's `return_to` (when allowed).
fn after_verification_return_to(reg: &Registry, request_url: &str) -> Option<String> {
    let url = url::Url::parse(request_url).ok()?;
    let requested = url
        .query_pairs()
        .find(|(k, _)| k == "after_verification_return_to")
        .map(|(_, v)| v.into_owned())?;
    let opts = &reg.options;
    return_to::check(
        Some(&requested),
        &opts.public_url,
        &opts.allowed_return_urls,
    )
    .ok()
    .flatten()
}

/// After sign-up: starts the verification and, when `show_verification_ui` is configured
/// (or the legacy flag is on), records the item in the flow's `continue_with` and, for
/// browsers, where to go instead of the return URL. A failure to send is logged, not fatal:
/// the identity exists and verification can be asked for again.
pub async fn after_registration(reg: &Registry, flow: &mut Flow, identity: &Identity) {
    let show = reg
        .options
        .registration
        .after_password_hooks
        .iter()
        .any(|h| h == "show_verification_ui")
        || reg.options.flags.legacy_verification_ui;
    match start(reg, flow, identity, Which::Unverified).await {
        Ok(Some(item)) if show => attach(flow, item),
        Ok(_) => {}
        Err(e) => {
            tracing::warn!(flow_id = %flow.id, error = ?e, "could not start verification after sign-up")
        }
    }
}

/// The `verification` login hook: unverified addresses get a verification after sign-in
/// (nothing blocks); `show_verification_ui` adds the item to the flow's `continue_with`.
pub async fn after_login(reg: &Registry, flow: &mut Flow, identity: &Identity) {
    let show = reg
        .options
        .login
        .after_password_hooks
        .iter()
        .any(|h| h == "show_verification_ui")
        || reg.options.flags.legacy_verification_ui;
    match start(reg, flow, identity, Which::Unverified).await {
        Ok(Some(item)) if show => attach(flow, item),
        Ok(_) => {}
        Err(e) => {
            tracing::warn!(flow_id = %flow.id, error = ?e, "could not start verification after sign-in")
        }
    }
}

/// After a settings change: new addresses get a verification; `show_verification_ui` in the
/// method's hooks adds the item to the flow's `continue_with`.
pub async fn after_settings(reg: &Registry, flow: &mut Flow, identity: &Identity, method: &str) {
    let show = reg
        .options
        .settings_flow
        .hooks_of(method)
        .iter()
        .any(|h| h == "show_verification_ui")
        || reg.options.flags.legacy_verification_ui;
    match start(reg, flow, identity, Which::Pending).await {
        Ok(Some(item)) if show => attach(flow, item),
        Ok(_) => {}
        Err(e) => {
            tracing::warn!(flow_id = %flow.id, error = ?e, "could not start verification after a settings change")
        }
    }
}

/// `require_verified_address` at sign-in when no address is verified: a verification flow
/// for the first address, and the error pointing to it (browsers are sent there).
pub async fn require_verified(reg: &Registry, login: &Flow, identity: &Identity) -> FlowError {
    if identity.verifiable_addresses.is_empty() {
        return FlowError::Internal(
            "require_verified_address: the identity has no verifiable address (check the identity schema)".into(),
        );
    }
    let error = ApiError::verified_address_required();
    match start(reg, login, identity, Which::Unverified).await {
        Ok(Some(item)) => {
            let to = reg.options.ui_url_with_flow(
                FlowKind::Verification,
                item["flow"]["id"]
                    .as_str()
                    .and_then(|id| uuid::Uuid::parse_str(id).ok())
                    .unwrap_or_default(),
            );
            FlowError::Redirect {
                to,
                error: error.with_detail("continue_with", json!([item])),
            }
        }
        Ok(None) => FlowError::Api(error),
        Err(e) => e,
    }
}

/// Adds a `continue_with` item to an originating flow; browsers go to its URL.
fn attach(flow: &mut Flow, item: Value) {
    if let Some(url) = item["flow"]["url"].as_str() {
        flow.internal["return_to_verification"] = json!(url);
    }
    match flow
        .internal
        .get_mut("continue_with")
        .and_then(Value::as_array_mut)
    {
        Some(items) => items.push(item),
        None => flow.internal["continue_with"] = json!([item]),
    }
}
