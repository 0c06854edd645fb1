//! The settings `password` method: a new password for the signed-in identity.

use std::sync::Arc;

use serde_json::Value;
use zeroize::Zeroizing;

use super::profile::load_identity;
use super::{invalid, is_privileged, refresh_required, saved, schema_of};
use crate::domain::identity::credential_type;
use crate::domain::{self, text, Flow, Session, UiText};
use crate::flow::{submit, FlowError, SubmitOutcome};
use crate::method::password as password_method;
use crate::registry::Registry;

/// Sets the submitted password: privileged sessions only, checked against the password
/// policy and the current password.
pub async fn submit(
    reg: &Registry,
    mut flow: Flow,
    body: &Value,
    session: Arc<Session>,
) -> Result<SubmitOutcome, FlowError> {
    flow.active = Some("password".into());
    if !is_privileged(reg, &session) {
        return Err(refresh_required(reg, &flow));
    }
    let Some(secret) = submit::string(body, "password") else {
        flow.ui
            .add_message(Some("password"), text::required("password"));
        return invalid(reg, flow).await;
    };
    let mut identity = load_identity(reg, &session).await?;
    let identifiers = match identity.credential(credential_type::PASSWORD) {
        Some(c) if !c.identifiers.is_empty() => c.identifiers.clone(),
        _ => {
            schema_of(reg, &identity)
                .extract(&identity.traits)
                .password_identifiers
        }
    };
    let Some(identifier) = identifiers.first().cloned() else {
        flow.ui.messages.push(text::identifier_missing());
        return invalid(reg, flow).await;
    };
    if let Some(old) = password_method::stored_hash(&identity).filter(|h| !h.is_empty()) {
        let same = reg
            .hasher
            .verify(Zeroizing::new(secret.to_string()), old)
            .await
            .unwrap_or(false);
        if same {
            flow.ui
                .add_message(Some("password"), text::password_same_as_old());
            return invalid(reg, flow).await;
        }
    }
    if let Err(violation) = reg.policy.check(&identifier, secret).await {
        let message = UiText::error(violation.message_id(), violation.text())
            .with_context(violation.context());
        flow.ui.add_message(Some("password"), message);
        return invalid(reg, flow).await;
    }
    let hashed = reg
        .hasher
        .hash(Zeroizing::new(secret.to_string()))
        .await
        .map_err(|e| FlowError::Internal(e.to_string()))?;
    let mut credential = password_method::credential(&identifiers, hashed);
    if let Some(existing) = identity.credential(credential_type::PASSWORD) {
        credential.id = existing.id;
        credential.created_at = existing.created_at;
    }
    identity.set_credential(credential);
    identity.updated_at = domain::now();
    reg.store.update_identity(&identity).await?;
    saved(reg, flow, &identity, session, "password").await
}
