//! What the `ory.sh/kratos` annotations pull out of a set of traits (kratos v26.2.0
//! `identity/extension_credentials.go`, `extension_verification.go`, `extension_recovery.go`,
//! and the passkey and TOTP schema extensions).

use serde::Serialize;
use serde_json::{json, Value};

use super::extension::{self, Via};
use super::formats;
use super::identity_schema::IdentitySchema;

/// Identifiers and addresses carried by a set of traits.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TraitsInfo {
    /// `credentials.password.identifier` values as Kratos stores them: trimmed and lowercased
    /// (whatever the format), deduplicated, in schema order.
    pub password_identifiers: Vec<String>,
    /// `credentials.webauthn.identifier` values, trimmed and lowercased, deduplicated.
    pub webauthn_identifiers: Vec<String>,
    /// `credentials.code.identifier` addresses: e-mails lowercased and trimmed, phone numbers in
    /// E.164; deduplicated and sorted by address then channel, as Kratos stores them.
    pub code_identifiers: Vec<(String, Via)>,
    /// `credentials.totp.account_name` value (the last one if several traits carry it).
    pub totp_account_name: Option<String>,
    /// `credentials.passkey.display_name` value, falling back to the webauthn identifier as
    /// Kratos does.
    pub passkey_display_name: Option<String>,
    /// `verification.via` addresses, trimmed and lowercased as Kratos stores them; deduplicated.
    pub verifiable_addresses: Vec<(String, Via)>,
    /// `recovery.via` addresses, trimmed and lowercased as Kratos stores them; deduplicated.
    pub recovery_addresses: Vec<(String, Via)>,
}

impl IdentitySchema {
    /// Collects identifiers and addresses from `traits`. Meant for traits that passed
    /// [`IdentitySchema::validate_traits`]; values that cannot be normalised (e.g. an invalid
    /// phone number for `code.via: sms`) are skipped.
    pub fn extract(&self, traits: &Value) -> TraitsInfo {
        let document = json!({ "traits": traits });
        let mut info = TraitsInfo::default();
        let mut display_name = None;
        let mut webauthn_last = None;
        extension::walk(self.raw(), &document, &mut |a| {
            let Some(text) = extension::value_text(a.value) else {
                return;
            };
            let c = &a.config.credentials;
            if c.password.identifier {
                push_unique(&mut info.password_identifiers, lower_trim(&text));
            }
            if c.webauthn.identifier {
                webauthn_last = Some(text.to_lowercase());
                push_unique(&mut info.webauthn_identifiers, lower_trim(&text));
            }
            if c.passkey.display_name {
                display_name = Some(text.clone());
            }
            if c.totp.account_name {
                info.totp_account_name = Some(text.clone());
            }
            if c.code.identifier {
                if let Some(address) = c.code.via.and_then(|via| code_address(&text, via)) {
                    push_unique(&mut info.code_identifiers, address);
                }
            }
            if let Some(via) = a.config.verification.via {
                push_unique(&mut info.verifiable_addresses, (lower_trim(&text), via));
            }
            if let Some(via) = a.config.recovery.via {
                push_unique(&mut info.recovery_addresses, (lower_trim(&text), via));
            }
        });
        info.code_identifiers.sort();
        info.passkey_display_name = display_name.filter(|n| !n.is_empty()).or(webauthn_last);
        info
    }
}

fn push_unique<T: PartialEq>(list: &mut Vec<T>, item: T) {
    if !list.contains(&item) {
        list.push(item);
    }
}

/// Kratos v26.2.0 normalises in two places: the schema extensions and the persister, which
/// trims and lowercases every password, code and webauthn identifier and every verifiable and
/// recovery address. The values here are the stored ones.
fn lower_trim(text: &str) -> String {
    text.trim().to_lowercase()
}

/// Kratos `x.NormalizeIdentifier` then the persister: e-mails lowercased and trimmed, phone
/// numbers formatted as E.164.
fn code_address(text: &str, via: Via) -> Option<(String, Via)> {
    let address = match via {
        Via::Email => lower_trim(text),
        Via::Sms => formats::normalize_phone(text)?,
    };
    Some((address, via))
}
