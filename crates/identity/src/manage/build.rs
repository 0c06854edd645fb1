//! Keeps an identity in step with its schema: validates the traits, derives the verifiable
//! and recovery addresses (keeping the state of those already known) and the password
//! identifiers, exactly as registration does.

use serde_json::{json, Value};

use super::AdminError;
use crate::domain::identity::{credential_type, new_credential};
use crate::domain::{self, ApiError, Identity};
use crate::flow::registration;
use crate::registry::Registry;
use crate::schema::{IdentitySchema, TraitError};

/// The schema named by `id`, or 400 as Kratos words it.
pub fn schema<'a>(reg: &'a Registry, id: &str) -> Result<&'a IdentitySchema, ApiError> {
    reg.schemas.get(id).ok_or_else(|| {
        ApiError::bad_request(format!("Unable to find JSON Schema ID: {id}"))
            .with_detail("schema_id", id.to_string())
    })
}

/// Validates the traits and re-derives addresses and password identifiers from them.
///
/// The identity's current addresses are the "known" ones: an address the traits still carry
/// keeps its id and verification state from there (for a create, what the caller sent);
/// addresses the traits no longer carry are dropped, new ones start unverified.
pub fn apply_schema(reg: &Registry, identity: &mut Identity) -> Result<(), AdminError> {
    let schema = schema(reg, &identity.schema_id)?;
    schema
        .validate_traits(&identity.traits)
        .map_err(invalid_traits)?;
    let info = schema.extract(&identity.traits);

    let known_verifiable = std::mem::take(&mut identity.verifiable_addresses);
    let known_recovery = std::mem::take(&mut identity.recovery_addresses);
    registration::set_addresses(identity, &info);
    for a in &mut identity.verifiable_addresses {
        if let Some(k) = known_verifiable
            .iter()
            .find(|k| k.value == a.value && k.via == a.via)
        {
            *a = k.clone();
        }
    }
    for a in &mut identity.recovery_addresses {
        if let Some(k) = known_recovery
            .iter()
            .find(|k| k.value == a.value && k.via == a.via)
        {
            *a = k.clone();
        }
    }

    set_password_identifiers(identity, info.password_identifiers);
    set_passwordless_key_identifiers(identity, info.webauthn_identifiers);
    Ok(())
}

/// Passwordless security keys are found by the schema's `webauthn.identifier` traits: the
/// credential follows them when they change.
fn set_passwordless_key_identifiers(identity: &mut Identity, identifiers: Vec<String>) {
    let Some(c) = identity.credentials.get_mut(credential_type::WEBAUTHN) else {
        return;
    };
    let passwordless = c.config["credentials"]
        .as_array()
        .is_some_and(|keys| keys.iter().any(|k| k["is_passwordless"] == json!(true)));
    if passwordless && !identifiers.is_empty() && c.identifiers != identifiers {
        c.identifiers = identifiers;
        c.updated_at = domain::now();
    }
}

/// The password credential carries the schema's identifiers even without a password (as in
/// Kratos), so identifiers stay unique across identities; without identifiers or password it
/// is dropped.
fn set_password_identifiers(identity: &mut Identity, identifiers: Vec<String>) {
    let mut identifiers: Vec<String> = identifiers
        .iter()
        .map(|i| crate::method::password::normalize_identifier(i))
        .collect();
    identifiers.sort();
    identifiers.dedup();
    let has_secret = |config: &Value| {
        config
            .get("hashed_password")
            .and_then(Value::as_str)
            .is_some_and(|h| !h.is_empty())
    };
    match identity.credentials.get_mut(credential_type::PASSWORD) {
        Some(c) if identifiers.is_empty() && !has_secret(&c.config) => {
            identity.credentials.remove(credential_type::PASSWORD);
        }
        Some(c) => {
            if c.identifiers != identifiers {
                c.identifiers = identifiers;
                c.updated_at = domain::now();
            }
        }
        None if !identifiers.is_empty() => {
            identity.set_credential(new_credential(
                credential_type::PASSWORD,
                identifiers,
                json!({}),
            ));
        }
        None => {}
    }
    identity.available_aal = identity.compute_available_aal();
}

/// 400 naming every schema violation, in Kratos' `I[#/traits/…] message` form, with the
/// structured messages in `details.messages`.
pub fn invalid_traits(errors: Vec<TraitError>) -> AdminError {
    let pointer = |e: &TraitError| match &e.node {
        Some(node) => format!("#/{}", node.replace('.', "/")),
        None => "#/traits".to_string(),
    };
    let reason = errors
        .iter()
        .map(|e| format!("I[{}] {}", pointer(e), e.text))
        .collect::<Vec<_>>()
        .join("; ");
    let messages: Vec<Value> = errors
        .iter()
        .map(|e| {
            json!({
                "instance_ptr": pointer(e),
                "id": e.id,
                "text": e.text,
                "context": e.context,
            })
        })
        .collect();
    AdminError::Api(ApiError::bad_request(reason).with_detail("messages", Value::Array(messages)))
}
