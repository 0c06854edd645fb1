//! Completing a recovery: the code or link proves access to the address (or was handed out
//! by an administrator); the person gets a new session and continues in a settings flow.

use serde_json::json;

use super::{expired, restart};
use crate::domain::code::{CodeIssuer, CodePurpose, OneTimeCode};
use crate::domain::{self, text, Aal, ApiError, Flow, FlowKind, FlowState, FlowType};
use crate::flow::onetime::{self, Rejected};
use crate::flow::{address, settings, FlowError, RequestInfo, SubmitOutcome};
use crate::options::append_query;
use crate::registry::Registry;

/// A typed code.
pub async fn use_code(
    reg: &Registry,
    mut flow: Flow,
    code: &str,
    req: &RequestInfo,
) -> Result<SubmitOutcome, FlowError> {
    match onetime::consume(reg, flow.id, CodePurpose::RecoveryCode, code, true).await? {
        Ok(found) => recovered(reg, flow, found, "code_recovery", req).await,
        // Kratos treats an expired recovery code like a wrong one.
        Err(Rejected::NotFound | Rejected::Expired(_)) => {
            flow.ui.messages = vec![text::recovery_code_invalid()];
            reg.store.update_flow(&flow).await?;
            Ok(SubmitOutcome::Updated(Box::new(flow)))
        }
        Err(Rejected::Used) => Err(restart(
            reg,
            &flow,
            req,
            text::generic("The code was already used. Please request another code."),
        )
        .await?),
        Err(Rejected::TooManyAttempts) => {
            Err(restart(reg, &flow, req, text::code_submitted_too_often()).await?)
        }
    }
}

/// A clicked link's token.
pub async fn use_token(
    reg: &Registry,
    flow: Flow,
    token: &str,
    req: &RequestInfo,
) -> Result<SubmitOutcome, FlowError> {
    match onetime::consume(reg, flow.id, CodePurpose::RecoveryLink, token, false).await? {
        Ok(found) => recovered(reg, flow, found, "link_recovery", req).await,
        Err(Rejected::Expired(at)) => Err(expired(reg, &flow, req, at).await?),
        Err(_) => Err(restart(reg, &flow, req, text::recovery_token_invalid()).await?),
    }
}

async fn recovered(
    reg: &Registry,
    mut flow: Flow,
    code: OneTimeCode,
    method: &str,
    req: &RequestInfo,
) -> Result<SubmitOutcome, FlowError> {
    // A code sent to an address proves that address too.
    let identity = match (code.issuer, code.address.as_deref()) {
        (CodeIssuer::SelfService, Some(a)) => {
            address::mark_verified(reg, code.identity_id, a).await?
        }
        _ => reg.store.get_identity(code.identity_id).await?,
    };
    let Some(identity) = identity else {
        return Err(restart(reg, &flow, req, text::recovery_state_failure()).await?);
    };
    if !identity.is_active() {
        return Err(ApiError::identity_disabled().into());
    }
    let mut session = reg
        .sessions
        .new_session(&identity, method, Aal::Aal1, req.device());
    session.identity = Some(identity.clone());
    reg.sessions.create(&session).await?;
    if reg
        .options
        .recovery_flow
        .hooks
        .iter()
        .any(|h| h == "revoke_active_sessions")
    {
        reg.sessions
            .revoke_all_of(identity.id, Some(session.id))
            .await?;
    }

    let opts = &reg.options;
    let return_to = flow
        .return_to
        .clone()
        .or_else(|| opts.recovery_flow.return_url.clone());
    let mut request_url = match flow.flow_type {
        FlowType::Browser => opts.browser_init_url(FlowKind::Settings),
        FlowType::Api => opts.public("self-service/settings/api"),
    };
    if let Some(r) = &return_to {
        request_url = append_query(&request_url, "return_to", r);
    }
    let csrf = req.csrf_cookie.as_deref();
    let mut settings_flow = settings::new_flow(reg, flow.flow_type, &request_url, csrf, &identity);
    settings_flow.return_to = return_to;
    let now = domain::now();
    let privileged = chrono::Duration::from_std(opts.settings_flow.privileged_max_age)
        .unwrap_or(chrono::Duration::hours(1));
    settings_flow.ui.messages = vec![text::recovery_successful(now + privileged, now)];
    reg.store.create_flow(&settings_flow).await?;

    flow.state = FlowState::PassedChallenge;
    flow.ui.clear_messages();
    reg.store.update_flow(&flow).await?;
    // Only the answer carries these (never stored: one holds the session token).
    let mut continue_with = Vec::new();
    if flow.flow_type == FlowType::Api {
        continue_with
            .push(json!({ "action": "set_ory_session_token", "ory_session_token": session.token }));
    }
    continue_with.push(json!({
        "action": "show_settings_ui",
        "flow": {
            "id": settings_flow.id,
            "url": opts.ui_url_with_flow(FlowKind::Settings, settings_flow.id),
        },
    }));
    flow.internal["continue_with"] = json!(continue_with);
    Ok(SubmitOutcome::Recovered {
        flow: Box::new(flow),
        session: Box::new(session),
        settings_flow: Box::new(settings_flow),
    })
}
