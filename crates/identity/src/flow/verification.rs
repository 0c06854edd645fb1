//! The verification flow: prove an address is yours with a code (`use: code`) or a link
//! (`use: link`). States: `choose_method` → `sent_email` → `passed_challenge`.

pub mod hooks;
mod verify;

use serde_json::{json, Map, Value};

use super::address;
use super::onetime::CODE_LENGTH;
use super::submit;
use super::{create, return_to, FlowError, InitOutcome, RequestInfo, SubmitOutcome};
use crate::domain::ui::{InputAttributes, NodeAttributes, NodeMeta};
use crate::domain::{self, text, ApiError, Flow, FlowKind, FlowState, FlowType, UiNode, UiText};
use crate::options::AddressStrategy;
use crate::registry::Registry;

/// Query parameters of a verification init.
#[derive(Debug, Clone, Default)]
pub struct VerificationParams {
    /// `return_to`: where the "Continue" link of a completed flow points.
    pub return_to: Option<String>,
}

/// Whether verification is on: the flow enabled and its method (`code` or `link`) too.
pub fn is_enabled(reg: &Registry) -> bool {
    let opts = &reg.options;
    opts.verification.enabled && opts.codes.allows(opts.verification_flow.strategy)
}

/// 400 `self_service_flow_disabled` unless verification is on.
pub fn ensure_enabled(reg: &Registry) -> Result<(), FlowError> {
    if is_enabled(reg) {
        Ok(())
    } else {
        Err(ApiError::flow_disabled("Verification").into())
    }
}

/// Creates a verification flow.
pub async fn init(
    reg: &Registry,
    flow_type: FlowType,
    params: VerificationParams,
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
    let mut flow = new_flow(reg, flow_type, &req.url, req.csrf_cookie.as_deref());
    flow.return_to = return_to;
    reg.store.create_flow(&flow).await?;
    Ok(InitOutcome::Created(Box::new(flow)))
}

/// A fresh verification flow asking for an address (not stored).
pub fn new_flow(
    reg: &Registry,
    flow_type: FlowType,
    request_url: &str,
    csrf_cookie: Option<&str>,
) -> Flow {
    let mut flow = create::new_flow(
        reg,
        FlowKind::Verification,
        flow_type,
        request_url,
        csrf_cookie,
    );
    let strategy = reg.options.verification_flow.strategy;
    flow.active = Some(strategy.as_str().to_string());
    render_choose(&mut flow, strategy, None);
    flow
}

/// The strategy a flow was created with.
fn strategy_of(flow: &Flow) -> AddressStrategy {
    match flow.active.as_deref() {
        Some("link") => AddressStrategy::Link,
        _ => AddressStrategy::Code,
    }
}

/// Handles `POST /self-service/verification?flow=<id>` and the `GET` of links in emails
/// (`&token=` completes a link flow; `&code=` fills the code in and shows the flow).
pub async fn submit(
    reg: &Registry,
    flow: Flow,
    body: &Value,
    req: &RequestInfo,
    is_get: bool,
) -> Result<SubmitOutcome, FlowError> {
    if flow.kind != FlowKind::Verification {
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
    let method = submit::method(body).or(if submit::string(body, "code").is_some() {
        Some("code")
    } else if submit::string(body, "token").is_some() {
        Some("link")
    } else {
        None
    });
    if strategy == AddressStrategy::Link {
        if let Some(token) = submit::string(body, "token") {
            return verify::use_token(reg, flow, token, req).await;
        }
    }
    if method != Some(strategy.as_str()) {
        flow.ui
            .messages
            .push(text::no_strategy(FlowKind::Verification));
        reg.store.update_flow(&flow).await?;
        return Ok(SubmitOutcome::Invalid(Box::new(flow)));
    }
    match flow.state {
        FlowState::PassedChallenge => {
            return Err(
                restart(reg, &flow, req, text::retry_success(FlowKind::Verification)).await?,
            )
        }
        FlowState::ChooseMethod | FlowState::SentEmail => {}
        _ => return Err(restart(reg, &flow, req, text::verification_state_failure()).await?),
    }
    if strategy == AddressStrategy::Code {
        if let Some(code) = submit::string(body, "code") {
            return if is_get {
                verify::fill_code(reg, flow, code).await
            } else {
                verify::use_code(reg, flow, code, req).await
            };
        }
    }
    let Some(email) = submit::string(body, "email") else {
        set_email_input(&mut flow, strategy, None);
        flow.ui.add_message(Some("email"), text::required("email"));
        reg.store.update_flow(&flow).await?;
        return Ok(SubmitOutcome::Invalid(Box::new(flow)));
    };
    submit::check_csrf(&flow, body, req)?;
    address::send_in_background(reg, &flow, strategy, email);
    flow.state = FlowState::SentEmail;
    render_sent(&mut flow, strategy, email);
    reg.store.update_flow(&flow).await?;
    Ok(SubmitOutcome::Updated(Box::new(flow)))
}

/// A new flow carrying `message`, replacing `old` (which cannot go on).
pub async fn restart(
    reg: &Registry,
    old: &Flow,
    req: &RequestInfo,
    message: UiText,
) -> Result<FlowError, FlowError> {
    let fresh = new_flow(
        reg,
        old.flow_type,
        &old.request_url,
        req.csrf_cookie.as_deref(),
    );
    address::restart_with(reg, old, fresh, message).await
}

/// A new flow replacing `old`, whose flow or code expired at `expired_at`.
pub async fn expired(
    reg: &Registry,
    old: &Flow,
    req: &RequestInfo,
    expired_at: domain::Timestamp,
) -> Result<FlowError, FlowError> {
    let fresh = new_flow(
        reg,
        old.flow_type,
        &old.request_url,
        req.csrf_cookie.as_deref(),
    );
    address::expired_with(reg, old, fresh, expired_at).await
}

fn csrf_node(flow: &Flow) -> Option<UiNode> {
    (flow.flow_type == FlowType::Browser).then(|| UiNode::csrf(&flow.csrf_token))
}

/// The address input of `choose_method`.
pub fn email_input(group: &str, value: Option<&str>) -> UiNode {
    UiNode::input(
        group,
        InputAttributes {
            name: "email".into(),
            input_type: "email".into(),
            value: value.map(|v| Value::String(v.to_string())),
            required: true,
            ..Default::default()
        },
        Some(text::label_email()),
    )
}

/// `choose_method`: the address and "Continue".
fn render_choose(flow: &mut Flow, strategy: AddressStrategy, email: Option<&str>) {
    let group = strategy.as_str();
    let mut nodes = Vec::new();
    if strategy == AddressStrategy::Link {
        nodes.extend(csrf_node(flow));
    }
    nodes.push(email_input(group, email));
    nodes.push(UiNode::submit(
        group,
        "method",
        group,
        text::label_continue(),
    ));
    if strategy == AddressStrategy::Code {
        nodes.extend(csrf_node(flow));
    }
    flow.ui.nodes = nodes;
}

/// Replaces any `email` node with the address input (after a submission without address).
fn set_email_input(flow: &mut Flow, strategy: AddressStrategy, value: Option<&str>) {
    flow.ui.nodes.retain(|n| n.name() != Some("email"));
    flow.ui.nodes.push(email_input(strategy.as_str(), value));
}

/// The code input of a `sent_email` flow.
pub fn code_input(label: UiText, digits_only: bool) -> UiNode {
    UiNode::input(
        "code",
        InputAttributes {
            name: "code".into(),
            input_type: "text".into(),
            required: true,
            pattern: digits_only.then(|| "[0-9]+".to_string()),
            maxlength: digits_only.then_some(CODE_LENGTH),
            ..Default::default()
        },
        Some(label),
    )
}

/// A hidden input.
pub fn hidden(group: &str, name: &str, value: &str) -> UiNode {
    UiNode::input(
        group,
        InputAttributes {
            name: name.into(),
            input_type: "hidden".into(),
            value: Some(Value::String(value.into())),
            ..Default::default()
        },
        None,
    )
}

/// `sent_email`: codes ask for the code (and offer to resend); links show the address.
pub fn render_sent(flow: &mut Flow, strategy: AddressStrategy, email: &str) {
    let mut nodes = Vec::new();
    match strategy {
        AddressStrategy::Code => {
            nodes.push(hidden("code", "method", "code"));
            nodes.push(code_input(text::label_verification_code(), false));
            nodes.push(UiNode::submit(
                "code",
                "method",
                "code",
                text::label_continue(),
            ));
            nodes.extend(csrf_node(flow));
            nodes.push(UiNode::submit(
                "code",
                "email",
                email,
                text::label_resend_code(),
            ));
            flow.ui.messages = vec![text::verification_code_sent()];
        }
        AddressStrategy::Link => {
            nodes.extend(csrf_node(flow));
            nodes.push(email_input("link", Some(email)));
            nodes.push(UiNode::submit(
                "link",
                "method",
                "link",
                text::label_continue(),
            ));
            flow.ui.messages = vec![text::verification_link_sent()];
        }
    }
    flow.ui.nodes = nodes;
}

/// Where "Continue" leads after a verification: the flow's `return_to`, else
/// `verification.after.default_browser_return_url`, else the default return URL.
pub fn continue_url(reg: &Registry, flow: &Flow) -> String {
    flow.return_to
        .clone()
        .or_else(|| reg.options.verification_flow.return_url.clone())
        .unwrap_or_else(|| reg.options.default_return_url.clone())
}

/// `passed_challenge`: a GET form to the continue URL with a "Continue" link.
fn render_passed(reg: &Registry, flow: &mut Flow) {
    let to = continue_url(reg, flow);
    let group = strategy_of(flow).as_str();
    flow.ui.action = to.clone();
    flow.ui.method = "GET".into();
    let mut attrs = Map::new();
    attrs.insert("id".into(), json!("continue"));
    attrs.insert("href".into(), json!(to));
    attrs.insert(
        "title".into(),
        serde_json::to_value(text::label_continue()).unwrap_or(Value::Null),
    );
    let anchor = UiNode {
        node_type: "a".into(),
        group: group.into(),
        attributes: NodeAttributes::A(attrs),
        messages: Vec::new(),
        meta: NodeMeta {
            label: Some(text::label_continue()),
        },
    };
    flow.ui.nodes = csrf_node(flow).into_iter().chain([anchor]).collect();
    flow.ui.messages = vec![text::verification_successful()];
}
