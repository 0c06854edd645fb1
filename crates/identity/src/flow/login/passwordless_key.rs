//! Signing in with a passwordless security key (`webauthn` with `passwordless: true`), in
//! two steps as Kratos: the identifier with `method=webauthn` first, which answers with a
//! challenge for that identity's keys; then the key's answer in `webauthn_login`.

use std::sync::Arc;

use serde_json::Value;

use super::{invalid, issue_session};
use crate::domain::identity::credential_type;
use crate::domain::ui::InputAttributes;
use crate::domain::{text, Flow, FlowType, Identity, Session, UiNode};
use crate::flow::ceremony::{self, Slot};
use crate::flow::{submit as form, FlowError, RequestInfo, SubmitOutcome};
use crate::method::webauthn::party::parse_assertion;
use crate::method::webauthn::{nodes, KeyKind, StoredKeys, GROUP};
use crate::registry::Registry;

/// Whether the login form offers passwordless security keys.
pub fn enabled(reg: &Registry) -> bool {
    reg.options
        .methods
        .webauthn
        .as_ref()
        .is_some_and(|w| w.passwordless)
}

/// The first step's button ("Sign in with a hardware key", `method=webauthn`).
pub fn first_step_nodes() -> Vec<UiNode> {
    vec![UiNode::submit(
        GROUP,
        "method",
        "webauthn",
        text::login_with_security_key(),
    )]
}

fn passwordless_keys(identity: &Identity) -> StoredKeys {
    let mut keys = StoredKeys::of(identity, credential_type::WEBAUTHN);
    keys.credentials.retain(|k| k.is_passwordless);
    keys
}

/// Handles `method=webauthn` on an aal1 flow: the identifier step, or the key's answer.
pub async fn submit(
    reg: &Registry,
    mut flow: Flow,
    body: &Value,
    req: &RequestInfo,
    current: Option<&Arc<Session>>,
) -> Result<SubmitOutcome, FlowError> {
    flow.active = Some("webauthn".into());
    let Some(m) = reg.options.methods.webauthn.as_ref() else {
        return Err(FlowError::Internal("webauthn method is off".into()));
    };
    let Some(identifier) = form::string(body, "identifier").map(|i| i.trim().to_lowercase()) else {
        flow.ui
            .add_message(Some("identifier"), text::required("identifier"));
        return invalid(reg, flow).await;
    };
    let found = reg
        .store
        .find_identity_by_identifier(credential_type::WEBAUTHN, &identifier)
        .await?
        .filter(|i| flow.identity_id.is_none_or(|id| id == i.id));
    let keys = found.as_ref().map(passwordless_keys).unwrap_or_default();
    let Some(identity) = found.filter(|_| !keys.credentials.is_empty()) else {
        flow.ui.messages.push(text::no_such_key_user());
        return invalid(reg, flow).await;
    };
    let Some(answer) = form::string(body, "webauthn_login") else {
        return challenge(reg, flow, &identifier, &keys, m.kind()).await;
    };
    let state = ceremony::pending(&flow, Slot::SecurityKeyLogin).cloned();
    let verified = match state {
        Some(state) => parse_assertion(answer)
            .and_then(|a| m.party.finish_authentication(&a, &state, keys.verified())),
        None => Err(crate::method::webauthn::CeremonyError::NoCeremony(
            "no challenge".into(),
        )),
    };
    let result = match verified {
        Ok(r) => r,
        Err(e) => {
            tracing::info!(identity_id = %identity.id, error = %e, "passwordless key refused");
            flow.ui.messages.push(text::security_key_invalid());
            flow.ui.clear_values(|n| n == "webauthn_login");
            return invalid(reg, flow).await;
        }
    };
    if !identity.is_active() {
        return Err(crate::domain::ApiError::identity_disabled().into());
    }
    super::keys::record_use(reg, &identity, credential_type::WEBAUTHN, &result).await;
    ceremony::forget(&mut flow, Slot::SecurityKeyLogin);
    let session = issue_session(reg, &flow, &identity, req, current, "webauthn").await?;
    super::signed_in(reg, flow, &identity, session).await
}

/// The second screen: the identifier kept hidden, a challenge for the identity's keys.
async fn challenge(
    reg: &Registry,
    mut flow: Flow,
    identifier: &str,
    keys: &StoredKeys,
    kind: KeyKind,
) -> Result<SubmitOutcome, FlowError> {
    let Some(m) = reg.options.methods.webauthn.as_ref() else {
        return Err(FlowError::Internal("webauthn method is off".into()));
    };
    let (options, state) = m
        .party
        .start_authentication(keys.verified(), kind)
        .map_err(|e| FlowError::Internal(e.to_string()))?;
    ceremony::keep(&mut flow, Slot::SecurityKeyLogin, state);
    let options = serde_json::to_string(&options).unwrap_or_default();
    let mut nodes_out: Vec<UiNode> = flow
        .ui
        .nodes
        .iter()
        .filter(|n| n.name() == Some("csrf_token"))
        .cloned()
        .collect();
    nodes_out.push(UiNode::input(
        "default",
        InputAttributes {
            name: "identifier".into(),
            input_type: "hidden".into(),
            value: Some(Value::String(identifier.to_string())),
            required: true,
            ..Default::default()
        },
        None,
    ));
    let mut key_nodes = nodes::security_key_login(&options);
    if flow.flow_type == FlowType::Browser {
        key_nodes.insert(1, nodes::script_node(&reg.options.public_url));
    }
    nodes_out.extend(key_nodes);
    flow.ui.nodes = nodes_out;
    flow.ui.messages = vec![text::login_security_key_prepare()];
    reg.store.update_flow(&flow).await?;
    Ok(SubmitOutcome::NextScreen(Box::new(flow)))
}
