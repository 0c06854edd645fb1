//! Registration by an emailed code (`selfservice.methods.code.passwordless_enabled`).
//!
//! The person submits the traits with `method=code`; they are validated and kept in the flow,
//! and a `registration_code_valid` email goes to the first email address the traits give
//! (the schema's `credentials.code.identifier`, else a verification address). The right code
//! creates the identity with a `code` credential and that address verified. There is no
//! identity yet to bind a code row to, so the code's HMAC lives in the flow's internal
//! context; it is single use (the flow completes), expires after
//! `methods.code.config.lifespan`, and every code submission counts towards the flow's limit.

use serde_json::{json, Value};
use subtle::ConstantTimeEq;

use super::{csrf_nodes, invalid, new_flow, render_first_screen, schema, set_addresses};
use crate::domain::identity::{credential_type, new_credential};
use crate::domain::{self, text, token, Flow, FlowState, Identity, VerificationStatus};
use crate::flow::onetime::{hmac_hex, CODE_LENGTH};
use crate::flow::{address, mail, submit as form, traits};
use crate::flow::{FlowError, RequestInfo, SubmitOutcome};
use crate::method::code as method;
use crate::registry::Registry;

/// Where the pending code sits in the flow's internal context.
const CODE_KEY: &str = "registration_code";

/// Where the validated traits wait for the code.
const TRAITS_KEY: &str = "traits";

/// `method=code`: send a code for the submitted traits, or check the typed code.
pub async fn submit(
    reg: &Registry,
    mut flow: Flow,
    values: Value,
    body: &Value,
    req: &RequestInfo,
) -> Result<SubmitOutcome, FlowError> {
    flow.active = Some(method::GROUP.into());
    let resend = form::string(body, "resend") == Some(method::GROUP);
    if flow.state == FlowState::SentEmail && !resend {
        let Some(code) = form::string(body, "code").filter(|c| !c.trim().is_empty()) else {
            flow.ui.add_message(Some("code"), text::required("code"));
            return invalid(reg, flow).await;
        };
        let code = code.trim().to_string();
        return complete(reg, flow, &code, req).await;
    }
    // A resend keeps the traits of the first submission unless new ones came.
    let values = match (&values, flow.internal.get(TRAITS_KEY)) {
        (v, Some(kept)) if resend && v.as_object().is_none_or(|o| o.is_empty()) => kept.clone(),
        _ => values,
    };
    if let Err(errors) = schema(reg, &flow).validate_traits(&values) {
        render_first_screen(reg, &mut flow, Some(&values));
        traits::add_errors(&mut flow.ui, errors);
        return invalid(reg, flow).await;
    }
    let info = schema(reg, &flow).extract(&values);
    let to = info
        .code_identifiers
        .iter()
        .chain(&info.verifiable_addresses)
        .find(|(_, via)| via.as_str() == "email")
        .map(|(a, _)| a.clone());
    let Some(to) = to else {
        render_first_screen(reg, &mut flow, Some(&values));
        flow.ui.messages.push(text::identifier_missing());
        return invalid(reg, flow).await;
    };
    let secret = token::numeric_code(CODE_LENGTH as usize);
    let key = reg
        .options
        .cookie_secrets
        .first()
        .ok_or_else(|| FlowError::Internal("no cookie secret to key codes with".into()))?;
    let lifespan = reg.options.codes.code_lifespan;
    let expires_at = domain::now()
        + chrono::Duration::from_std(lifespan).unwrap_or(chrono::Duration::minutes(10));
    flow.internal[CODE_KEY] = json!({
        "hmac": hmac_hex(key, &secret),
        "address": to,
        "expires_at": expires_at.timestamp_millis(),
    });
    flow.internal[TRAITS_KEY] = values.clone();
    mail::send_registration_code(reg, &flow, &values, &to, &secret, lifespan).await?;
    flow.state = FlowState::SentEmail;
    render_sent(reg, &mut flow, &values);
    // As Kratos: 400 with the flow in `sent_email` (the browser gets its UI).
    reg.store.update_flow(&flow).await?;
    Ok(SubmitOutcome::Invalid(Box::new(flow)))
}

/// `sent_email`: the traits kept hidden, the code input, "Continue" and "Resend code".
fn render_sent(reg: &Registry, flow: &mut Flow, values: &Value) {
    let mut nodes = csrf_nodes(flow);
    nodes.extend(traits::nodes(
        schema(reg, flow),
        "default",
        Some(values),
        true,
    ));
    nodes.extend(method::sent_nodes(text::label_registration_code()));
    flow.ui.nodes = nodes;
    flow.ui.messages = vec![text::registration_code_sent()];
}

/// Whether `code` is the flow's pending code, unexpired; the address it was sent to.
fn matches(reg: &Registry, flow: &Flow, code: &str) -> Option<String> {
    let pending = flow.internal.get(CODE_KEY)?;
    let stored = pending["hmac"].as_str()?;
    let expires_at = pending["expires_at"].as_i64()?;
    let found = reg.options.cookie_secrets.iter().any(|key| {
        let candidate = hmac_hex(key, code);
        bool::from(stored.as_bytes().ct_eq(candidate.as_bytes()))
    });
    (found && domain::now().timestamp_millis() < expires_at)
        .then(|| pending["address"].as_str().map(str::to_string))
        .flatten()
}

async fn complete(
    reg: &Registry,
    mut flow: Flow,
    code: &str,
    req: &RequestInfo,
) -> Result<SubmitOutcome, FlowError> {
    let attempts = reg.store.count_code_submission(flow.id).await?;
    if attempts > reg.options.codes.max_submissions {
        tracing::info!(flow_id = %flow.id, "too many registration codes; flow restarted");
        let mut fresh = new_flow(
            reg,
            flow.flow_type,
            &flow.request_url,
            req.csrf_cookie.as_deref(),
        );
        fresh.identity_schema = flow.identity_schema.clone();
        render_first_screen(reg, &mut fresh, None);
        let message = text::code_submitted_too_often();
        return Err(address::restart_with(reg, &flow, fresh, message).await?);
    }
    // Expired and wrong codes read the same (4040003), as for login and recovery.
    let Some(to) = matches(reg, &flow, code) else {
        flow.ui
            .add_message(Some("code"), text::registration_code_invalid());
        flow.ui.clear_values(|n| n == "code");
        return invalid(reg, flow).await;
    };
    let values = flow.internal[TRAITS_KEY].clone();
    let schema = schema(reg, &flow);
    let info = schema.extract(&values);
    let mut identity = Identity::new(schema.id(), values.clone());
    let identifiers: Vec<String> = match info.code_identifiers.is_empty() {
        true => vec![to.clone()],
        false => info
            .code_identifiers
            .iter()
            .map(|(a, _)| a.clone())
            .collect(),
    };
    let addresses: Vec<Value> = identifiers
        .iter()
        .map(|a| json!({ "channel": "email", "address": a }))
        .collect();
    identity.set_credential(new_credential(
        credential_type::CODE,
        identifiers,
        json!({ "addresses": addresses }),
    ));
    set_addresses(&mut identity, &info);
    // The code proved the address it was sent to.
    let now = domain::now();
    for a in identity
        .verifiable_addresses
        .iter_mut()
        .filter(|a| a.value == to)
    {
        a.verified = true;
        a.verified_at = Some(now);
        a.status = VerificationStatus::Completed;
    }
    if let Some(pending) = flow.internal.as_object_mut() {
        pending.remove(CODE_KEY);
    }
    super::registered(
        reg,
        flow,
        identity,
        method::GROUP,
        req,
        super::AfterCreate::Nothing,
    )
    .await
}
