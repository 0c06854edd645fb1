//! `/.well-known/ory/webauthn.js`: the browser side of the WebAuthn and passkey triggers
//! (`oryWebAuthnRegistration`, `oryWebAuthnLogin`, `oryPasskeyLogin`,
//! `oryPasskeyLoginAutocompleteInit`, `oryPasskeyRegistration`,
//! `oryPasskeySettingsRegistration`), written for this server.

use std::sync::LazyLock;

use base64::Engine as _;
use sha2::{Digest, Sha512};

/// The script.
pub const SOURCE: &str = include_str!("webauthn.js");

/// Where it is served, relative to the public base URL.
pub const PATH: &str = ".well-known/ory/webauthn.js";

/// Its subresource integrity (`sha512-…`), as the script node carries it.
pub fn integrity() -> &'static str {
    static INTEGRITY: LazyLock<String> = LazyLock::new(|| {
        let digest = Sha512::digest(SOURCE.as_bytes());
        format!(
            "sha512-{}",
            base64::engine::general_purpose::STANDARD.encode(digest)
        )
    });
    &INTEGRITY
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integrity_is_the_sha512_of_the_source_and_every_trigger_is_defined() {
        assert!(integrity().starts_with("sha512-"));
        assert_eq!(integrity().len(), "sha512-".len() + 88);
        for trigger in [
            "oryWebAuthnRegistration",
            "oryWebAuthnLogin",
            "oryPasskeyLogin",
            "oryPasskeyLoginAutocompleteInit",
            "oryPasskeyRegistration",
            "oryPasskeySettingsRegistration",
        ] {
            assert!(
                SOURCE.contains(&format!("window.{trigger} = function")),
                "{trigger}"
            );
        }
    }
}
