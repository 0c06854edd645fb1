//! Security keys and passkeys on login flows: a security key as the aal2 factor
//! (`webauthn_login`), and passkeys (and passwordless security keys) signing in on their
//! own at aal1 (`passkey_login`, a discoverable challenge: the key names its user).
//!
//! Each challenge is kept in the flow and dies with it: a completed flow cannot be answered
//! again, a new flow has a new challenge, and the stored signature counters catch cloned
//! keys.

use std::sync::Arc;

use serde_json::Value;
use uuid::Uuid;

use super::issue_session;
use crate::domain::identity::credential_type;
use crate::domain::{text, Flow, FlowType, Identity, Session, UiNode, UiText};
use crate::flow::ceremony::{self, Slot};
use crate::flow::{submit as form, FlowError, RequestInfo, SubmitOutcome};
use crate::method::webauthn::party::parse_assertion;
use crate::method::webauthn::{nodes, KeyKind, StoredKeys};
use crate::registry::Registry;

/// A refusal: the node to attach the message to (none: the form) and the message.
pub type Refusal = (Option<&'static str>, UiText);

/// The identity's security keys usable as a second factor (not its passwordless ones).
fn second_factor_keys(identity: &Identity) -> StoredKeys {
    let mut keys = StoredKeys::of(identity, credential_type::WEBAUTHN);
    keys.credentials.retain(|k| !k.is_passwordless);
    keys
}

/// aal2 nodes: a challenge for the identity's security keys (kept in the flow), the answer
/// field, the button and, in browsers, the script. None when it has no key.
pub fn second_factor_nodes(reg: &Registry, flow: &mut Flow, identity: &Identity) -> Vec<UiNode> {
    let Some(m) = reg.options.methods.webauthn.as_ref() else {
        return Vec::new();
    };
    let keys = second_factor_keys(identity);
    if keys.credentials.is_empty() {
        return Vec::new();
    }
    let (options, state) = match m
        .party
        .start_authentication(keys.verified(), KeyKind::SecurityKey)
    {
        Ok(started) => started,
        Err(e) => {
            tracing::error!(error = %e, "could not start a security key login");
            return Vec::new();
        }
    };
    ceremony::keep(flow, Slot::SecurityKeyLogin, state);
    let options = serde_json::to_string(&options).unwrap_or_default();
    let mut out = nodes::security_key_login(&options);
    if flow.flow_type == FlowType::Browser {
        out.insert(1, nodes::script_node(&reg.options.public_url));
    }
    out
}

/// Checks an aal2 security key answer (`webauthn_login`) and records the key's use.
pub async fn check_second_factor(
    reg: &Registry,
    flow: &Flow,
    identity: &Identity,
    body: &Value,
) -> Result<Result<(), Refusal>, FlowError> {
    let Some(m) = reg.options.methods.webauthn.as_ref() else {
        return Ok(Err((None, text::no_security_key())));
    };
    let keys = second_factor_keys(identity);
    if keys.credentials.is_empty() {
        return Ok(Err((None, text::no_security_key())));
    }
    let Some(answer) = form::string(body, "webauthn_login") else {
        return Ok(Err((
            Some("webauthn_login"),
            text::required("webauthn_login"),
        )));
    };
    let Some(state) = ceremony::pending(flow, Slot::SecurityKeyLogin) else {
        return Ok(Err((None, text::security_key_invalid())));
    };
    let verified = parse_assertion(answer)
        .and_then(|a| m.party.finish_authentication(&a, state, keys.verified()));
    match verified {
        Ok(result) => {
            record_use(reg, identity, credential_type::WEBAUTHN, &result).await;
            Ok(Ok(()))
        }
        Err(e) => {
            tracing::info!(identity_id = %identity.id, error = %e, "security key refused");
            Ok(Err((None, text::security_key_invalid())))
        }
    }
}

/// aal1 nodes: a discoverable passkey challenge (kept in the flow), the answer field, the
/// button and, in browsers, the script.
pub fn passkey_nodes(reg: &Registry, flow: &mut Flow) -> Vec<UiNode> {
    let Some(party) = reg.options.methods.passkey.as_ref() else {
        return Vec::new();
    };
    let (options, state) = match party.start_authentication(Vec::new(), KeyKind::Passkey) {
        Ok(started) => started,
        Err(e) => {
            tracing::error!(error = %e, "could not start a passkey login");
            return Vec::new();
        }
    };
    ceremony::keep(flow, Slot::PasskeyLogin, state);
    let browser = flow.flow_type == FlowType::Browser;
    let options = serde_json::to_string(&options).unwrap_or_default();
    let mut out = nodes::passkey_login(&options, browser);
    if browser {
        out.insert(1, nodes::script_node(&reg.options.public_url));
    }
    out
}

/// Signs in with a passkey (or a passwordless security key) named by its user handle.
pub async fn passkey_login(
    reg: &Registry,
    mut flow: Flow,
    body: &Value,
    req: &RequestInfo,
    current: Option<&Arc<Session>>,
) -> Result<SubmitOutcome, FlowError> {
    flow.active = Some("passkey".into());
    let Some(party) = reg.options.methods.passkey.as_ref() else {
        return refuse(reg, flow, text::no_strategy(crate::domain::FlowKind::Login)).await;
    };
    let Some(answer) = form::string(body, "passkey_login") else {
        flow.ui
            .add_message(Some("passkey_login"), text::required("passkey_login"));
        return super::invalid(reg, flow).await;
    };
    let Ok(assertion) = parse_assertion(answer) else {
        return refuse(reg, flow, text::security_key_invalid()).await;
    };
    let Some(state) = ceremony::pending(&flow, Slot::PasskeyLogin).cloned() else {
        return refuse(reg, flow, text::security_key_invalid()).await;
    };
    let handle = assertion.get_user_unique_id().unwrap_or_default().to_vec();
    let Some((identity, credential_type)) = owner_of(reg, &handle).await? else {
        return refuse(reg, flow, text::no_such_key_user()).await;
    };
    if flow.identity_id.is_some_and(|id| id != identity.id) {
        return refuse(reg, flow, text::security_key_invalid()).await;
    }
    let mut keys = StoredKeys::of(&identity, credential_type);
    keys.credentials.retain(|k| k.is_passwordless);
    let result = match party.finish_authentication(&assertion, &state, keys.verified()) {
        Ok(r) => r,
        Err(e) => {
            tracing::info!(identity_id = %identity.id, error = %e, "passkey refused");
            return refuse(reg, flow, text::security_key_invalid()).await;
        }
    };
    if !identity.is_active() {
        return Err(crate::domain::ApiError::identity_disabled().into());
    }
    record_use(reg, &identity, credential_type, &result).await;
    ceremony::forget(&mut flow, Slot::PasskeyLogin);
    let session = issue_session(reg, &flow, &identity, req, current, "passkey").await?;
    super::signed_in(reg, flow, &identity, session).await
}

/// The identity a user handle belongs to: a passkey's handle is its credential identifier;
/// a passwordless security key's handle is the identity id.
async fn owner_of(
    reg: &Registry,
    handle: &[u8],
) -> Result<Option<(Identity, &'static str)>, FlowError> {
    if handle.is_empty() {
        return Ok(None);
    }
    if let Ok(h) = std::str::from_utf8(handle) {
        if let Some(i) = reg
            .store
            .find_identity_by_identifier(credential_type::PASSKEY, h)
            .await?
        {
            return Ok(Some((i, credential_type::PASSKEY)));
        }
    }
    let passwordless = reg
        .options
        .methods
        .webauthn
        .as_ref()
        .is_some_and(|w| w.passwordless);
    let Ok(id) = Uuid::from_slice(handle) else {
        return Ok(None);
    };
    match reg.store.get_identity(id).await? {
        Some(i) if passwordless => Ok(Some((i, credential_type::WEBAUTHN))),
        _ => Ok(None),
    }
}

/// Stores a key's new signature counter and backup state (failures only logged).
pub(crate) async fn record_use(
    reg: &Registry,
    identity: &Identity,
    credential_type: &str,
    result: &webauthn_rs_core::proto::AuthenticationResult,
) {
    let mut updated = identity.clone();
    let mut keys = StoredKeys::of(&updated, credential_type);
    if !keys.record_use(result) {
        return;
    }
    let identifiers = updated
        .credential(credential_type)
        .map(|c| c.identifiers.clone())
        .unwrap_or_default();
    keys.save_to(&mut updated, credential_type, identifiers);
    if let Err(e) = reg.store.update_identity(&updated).await {
        tracing::warn!(identity_id = %identity.id, error = %e, "could not store a key's counter");
    }
}

async fn refuse(
    reg: &Registry,
    mut flow: Flow,
    message: UiText,
) -> Result<SubmitOutcome, FlowError> {
    flow.ui.messages.push(message);
    flow.ui.clear_values(|n| n == "passkey_login");
    super::invalid(reg, flow).await
}
