//! Sign-up with a passkey: the form carries a creation challenge for a new user handle
//! (`passkey_create_data`); the browser answers in `passkey_register` with the traits, and
//! the identity is created with the passkey as its only credential.

use serde_json::{json, Value};

use super::{invalid, schema, set_addresses};
use crate::domain::identity::credential_type;
use crate::domain::{text, Flow, FlowType, Identity, UiNode};
use crate::flow::ceremony::{self, Slot};
use crate::flow::{FlowError, RequestInfo, SubmitOutcome};
use crate::method::webauthn::keys::encode_user_handle;
use crate::method::webauthn::nodes::{self, PasskeyScreen};
use crate::method::webauthn::{KeyKind, StoredKey, StoredKeys};
use crate::registry::Registry;
use crate::schema::IdentitySchema;

/// The passkey sign-up nodes, without the script the form adds once (none when passkeys are off or the schema names no trait to
/// show as the passkey's name, as Kratos).
pub fn nodes(reg: &Registry, flow: &mut Flow) -> Vec<UiNode> {
    let Some(party) = reg.options.methods.passkey.as_ref() else {
        return Vec::new();
    };
    let fields = display_name_fields(schema(reg, flow));
    if fields.is_empty() {
        tracing::warn!("passkeys are on but the identity schema marks no trait as passkey.display_name or webauthn.identifier; sign-up with a passkey is not offered");
        return Vec::new();
    }
    let handle = ceremony::new_passkey_user_handle();
    let (options, state) =
        match party.start_registration(handle.as_bytes(), "user", Vec::new(), KeyKind::Passkey) {
            Ok(started) => started,
            Err(e) => {
                tracing::error!(error = %e, "could not start a passkey sign-up");
                return Vec::new();
            }
        };
    ceremony::keep(flow, Slot::PasskeyRegistration, state);
    ceremony::keep_handle(flow, &handle);
    let data = json!({
        "credentialOptions": options,
        "displayNameFieldName": fields[0],
        "displayNameFieldNames": fields,
    })
    .to_string();
    let browser = flow.flow_type == FlowType::Browser;
    nodes::passkey_registration(&data, PasskeyScreen::Registration, browser)
}

/// Form field names (`traits.…`) of the traits marked `passkey.display_name`, else
/// `webauthn.identifier`.
fn display_name_fields(schema: &IdentitySchema) -> Vec<String> {
    let mut display = Vec::new();
    let mut identifiers = Vec::new();
    let traits = &schema.raw()["properties"]["traits"];
    collect_fields(traits, "traits", &mut display, &mut identifiers);
    if display.is_empty() {
        identifiers
    } else {
        display
    }
}

fn collect_fields(node: &Value, path: &str, display: &mut Vec<String>, ids: &mut Vec<String>) {
    let credentials = &node["ory.sh/kratos"]["credentials"];
    if credentials["passkey"]["display_name"] == json!(true) {
        display.push(path.to_string());
    }
    if credentials["webauthn"]["identifier"] == json!(true) {
        ids.push(path.to_string());
    }
    if let Some(props) = node.get("properties").and_then(Value::as_object) {
        for (name, child) in props {
            collect_fields(child, &format!("{path}.{name}"), display, ids);
        }
    }
}

/// Creates the identity from the traits and the verified passkey.
pub async fn submit(
    reg: &Registry,
    mut flow: Flow,
    values: Value,
    body: &Value,
    req: &RequestInfo,
) -> Result<SubmitOutcome, FlowError> {
    flow.active = Some("passkey".into());
    let Some(party) = reg.options.methods.passkey.as_ref() else {
        return Err(FlowError::Internal("passkey method is off".into()));
    };
    if !super::traits_valid(reg, &mut flow, &values) {
        return invalid(reg, flow).await;
    }
    let Some(handle) = ceremony::pending_handle(&flow) else {
        flow.ui.messages.push(text::security_key_invalid());
        return invalid(reg, flow).await;
    };
    let slot = Slot::PasskeyRegistration;
    let Some(key) = super::verified_key(&mut flow, body, "passkey_register", slot, party) else {
        return invalid(reg, flow).await;
    };
    let schema = schema(reg, &flow);
    let info = schema.extract(&values);
    let name = info.passkey_display_name.clone().unwrap_or_default();
    let mut identity = Identity::new(schema.id(), values);
    let keys = StoredKeys {
        credentials: vec![StoredKey::new(key, &name, true)],
        user_handle: encode_user_handle(handle.as_bytes()),
    };
    keys.save_to(&mut identity, credential_type::PASSKEY, vec![handle]);
    set_addresses(&mut identity, &info);
    ceremony::forget(&mut flow, Slot::PasskeyRegistration);
    super::registered(
        reg,
        flow,
        identity,
        "passkey",
        req,
        super::AfterCreate::VerificationHooks,
    )
    .await
}
