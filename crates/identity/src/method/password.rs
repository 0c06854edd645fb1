//! The password method: its UI nodes, login verification and registration credential.

pub mod policy;

use serde_json::{json, Value};
use zeroize::Zeroizing;

use crate::domain::identity::{credential_type, new_credential};
use crate::domain::ui::InputAttributes;
use crate::domain::{text, Credential, Identity, UiNode, UiText};
use crate::hash::PasswordHasher;
use crate::schema::IdentitySchema;

/// Group name of the password nodes.
pub const GROUP: &str = "password";

/// Login nodes: `identifier`, `password` and the submit button.
pub fn login_nodes(
    schema: &IdentitySchema,
    identifier: Option<&str>,
    refresh: bool,
) -> Vec<UiNode> {
    let label = schema
        .identifier_label()
        .map(|l| UiText::info(l.id, l.text).with_context(l.context))
        .unwrap_or_else(text::label_id);
    let identifier_node = UiNode::input(
        "default",
        InputAttributes {
            name: "identifier".into(),
            input_type: if refresh { "hidden" } else { "text" }.into(),
            value: Some(Value::String(identifier.unwrap_or_default().to_string())),
            required: true,
            autocomplete: (!refresh).then(|| "username webauthn".to_string()),
            ..Default::default()
        },
        Some(label),
    );
    vec![
        identifier_node,
        password_node("current-password"),
        UiNode::submit(GROUP, "method", "password", text::login_with_password()),
    ]
}

/// The password input node.
pub fn password_node(autocomplete: &str) -> UiNode {
    UiNode::input(
        GROUP,
        InputAttributes {
            name: "password".into(),
            input_type: "password".into(),
            required: true,
            autocomplete: Some(autocomplete.to_string()),
            ..Default::default()
        },
        Some(text::label_password()),
    )
}

/// Registration nodes of the password method: the password input and the submit button.
pub fn registration_nodes() -> Vec<UiNode> {
    vec![
        password_node("new-password"),
        UiNode::submit(GROUP, "method", "password", text::registration()),
    ]
}

/// Normalises a password identifier for storage and lookup (trimmed, lowercased).
pub fn normalize_identifier(identifier: &str) -> String {
    identifier.trim().to_lowercase()
}

/// A new password credential for `identifiers` holding `hashed_password`.
pub fn credential(identifiers: &[String], hashed_password: String) -> Credential {
    let mut ids: Vec<String> = identifiers
        .iter()
        .map(|i| normalize_identifier(i))
        .collect();
    ids.sort();
    ids.dedup();
    new_credential(
        credential_type::PASSWORD,
        ids,
        json!({ "hashed_password": hashed_password }),
    )
}

/// The stored hash of an identity's password credential.
pub fn stored_hash(identity: &Identity) -> Option<&str> {
    identity
        .credential(credential_type::PASSWORD)
        .and_then(|c| c.config.get("hashed_password"))
        .and_then(Value::as_str)
}

/// Verifies `password` for `identity`; for `None` runs the same work against a dummy hash so
/// known and unknown identifiers cost the same.
pub async fn verify(hasher: &PasswordHasher, identity: Option<&Identity>, password: &str) -> bool {
    let password = Zeroizing::new(password.to_string());
    match identity.and_then(stored_hash) {
        Some(hash) => hasher.verify(password, hash).await.unwrap_or_else(|e| {
            tracing::warn!(error = %e, "stored password hash could not be verified");
            false
        }),
        None => {
            hasher.verify_unknown_identity(password).await;
            false
        }
    }
}
