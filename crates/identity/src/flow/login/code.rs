//! The code method on login flows (`selfservice.methods.code`).
//!
//! Passwordless (`passwordless_enabled`): the person types an identifier, the flow answers
//! at once and the same way for every address (`sent_email`, the code input), and the
//! lookup, the code and the `login_code_valid` email happen afterwards in a background task,
//! so neither the answer nor its timing shows whether the address has an account. The right
//! code signs in with an aal1 `code` method and proves the address.
//!
//! Second factor (`mfa_enabled`): an aal2 flow offers one "Send code to …" button per address
//! of the session's identity; the right code adds an aal2 `code` method to the session.
//!
//! Codes are six digits, stored as HMACs bound to the flow, single use, valid for
//! `methods.code.config.lifespan`; every code submission counts towards the flow's limit,
//! after which the flow restarts. Nothing here logs an address or a code.

use std::sync::Arc;

use serde_json::{json, Value};

use super::second_factor;
use super::{invalid, issue_session, restart};
use crate::domain::code::{CodeIssuer, CodePurpose, OneTimeCode};
use crate::domain::{text, ApiError, Flow, FlowState, Identity, Session};
use crate::flow::address;
use crate::flow::mail;
use crate::flow::onetime::{self, Recipient, Rejected};
use crate::flow::{submit as form, FlowError, RequestInfo, SubmitOutcome};
use crate::method::code as method;
use crate::registry::Registry;

/// Where the typed identifier is kept between sending and resending.
const IDENTIFIER_KEY: &str = "code_identifier";

/// Where the chosen aal2 address is kept between sending and resending.
const ADDRESS_KEY: &str = "code_address";

/// `method=code` on an aal1 flow: send a code to the identifier, or check the typed code.
pub async fn passwordless(
    reg: &Registry,
    mut flow: Flow,
    body: &Value,
    req: &RequestInfo,
    current: Option<&Arc<Session>>,
) -> Result<SubmitOutcome, FlowError> {
    flow.active = Some(method::GROUP.into());
    let resend = form::string(body, "resend") == Some(method::GROUP);
    if flow.state == FlowState::SentEmail && !resend {
        let Some(code) = form::string(body, "code").filter(|c| !c.trim().is_empty()) else {
            flow.ui.add_message(Some("code"), text::required("code"));
            return invalid(reg, flow).await;
        };
        let code = code.to_string();
        return check_first_factor(reg, flow, &code, req, current).await;
    }
    let typed = form::string(body, "identifier")
        .filter(|i| !i.trim().is_empty())
        .map(str::to_string)
        .or_else(|| flow.internal[IDENTIFIER_KEY].as_str().map(str::to_string));
    let Some(typed) = typed else {
        flow.ui
            .add_message(Some("identifier"), text::required("identifier"));
        return invalid(reg, flow).await;
    };
    flow.internal[IDENTIFIER_KEY] = json!(typed);
    send_in_background(reg, &flow, &typed);
    flow.state = FlowState::SentEmail;
    render_sent(reg, &mut flow, &typed);
    code_sent(reg, flow).await
}

/// As Kratos: a sent code answers 400 with the flow in `sent_email` (JSON clients) or its
/// UI (browsers); the flow carries the "code sent" message and no error.
async fn code_sent(reg: &Registry, flow: Flow) -> Result<SubmitOutcome, FlowError> {
    reg.store.update_flow(&flow).await?;
    Ok(SubmitOutcome::Invalid(Box::new(flow)))
}

/// `sent_email` nodes of the passwordless login: the identifier kept hidden, the code input,
/// "Continue" and "Resend code".
fn render_sent(reg: &Registry, flow: &mut Flow, typed: &str) {
    let schema = reg.schemas.default_schema();
    flow.ui
        .nodes
        .retain(|n| n.group == "default" && n.name() != Some("identifier"));
    flow.ui
        .nodes
        .push(method::identifier_node(schema, Some(typed), true));
    flow.ui
        .nodes
        .extend(method::sent_nodes(text::label_login_code()));
    flow.ui.messages = vec![text::login_code_sent()];
}

/// Starts the lookup and delivery for `typed` after the answer.
fn send_in_background(reg: &Registry, flow: &Flow, typed: &str) {
    let (reg, flow, typed) = (reg.clone(), flow.clone(), typed.to_string());
    tokio::spawn(async move {
        if let Err(e) = deliver(&reg, &flow, &typed).await {
            let cause = match e {
                FlowError::Internal(c) => c,
                other => format!("{other:?}"),
            };
            tracing::warn!(flow_id = %flow.id, %cause, "could not send a login code");
        }
    });
}

/// A known, active address gets a new code (replacing the flow's earlier ones); an unknown
/// one gets nothing (Kratos has no `login_code_invalid` template).
async fn deliver(reg: &Registry, flow: &Flow, typed: &str) -> Result<(), FlowError> {
    let address = address::normalize(typed);
    let found = match reg
        .store
        .find_identity_by_verifiable_address("email", &address)
        .await?
    {
        Some(i) => Some(i),
        None => {
            reg.store
                .find_identity_by_recovery_address("email", &address)
                .await?
        }
    };
    reg.store
        .delete_codes_of_flow(flow.id, CodePurpose::LoginCode)
        .await?;
    let Some(identity) =
        found.filter(|i| i.is_active() && flow.identity_id.is_none_or(|id| id == i.id))
    else {
        return Ok(());
    };
    send_code(reg, flow, &identity, &address).await
}

/// Issues a login code of `flow` for `identity` and emails it to `address`.
async fn send_code(
    reg: &Registry,
    flow: &Flow,
    identity: &Identity,
    address: &str,
) -> Result<(), FlowError> {
    let lifespan = reg.options.codes.code_lifespan;
    let to = Recipient {
        address,
        via: "email",
    };
    let (secret, _) = onetime::issue(
        reg,
        flow.id,
        CodePurpose::LoginCode,
        CodeIssuer::SelfService,
        identity.id,
        Some(to),
        lifespan,
    )
    .await?;
    mail::send_login_code(reg, flow, identity, address, &secret, lifespan).await
}

/// What a checked code came to: the code, or the outcome to answer with.
async fn check(
    reg: &Registry,
    mut flow: Flow,
    code: &str,
    req: &RequestInfo,
    identity: Option<&Identity>,
) -> Result<Result<(Flow, OneTimeCode), SubmitOutcome>, FlowError> {
    let refused = match onetime::consume(reg, flow.id, CodePurpose::LoginCode, code, true).await? {
        Ok(found) if identity.is_none_or(|i| i.id == found.identity_id) => {
            return Ok(Ok((flow, found)))
        }
        // As Kratos (and our recovery codes): an expired code reads like a wrong one.
        Ok(_) | Err(Rejected::NotFound | Rejected::Used | Rejected::Expired(_)) => {
            text::login_code_invalid()
        }
        Err(Rejected::TooManyAttempts) => {
            tracing::info!(flow_id = %flow.id, "too many login codes; flow restarted");
            let message = text::code_submitted_too_often();
            return Err(restart(reg, &flow, identity, req, message).await?);
        }
    };
    flow.ui.add_message(Some("code"), refused);
    flow.ui.clear_values(|n| n == "code");
    reg.store.update_flow(&flow).await?;
    Ok(Err(SubmitOutcome::Invalid(Box::new(flow))))
}

async fn check_first_factor(
    reg: &Registry,
    flow: Flow,
    code: &str,
    req: &RequestInfo,
    current: Option<&Arc<Session>>,
) -> Result<SubmitOutcome, FlowError> {
    let (flow, found) = match check(reg, flow, code, req, None).await? {
        Ok(ok) => ok,
        Err(outcome) => return Ok(outcome),
    };
    // The code proves the address it was sent to, as Kratos records it.
    let identity = match found.address.as_deref() {
        Some(a) => address::mark_verified(reg, found.identity_id, a).await?,
        None => reg.store.get_identity(found.identity_id).await?,
    }
    .ok_or_else(ApiError::session_inactive)?;
    if !identity.is_active() || flow.identity_id.is_some_and(|id| id != identity.id) {
        return Err(ApiError::identity_disabled().into());
    }
    let session = issue_session(reg, &flow, &identity, req, current, method::GROUP).await?;
    let hooks = &reg.options.login.after_code_hooks;
    if hooks.iter().any(|h| h == "revoke_active_sessions") {
        reg.sessions
            .revoke_all_of(identity.id, Some(session.id))
            .await?;
    }
    tracing::info!(identity_id = %identity.id, "signed in with a login code");
    super::signed_in(reg, flow, &identity, session).await
}

/// `method=code` (or an `address` button) on an aal2 flow: send a code to one of the
/// identity's addresses, or check the typed code and upgrade the session.
pub async fn second_factor(
    reg: &Registry,
    mut flow: Flow,
    body: &Value,
    req: &RequestInfo,
    session: &Arc<Session>,
) -> Result<SubmitOutcome, FlowError> {
    flow.active = Some(method::GROUP.into());
    let identity = reg
        .store
        .get_identity(session.identity_id)
        .await?
        .ok_or_else(ApiError::session_inactive)?;
    if !identity.is_active() {
        return Err(ApiError::identity_disabled().into());
    }
    let resend = form::string(body, "resend") == Some(method::GROUP);
    let chosen = form::string(body, "address")
        .map(address::normalize)
        .or_else(|| flow.internal[ADDRESS_KEY].as_str().map(str::to_string));
    let code = form::string(body, "code").filter(|c| !c.trim().is_empty());
    if flow.state == FlowState::SentEmail && !resend && form::string(body, "address").is_none() {
        let Some(code) = code else {
            flow.ui.add_message(Some("code"), text::required("code"));
            return invalid(reg, flow).await;
        };
        let code = code.to_string();
        let (flow, _) = match check(reg, flow, &code, req, Some(&identity)).await? {
            Ok(ok) => ok,
            Err(outcome) => return Ok(outcome),
        };
        return second_factor::upgrade(reg, flow, session, identity, method::GROUP).await;
    }
    let addresses = method::addresses(&identity);
    let Some(to) = chosen.filter(|a| addresses.contains(a)) else {
        flow.ui
            .add_message(Some("address"), text::required("address"));
        return invalid(reg, flow).await;
    };
    reg.store
        .delete_codes_of_flow(flow.id, CodePurpose::LoginCode)
        .await?;
    send_code(reg, &flow, &identity, &to).await?;
    flow.internal[ADDRESS_KEY] = json!(to);
    flow.state = FlowState::SentEmail;
    flow.ui.nodes.retain(|n| n.group == "default");
    flow.ui
        .nodes
        .extend(method::sent_nodes(text::label_login_code()));
    flow.ui.messages = vec![text::login_code_sent()];
    code_sent(reg, flow).await
}
