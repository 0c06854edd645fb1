//! The identity operations of the admin API: create, replace, JSON-patch, delete, remove a
//! credential. Every change that can affect sessions purges the session cache, and turning
//! an identity inactive revokes its sessions, so both take effect at once.

use serde::Deserialize;
use serde_json::Value;
use uuid::Uuid;

use super::body::{self, AddressInput, CreateIdentityBody, UpdateIdentityBody};
use super::json_patch::{self, PatchError};
use super::{build, credentials, AdminError};
use crate::domain::{self, ApiError, Identity, IdentityState};
use crate::registry::Registry;

/// JSON Patch paths that cannot be changed (`state_changed_at` is the server's, as in Kratos).
const PATCH_DENY: &[&str] = &["/id", "/credentials", "/state_changed_at"];

/// Builds (but does not store) the identity a create body describes. Cheap checks (decoding,
/// state, schema, hash format) run before the password is hashed.
pub async fn build_new(reg: &Registry, body: CreateIdentityBody) -> Result<Identity, AdminError> {
    let state = body::state(body.state.as_deref())?.unwrap_or(IdentityState::Active);
    let schema_id = if body.schema_id.is_empty() {
        reg.options.default_schema_id.clone()
    } else {
        body.schema_id
    };
    let mut identity = Identity::new(schema_id, body.traits.unwrap_or(Value::Null));
    identity.state = state;
    identity.metadata_public = body::metadata(body.metadata_public);
    identity.metadata_admin = body::metadata(body.metadata_admin);
    identity.external_id = body::external_id(body.external_id);
    identity.verifiable_addresses = body
        .verifiable_addresses
        .iter()
        .map(AddressInput::verifiable)
        .collect::<Result<_, _>>()?;
    identity.recovery_addresses = body
        .recovery_addresses
        .iter()
        .map(AddressInput::recovery)
        .collect();
    credentials::precheck(body.credentials.as_ref())?;
    build::apply_schema(reg, &mut identity)?;
    credentials::import(reg, &mut identity, body.credentials.as_ref()).await?;
    Ok(identity)
}

/// `POST /admin/identities`.
pub async fn create(reg: &Registry, body: CreateIdentityBody) -> Result<Identity, AdminError> {
    let identity = build_new(reg, body).await?;
    reg.store.create_identity(&identity).await?;
    Ok(identity)
}

/// The identity, or 404.
pub async fn get(reg: &Registry, id: Uuid) -> Result<Identity, AdminError> {
    reg.store
        .get_identity(id)
        .await?
        .ok_or_else(|| AdminError::Api(ApiError::not_found()))
}

/// `GET /admin/identities/by/external/{externalID}`.
pub async fn get_by_external_id(reg: &Registry, external_id: &str) -> Result<Identity, AdminError> {
    if external_id.is_empty() {
        return Err(ApiError::bad_request("The external ID must not be empty.").into());
    }
    reg.store
        .find_identity_by_external_id(external_id)
        .await?
        .ok_or_else(|| AdminError::Api(ApiError::not_found()))
}

/// `PUT /admin/identities/{id}`: traits, metadata and external id are replaced; schema and
/// state only when given; credentials only when given (imported on top).
pub async fn replace(
    reg: &Registry,
    id: Uuid,
    body: UpdateIdentityBody,
) -> Result<Identity, AdminError> {
    let mut identity = get(reg, id).await?;
    let before = identity.state;
    if !body.schema_id.is_empty() {
        identity.schema_id = body.schema_id;
    }
    if let Some(state) = body::state(body.state.as_deref())? {
        set_state(&mut identity, state);
    }
    identity.traits = body.traits.unwrap_or(Value::Null);
    identity.metadata_public = body::metadata(body.metadata_public);
    identity.metadata_admin = body::metadata(body.metadata_admin);
    identity.external_id = body::external_id(body.external_id);
    credentials::precheck(body.credentials.as_ref())?;
    build::apply_schema(reg, &mut identity)?;
    credentials::import(reg, &mut identity, body.credentials.as_ref()).await?;
    save(reg, identity, before).await
}

/// The fields of a patched identity document that are applied (everything else is the
/// server's: id, credentials, timestamps, schema URL).
#[derive(Deserialize)]
struct Patched {
    schema_id: String,
    #[serde(default)]
    traits: Value,
    state: Value,
    #[serde(default)]
    metadata_public: Option<Value>,
    #[serde(default)]
    metadata_admin: Option<Value>,
    #[serde(default)]
    external_id: Option<String>,
    #[serde(default)]
    verifiable_addresses: Option<Vec<AddressInput>>,
    #[serde(default)]
    recovery_addresses: Option<Vec<AddressInput>>,
}

/// `PATCH /admin/identities/{id}` with an RFC 6902 document.
pub async fn patch(reg: &Registry, id: Uuid, patch: &Value) -> Result<Identity, AdminError> {
    let mut identity = get(reg, id).await?;
    let before = identity.state;
    let mut doc =
        serde_json::to_value(&identity).map_err(|e| AdminError::Internal(e.to_string()))?;
    if let Some(o) = doc.as_object_mut() {
        o.remove("credentials");
        o.entry("metadata_admin").or_insert(Value::Null);
        o.entry("external_id").or_insert(Value::Null);
    }
    json_patch::apply(&mut doc, patch, PATCH_DENY).map_err(patch_refused)?;
    let p: Patched = serde_json::from_value(doc).map_err(|e| {
        patch_refused(PatchError::Apply(format!(
            "the patched identity is not valid: {e}"
        )))
    })?;
    let state = match p.state.as_str().map(IdentityState::parse) {
        Some(Some(s)) => s,
        _ => {
            let shown = p
                .state
                .as_str()
                .map_or_else(|| p.state.to_string(), str::to_string);
            return Err(ApiError::bad_request(format!(
                "The supplied state ('{shown}') was not valid. Valid states are ('active', 'inactive')."
            ))
            .into());
        }
    };
    identity.schema_id = p.schema_id;
    set_state(&mut identity, state);
    identity.traits = p.traits;
    identity.metadata_public = body::metadata(p.metadata_public);
    identity.metadata_admin = body::metadata(p.metadata_admin);
    identity.external_id = body::external_id(p.external_id);
    identity.verifiable_addresses = p
        .verifiable_addresses
        .unwrap_or_default()
        .iter()
        .map(AddressInput::verifiable)
        .collect::<Result<_, _>>()?;
    identity.recovery_addresses = p
        .recovery_addresses
        .unwrap_or_default()
        .iter()
        .map(AddressInput::recovery)
        .collect();
    build::apply_schema(reg, &mut identity)?;
    save(reg, identity, before).await
}

/// `DELETE /admin/identities/{id}`: the identity and its sessions go at once.
pub async fn delete(reg: &Registry, id: Uuid) -> Result<(), AdminError> {
    let deleted = reg.store.delete_identity(id).await?;
    reg.sessions.forget_identity(id);
    if deleted {
        Ok(())
    } else {
        Err(ApiError::not_found().into())
    }
}

/// `DELETE /admin/identities/{id}/credentials/{type}`.
pub async fn delete_credential(
    reg: &Registry,
    id: Uuid,
    kind: &str,
    identifier: Option<&str>,
) -> Result<(), AdminError> {
    let mut identity = get(reg, id).await?;
    let before = identity.state;
    credentials::delete(&mut identity, kind, identifier)?;
    save(reg, identity, before).await.map(drop)
}

fn set_state(identity: &mut Identity, state: IdentityState) {
    if identity.state != state {
        identity.state = state;
        identity.state_changed_at = Some(domain::now());
    }
}

/// Stores the changed identity; cached sessions are dropped (they embed the identity), and
/// turning it inactive revokes its sessions (ASVS 7.4.2; Kratos only refuses them).
async fn save(
    reg: &Registry,
    mut identity: Identity,
    before: IdentityState,
) -> Result<Identity, AdminError> {
    identity.updated_at = domain::now();
    identity.available_aal = identity.compute_available_aal();
    reg.store.update_identity(&identity).await?;
    reg.sessions.forget_identity(identity.id);
    if before == IdentityState::Active && identity.state == IdentityState::Inactive {
        reg.sessions.revoke_all_of(identity.id, None).await?;
    }
    Ok(identity)
}

/// 400 for a refused patch, worded as Kratos words it.
fn patch_refused(e: PatchError) -> AdminError {
    let mut api = ApiError::new(400, e.to_string())
        .with_reason("An error occured when applying the JSON patch");
    if let PatchError::Denied(path) = &e {
        api = api.with_detail("path", path.clone());
    }
    AdminError::Api(api)
}
