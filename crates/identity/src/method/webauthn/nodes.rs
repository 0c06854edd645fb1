//! The UI nodes of the `webauthn` and `passkey` methods, named and labelled as Kratos names
//! them, with both the `on…Trigger` names and the deprecated inline `on…` handlers.

use serde_json::{Map, Value};

use super::{script, StoredKey, GROUP, PASSKEY_GROUP};
use crate::domain::ui::{InputAttributes, NodeAttributes, NodeMeta};
use crate::domain::{text, UiNode, UiText};

fn input(group: &str, name: &str, kind: &str, label: Option<UiText>) -> InputAttributesBuilder {
    InputAttributesBuilder {
        group: group.to_string(),
        label,
        attrs: InputAttributes {
            name: name.into(),
            input_type: kind.into(),
            ..Default::default()
        },
    }
}

struct InputAttributesBuilder {
    group: String,
    label: Option<UiText>,
    attrs: InputAttributes,
}

impl InputAttributesBuilder {
    fn value(mut self, value: impl Into<String>) -> Self {
        self.attrs.value = Some(Value::String(value.into()));
        self
    }

    fn on_click(mut self, trigger: &str, argument: &str) -> Self {
        self.attrs.onclick = Some(format!("window.{trigger}({argument})"));
        self.attrs.onclick_trigger = Some(trigger.into());
        self
    }

    fn on_load(mut self, trigger: &str) -> Self {
        self.attrs.onload = Some(format!("window.{trigger}()"));
        self.attrs.onload_trigger = Some(trigger.into());
        self
    }

    fn disabled(mut self, disabled: bool) -> Self {
        self.attrs.disabled = disabled;
        self
    }

    fn build(self) -> UiNode {
        UiNode::input(&self.group, self.attrs, self.label)
    }
}

/// The `<script>` node loading `/.well-known/ory/webauthn.js` (browser flows).
pub fn script_node(public_url: &url::Url) -> UiNode {
    let src = public_url
        .join(script::PATH)
        .map(|u| u.to_string())
        .unwrap_or_else(|_| format!("/{}", script::PATH));
    let mut attrs = Map::new();
    attrs.insert("src".into(), Value::String(src));
    attrs.insert("async".into(), Value::Bool(true));
    attrs.insert("referrerpolicy".into(), "no-referrer".into());
    attrs.insert("crossorigin".into(), "anonymous".into());
    attrs.insert("integrity".into(), script::integrity().into());
    attrs.insert("type".into(), "text/javascript".into());
    attrs.insert("id".into(), "webauthn_script".into());
    attrs.insert("nonce".into(), "".into());
    UiNode {
        node_type: "script".into(),
        group: GROUP.into(),
        attributes: NodeAttributes::Script(attrs),
        messages: Vec::new(),
        meta: NodeMeta::default(),
    }
}

/// Settings: the security key name, the hidden answer field and the "Add security key"
/// button carrying the creation options (Kratos' order).
pub fn security_key_registration(options: &str) -> Vec<UiNode> {
    vec![
        input(
            GROUP,
            "webauthn_register_displayname",
            "text",
            Some(text::security_key_name()),
        )
        .build(),
        input(GROUP, "webauthn_register", "hidden", None).build(),
        input(
            GROUP,
            "webauthn_register_trigger",
            "button",
            Some(text::add_security_key()),
        )
        .value(options)
        .on_click("oryWebAuthnRegistration", options)
        .build(),
    ]
}

/// Settings: the button removing a security key (disabled when it is the last way in).
pub fn security_key_removal(key: &StoredKey, disabled: bool) -> UiNode {
    let label = text::remove_security_key(key.shown_name(), key.added_at);
    input(GROUP, "webauthn_remove", "submit", Some(label))
        .value(key.hex_id())
        .disabled(disabled)
        .build()
}

/// aal2 login: the hidden answer field and the "Sign in with a hardware key" button.
pub fn security_key_login(options: &str) -> Vec<UiNode> {
    vec![
        input(GROUP, "webauthn_login", "hidden", None).build(),
        input(
            GROUP,
            "webauthn_login_trigger",
            "button",
            Some(text::login_with_security_key()),
        )
        .value(options)
        .on_click("oryWebAuthnLogin", options)
        .build(),
    ]
}

/// Where a passkey registration happens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasskeyScreen {
    /// Sign-up (`passkey_register`).
    Registration,
    /// Settings (`passkey_settings_register`).
    Settings,
}

/// Passkey registration: the trigger, the hidden answer field and the creation data.
pub fn passkey_registration(
    create_data: &str,
    screen: PasskeyScreen,
    browser: bool,
) -> Vec<UiNode> {
    let (trigger, answer, label) = match screen {
        PasskeyScreen::Registration => (
            "oryPasskeyRegistration",
            "passkey_register",
            text::registration_with_passkey(),
        ),
        PasskeyScreen::Settings => (
            "oryPasskeySettingsRegistration",
            "passkey_settings_register",
            text::add_passkey(),
        ),
    };
    let mut button = input(
        PASSKEY_GROUP,
        "passkey_register_trigger",
        "button",
        Some(label),
    )
    .value("")
    .on_click(trigger, "");
    if !browser {
        button.attrs.onclick = None;
    }
    vec![
        button.build(),
        input(PASSKEY_GROUP, answer, "hidden", None).build(),
        input(PASSKEY_GROUP, "passkey_create_data", "hidden", None)
            .value(create_data)
            .build(),
    ]
}

/// Settings: the button removing a passkey.
pub fn passkey_removal(key: &StoredKey, disabled: bool) -> UiNode {
    let label = text::remove_passkey(key.shown_name(), key.added_at);
    input(PASSKEY_GROUP, "passkey_remove", "submit", Some(label))
        .value(key.hex_id())
        .disabled(disabled)
        .build()
}

/// Login: the discoverable challenge, the hidden answer field (which starts conditional UI
/// on load) and the "Sign in with passkey" button.
pub fn passkey_login(challenge: &str, browser: bool) -> Vec<UiNode> {
    let mut answer = input(PASSKEY_GROUP, "passkey_login", "hidden", None)
        .on_load("oryPasskeyLoginAutocompleteInit");
    let mut button = input(
        PASSKEY_GROUP,
        "passkey_login_trigger",
        "button",
        Some(text::login_with_passkey()),
    )
    .value("")
    .on_click("oryPasskeyLogin", "");
    if !browser {
        answer.attrs.onload = None;
        button.attrs.onclick = None;
    }
    vec![
        input(PASSKEY_GROUP, "passkey_challenge", "hidden", None)
            .value(challenge)
            .build(),
        answer.build(),
        button.build(),
    ]
}
