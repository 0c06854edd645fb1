//! Sending a recovery or verification code or link to an address someone typed in.
//!
//! Whether the address belongs to an identity must not show, neither in the answer nor in
//! its timing. So the flow answers at once, the same way for every address, and the lookup,
//! the code and the email happen afterwards in a background task: a known address gets a
//! code or link, an unknown one nothing, or the "invalid" email when the flow is configured
//! to notify unknown recipients. Nothing here logs an address or a secret.

use super::mail::{self, Secret};
use super::onetime::{self, Recipient};
use super::FlowError;
use crate::domain::code::{CodeIssuer, CodePurpose};
use crate::domain::{self, Flow, FlowKind, Identity, VerificationStatus};
use crate::options::AddressStrategy;
use crate::registry::Registry;

/// How addresses are stored (schema extraction trims and lowercases them).
pub fn normalize(address: &str) -> String {
    address.trim().to_lowercase()
}

/// The purpose of codes sent by a flow of `kind` with `strategy`.
pub fn purpose(kind: FlowKind, strategy: AddressStrategy) -> CodePurpose {
    match (kind, strategy) {
        (FlowKind::Verification, AddressStrategy::Code) => CodePurpose::VerificationCode,
        (FlowKind::Verification, AddressStrategy::Link) => CodePurpose::VerificationLink,
        (_, AddressStrategy::Code) => CodePurpose::RecoveryCode,
        (_, AddressStrategy::Link) => CodePurpose::RecoveryLink,
    }
}

/// Starts the background delivery for `flow` to `address` (typed by the person).
pub fn send_in_background(reg: &Registry, flow: &Flow, strategy: AddressStrategy, address: &str) {
    let (reg, flow, address) = (reg.clone(), flow.clone(), address.to_string());
    tokio::spawn(async move {
        if let Err(e) = deliver(&reg, &flow, strategy, &address).await {
            let cause = match e {
                FlowError::Internal(c) => c,
                other => format!("{other:?}"),
            };
            tracing::warn!(flow_id = %flow.id, kind = flow.kind.as_str(), %cause, "could not send a one-time code");
        }
    });
}

async fn deliver(
    reg: &Registry,
    flow: &Flow,
    strategy: AddressStrategy,
    typed: &str,
) -> Result<(), FlowError> {
    let address = normalize(typed);
    let found = match flow.kind {
        FlowKind::Verification => {
            reg.store
                .find_identity_by_verifiable_address("email", &address)
                .await?
        }
        _ => {
            reg.store
                .find_identity_by_recovery_address("email", &address)
                .await?
        }
    };
    let purpose = purpose(flow.kind, strategy);
    reg.store.delete_codes_of_flow(flow.id, purpose).await?;
    match found {
        Some(identity) => send_to(reg, flow, &identity, &address, strategy).await,
        None => {
            let options = match flow.kind {
                FlowKind::Verification => &reg.options.verification_flow,
                _ => &reg.options.recovery_flow,
            };
            if options.notify_unknown_recipients {
                mail::send_invalid(reg, flow, typed.trim(), strategy == AddressStrategy::Link)
                    .await?;
            }
            Ok(())
        }
    }
}

/// Issues a code or link of `flow` for `identity` and emails it to `address` (one of its
/// addresses). Verification marks a pending address `sent`.
pub async fn send_to(
    reg: &Registry,
    flow: &Flow,
    identity: &Identity,
    address: &str,
    strategy: AddressStrategy,
) -> Result<(), FlowError> {
    let codes = &reg.options.codes;
    let lifespan = match strategy {
        AddressStrategy::Code => codes.code_lifespan,
        AddressStrategy::Link => codes.link_lifespan,
    };
    let to = Recipient {
        address,
        via: "email",
    };
    let (secret, _) = onetime::issue(
        reg,
        flow.id,
        purpose(flow.kind, strategy),
        CodeIssuer::SelfService,
        identity.id,
        Some(to),
        lifespan,
    )
    .await?;
    let secret_ref = match strategy {
        AddressStrategy::Code => Secret::Code(&secret),
        AddressStrategy::Link => Secret::Link(&secret),
    };
    mail::send_valid(reg, flow, identity, address, secret_ref, lifespan).await?;
    if flow.kind == FlowKind::Verification {
        mark_sent(reg, identity, address).await?;
    }
    Ok(())
}

async fn mark_sent(reg: &Registry, identity: &Identity, address: &str) -> Result<(), FlowError> {
    let mut identity = identity.clone();
    let mut changed = false;
    for a in &mut identity.verifiable_addresses {
        if a.value == address && a.status == VerificationStatus::Pending {
            a.status = VerificationStatus::Sent;
            a.updated_at = domain::now();
            changed = true;
        }
    }
    if changed {
        reg.store.update_identity(&identity).await?;
        reg.sessions.forget_identity(identity.id);
    }
    Ok(())
}

/// Marks `address` of `identity_id` verified (`completed`, `verified_at` now); returns the
/// identity as saved.
pub async fn mark_verified(
    reg: &Registry,
    identity_id: uuid::Uuid,
    address: &str,
) -> Result<Option<Identity>, FlowError> {
    let Some(mut identity) = reg.store.get_identity(identity_id).await? else {
        return Ok(None);
    };
    let now = domain::now();
    let mut changed = false;
    for a in &mut identity.verifiable_addresses {
        if a.value == address && !a.verified {
            a.verified = true;
            a.verified_at = Some(now);
            a.status = VerificationStatus::Completed;
            a.updated_at = now;
            changed = true;
        }
    }
    if changed {
        reg.store.update_identity(&identity).await?;
        reg.sessions.forget_identity(identity.id);
    }
    Ok(Some(identity))
}

/// Stores `fresh` (a new flow of `old`'s kind) with `message` in place of `old`, which
/// cannot go on; JSON clients get 410 `self_service_flow_replaced`, browsers its UI.
pub async fn restart_with(
    reg: &Registry,
    old: &Flow,
    mut fresh: Flow,
    message: crate::domain::UiText,
) -> Result<FlowError, FlowError> {
    fresh.return_to = old.return_to.clone();
    let reason = message.text.clone();
    fresh.ui.messages.push(message);
    reg.store.create_flow(&fresh).await?;
    Ok(FlowError::Replaced {
        replacement: Box::new(fresh),
        reason,
    })
}

/// Stores `fresh` in place of `old`, whose flow or code expired at `expired_at`; JSON
/// clients get 410 `self_service_flow_expired` with `use_flow_id`, browsers its UI.
pub async fn expired_with(
    reg: &Registry,
    old: &Flow,
    mut fresh: Flow,
    expired_at: domain::Timestamp,
) -> Result<FlowError, FlowError> {
    fresh.return_to = old.return_to.clone();
    fresh.ui.messages.push(crate::domain::text::flow_expired(
        old.kind,
        expired_at,
        domain::now(),
    ));
    reg.store.create_flow(&fresh).await?;
    Ok(FlowError::Expired {
        replacement: Box::new(fresh),
        expired_at,
    })
}
