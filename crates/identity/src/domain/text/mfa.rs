//! Messages and labels of the second factors: TOTP and lookup secrets (kratos v26.2.0
//! `text/message_login.go`, `message_settings.go`, `message_validation.go`).

use serde_json::json;

use super::super::{Timestamp, UiText};

/// "Authentication code" (1010006), the TOTP login input.
pub fn label_totp_code() -> UiText {
    UiText::info(1010006, "Authentication code")
}

/// "Backup recovery code" (1010007), the lookup secret login input.
pub fn label_lookup_secret() -> UiText {
    UiText::info(1010007, "Backup recovery code")
}

/// "Use Authenticator" (1010009), the TOTP login button.
pub fn login_with_totp() -> UiText {
    UiText::info(1010009, "Use Authenticator")
}

/// "Use backup recovery code" (1010010), the lookup secret login button.
pub fn login_with_lookup_secret() -> UiText {
    UiText::info(1010010, "Use backup recovery code")
}

/// "Verify code" (1070006), the TOTP enrolment input.
pub fn label_verify_otp() -> UiText {
    UiText::info(1070006, "Verify code")
}

/// "Unlink TOTP Authenticator App" (1050004).
pub fn totp_unlink() -> UiText {
    UiText::info(1050004, "Unlink TOTP Authenticator App")
}

/// "Authenticator app QR code" (1050005).
pub fn totp_qr() -> UiText {
    UiText::info(1050005, "Authenticator app QR code")
}

/// The TOTP secret itself (1050006).
pub fn totp_secret(secret: &str) -> UiText {
    UiText::info(1050006, secret).with_context(json!({ "secret": secret }))
}

/// Label of the TOTP secret (1050017).
pub fn totp_secret_label() -> UiText {
    UiText::info(
        1050017,
        "This is your authenticator app secret. Use it if you can not scan the QR code.",
    )
}

/// "Reveal backup recovery codes" (1050007).
pub fn lookup_reveal() -> UiText {
    UiText::info(1050007, "Reveal backup recovery codes")
}

/// "Generate new backup recovery codes" (1050008).
pub fn lookup_regenerate() -> UiText {
    UiText::info(1050008, "Generate new backup recovery codes")
}

/// One lookup secret (1050009).
pub fn lookup_secret(secret: &str) -> UiText {
    UiText::info(1050009, secret).with_context(json!({ "secret": secret }))
}

/// Label of the lookup secret list (1050010).
pub fn lookup_secrets_label() -> UiText {
    UiText::info(
        1050010,
        "These are your back up recovery codes. Please keep them in a safe place!",
    )
}

/// "Confirm backup recovery codes" (1050011).
pub fn lookup_confirm() -> UiText {
    UiText::info(1050011, "Confirm backup recovery codes")
}

/// A used lookup secret (1050014).
pub fn lookup_secret_used(used_at: Timestamp) -> UiText {
    UiText::info(
        1050014,
        format!(
            "Secret was used at {}",
            used_at.format("%Y-%m-%d %H:%M:%S %z UTC")
        ),
    )
    .with_context(json!({ "used_at": used_at }))
}

/// The list of lookup secrets (1050015): the readable entries joined, each in the context.
pub fn lookup_secret_list(readable: &[String], items: Vec<UiText>) -> UiText {
    UiText::info(1050015, readable.join(", ")).with_context(json!({ "secrets": items }))
}

/// "Disable this method" (1050016).
pub fn lookup_disable() -> UiText {
    UiText::info(1050016, "Disable this method")
}

/// Wrong TOTP code (4000008).
pub fn totp_invalid() -> UiText {
    UiText::error(
        4000008,
        "The provided authentication code is invalid, please try again.",
    )
}

/// No TOTP set up (4000011).
pub fn no_totp_device() -> UiText {
    UiText::error(4000011, "You have no TOTP device set up.")
}

/// Lookup secret already used (4000012).
pub fn lookup_already_used() -> UiText {
    UiText::error(4000012, "This backup recovery code has already been used.")
}

/// No lookup secrets set up (4000014).
pub fn no_lookup() -> UiText {
    UiText::error(4000014, "You have no backup recovery codes set up.")
}

/// Wrong lookup secret (4000016).
pub fn lookup_invalid() -> UiText {
    UiText::error(4000016, "The backup recovery code is not valid.")
}

/// Too many wrong second-factor attempts on one login flow (4000001 with the reason).
pub fn second_factor_attempts_exceeded() -> UiText {
    super::generic(
        "Too many wrong attempts for the second factor on this login flow. Please start again.",
    )
}
