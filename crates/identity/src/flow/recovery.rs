//! The recovery flow: regain access through a code (`use: code`) or a link (`use: link`)
//! sent to a recovery address, or handed out by an administrator. States: `choose_method`
//! → `sent_email` → `passed_challenge`; success signs the person in with a privileged
//! session and continues in a settings flow.

pub mod admin;
mod complete;

use serde_json::Value;

use super::address;
use super::submit;
use super::verification::{code_input, email_input, hidden};
use super::{create, return_to, FlowError, InitOutcome, RequestInfo, SubmitOutcome};
use crate::domain::{self, text, ApiError, Flow, FlowKind, FlowState, FlowType, UiNode, UiText};
use crate::options::AddressStrategy;
use crate::registry::Registry;

/// Query parameters of a recovery init.
#[derive(Debug, Clone, Default)]
pub struct RecoveryParams {
    /// `return_to`: where the settings flow that follows a recovery returns to.
    pub return_to: Option<String>,
}

/// Whether recovery is on: the flow enabled and its method (`code` or `link`) too.
pub fn is_enabled(reg: &Registry) -> bool {
    let opts = &reg.options;
    opts.recovery.enabled && opts.codes.allows(opts.recovery_flow.strategy)
}

/// 400 `self_service_flow_disabled` unless recovery is on.
pub fn ensure_enabled(reg: &Registry) -> Result<(), FlowError> {
    if is_enabled(reg) {
        Ok(())
    } else {
        Err(ApiError::flow_disabled("Recovery").into())
    }
}

/// Creates a recovery flow (not for signed-in callers).
pub async fn init(
    reg: &Registry,
    flow_type: FlowType,
    params: RecoveryParams,
    req: &RequestInfo,
) -> Result<InitOutcome, FlowError> {
    ensure_enabled(reg)?;
    let opts = &reg.options;
    let return_to = return_to::check(
        params.return_to.as_deref(),
        &opts.public_url,
        &opts.allowed_return_urls,
    )
    .map_err(|u| ApiError::return_to_forbidden(&u))?;
    if signed_in(req) {
        let to = return_to.unwrap_or_else(|| opts.default_return_url.clone());
        return Ok(InitOutcome::AlreadySignedIn { return_to: to });
    }
    let strategy = opts.recovery_flow.strategy;
    let mut flow = new_flow(
        reg,
        flow_type,
        &req.url,
        req.csrf_cookie.as_deref(),
        strategy,
    );
    flow.return_to = return_to;
    reg.store.create_flow(&flow).await?;
    Ok(InitOutcome::Created(Box::new(flow)))
}

fn signed_in(req: &RequestInfo) -> bool {
    req.session
        .as_ref()
        .is_some_and(|s| s.is_active(domain::now()))
}

/// A fresh recovery flow asking for an address (not stored).
pub fn new_flow(
    reg: &Registry,
    flow_type: FlowType,
    request_url: &str,
    csrf_cookie: Option<&str>,
    strategy: AddressStrategy,
) -> Flow {
    let mut flow = create::new_flow(reg, FlowKind::Recovery, flow_type, request_url, csrf_cookie);
    flow.active = Some(strategy.as_str().to_string());
    let group = strategy.as_str();
    flow.ui.nodes = csrf_node(&flow)
        .into_iter()
        .chain([
            email_input(group, None),
            UiNode::submit(group, "method", group, text::label_continue()),
        ])
        .collect();
    flow
}

fn strategy_of(flow: &Flow) -> AddressStrategy {
    match flow.active.as_deref() {
        Some("link") => AddressStrategy::Link,
        _ => AddressStrategy::Code,
    }
}

/// Whether the flow was created by an administrator for a browser that never saw it.
fn admin_created(flow: &Flow) -> bool {
    flow.internal
        .get("skip_csrf")
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

fn csrf_node(flow: &Flow) -> Option<UiNode> {
    (flow.flow_type == FlowType::Browser && !admin_created(flow))
        .then(|| UiNode::csrf(&flow.csrf_token))
}

/// Handles `POST /self-service/recovery?flow=<id>` and the `GET` of recovery links.
pub async fn submit(
    reg: &Registry,
    flow: Flow,
    body: &Value,
    req: &RequestInfo,
) -> Result<SubmitOutcome, FlowError> {
    if flow.kind != FlowKind::Recovery {
        return Err(ApiError::not_found().into());
    }
    let mut flow = flow;
    if flow.is_expired(domain::now()) {
        let at = flow.expires_at;
        return Err(expired(reg, &flow, req, at).await?);
    }
    submit::take_transient_payload(&mut flow, body);
    flow.ui.clear_messages();
    let strategy = strategy_of(&flow);
    if strategy == AddressStrategy::Link {
        if let Some(token) = submit::string(body, "token") {
            return complete::use_token(reg, flow, token, req).await;
        }
    } else {
        if !admin_created(&flow) {
            submit::check_csrf(&flow, body, req)?;
        }
        let email = submit::string(body, "email");
        if flow.state != FlowState::ChooseMethod && email.is_none() {
            let code = submit::string(body, "code").unwrap_or_default();
            return complete::use_code(reg, flow, code, req).await;
        }
    }
    if signed_in(req) {
        return Err(ApiError::session_already_available().into());
    }
    if submit::method(body) != Some(strategy.as_str()) {
        flow.ui.messages.push(text::no_strategy(FlowKind::Recovery));
        reg.store.update_flow(&flow).await?;
        return Ok(SubmitOutcome::Invalid(Box::new(flow)));
    }
    match flow.state {
        FlowState::PassedChallenge => {
            return Err(restart(reg, &flow, req, text::retry_success(FlowKind::Recovery)).await?)
        }
        FlowState::ChooseMethod | FlowState::SentEmail => {}
        _ => return Err(restart(reg, &flow, req, text::recovery_state_failure()).await?),
    }
    let Some(email) = submit::string(body, "email") else {
        flow.ui.nodes.retain(|n| n.name() != Some("email"));
        flow.ui.nodes.push(email_input(strategy.as_str(), None));
        flow.ui.add_message(Some("email"), text::required("email"));
        reg.store.update_flow(&flow).await?;
        return Ok(SubmitOutcome::Invalid(Box::new(flow)));
    };
    if strategy == AddressStrategy::Link {
        submit::check_csrf(&flow, body, req)?;
    }
    address::send_in_background(reg, &flow, strategy, email);
    flow.state = FlowState::SentEmail;
    match strategy {
        AddressStrategy::Code => render_code_sent(&mut flow, Some(email)),
        AddressStrategy::Link => render_link_sent(&mut flow, email),
    }
    reg.store.update_flow(&flow).await?;
    Ok(SubmitOutcome::Updated(Box::new(flow)))
}

/// `sent_email` with codes: the code input, "Continue", and (for self-service flows) the
/// address again to resend.
pub fn render_code_sent(flow: &mut Flow, email: Option<&str>) {
    let mut nodes: Vec<UiNode> = csrf_node(flow).into_iter().collect();
    nodes.push(code_input(text::label_recovery_code(), true));
    if email.is_some() {
        nodes.push(hidden("code", "method", "code"));
    }
    nodes.push(UiNode::submit(
        "code",
        "method",
        "code",
        text::label_continue(),
    ));
    if let Some(email) = email {
        nodes.push(UiNode::submit(
            "code",
            "email",
            email,
            text::label_resend_code(),
        ));
        flow.ui.messages = vec![text::recovery_code_sent()];
    }
    flow.ui.nodes = nodes;
}

/// `sent_email` with links: the address shown again.
fn render_link_sent(flow: &mut Flow, email: &str) {
    flow.ui.nodes = csrf_node(flow)
        .into_iter()
        .chain([
            email_input("link", Some(email)),
            UiNode::submit("link", "method", "link", text::label_continue()),
        ])
        .collect();
    flow.ui.messages = vec![text::recovery_link_sent()];
}

/// A new flow carrying `message`, replacing `old` (which cannot go on).
async fn restart(
    reg: &Registry,
    old: &Flow,
    req: &RequestInfo,
    message: UiText,
) -> Result<FlowError, FlowError> {
    let fresh = fresh_for(reg, old, req);
    address::restart_with(reg, old, fresh, message).await
}

/// A new flow replacing `old`, whose flow or code expired at `expired_at`.
async fn expired(
    reg: &Registry,
    old: &Flow,
    req: &RequestInfo,
    expired_at: domain::Timestamp,
) -> Result<FlowError, FlowError> {
    let fresh = fresh_for(reg, old, req);
    address::expired_with(reg, old, fresh, expired_at).await
}

/// The replacement of `old`: a self-service flow of the configured strategy (admin flows
/// are replaced by self-service ones; links are browser-only).
fn fresh_for(reg: &Registry, old: &Flow, req: &RequestInfo) -> Flow {
    let strategy = reg.options.recovery_flow.strategy;
    let flow_type = match strategy {
        AddressStrategy::Link => FlowType::Browser,
        AddressStrategy::Code => old.flow_type,
    };
    new_flow(
        reg,
        flow_type,
        &old.request_url,
        req.csrf_cookie.as_deref(),
        strategy,
    )
}
