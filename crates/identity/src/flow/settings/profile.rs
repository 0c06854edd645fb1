//! The settings `profile` method: new traits, validated against the identity's schema.

use std::sync::Arc;

use serde_json::Value;

use super::{invalid, is_privileged, refresh_required, render, saved, schema_of};
use crate::domain::identity::credential_type;
use crate::domain::{self, text, Flow, Identity, Session};
use crate::flow::{traits, FlowError, SubmitOutcome};
use crate::manage::{build, AdminError};
use crate::registry::Registry;
use crate::store::StoreError;

/// Saves the submitted traits. Changes to credential identifiers or verifiable addresses
/// need a privileged session (as Kratos' `requiresPrivilegedAccess`).
pub async fn submit(
    reg: &Registry,
    mut flow: Flow,
    body: &Value,
    session: Arc<Session>,
) -> Result<SubmitOutcome, FlowError> {
    flow.active = Some("profile".into());
    let original = load_identity(reg, &session).await?;
    let Some(mut values) = body.get("traits").filter(|t| t.is_object()).cloned() else {
        render(reg, &mut flow, &original, None);
        flow.ui
            .messages
            .push(text::generic("Did not receive any value changes."));
        return invalid(reg, flow).await;
    };
    let schema = schema_of(reg, &original);
    traits::coerce(schema, &mut values);
    if let Err(errors) = schema.validate_traits(&values) {
        render(reg, &mut flow, &original, Some(&values));
        traits::add_errors(&mut flow.ui, errors);
        return invalid(reg, flow).await;
    }
    let mut updated = original.clone();
    updated.traits = values.clone();
    build::apply_schema(reg, &mut updated).map_err(|e| match e {
        AdminError::Api(e) => FlowError::Api(e),
        AdminError::Internal(cause) => FlowError::Internal(cause),
    })?;
    if touches_protected_fields(&original, &updated) && !is_privileged(reg, &session) {
        return Err(refresh_required(reg, &flow));
    }
    updated.updated_at = domain::now();
    match reg.store.update_identity(&updated).await {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => {
            render(reg, &mut flow, &original, Some(&values));
            flow.ui.messages.push(text::duplicate_credentials());
            return invalid(reg, flow).await;
        }
        Err(e) => return Err(e.into()),
    }
    saved(reg, flow, &updated, session, "profile").await
}

/// The session's identity as stored now (with credentials).
pub async fn load_identity(reg: &Registry, session: &Session) -> Result<Identity, FlowError> {
    reg.store
        .get_identity(session.identity_id)
        .await?
        .ok_or_else(|| FlowError::Api(crate::domain::ApiError::session_inactive()))
}

/// Whether the change alters a credential identifier or the set of verifiable addresses.
fn touches_protected_fields(original: &Identity, updated: &Identity) -> bool {
    let identifiers = |i: &Identity| {
        i.credential(credential_type::PASSWORD)
            .map(|c| c.identifiers.clone())
            .unwrap_or_default()
    };
    let addresses = |i: &Identity| {
        let mut v: Vec<(String, String)> = i
            .verifiable_addresses
            .iter()
            .map(|a| (a.via.clone(), a.value.clone()))
            .collect();
        v.sort();
        v
    };
    identifiers(original) != identifiers(updated) || addresses(original) != addresses(updated)
}
