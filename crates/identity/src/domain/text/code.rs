//! Messages and labels of the code method: passwordless login and registration by an emailed
//! code, and the code as a second factor (kratos v26.2.0 `text/message_login.go`,
//! `message_registration.go`, `message_node.go`).

use serde_json::json;

use super::super::UiText;

/// "Send sign in code" (1010015), the passwordless login button.
pub fn login_send_code() -> UiText {
    UiText::info(1010015, "Send sign in code")
}

/// Login code sent (1010014).
pub fn login_code_sent() -> UiText {
    UiText::info(1010014, "An email containing a code has been sent to the email address you provided. If you have not received an email, check the spelling of the address and retry the login.")
}

/// "Send code to %s" (1010023), the aal2 button of one address.
pub fn login_send_code_to(address: &str) -> UiText {
    UiText::info(1010023, format!("Send code to {address}"))
        .with_context(json!({ "address": address }))
}

/// Registration code sent (1040005).
pub fn registration_code_sent() -> UiText {
    UiText::info(1040005, "An email containing a code has been sent to the email address you provided. If you have not received an email, check the spelling of the address and retry the registration.")
}

/// "Sign up with code" (1040006).
pub fn registration_with_code() -> UiText {
    UiText::info(1040006, "Sign up with code")
}

/// "Registration code" (1070012).
pub fn label_registration_code() -> UiText {
    UiText::info(1070012, "Registration code")
}

/// "Login code" (1070013).
pub fn label_login_code() -> UiText {
    UiText::info(1070013, "Login code")
}

/// Login code invalid or used (4010008).
pub fn login_code_invalid() -> UiText {
    UiText::error(
        4010008,
        "The login code is invalid or has already been used. Please try again.",
    )
}

/// Registration code invalid or used (4040003).
pub fn registration_code_invalid() -> UiText {
    UiText::error(
        4040003,
        "The registration code is invalid or has already been used. Please try again.",
    )
}
