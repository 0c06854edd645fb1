//! Second factors on `aal=aal2` login flows: TOTP codes and lookup secrets (emailed codes:
//! [`super::code`]).
//!
//! The flow belongs to the session that started it; a correct factor adds an aal2 method to
//! that session (its token is rotated, ASVS 7.2.4). A TOTP time step and a lookup secret
//! each succeed once per identity (recorded atomically in the store). Every submission on a
//! flow counts: after [`MAX_ATTEMPTS`] the flow is replaced by a new one.

use std::sync::Arc;

use serde_json::Value;
use zeroize::Zeroizing;

use super::{restart, return_url};
use crate::domain::identity::credential_type;
use crate::domain::UiNode;
use crate::domain::{self, text, Aal, ApiError, Flow, FlowKind, FlowState, Identity, Session};
use crate::flow::{submit as form, FlowError, RequestInfo, SubmitOutcome};
use crate::method::lookup_secret::{self, LookupConfig};
use crate::method::totp::{self, TotpKey};
use crate::registry::Registry;

/// Second-factor submissions allowed per login flow; the next one restarts the flow.
pub const MAX_ATTEMPTS: u32 = 5;

/// How long used TOTP steps are remembered (far beyond the ±30 s a code is valid).
const TOTP_USE_MEMORY: chrono::Duration = chrono::Duration::minutes(10);

/// Whether `method` is a second factor enabled in the configuration.
pub fn enabled(reg: &Registry, method: &str) -> bool {
    match method {
        "totp" => reg.options.methods.totp,
        "lookup_secret" => reg.options.methods.lookup_secret,
        "webauthn" => reg
            .options
            .methods
            .webauthn
            .as_ref()
            .is_some_and(|w| !w.passwordless),
        _ => false,
    }
}

/// The aal2 nodes for `identity`: each enabled second factor it has set up.
pub fn login_nodes(reg: &Registry, identity: &Identity) -> Vec<UiNode> {
    let mut nodes = Vec::new();
    if reg.options.methods.totp && totp::stored_url(identity).is_some() {
        nodes.extend(totp::login_nodes());
    }
    if reg.options.methods.lookup_secret && lookup_secret::has_codes(identity) {
        nodes.extend(lookup_secret::login_nodes());
    }
    if reg.options.codes.mfa {
        nodes.extend(crate::method::code::mfa_nodes(identity));
    }
    nodes
}

/// The session an aal2 flow is submitted with: active, of the flow's identity, not yet aal2.
pub fn session_for<'a>(
    reg: &Registry,
    flow: &Flow,
    current: Option<&'a Arc<Session>>,
) -> Result<&'a Arc<Session>, FlowError> {
    let Some(session) = current.filter(|s| flow.identity_id == Some(s.identity_id)) else {
        let login = reg.options.browser_init_url(FlowKind::Login);
        return Err(ApiError::aal1_required(login).into());
    };
    if session.authenticator_assurance_level >= Aal::Aal2 && !flow.refresh {
        return Err(ApiError::session_already_available().into());
    }
    Ok(session)
}

/// Checks the submitted factor and, when it is right, upgrades the session.
pub async fn submit(
    reg: &Registry,
    mut flow: Flow,
    body: &Value,
    req: &RequestInfo,
    session: &Arc<Session>,
    method: &str,
) -> Result<SubmitOutcome, FlowError> {
    flow.active = Some(method.to_string());
    let identity = reg
        .store
        .get_identity(session.identity_id)
        .await?
        .ok_or_else(ApiError::session_inactive)?;
    if !identity.is_active() {
        return Err(ApiError::identity_disabled().into());
    }
    let attempts = reg.store.count_code_submission(flow.id).await?;
    if attempts > MAX_ATTEMPTS {
        tracing::info!(identity_id = %identity.id, flow_id = %flow.id, method, "too many second-factor attempts; flow restarted");
        let message = text::second_factor_attempts_exceeded();
        return Err(restart(reg, &flow, Some(&identity), req, message).await?);
    }
    let checked = match method {
        "totp" => check_totp(reg, &identity, body).await?,
        "webauthn" => super::keys::check_second_factor(reg, &flow, &identity, body).await?,
        _ => check_lookup_secret(reg, &identity, body).await?,
    };
    if let Err((node, message)) = checked {
        tracing::info!(identity_id = %identity.id, method, "second factor refused");
        flow.ui.add_message(node, message);
        flow.ui
            .clear_values(|n| matches!(n, "totp_code" | "lookup_secret" | "webauthn_login"));
        reg.store.update_flow(&flow).await?;
        return Ok(SubmitOutcome::Invalid(Box::new(flow)));
    }
    upgrade(reg, flow, session, identity, method).await
}

/// Adds an aal2 `method` to `session` (rotating its token) and completes `flow`.
pub(crate) async fn upgrade(
    reg: &Registry,
    mut flow: Flow,
    session: &Arc<Session>,
    identity: Identity,
    method: &str,
) -> Result<SubmitOutcome, FlowError> {
    let identity = reg
        .store
        .get_identity(identity.id)
        .await?
        .unwrap_or(identity);
    let mut upgraded = (**session).clone();
    let old_token = std::mem::replace(&mut upgraded.token, domain::token::session_token());
    upgraded.complete_method(method, Aal::Aal2);
    upgraded.identity = Some(identity.clone());
    reg.sessions.update(&upgraded, Some(&old_token)).await?;
    reg.sessions.forget_session(upgraded.id);
    tracing::info!(identity_id = %identity.id, method, "second factor accepted");
    flow.state = FlowState::PassedChallenge;
    reg.store.update_flow(&flow).await?;
    let return_to = return_url(reg, &flow, &upgraded, &identity);
    Ok(SubmitOutcome::LoggedIn {
        flow: Box::new(flow),
        session: Box::new(upgraded),
        return_to,
    })
}

use super::keys::Refusal;

async fn check_totp(
    reg: &Registry,
    identity: &Identity,
    body: &Value,
) -> Result<Result<(), Refusal>, FlowError> {
    let Some(url) = totp::stored_url(identity) else {
        return Ok(Err((None, text::no_totp_device())));
    };
    let key = TotpKey::parse(url)
        .ok_or_else(|| FlowError::Internal("stored TOTP key does not parse".into()))?;
    let Some(code) = form::string(body, "totp_code") else {
        return Ok(Err((Some("totp_code"), text::required("totp_code"))));
    };
    let now = domain::now();
    let Some(step) = key.matching_step(code, now.timestamp().max(0) as u64) else {
        return Ok(Err((None, text::totp_invalid())));
    };
    let fresh = reg
        .store
        .use_second_factor(identity.id, credential_type::TOTP, &step.to_string(), now)
        .await?;
    if let Err(e) = reg
        .store
        .forget_second_factor_uses(identity.id, credential_type::TOTP, now - TOTP_USE_MEMORY)
        .await
    {
        tracing::warn!(error = %e, "could not forget old TOTP steps");
    }
    if !fresh {
        // The same code (time step) again: a replay.
        return Ok(Err((None, text::totp_invalid())));
    }
    Ok(Ok(()))
}

async fn check_lookup_secret(
    reg: &Registry,
    identity: &Identity,
    body: &Value,
) -> Result<Result<(), Refusal>, FlowError> {
    let Some(mut config) = LookupConfig::of(identity).filter(|c| !c.recovery_codes.is_empty())
    else {
        return Ok(Err((None, text::no_lookup())));
    };
    let Some(secret) = form::string(body, "lookup_secret") else {
        return Ok(Err((
            Some("lookup_secret"),
            text::required("lookup_secret"),
        )));
    };
    let secret = Zeroizing::new(secret.trim().to_lowercase());
    let hashes = config
        .recovery_codes
        .iter()
        .map(|c| c.hashed_code.clone())
        .collect();
    let found = reg
        .hasher
        .find_lookup_secret(secret, hashes)
        .await
        .map_err(|e| FlowError::Internal(e.to_string()))?;
    let Some(index) = found else {
        return Ok(Err((Some("lookup_secret"), text::lookup_invalid())));
    };
    let now = domain::now();
    let code = &mut config.recovery_codes[index];
    let fresh = code.used_at.is_none()
        && reg
            .store
            .use_second_factor(
                identity.id,
                credential_type::LOOKUP_SECRET,
                &code.hashed_code,
                now,
            )
            .await?;
    if !fresh {
        return Ok(Err((Some("lookup_secret"), text::lookup_already_used())));
    }
    code.used_at = Some(now);
    mark_used(reg, identity, &config).await;
    Ok(Ok(()))
}

/// Stores the `used_at` of a consumed code (for "reveal" and the admin API; the store's use
/// record is what keeps it single-use).
async fn mark_used(reg: &Registry, identity: &Identity, config: &LookupConfig) {
    let mut updated = identity.clone();
    if let Some(c) = updated.credentials.get_mut(credential_type::LOOKUP_SECRET) {
        c.config = serde_json::to_value(config).unwrap_or(Value::Null);
        c.updated_at = domain::now();
    }
    if let Err(e) = reg.store.update_identity(&updated).await {
        tracing::warn!(identity_id = %identity.id, error = %e, "could not record a used lookup secret");
    }
}
