//! The lookup secret method (backup recovery codes): generation, the stored credential and
//! the UI nodes.
//!
//! Kratos keeps the codes in plain text in `config.recovery_codes[].code` and shows them
//! again on "reveal". Here each code is stored only as an argon2id hash
//! (`recovery_codes[].hashed_code`, see `hash::lookup`), so the codes are shown once, when
//! generated; "reveal" lists which are used and hides the rest.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::domain::identity::{credential_type, new_credential};
use crate::domain::ui::InputAttributes;
use crate::domain::{text, token, Credential, Identity, Timestamp, UiNode, UiText};

/// Group of the lookup secret nodes.
pub const GROUP: &str = "lookup_secret";

/// Codes per set (Kratos' `numCodes`).
pub const CODES: usize = 12;

/// Characters per code (Kratos: 8 from `a-z0-9`, about 41 bits).
pub const CODE_LENGTH: usize = 8;

/// What "reveal" shows in place of a code that is stored only as a hash.
pub const HIDDEN: &str = "********";

/// One stored code.
#[derive(Clone, Serialize, Deserialize, PartialEq)]
pub struct StoredCode {
    /// argon2id hash of the code.
    pub hashed_code: String,
    /// When it was used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub used_at: Option<Timestamp>,
}

/// `config` of a lookup secret credential.
#[derive(Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct LookupConfig {
    /// The codes, in the order they were shown.
    #[serde(default)]
    pub recovery_codes: Vec<StoredCode>,
}

impl LookupConfig {
    /// The config of an identity's lookup secret credential, if any.
    pub fn of(identity: &Identity) -> Option<LookupConfig> {
        identity
            .credential(credential_type::LOOKUP_SECRET)
            .and_then(|c| serde_json::from_value(c.config.clone()).ok())
    }

    /// Codes not used yet.
    pub fn unused(&self) -> usize {
        self.recovery_codes
            .iter()
            .filter(|c| c.used_at.is_none())
            .count()
    }
}

/// A fresh set of codes (from the thread-local CSPRNG).
pub fn generate() -> Vec<String> {
    (0..CODES)
        .map(|_| token::lower_alphanumeric(CODE_LENGTH))
        .collect()
}

/// The credential holding `hashes` (identifier: the identity id, as Kratos).
pub fn credential(identity_id: Uuid, hashes: Vec<String>) -> Credential {
    let config = LookupConfig {
        recovery_codes: hashes
            .into_iter()
            .map(|hashed_code| StoredCode {
                hashed_code,
                used_at: None,
            })
            .collect(),
    };
    new_credential(
        credential_type::LOOKUP_SECRET,
        vec![identity_id.to_string()],
        serde_json::to_value(config).unwrap_or(Value::Null),
    )
}

/// Whether the identity has lookup secrets set up.
pub fn has_codes(identity: &Identity) -> bool {
    LookupConfig::of(identity).is_some_and(|c| !c.recovery_codes.is_empty())
}

/// Login (aal2) nodes: `lookup_secret` and the submit button.
pub fn login_nodes() -> Vec<UiNode> {
    vec![
        UiNode::input(
            GROUP,
            InputAttributes {
                name: "lookup_secret".into(),
                input_type: "text".into(),
                required: true,
                ..Default::default()
            },
            Some(text::label_lookup_secret()),
        ),
        UiNode::submit(
            GROUP,
            "method",
            "lookup_secret",
            text::login_with_lookup_secret(),
        ),
    ]
}

fn button(name: &str, label: UiText) -> UiNode {
    UiNode::input(
        GROUP,
        InputAttributes {
            name: name.into(),
            input_type: "submit".into(),
            value: Some(Value::String("true".into())),
            ..Default::default()
        },
        Some(label),
    )
}

/// `lookup_secret_reveal`.
pub fn reveal_node() -> UiNode {
    button("lookup_secret_reveal", text::lookup_reveal())
}

/// `lookup_secret_regenerate`.
pub fn regenerate_node() -> UiNode {
    button("lookup_secret_regenerate", text::lookup_regenerate())
}

/// `lookup_secret_confirm`.
pub fn confirm_node() -> UiNode {
    button("lookup_secret_confirm", text::lookup_confirm())
}

/// `lookup_secret_disable`.
pub fn disable_node() -> UiNode {
    button("lookup_secret_disable", text::lookup_disable())
}

/// The `lookup_secret_codes` text node listing freshly generated codes.
pub fn codes_node(codes: &[String]) -> UiNode {
    let items = codes.iter().map(|c| text::lookup_secret(c)).collect();
    list_node(codes, items)
}

/// The `lookup_secret_codes` text node for stored codes: used ones with their time, the
/// others hidden (only their hashes are kept).
pub fn stored_codes_node(config: &LookupConfig) -> UiNode {
    let (readable, items): (Vec<String>, Vec<UiText>) = config
        .recovery_codes
        .iter()
        .map(|c| match c.used_at {
            Some(at) => ("used".to_string(), text::lookup_secret_used(at)),
            None => (HIDDEN.to_string(), text::lookup_secret(HIDDEN)),
        })
        .unzip();
    list_node(&readable, items)
}

fn list_node(readable: &[String], items: Vec<UiText>) -> UiNode {
    UiNode::text(
        GROUP,
        "lookup_secret_codes",
        text::lookup_secret_list(readable, items),
        text::lookup_secrets_label(),
    )
}
