//! WebAuthn ceremony state kept in a flow between rendering the challenge and the browser's
//! answer, and the helpers the settings, login and registration flows share for keys.

use rand::distributions::{Alphanumeric, DistString};
use serde_json::Value;

use crate::domain::identity::credential_type;
use crate::domain::{Flow, Identity};
use crate::method::webauthn::StoredKeys;

/// Where a flow keeps a pending ceremony's state.
#[derive(Debug, Clone, Copy)]
pub enum Slot {
    /// Settings: adding a security key.
    SecurityKeyRegistration,
    /// Settings or sign-up: adding a passkey.
    PasskeyRegistration,
    /// aal2 login with a security key.
    SecurityKeyLogin,
    /// Login with a passkey (discoverable).
    PasskeyLogin,
}

impl Slot {
    fn key(self) -> &'static str {
        match self {
            Slot::SecurityKeyRegistration => "webauthn_registration",
            Slot::PasskeyRegistration => "passkey_registration",
            Slot::SecurityKeyLogin => "webauthn_login",
            Slot::PasskeyLogin => "passkey_login",
        }
    }
}

/// Keeps `state` in the flow.
pub fn keep(flow: &mut Flow, slot: Slot, state: Value) {
    if !flow.internal.is_object() {
        flow.internal = Value::Object(Default::default());
    }
    flow.internal[slot.key()] = state;
}

/// The pending state, if any.
pub fn pending(flow: &Flow, slot: Slot) -> Option<&Value> {
    flow.internal.get(slot.key()).filter(|v| v.is_object())
}

/// Ends a ceremony: its challenge can no longer be answered.
pub fn forget(flow: &mut Flow, slot: Slot) {
    if let Some(o) = flow.internal.as_object_mut() {
        o.remove(slot.key());
    }
}

/// Where a new passkey user handle waits for the browser's answer.
const HANDLE_KEY: &str = "passkey_user_handle";

/// Keeps the user handle a passkey registration was started for.
pub fn keep_handle(flow: &mut Flow, handle: &str) {
    if !flow.internal.is_object() {
        flow.internal = Value::Object(Default::default());
    }
    flow.internal[HANDLE_KEY] = Value::String(handle.to_string());
}

/// The user handle a pending passkey registration was started for.
pub fn pending_handle(flow: &Flow) -> Option<String> {
    flow.internal
        .get(HANDLE_KEY)
        .and_then(Value::as_str)
        .map(str::to_string)
}

/// A new passkey user handle: 64 random letters and digits (as Kratos), which is also the
/// passkey credential's identifier.
pub fn new_passkey_user_handle() -> String {
    Alphanumeric.sample_string(&mut rand::rngs::OsRng, 64)
}

/// How many ways `identity` has to sign in on its own (Kratos'
/// `CountActiveFirstFactorCredentials`): a password, each passkey, each passwordless
/// security key, an OIDC link, an email code identifier.
pub fn first_factor_count(identity: &Identity) -> usize {
    let has = |t: &str| identity.credential(t).is_some() as usize;
    let passwordless_keys = StoredKeys::of(identity, credential_type::WEBAUTHN)
        .credentials
        .iter()
        .filter(|k| k.is_passwordless)
        .count();
    let passkeys = StoredKeys::of(identity, credential_type::PASSKEY)
        .credentials
        .len();
    has(credential_type::PASSWORD)
        + has(credential_type::OIDC)
        + has(credential_type::CODE)
        + passwordless_keys
        + passkeys
}

/// The WebAuthn user name shown by authenticators: the first identifier the identity has.
pub fn user_name(identity: &Identity, schema_name: Option<String>) -> String {
    schema_name
        .filter(|n| !n.trim().is_empty())
        .or_else(|| {
            identity
                .credentials
                .values()
                .flat_map(|c| c.identifiers.first())
                .find(|i| i.contains('@'))
                .cloned()
        })
        .unwrap_or_else(|| identity.id.to_string())
}
