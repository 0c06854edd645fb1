//! Message ids and texts (Kratos `text/id.go`, `text/message_*.go`).

mod address;
mod code;
mod mfa;
mod webauthn;

use serde_json::json;

use super::{Timestamp, UiText};

pub use address::*;
pub use code::*;
pub use mfa::*;
pub use webauthn::*;

/// "Sign in" (1010001).
pub fn login() -> UiText {
    UiText::info(1010001, "Sign in")
}

/// Re-authentication hint (1010003).
pub fn login_reauth() -> UiText {
    UiText::info(
        1010003,
        "Please confirm this action by verifying that it is you.",
    )
}

/// Second factor hint (1010004).
pub fn login_mfa() -> UiText {
    UiText::info(
        1010004,
        "Please complete the second authentication challenge.",
    )
}

/// "Sign in with password" (1010022), the password login button.
pub fn login_with_password() -> UiText {
    UiText::info(1010022, "Sign in with password")
}

/// "Sign up" (1040001).
pub fn registration() -> UiText {
    UiText::info(1040001, "Sign up")
}

/// "Continue" (1040003).
pub fn registration_continue() -> UiText {
    UiText::info(1040003, "Continue")
}

/// "Back" (1040008).
pub fn registration_back() -> UiText {
    UiText::info(1040008, "Back")
}

/// Credential choice hint (1040009).
pub fn registration_choose_credentials() -> UiText {
    UiText::info(
        1040009,
        "Please choose a credential to authenticate yourself with.",
    )
}

/// "Password" label (1070001).
pub fn label_password() -> UiText {
    UiText::info(1070001, "Password")
}

/// A label generated from the schema title (1070002).
pub fn label_generated(title: &str) -> UiText {
    UiText::info(1070002, title).with_context(json!({ "title": title }))
}

/// "ID" label (1070004).
pub fn label_id() -> UiText {
    UiText::info(1070004, "ID")
}

/// "Save" (1070003).
pub fn label_save() -> UiText {
    UiText::info(1070003, "Save")
}

/// "Property %s is missing." (4000002).
pub fn required(property: &str) -> UiText {
    UiText::error(4000002, format!("Property {property} is missing."))
        .with_context(json!({ "property": property }))
}

/// Invalid credentials (4000006).
pub fn invalid_credentials() -> UiText {
    UiText::error(
        4000006,
        "The provided credentials are invalid, check for spelling mistakes in your password or username, email address, or phone number.",
    )
}

/// Duplicate identifier (4000007).
pub fn duplicate_credentials() -> UiText {
    UiText::error(
        4000007,
        "An account with the same identifier (email, phone, username, ...) exists already.",
    )
}

/// Identifier missing (4000009).
pub fn identifier_missing() -> UiText {
    UiText::error(
        4000009,
        "Could not find any login identifiers. Did you forget to set them? This could also be caused by a server misconfiguration.",
    )
}

/// Address not verified (4000010).
pub fn address_not_verified() -> UiText {
    UiText::error(
        4000010,
        "Account not active yet. Did you forget to verify your email address?",
    )
}

/// The new password equals the old one (4000039).
pub fn password_same_as_old() -> UiText {
    UiText::error(
        4000039,
        "The new password must be different from the old password.",
    )
}

/// A generic validation error (4000001).
pub fn generic(reason: &str) -> UiText {
    UiText::error(4000001, reason).with_context(json!({ "reason": reason }))
}

/// No strategy for the submitted method (login 4010002, registration 4010003, settings 4010004).
pub fn no_strategy(flow: super::FlowKind) -> UiText {
    use super::FlowKind::*;
    let (id, what) = match flow {
        Login => (4010002, "log you in with"),
        Registration => (4010003, "sign you up with"),
        Settings => (4010004, "update your settings"),
        Recovery => (4010005, "recover your account with"),
        Verification => (4010006, "verify your account with"),
    };
    UiText::error(
        id,
        format!("Could not find a strategy to {what}. Did you fill out the form correctly?"),
    )
}

/// "The <flow> flow expired %.2f minutes ago, please try again." (4010001, 4040001, …).
pub fn flow_expired(flow: super::FlowKind, expired_at: Timestamp, now: Timestamp) -> UiText {
    use super::FlowKind::*;
    let id = match flow {
        Login => 4010001,
        Registration => 4040001,
        Settings => 4050001,
        Recovery => 4060005,
        Verification => 4070005,
    };
    let minutes = (now - expired_at).num_milliseconds() as f64 / 60_000.0;
    UiText::error(
        id,
        format!(
            "The {} flow expired {minutes:.2} minutes ago, please try again.",
            flow.as_str()
        ),
    )
    .with_context(json!({
        "expired_at": expired_at,
        "expired_at_unix": expired_at.timestamp(),
    }))
}

/// Retry of a completed flow (login 4010007, registration 4040002).
pub fn retry_success(flow: super::FlowKind) -> UiText {
    let id = match flow {
        super::FlowKind::Login => 4010007,
        super::FlowKind::Registration => 4040002,
        super::FlowKind::Recovery => 4060001,
        super::FlowKind::Verification => 4070002,
        super::FlowKind::Settings => 4050001,
    };
    UiText::error(
        id,
        "The request was already completed successfully and can not be retried.",
    )
}

/// Settings saved (1050001, type success).
pub fn settings_saved() -> UiText {
    UiText {
        id: 1050001,
        text: "Your changes have been saved!".into(),
        kind: super::ui::MessageKind::Success,
        context: None,
    }
}
