//! Completing a verification: a typed code or a clicked link proves the address.

use serde_json::Value;

use super::{expired, render_passed, restart};
use crate::domain::code::{CodePurpose, OneTimeCode};
use crate::domain::{text, token, Flow, FlowState, FlowType, UiNode};
use crate::flow::address;
use crate::flow::onetime::{self, Rejected};
use crate::flow::{FlowError, RequestInfo, SubmitOutcome};
use crate::registry::Registry;

/// `POST` with a code.
pub async fn use_code(
    reg: &Registry,
    mut flow: Flow,
    code: &str,
    req: &RequestInfo,
) -> Result<SubmitOutcome, FlowError> {
    match onetime::consume(reg, flow.id, CodePurpose::VerificationCode, code, true).await? {
        Ok(found) => verified(reg, flow, found).await,
        Err(Rejected::NotFound) => {
            flow.ui.messages = vec![text::verification_code_invalid()];
            reg.store.update_flow(&flow).await?;
            Ok(SubmitOutcome::Updated(Box::new(flow)))
        }
        Err(Rejected::Expired(at)) => Err(expired(reg, &flow, req, at).await?),
        Err(Rejected::Used) => Err(restart(reg, &flow, req, used()).await?),
        Err(Rejected::TooManyAttempts) => {
            Err(restart(reg, &flow, req, text::code_submitted_too_often()).await?)
        }
    }
}

/// The link's token (`GET ?flow=&token=`).
pub async fn use_token(
    reg: &Registry,
    flow: Flow,
    token: &str,
    req: &RequestInfo,
) -> Result<SubmitOutcome, FlowError> {
    match onetime::consume(reg, flow.id, CodePurpose::VerificationLink, token, false).await? {
        Ok(found) => verified(reg, flow, found).await,
        Err(Rejected::NotFound | Rejected::Used | Rejected::TooManyAttempts) => {
            Err(restart(reg, &flow, req, text::verification_token_invalid()).await?)
        }
        Err(Rejected::Expired(at)) => Err(expired(reg, &flow, req, at).await?),
    }
}

/// `GET ?flow=&code=` (the link in a code email): the code is filled in and the flow shown,
/// with a new CSRF token for the browser that opened the link; nothing is verified until
/// the form is submitted (mail scanners prefetch links).
pub async fn fill_code(
    reg: &Registry,
    mut flow: Flow,
    code: &str,
) -> Result<SubmitOutcome, FlowError> {
    flow.ui.set_value("code", Value::String(code.to_string()));
    if flow.flow_type == FlowType::Browser {
        flow.csrf_token = token::csrf_token();
        match flow.ui.node_mut("csrf_token") {
            Some(n) => *n = UiNode::csrf(&flow.csrf_token),
            None => flow.ui.nodes.push(UiNode::csrf(&flow.csrf_token)),
        }
    }
    reg.store.update_flow(&flow).await?;
    Ok(SubmitOutcome::Updated(Box::new(flow)))
}

async fn verified(
    reg: &Registry,
    mut flow: Flow,
    code: OneTimeCode,
) -> Result<SubmitOutcome, FlowError> {
    if let Some(value) = code.address.as_deref() {
        address::mark_verified(reg, code.identity_id, value).await?;
    }
    flow.state = FlowState::PassedChallenge;
    render_passed(reg, &mut flow);
    reg.store.update_flow(&flow).await?;
    Ok(SubmitOutcome::Updated(Box::new(flow)))
}

fn used() -> crate::domain::UiText {
    text::generic("The code was already used. Please request another code.")
}
