//! The code method: UI nodes of passwordless login and registration by an emailed one-time
//! code, of the code as a second factor, and what the code adds to an identity's AAL.
//!
//! The codes themselves are issued and checked by `flow::onetime` (login, HMAC'd rows bound
//! to the flow) and `flow::registration::code` (no identity yet: the HMAC sits in the flow).

use serde_json::Value;

use crate::domain::identity::credential_type;
use crate::domain::ui::InputAttributes;
use crate::domain::{text, Aal, Identity, UiNode};
use crate::flow::onetime::CODE_LENGTH;
use crate::options::Options;
use crate::schema::IdentitySchema;

/// Group name of the code nodes.
pub const GROUP: &str = "code";

/// The `identifier` input of a login flow (shared with the password method, as Kratos does).
pub fn identifier_node(schema: &IdentitySchema, value: Option<&str>, hidden: bool) -> UiNode {
    let label = schema
        .identifier_label()
        .map(|l| crate::domain::UiText::info(l.id, l.text).with_context(l.context))
        .unwrap_or_else(text::label_id);
    UiNode::input(
        "default",
        InputAttributes {
            name: "identifier".into(),
            input_type: if hidden { "hidden" } else { "text" }.into(),
            value: Some(Value::String(value.unwrap_or_default().to_string())),
            required: true,
            autocomplete: (!hidden).then(|| "username".to_string()),
            ..Default::default()
        },
        Some(label),
    )
}

/// The `code` input.
pub fn code_input(label: crate::domain::UiText) -> UiNode {
    UiNode::input(
        GROUP,
        InputAttributes {
            name: "code".into(),
            input_type: "text".into(),
            required: true,
            pattern: Some("[0-9]+".into()),
            maxlength: Some(CODE_LENGTH),
            autocomplete: Some("one-time-code".into()),
            ..Default::default()
        },
        Some(label),
    )
}

/// After a code was sent: the code input, "Continue" (`method=code`) and "Resend code"
/// (`resend=code`).
pub fn sent_nodes(label: crate::domain::UiText) -> Vec<UiNode> {
    vec![
        code_input(label),
        UiNode::submit(GROUP, "method", GROUP, text::label_continue()),
        UiNode::submit(GROUP, "resend", GROUP, text::label_resend_code()),
    ]
}

/// The email addresses a code can be sent to: verifiable, then recovery addresses.
pub fn addresses(identity: &Identity) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let verifiable = identity
        .verifiable_addresses
        .iter()
        .map(|a| (&a.value, &a.via));
    let recovery = identity
        .recovery_addresses
        .iter()
        .map(|a| (&a.value, &a.via));
    for (value, via) in verifiable.chain(recovery) {
        if via == "email" && !out.contains(value) {
            out.push(value.clone());
        }
    }
    out
}

/// The aal2 nodes: one "Send code to …" button (`address`) per address of the identity.
pub fn mfa_nodes(identity: &Identity) -> Vec<UiNode> {
    addresses(identity)
        .iter()
        .map(|a| UiNode::submit(GROUP, "address", a, text::login_send_code_to(a)))
        .collect()
}

/// The identity's available AAL with the code method counted as Kratos counts it: with
/// `mfa_enabled`, an identity that has an address to receive codes can reach aal2.
pub fn available_aal(opts: &Options, identity: &Identity) -> Aal {
    let stored = identity.available_aal;
    if opts.codes.mfa && stored < Aal::Aal2 && !addresses(identity).is_empty() {
        return Aal::Aal2;
    }
    stored
}

/// Whether `identity` has a `code` credential (registered by code).
pub fn has_credential(identity: &Identity) -> bool {
    identity.credentials.contains_key(credential_type::CODE)
}
