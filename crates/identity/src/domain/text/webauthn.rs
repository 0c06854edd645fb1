//! WebAuthn and passkey messages.

use serde_json::json;

use crate::domain::UiText;

/// "Sign in with a hardware key" (1010008), the aal2 security key button.
pub fn login_with_security_key() -> UiText {
    UiText::info(1010008, "Sign in with a hardware key")
}

/// "Sign in with passkey" (1010021).
pub fn login_with_passkey() -> UiText {
    UiText::info(1010021, "Sign in with passkey")
}

/// "Sign up with passkey" (1040007).
pub fn registration_with_passkey() -> UiText {
    UiText::info(1040007, "Sign up with passkey")
}

/// "Add security key" (1050012).
pub fn add_security_key() -> UiText {
    UiText::info(1050012, "Add security key")
}

/// "Name of the security key" (1050013).
pub fn security_key_name() -> UiText {
    UiText::info(1050013, "Name of the security key")
}

/// "Add passkey" (1050019).
pub fn add_passkey() -> UiText {
    UiText::info(1050019, "Add passkey")
}

fn removal_context(name: &str, added_at: chrono::DateTime<chrono::Utc>) -> serde_json::Value {
    json!({
        "display_name": name,
        "added_at": added_at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
        "added_at_unix": added_at.timestamp(),
    })
}

/// `Remove security key "<name>"` (1050018).
pub fn remove_security_key(name: &str, added_at: chrono::DateTime<chrono::Utc>) -> UiText {
    UiText::info(1050018, format!("Remove security key \"{name}\""))
        .with_context(removal_context(name, added_at))
}

/// `Remove passkey "<name>"` (1050020).
pub fn remove_passkey(name: &str, added_at: chrono::DateTime<chrono::Utc>) -> UiText {
    UiText::info(1050020, format!("Remove passkey \"{name}\""))
        .with_context(removal_context(name, added_at))
}

/// "You have no WebAuthn device set up." (4000013).
pub fn no_security_key() -> UiText {
    UiText::error(4000013, "You have no WebAuthn device set up.")
}

/// "This account does not exist or has no security key set up." (4000015).
pub fn no_such_key_user() -> UiText {
    UiText::error(
        4000015,
        "This account does not exist or has no security key set up.",
    )
}

/// A WebAuthn answer that does not verify: wrong origin, challenge, key or signature (4000043).
pub fn security_key_invalid() -> UiText {
    UiText::error(
        4000043,
        "The provided web authn login is invalid, please try again.",
    )
}

/// The key being added is already registered (Kratos' `ErrCredentialAlreadyRegistered`, a
/// generic validation error, 4000001).
pub fn security_key_already_registered() -> UiText {
    UiText::error(
        4000001,
        "this security key or passkey is already registered with your account",
    )
}

/// Removing the last way to sign in (Kratos' `ErrNotEnoughCredentials`, 4000001).
pub fn last_credential() -> UiText {
    UiText::error(
        4000001,
        "unable to remove this security key because it would lock you out of your account",
    )
}

/// The passwordless key step's hint (1010012).
pub fn login_security_key_prepare() -> UiText {
    UiText::info(
        1010012,
        "Prepare your WebAuthn device (e.g. security key, biometrics scanner, ...) and press continue.",
    )
}

/// "Sign up with security key" (1040004).
pub fn registration_with_security_key() -> UiText {
    UiText::info(1040004, "Sign up with security key")
}
