//! `POST /admin/recovery/code` and `POST /admin/recovery/link`: an administrator gets a
//! one-time code (with the recovery UI link) or a recovery link for an identity, to hand to
//! the person, who uses it in their own browser. The flow behind it skips the CSRF check
//! (it was created for a browser that never saw it); the code or link works once.

use serde_json::{json, Value};
use uuid::Uuid;

use super::{new_flow, render_code_sent};
use crate::domain::code::{CodeIssuer, CodePurpose};
use crate::domain::{ApiError, FlowKind, FlowState, FlowType};
use crate::flow::onetime;
use crate::manage::AdminError;
use crate::options::{append_query, AddressStrategy};
use crate::registry::Registry;

const DISABLED: &str = "This endpoint was disabled by system administrator. Please check your url or contact the system administrator to enable it.";

/// `createRecoveryCodeForIdentityBody` → 201 `recoveryCodeForIdentity`.
pub async fn create_code(
    reg: &Registry,
    body: &Value,
    request_url: &str,
) -> Result<Value, AdminError> {
    let opts = &reg.options;
    if !opts.codes.code_enabled {
        return Err(ApiError::not_found().with_reason(DISABLED).into());
    }
    let identity_id = identity_id(body)?;
    let expires_in = expires_in(body, opts.codes.code_lifespan)?;
    let flow_type = match body.get("flow_type") {
        None | Some(Value::Null) => FlowType::Browser,
        Some(Value::String(t)) if t == "browser" => FlowType::Browser,
        Some(Value::String(t)) if t == "api" => FlowType::Api,
        Some(other) => {
            let shown = other
                .as_str()
                .map_or_else(|| other.to_string(), str::to_string);
            return Err(ApiError::bad_request(format!(
                "Value from \"flow_type\" is not valid: {shown:?}"
            ))
            .into());
        }
    };
    let identity = reg.store.get_identity(identity_id).await?.ok_or_else(|| {
        AdminError::Api(ApiError::not_found().with_reason("could not find identity"))
    })?;
    let mut flow = new_flow(reg, flow_type, request_url, None, AddressStrategy::Code);
    flow.expires_at = flow.issued_at + chrono_of(expires_in);
    flow.internal["skip_csrf"] = json!(true);
    flow.state = FlowState::SentEmail;
    render_code_sent(&mut flow, None);
    reg.store.create_flow(&flow).await?;
    let (code, _) = onetime::issue(
        reg,
        flow.id,
        CodePurpose::RecoveryCode,
        CodeIssuer::Admin,
        identity.id,
        None,
        expires_in,
    )
    .await
    .map_err(internal)?;
    Ok(json!({
        "recovery_link": opts.ui_url_with_flow(FlowKind::Recovery, flow.id),
        "recovery_code": code,
        "expires_at": flow.expires_at,
    }))
}

/// `createRecoveryLinkForIdentityBody` → 200 `recoveryLinkForIdentity`.
pub async fn create_link(
    reg: &Registry,
    body: &Value,
    request_url: &str,
) -> Result<Value, AdminError> {
    let opts = &reg.options;
    if !opts.codes.link_enabled {
        return Err(ApiError::not_found().with_reason(DISABLED).into());
    }
    let identity_id = identity_id(body)?;
    let expires_in = expires_in(body, opts.codes.link_lifespan)?;
    let identity = reg.store.get_identity(identity_id).await?.ok_or_else(|| {
        AdminError::Api(ApiError::bad_request(
            "The requested identity id does not exist.",
        ))
    })?;
    let mut flow = new_flow(
        reg,
        FlowType::Browser,
        request_url,
        None,
        AddressStrategy::Link,
    );
    flow.expires_at = flow.issued_at + chrono_of(expires_in);
    flow.internal["skip_csrf"] = json!(true);
    flow.ui.nodes.retain(|n| n.name() != Some("csrf_token"));
    reg.store.create_flow(&flow).await?;
    let (token, _) = onetime::issue(
        reg,
        flow.id,
        CodePurpose::RecoveryLink,
        CodeIssuer::Admin,
        identity.id,
        None,
        expires_in,
    )
    .await
    .map_err(internal)?;
    let link = append_query(
        &append_query(
            &opts.public("self-service/recovery"),
            "flow",
            &flow.id.to_string(),
        ),
        "token",
        &token,
    );
    Ok(json!({ "recovery_link": link, "expires_at": flow.expires_at }))
}

fn identity_id(body: &Value) -> Result<Uuid, AdminError> {
    body.get("identity_id")
        .and_then(Value::as_str)
        .and_then(|s| Uuid::parse_str(s).ok())
        .ok_or_else(|| {
            AdminError::Api(ApiError::bad_request(
                "The identity_id field is missing or is not a UUID.",
            ))
        })
}

/// `expires_in` as a Go duration (`15m`, `1h`); absent → `default`; must be in the future.
fn expires_in(
    body: &Value,
    default: std::time::Duration,
) -> Result<std::time::Duration, AdminError> {
    let raw = match body.get("expires_in") {
        None | Some(Value::Null) => return Ok(default),
        Some(Value::String(s)) if s.is_empty() => return Ok(default),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    };
    let parsed = match raw.strip_prefix('-') {
        Some(rest) => nexus_kit::config::parse_duration(rest).map(|_| std::time::Duration::ZERO),
        None => nexus_kit::config::parse_duration(&raw),
    };
    let d = parsed.map_err(|_| {
        AdminError::Api(ApiError::bad_request(format!(
            "Unable to parse \"expires_in\" whose format should match \"[0-9]+(ns|us|ms|s|m|h)\" but did not: {raw}"
        )))
    })?;
    if d.is_zero() {
        return Err(ApiError::bad_request(format!(
            "Value from \"expires_in\" must result to a future time: {raw}"
        ))
        .into());
    }
    Ok(d)
}

fn chrono_of(d: std::time::Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::hours(1))
}

fn internal(e: crate::flow::FlowError) -> AdminError {
    match e {
        crate::flow::FlowError::Api(e) => AdminError::Api(e),
        other => AdminError::Internal(format!("{other:?}")),
    }
}
