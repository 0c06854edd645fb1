//! The settings `lookup_secret` method: generate a set of backup recovery codes (shown once),
//! confirm it, reveal which codes were used, or disable the method. Every action needs a
//! privileged session.

use std::sync::Arc;

use serde_json::{json, Value};
use zeroize::Zeroizing;

use super::profile::load_identity;
use super::totp::with_method;
use super::{is_privileged, refresh_required, saved};
use crate::domain::identity::credential_type;
use crate::domain::{self, ApiError, Flow, FlowState, Identity, Session, UiNode};
use crate::flow::{submit as form, FlowError, SubmitOutcome};
use crate::method::lookup_secret::{self as method, LookupConfig, GROUP};
use crate::registry::Registry;

/// The submit fields of this method.
pub const ACTIONS: [&str; 4] = [
    "lookup_secret_reveal",
    "lookup_secret_regenerate",
    "lookup_secret_confirm",
    "lookup_secret_disable",
];

/// Where the hashes of generated, not yet confirmed codes are kept.
const PENDING: &str = "lookup_secret_regenerated";

/// The lookup nodes: reveal and disable when codes exist, else regenerate.
pub fn nodes(identity: &Identity) -> Vec<UiNode> {
    if method::has_codes(identity) {
        vec![method::reveal_node(), method::disable_node()]
    } else {
        vec![method::regenerate_node()]
    }
}

/// Runs the submitted action.
pub async fn submit(
    reg: &Registry,
    mut flow: Flow,
    body: &Value,
    session: Arc<Session>,
) -> Result<SubmitOutcome, FlowError> {
    flow.active = Some("lookup_secret".into());
    if !is_privileged(reg, &session) {
        return Err(refresh_required(reg, &flow));
    }
    let identity = load_identity(reg, &session).await?;
    if form::flag(body, "lookup_secret_confirm") {
        confirm(reg, flow, identity, session).await
    } else if form::flag(body, "lookup_secret_reveal") {
        reveal(reg, flow, &identity).await
    } else if form::flag(body, "lookup_secret_disable") {
        disable(reg, flow, identity, session).await
    } else if form::flag(body, "lookup_secret_regenerate") {
        regenerate(reg, flow).await
    } else {
        flow.ui
            .messages
            .push(domain::text::no_strategy(domain::FlowKind::Settings));
        super::invalid(reg, flow).await
    }
}

/// Shows the flow with the lookup nodes replaced by `nodes` (200; browsers go to the UI).
async fn show(
    reg: &Registry,
    mut flow: Flow,
    nodes: Vec<UiNode>,
) -> Result<SubmitOutcome, FlowError> {
    flow.ui.nodes.retain(|n| n.group != GROUP);
    flow.ui.nodes.extend(nodes);
    flow.state = FlowState::ShowForm;
    reg.store.update_flow(&flow).await?;
    Ok(SubmitOutcome::Updated(Box::new(flow)))
}

/// New codes: shown in the flow with a confirm button; only their hashes are kept for the
/// confirmation.
async fn regenerate(reg: &Registry, mut flow: Flow) -> Result<SubmitOutcome, FlowError> {
    let codes = method::generate();
    let hashes = reg
        .hasher
        .hash_lookup_secrets(codes.iter().map(|c| Zeroizing::new(c.clone())).collect())
        .await
        .map_err(|e| FlowError::Internal(e.to_string()))?;
    flow.internal[PENDING] = json!(hashes);
    let nodes = vec![method::codes_node(&codes), method::confirm_node()];
    show(reg, flow, nodes).await
}

/// Saves the codes generated on this flow; earlier codes stop working.
async fn confirm(
    reg: &Registry,
    mut flow: Flow,
    mut identity: Identity,
    session: Arc<Session>,
) -> Result<SubmitOutcome, FlowError> {
    let hashes: Vec<String> = flow
        .internal
        .get(PENDING)
        .and_then(|v| serde_json::from_value(v.clone()).ok())
        .unwrap_or_default();
    if hashes.len() != method::CODES {
        return Err(ApiError::bad_request(
            "You must (re-)generate recovery backup codes before you can save them.",
        )
        .into());
    }
    let now = domain::now();
    identity.set_credential(method::credential(identity.id, hashes));
    identity.updated_at = now;
    reg.store.update_identity(&identity).await?;
    forget_uses(reg, &identity).await?;
    if let Some(o) = flow.internal.as_object_mut() {
        o.remove(PENDING);
    }
    tracing::info!(identity_id = %identity.id, "lookup secrets confirmed");
    let session = with_method(reg, &session, "lookup_secret").await?;
    saved(reg, flow, &identity, session, "lookup_secret").await
}

/// Lists the stored codes: used ones with their time, the rest hidden.
async fn reveal(
    reg: &Registry,
    flow: Flow,
    identity: &Identity,
) -> Result<SubmitOutcome, FlowError> {
    let Some(config) = LookupConfig::of(identity).filter(|c| !c.recovery_codes.is_empty()) else {
        return Err(
            ApiError::bad_request("Can not reveal lookup codes because you have none.").into(),
        );
    };
    let nodes = vec![
        method::stored_codes_node(&config),
        method::disable_node(),
        method::regenerate_node(),
    ];
    show(reg, flow, nodes).await
}

/// Removes the codes.
async fn disable(
    reg: &Registry,
    mut flow: Flow,
    mut identity: Identity,
    session: Arc<Session>,
) -> Result<SubmitOutcome, FlowError> {
    identity.credentials.remove(credential_type::LOOKUP_SECRET);
    identity.available_aal = identity.compute_available_aal();
    identity.updated_at = domain::now();
    reg.store.update_identity(&identity).await?;
    forget_uses(reg, &identity).await?;
    if let Some(o) = flow.internal.as_object_mut() {
        o.remove(PENDING);
    }
    tracing::info!(identity_id = %identity.id, "lookup secrets disabled");
    saved(reg, flow, &identity, session, "lookup_secret").await
}

/// Drops the use records of replaced codes.
async fn forget_uses(reg: &Registry, identity: &Identity) -> Result<(), FlowError> {
    let later = domain::now() + chrono::Duration::days(1);
    reg.store
        .forget_second_factor_uses(identity.id, credential_type::LOOKUP_SECRET, later)
        .await?;
    Ok(())
}
