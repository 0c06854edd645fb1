//! The settings `totp` method: pair an authenticator app (the key is shown as a QR code and
//! as text, and the first code confirms it) or unlink it. Both need a privileged session.

use std::sync::Arc;

use serde_json::Value;

use super::profile::load_identity;
use super::{invalid, is_privileged, refresh_required, saved, schema_of};
use crate::domain::identity::credential_type;
use crate::domain::{self, text, Aal, Flow, Identity, Session, UiNode};
use crate::flow::{submit as form, FlowError, SubmitOutcome};
use crate::method::totp::{self, TotpKey};
use crate::registry::Registry;

/// Where the key being paired is kept until it is confirmed.
const PENDING_KEY: &str = "totp_url";

/// The TOTP nodes for `identity`: unlink when paired, else a key to pair (kept in the flow,
/// so every rendering of the flow shows the same key).
pub fn nodes(reg: &Registry, flow: &mut Flow, identity: &Identity) -> Vec<UiNode> {
    if totp::stored_url(identity).is_some() {
        remove_pending(flow);
        return vec![totp::unlink_node()];
    }
    let pending = flow
        .internal
        .get(PENDING_KEY)
        .and_then(Value::as_str)
        .and_then(|u| TotpKey::parse(u).map(|k| (u.to_string(), k)));
    let (url, key) = match pending {
        Some(p) => p,
        None => {
            let from_schema = schema_of(reg, identity)
                .extract(&identity.traits)
                .totp_account_name;
            let account = totp::account_name(identity, from_schema);
            let url = totp::new_key_url(&reg.options.methods.totp_issuer, &account);
            match TotpKey::parse(&url) {
                Some(key) => (url, key),
                None => {
                    tracing::error!("a new TOTP key does not parse");
                    return Vec::new();
                }
            }
        }
    };
    flow.internal[PENDING_KEY] = Value::String(url);
    totp::enrol_nodes(&key)
}

fn remove_pending(flow: &mut Flow) {
    if let Some(o) = flow.internal.as_object_mut() {
        o.remove(PENDING_KEY);
    }
}

/// Pairs the pending key when `totp_code` is right for it, or unlinks the paired one.
pub async fn submit(
    reg: &Registry,
    mut flow: Flow,
    body: &Value,
    session: Arc<Session>,
) -> Result<SubmitOutcome, FlowError> {
    flow.active = Some("totp".into());
    if !is_privileged(reg, &session) {
        return Err(refresh_required(reg, &flow));
    }
    let mut identity = load_identity(reg, &session).await?;
    if identity.credential(credential_type::TOTP).is_some() {
        if !form::flag(body, "totp_unlink") {
            return saved(reg, flow, &identity, session, "totp").await;
        }
        identity.credentials.remove(credential_type::TOTP);
        identity.available_aal = identity.compute_available_aal();
        identity.updated_at = domain::now();
        reg.store.update_identity(&identity).await?;
        tracing::info!(identity_id = %identity.id, "TOTP unlinked");
        return saved(reg, flow, &identity, session, "totp").await;
    }
    let Some(url) = flow
        .internal
        .get(PENDING_KEY)
        .and_then(Value::as_str)
        .map(str::to_string)
    else {
        return Err(FlowError::Internal(
            "settings flow has no pending TOTP key".into(),
        ));
    };
    let key = TotpKey::parse(&url).ok_or_else(|| FlowError::Internal("pending TOTP key".into()))?;
    let Some(code) = form::string(body, "totp_code") else {
        flow.ui
            .add_message(Some("totp_code"), text::required("totp_code"));
        return invalid(reg, flow).await;
    };
    let now = domain::now();
    let step = key.matching_step(code, now.timestamp().max(0) as u64);
    let fresh = match step {
        Some(step) => {
            reg.store
                .use_second_factor(identity.id, credential_type::TOTP, &step.to_string(), now)
                .await?
        }
        None => false,
    };
    if !fresh {
        flow.ui.add_message(Some("totp_code"), text::totp_invalid());
        flow.ui.clear_values(|n| n == "totp_code");
        return invalid(reg, flow).await;
    }
    identity.set_credential(totp::credential(identity.id, &url));
    identity.updated_at = now;
    reg.store.update_identity(&identity).await?;
    remove_pending(&mut flow);
    tracing::info!(identity_id = %identity.id, "TOTP paired");
    // Pairing proves the factor: the session counts it (as Kratos does).
    let session = with_method(reg, &session, "totp").await?;
    saved(reg, flow, &identity, session, "totp").await
}

/// `session` with `method` added as an aal2 method, stored.
pub async fn with_method(
    reg: &Registry,
    session: &Session,
    method: &str,
) -> Result<Arc<Session>, FlowError> {
    let mut updated = session.clone();
    updated.add_method(method, Aal::Aal2);
    reg.sessions.update(&updated, None).await?;
    Ok(Arc::new(updated))
}
