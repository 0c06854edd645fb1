//! The emails of the recovery, verification, login and registration flows, queued through
//! the courier.
//!
//! Models use Kratos' Go field names (`To`, `VerificationCode`, `RecoveryURL`, …) so custom
//! templates written for Kratos render unchanged. Secrets only travel inside the model.

use serde_json::{json, Map, Value};

use super::FlowError;
use crate::courier::TemplateType;
use crate::domain::{Flow, FlowKind, Identity};
use crate::options::append_query;
use crate::registry::Registry;

/// What an email carries besides the common fields.
#[derive(Debug, Clone, Copy)]
pub enum Secret<'a> {
    /// A six-digit code.
    Code(&'a str),
    /// A link token.
    Link(&'a str),
}

/// Queues the "here is your code/link" email of `flow` (recovery or verification) to `to`.
pub async fn send_valid(
    reg: &Registry,
    flow: &Flow,
    identity: &Identity,
    to: &str,
    secret: Secret<'_>,
    lifespan: std::time::Duration,
) -> Result<(), FlowError> {
    let mut model = common(flow);
    model.insert(
        "Identity".into(),
        super::settings::identity_view(reg, identity),
    );
    model.insert("ExpiresInMinutes".into(), json!(lifespan.as_secs() / 60));
    let submit = reg
        .options
        .public(&format!("self-service/{}", flow.kind.as_str()));
    let submit = append_query(&submit, "flow", &flow.id.to_string());
    let template = match (flow.kind, secret) {
        (FlowKind::Verification, Secret::Code(code)) => {
            model.insert("VerificationCode".into(), json!(code));
            model.insert(
                "VerificationURL".into(),
                json!(append_query(&submit, "code", code)),
            );
            TemplateType::verification_code_valid
        }
        (FlowKind::Verification, Secret::Link(token)) => {
            model.insert(
                "VerificationURL".into(),
                json!(append_query(&submit, "token", token)),
            );
            TemplateType::verification_valid
        }
        (_, Secret::Code(code)) => {
            model.insert("RecoveryCode".into(), json!(code));
            TemplateType::recovery_code_valid
        }
        (_, Secret::Link(token)) => {
            model.insert(
                "RecoveryURL".into(),
                json!(append_query(&submit, "token", token)),
            );
            TemplateType::recovery_valid
        }
    };
    queue(reg, template, to, model).await
}

/// Queues the `login_code_valid` email (`.LoginCode`, `.Identity`, `.ExpiresInMinutes`).
pub async fn send_login_code(
    reg: &Registry,
    flow: &Flow,
    identity: &Identity,
    to: &str,
    code: &str,
    lifespan: std::time::Duration,
) -> Result<(), FlowError> {
    let mut model = common(flow);
    model.insert(
        "Identity".into(),
        super::settings::identity_view(reg, identity),
    );
    model.insert("LoginCode".into(), json!(code));
    model.insert("ExpiresInMinutes".into(), json!(lifespan.as_secs() / 60));
    queue(reg, TemplateType::login_code_valid, to, model).await
}

/// Queues the `registration_code_valid` email (`.RegistrationCode`, `.Traits`,
/// `.ExpiresInMinutes`).
pub async fn send_registration_code(
    reg: &Registry,
    flow: &Flow,
    traits: &Value,
    to: &str,
    code: &str,
    lifespan: std::time::Duration,
) -> Result<(), FlowError> {
    let mut model = common(flow);
    model.insert("Traits".into(), traits.clone());
    model.insert("RegistrationCode".into(), json!(code));
    model.insert("ExpiresInMinutes".into(), json!(lifespan.as_secs() / 60));
    queue(reg, TemplateType::registration_code_valid, to, model).await
}

/// Queues the "someone asked for a code/link for this address, but it has no account"
/// email (only when `notify_unknown_recipients` is on).
pub async fn send_invalid(
    reg: &Registry,
    flow: &Flow,
    to: &str,
    link: bool,
) -> Result<(), FlowError> {
    let template = match (flow.kind, link) {
        (FlowKind::Verification, false) => TemplateType::verification_code_invalid,
        (FlowKind::Verification, true) => TemplateType::verification_invalid,
        (_, false) => TemplateType::recovery_code_invalid,
        (_, true) => TemplateType::recovery_invalid,
    };
    queue(reg, template, to, common(flow)).await
}

fn common(flow: &Flow) -> Map<String, Value> {
    let mut model = Map::new();
    model.insert("RequestURL".into(), json!(flow.request_url));
    model.insert(
        "TransientPayload".into(),
        flow.transient_payload.clone().unwrap_or_else(|| json!({})),
    );
    model
}

async fn queue(
    reg: &Registry,
    template: TemplateType,
    to: &str,
    mut model: Map<String, Value>,
) -> Result<(), FlowError> {
    model.insert("To".into(), json!(to));
    reg.courier
        .send_email(template, to, Value::Object(model))
        .await
        .map(|_| ())
        .map_err(|e| FlowError::Internal(format!("cannot queue the {template} email: {e}")))
}
