//! The settings `webauthn` and `passkey` methods: add a security key or passkey (the flow
//! carries the creation challenge; the browser answers in `webauthn_register` /
//! `passkey_settings_register`) or remove one (`webauthn_remove` / `passkey_remove`). Both
//! need a privileged session; the last way to sign in cannot be removed.

use std::sync::Arc;

use serde_json::Value;

use super::profile::load_identity;
use super::{invalid, is_privileged, refresh_required, saved, schema_of};
use crate::domain::identity::credential_type;
use crate::domain::{self, text, Aal, Flow, FlowType, Identity, Session, UiNode};
use crate::flow::ceremony::{self, Slot};
use crate::flow::{submit as form, FlowError, SubmitOutcome};
use crate::method::webauthn::keys::encode_user_handle;
use crate::method::webauthn::nodes::{self, PasskeyScreen};
use crate::method::webauthn::{CeremonyError, KeyKind, RelyingParty, StoredKey, StoredKeys};
use crate::registry::Registry;

/// Which of the two methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyMethod {
    /// `webauthn`: security keys (browser flows only, as Kratos).
    WebAuthn,
    /// `passkey`.
    Passkey,
}

impl KeyMethod {
    /// The method's name and credential type.
    pub fn name(self) -> &'static str {
        match self {
            KeyMethod::WebAuthn => credential_type::WEBAUTHN,
            KeyMethod::Passkey => credential_type::PASSKEY,
        }
    }

    fn slot(self) -> Slot {
        match self {
            KeyMethod::WebAuthn => Slot::SecurityKeyRegistration,
            KeyMethod::Passkey => Slot::PasskeyRegistration,
        }
    }

    fn answer_field(self) -> &'static str {
        match self {
            KeyMethod::WebAuthn => "webauthn_register",
            KeyMethod::Passkey => "passkey_settings_register",
        }
    }

    fn remove_field(self) -> &'static str {
        match self {
            KeyMethod::WebAuthn => "webauthn_remove",
            KeyMethod::Passkey => "passkey_remove",
        }
    }

    /// The method a submission without `method` is for, from the fields it carries.
    pub fn from_fields(body: &Value) -> Option<KeyMethod> {
        [KeyMethod::WebAuthn, KeyMethod::Passkey]
            .into_iter()
            .find(|m| {
                form::string(body, m.answer_field()).is_some()
                    || form::string(body, m.remove_field()).is_some()
            })
    }

    fn party(self, reg: &Registry) -> Option<(&RelyingParty, KeyKind)> {
        let m = &reg.options.methods;
        match self {
            KeyMethod::WebAuthn => m.webauthn.as_ref().map(|w| (&w.party, w.kind())),
            KeyMethod::Passkey => m.passkey.as_ref().map(|p| (p, KeyKind::Passkey)),
        }
    }
}

/// The method's nodes for `identity`: a remove button per key, then a new creation
/// challenge (kept in the flow). The flow adds the script once.
pub fn nodes(
    reg: &Registry,
    flow: &mut Flow,
    identity: &Identity,
    method: KeyMethod,
) -> Vec<UiNode> {
    let Some((party, kind)) = method.party(reg) else {
        return Vec::new();
    };
    let browser = flow.flow_type == FlowType::Browser;
    if method == KeyMethod::WebAuthn && !browser {
        return Vec::new();
    }
    let keys = StoredKeys::of(identity, method.name());
    let lone = ceremony::first_factor_count(identity) < 2;
    let mut out: Vec<UiNode> = keys
        .credentials
        .iter()
        .map(|k| match method {
            KeyMethod::WebAuthn => nodes::security_key_removal(k, k.is_passwordless && lone),
            KeyMethod::Passkey => nodes::passkey_removal(k, lone),
        })
        .collect();
    let handle = user_handle(identity, &keys, method);
    if method == KeyMethod::Passkey {
        ceremony::keep_handle(flow, &String::from_utf8_lossy(&handle));
    }
    let info = schema_of(reg, identity).extract(&identity.traits);
    let name = ceremony::user_name(identity, info.passkey_display_name);
    match party.start_registration(&handle, &name, keys.ids(), kind) {
        Ok((options, state)) => {
            ceremony::keep(flow, method.slot(), state);
            let options = serde_json::to_string(&options).unwrap_or_default();
            match method {
                KeyMethod::WebAuthn => out.extend(nodes::security_key_registration(&options)),
                KeyMethod::Passkey => {
                    let data = serde_json::json!({
                        "credentialOptions": serde_json::from_str::<Value>(&options).unwrap_or_default(),
                        "displayNameFieldName": "",
                        "displayNameFieldNames": [],
                    })
                    .to_string();
                    out.extend(nodes::passkey_registration(
                        &data,
                        PasskeyScreen::Settings,
                        browser,
                    ));
                }
            }
        }
        Err(e) => {
            tracing::error!(error = %e, method = method.name(), "could not start a key registration")
        }
    }
    out
}

/// The user handle keys of `identity` are registered for: the stored one, else the identity
/// id (security keys) or a new random handle (passkeys, as Kratos).
fn user_handle(identity: &Identity, keys: &StoredKeys, method: KeyMethod) -> Vec<u8> {
    if let Some(h) = keys.user_handle_bytes().filter(|h| !h.is_empty()) {
        return h;
    }
    match method {
        KeyMethod::WebAuthn => identity.id.as_bytes().to_vec(),
        KeyMethod::Passkey => ceremony::new_passkey_user_handle().into_bytes(),
    }
}

/// Adds or removes a key.
pub async fn submit(
    reg: &Registry,
    mut flow: Flow,
    body: &Value,
    session: Arc<Session>,
    method: KeyMethod,
) -> Result<SubmitOutcome, FlowError> {
    flow.active = Some(method.name().into());
    let Some((party, kind)) = method.party(reg) else {
        flow.ui
            .messages
            .push(text::no_strategy(crate::domain::FlowKind::Settings));
        return invalid(reg, flow).await;
    };
    if !is_privileged(reg, &session) {
        return Err(refresh_required(reg, &flow));
    }
    let mut identity = load_identity(reg, &session).await?;
    let mut keys = StoredKeys::of(&identity, method.name());
    if let Some(hex_id) = form::string(body, method.remove_field()) {
        let lone = ceremony::first_factor_count(&identity) < 2;
        let Some(removed) = keys.remove(hex_id) else {
            flow.ui.messages.push(text::no_security_key());
            return invalid(reg, flow).await;
        };
        if (removed.is_passwordless || method == KeyMethod::Passkey) && lone {
            flow.ui
                .add_message(Some(method.remove_field()), text::last_credential());
            return invalid(reg, flow).await;
        }
        let identifiers = current_identifiers(&identity, method);
        keys.save_to(&mut identity, method.name(), identifiers);
        identity.updated_at = domain::now();
        reg.store.update_identity(&identity).await?;
        tracing::info!(identity_id = %identity.id, method = method.name(), "key removed");
        return saved(reg, flow, &identity, session, method.name()).await;
    }
    let answer = form::string(body, method.answer_field());
    let state = ceremony::pending(&flow, method.slot()).cloned();
    let (Some(answer), Some(state)) = (answer, state) else {
        flow.ui.add_message(
            Some(method.answer_field()),
            text::required(method.answer_field()),
        );
        return invalid(reg, flow).await;
    };
    let key = match party.finish_registration(answer, &state) {
        Ok(k) => k,
        Err(e) => {
            tracing::info!(identity_id = %identity.id, error = %e, "key registration refused");
            let message = match e {
                CeremonyError::NoCeremony(_) => text::no_security_key(),
                _ => text::security_key_invalid(),
            };
            flow.ui.add_message(Some(method.answer_field()), message);
            return invalid(reg, flow).await;
        }
    };
    if keys.contains(&key.cred_id) {
        flow.ui.add_message(
            Some(method.answer_field()),
            text::security_key_already_registered(),
        );
        return invalid(reg, flow).await;
    }
    let passwordless = kind != KeyKind::SecurityKey;
    // Security keys take the name typed with them; passkeys the identity's display name
    // trait (as Kratos names them).
    let display_name = match method {
        KeyMethod::WebAuthn => form::string(body, "webauthn_register_displayname")
            .unwrap_or_default()
            .to_string(),
        KeyMethod::Passkey => schema_of(reg, &identity)
            .extract(&identity.traits)
            .passkey_display_name
            .unwrap_or_default(),
    };
    keys.credentials
        .push(StoredKey::new(key, &display_name, passwordless));
    if keys.user_handle.is_empty() {
        let handle = match method {
            KeyMethod::WebAuthn => identity.id.as_bytes().to_vec(),
            KeyMethod::Passkey => match ceremony::pending_handle(&flow) {
                Some(h) => h.into_bytes(),
                None => return Err(FlowError::Internal("passkey handle lost".into())),
            },
        };
        keys.user_handle = encode_user_handle(&handle);
    }
    let identifiers = match method {
        // Passwordless keys are found by the schema's `webauthn.identifier` traits.
        KeyMethod::WebAuthn => {
            let info = schema_of(reg, &identity).extract(&identity.traits);
            if passwordless && !info.webauthn_identifiers.is_empty() {
                info.webauthn_identifiers
            } else {
                vec![identity.id.to_string()]
            }
        }
        KeyMethod::Passkey => keys
            .user_handle_bytes()
            .map(|h| vec![String::from_utf8_lossy(&h).into_owned()])
            .unwrap_or_default(),
    };
    keys.save_to(&mut identity, method.name(), identifiers);
    identity.updated_at = domain::now();
    reg.store.update_identity(&identity).await?;
    ceremony::forget(&mut flow, method.slot());
    tracing::info!(identity_id = %identity.id, method = method.name(), "key added");
    // Adding a key proves it: the session counts the method (as Kratos does).
    let aal = if passwordless { Aal::Aal1 } else { Aal::Aal2 };
    let mut updated = (*session).clone();
    updated.add_method(method.name(), aal);
    reg.sessions.update(&updated, None).await?;
    saved(reg, flow, &identity, Arc::new(updated), method.name()).await
}

fn current_identifiers(identity: &Identity, method: KeyMethod) -> Vec<String> {
    identity
        .credential(method.name())
        .map(|c| c.identifiers.clone())
        .unwrap_or_default()
}
