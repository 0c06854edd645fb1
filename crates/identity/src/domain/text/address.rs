//! Messages of the recovery and verification flows and their code and link nodes.

use serde_json::json;

use super::super::ui::MessageKind;
use super::super::{Timestamp, UiText};

fn success(id: u32, text: impl Into<String>) -> UiText {
    UiText {
        id,
        text: text.into(),
        kind: MessageKind::Success,
        context: None,
    }
}

/// Account recovered (1060001, success): change the password within the privileged window.
pub fn recovery_successful(privileged_until: Timestamp, now: Timestamp) -> UiText {
    let minutes = (privileged_until - now).num_milliseconds() as f64 / 60_000.0;
    success(
        1060001,
        format!("You successfully recovered your account. Please change your password or set up an alternative login method (e.g. social sign in) within the next {minutes:.2} minutes."),
    )
    .with_context(json!({
        "privilegedSessionExpiresAt": privileged_until,
        "privileged_session_expires_at": privileged_until,
        "privileged_session_expires_at_unix": privileged_until.timestamp(),
    }))
}

/// Recovery link sent (1060002).
pub fn recovery_link_sent() -> UiText {
    UiText::info(1060002, "An email containing a recovery link has been sent to the email address you provided. If you have not received an email, check the spelling of the address and make sure to use the address you registered with.")
}

/// Recovery code sent (1060003).
pub fn recovery_code_sent() -> UiText {
    UiText::info(1060003, "An email containing a recovery code has been sent to the email address you provided. If you have not received an email, check the spelling of the address and make sure to use the address you registered with.")
}

/// Verification link sent (1080001).
pub fn verification_link_sent() -> UiText {
    UiText::info(1080001, "An email containing a verification link has been sent to the email address you provided. If you have not received an email, check the spelling of the address and make sure to use the address you registered with.")
}

/// Address verified (1080002, success).
pub fn verification_successful() -> UiText {
    success(1080002, "You successfully verified your email address.")
}

/// Verification code sent (1080003).
pub fn verification_code_sent() -> UiText {
    UiText::info(1080003, "An email containing a verification code has been sent to the email address you provided. If you have not received an email, check the spelling of the address and make sure to use the address you registered with.")
}

/// "Submit" (1070005).
pub fn label_submit() -> UiText {
    UiText::info(1070005, "Submit")
}

/// "Email" (1070007).
pub fn label_email() -> UiText {
    UiText::info(1070007, "Email")
}

/// "Resend code" (1070008).
pub fn label_resend_code() -> UiText {
    UiText::info(1070008, "Resend code")
}

/// "Continue" (1070009).
pub fn label_continue() -> UiText {
    UiText::info(1070009, "Continue")
}

/// "Recovery code" (1070010).
pub fn label_recovery_code() -> UiText {
    UiText::info(1070010, "Recovery code")
}

/// "Verification code" (1070011).
pub fn label_verification_code() -> UiText {
    UiText::info(1070011, "Verification code")
}

/// Recovery flow in a failure state (4060002).
pub fn recovery_state_failure() -> UiText {
    UiText::error(
        4060002,
        "The recovery flow reached a failure state and must be retried.",
    )
}

/// Recovery link token invalid or used (4060004).
pub fn recovery_token_invalid() -> UiText {
    UiText::error(
        4060004,
        "The recovery token is invalid or has already been used. Please retry the flow.",
    )
}

/// Recovery code invalid or used (4060006).
pub fn recovery_code_invalid() -> UiText {
    UiText::error(
        4060006,
        "The recovery code is invalid or has already been used. Please try again.",
    )
}

/// Verification link token invalid or used (4070001).
pub fn verification_token_invalid() -> UiText {
    UiText::error(
        4070001,
        "The verification token is invalid or has already been used. Please retry the flow.",
    )
}

/// Verification flow in a failure state (4070003).
pub fn verification_state_failure() -> UiText {
    UiText::error(
        4070003,
        "The verification flow reached a failure state and must be retried.",
    )
}

/// Verification code invalid or used (4070006).
pub fn verification_code_invalid() -> UiText {
    UiText::error(
        4070006,
        "The verification code is invalid or has already been used. Please try again.",
    )
}

/// Too many code submissions on one flow (4000001, Kratos' generic validation message).
pub fn code_submitted_too_often() -> UiText {
    super::generic("The request was submitted too often. Please request another code.")
}
