//! Sign-up with a passwordless security key (`webauthn` with `passwordless: true`), as
//! Kratos: a name for the key, the creation challenge on the "Sign up with security key"
//! button, the answer in `webauthn_register` with the traits. The identity id is chosen
//! with the challenge (it is the key's user handle).

use serde_json::Value;
use uuid::Uuid;

use super::{invalid, schema, set_addresses};
use crate::domain::identity::credential_type;
use crate::domain::{text, Flow, Identity, UiNode};
use crate::flow::ceremony::{self, Slot};
use crate::flow::{submit as form, FlowError, RequestInfo, SubmitOutcome};
use crate::method::webauthn::keys::encode_user_handle;
use crate::method::webauthn::{nodes, KeyKind, StoredKey, StoredKeys};
use crate::registry::Registry;

/// Where the chosen identity id waits for the answer.
const IDENTITY_KEY: &str = "webauthn_identity_id";

/// Whether sign-up offers security keys.
pub fn enabled(reg: &Registry) -> bool {
    reg.options
        .methods
        .webauthn
        .as_ref()
        .is_some_and(|w| w.passwordless)
}

/// The sign-up nodes (without the script, which the form adds once).
pub fn nodes(reg: &Registry, flow: &mut Flow) -> Vec<UiNode> {
    let Some(m) = reg
        .options
        .methods
        .webauthn
        .as_ref()
        .filter(|w| w.passwordless)
    else {
        return Vec::new();
    };
    let id = Uuid::new_v4();
    let (options, state) =
        match m
            .party
            .start_registration(id.as_bytes(), "user", Vec::new(), KeyKind::Passwordless)
        {
            Ok(started) => started,
            Err(e) => {
                tracing::error!(error = %e, "could not start a security key sign-up");
                return Vec::new();
            }
        };
    ceremony::keep(flow, Slot::SecurityKeyRegistration, state);
    flow.internal[IDENTITY_KEY] = Value::String(id.to_string());
    let options = serde_json::to_string(&options).unwrap_or_default();
    let mut out = nodes::security_key_registration(&options);
    if let Some(trigger) = out.last_mut() {
        trigger.meta.label = Some(text::registration_with_security_key());
    }
    out
}

/// Creates the identity from the traits and the verified key.
pub async fn submit(
    reg: &Registry,
    mut flow: Flow,
    values: Value,
    body: &Value,
    req: &RequestInfo,
) -> Result<SubmitOutcome, FlowError> {
    flow.active = Some("webauthn".into());
    let Some(m) = reg.options.methods.webauthn.as_ref() else {
        return Err(FlowError::Internal("webauthn method is off".into()));
    };
    if !super::traits_valid(reg, &mut flow, &values) {
        return invalid(reg, flow).await;
    }
    let schema = schema(reg, &flow);
    let info = schema.extract(&values);
    if info.webauthn_identifiers.is_empty() {
        flow.ui.messages.push(text::identifier_missing());
        return invalid(reg, flow).await;
    }
    let id = flow.internal[IDENTITY_KEY]
        .as_str()
        .and_then(|s| Uuid::parse_str(s).ok());
    let Some(id) = id else {
        flow.ui.messages.push(text::security_key_invalid());
        return invalid(reg, flow).await;
    };
    let slot = Slot::SecurityKeyRegistration;
    let Some(key) = super::verified_key(&mut flow, body, "webauthn_register", slot, &m.party)
    else {
        return invalid(reg, flow).await;
    };
    let name = form::string(body, "webauthn_register_displayname").unwrap_or_default();
    let mut identity = Identity::new(schema.id(), values);
    identity.id = id;
    let keys = StoredKeys {
        credentials: vec![StoredKey::new(key, name, true)],
        user_handle: encode_user_handle(id.as_bytes()),
    };
    keys.save_to(
        &mut identity,
        credential_type::WEBAUTHN,
        info.webauthn_identifiers.clone(),
    );
    set_addresses(&mut identity, &info);
    ceremony::forget(&mut flow, Slot::SecurityKeyRegistration);
    super::registered(
        reg,
        flow,
        identity,
        "webauthn",
        req,
        super::AfterCreate::VerificationHooks,
    )
    .await
}
