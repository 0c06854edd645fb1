//! The `ory.sh/kratos` annotations on trait properties and the walk that pairs them with values.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::pointer;

/// The annotation key inside a schema node.
pub(crate) const EXTENSION_KEY: &str = "ory.sh/kratos";
/// Bounds `$ref` chains and nesting so hostile or recursive schemas cannot recurse forever.
pub(crate) const MAX_DEPTH: usize = 32;

/// A delivery channel for codes, verification and recovery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Via {
    /// E-mail.
    Email,
    /// Text message.
    Sms,
}

impl Via {
    /// The wire name (`email` or `sms`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Sms => "sms",
        }
    }
}

/// The parsed `ory.sh/kratos` annotation of one schema node (Kratos `schema.ExtensionConfig`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExtensionConfig {
    /// `credentials.*` settings.
    pub credentials: CredentialsConfig,
    /// `verification.via`.
    pub verification: ChannelConfig,
    /// `recovery.via`.
    pub recovery: ChannelConfig,
    /// `organizations.matcher` (Ory Network only; parsed and ignored).
    pub organizations: OrganizationsConfig,
}

/// `credentials` inside the annotation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CredentialsConfig {
    /// `password.identifier`.
    pub password: IdentifierFlag,
    /// `webauthn.identifier`.
    pub webauthn: IdentifierFlag,
    /// `passkey.display_name`.
    pub passkey: PasskeyConfig,
    /// `totp.account_name`.
    pub totp: TotpConfig,
    /// `code.identifier` and `code.via`.
    pub code: CodeConfig,
}

/// `{identifier: bool}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct IdentifierFlag {
    /// The trait is a login identifier for this credential type.
    pub identifier: bool,
}

/// `credentials.passkey`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PasskeyConfig {
    /// The trait names the passkey in the browser.
    pub display_name: bool,
}

/// `credentials.totp`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TotpConfig {
    /// The trait is the account name shown in authenticator apps.
    pub account_name: bool,
}

/// `credentials.code`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CodeConfig {
    /// The trait is a one-time-code login identifier.
    pub identifier: bool,
    /// Where codes go; required when `identifier` is set.
    pub via: Option<Via>,
}

/// `{via: email|sms}` for verification and recovery.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ChannelConfig {
    /// The channel, if the trait takes part.
    pub via: Option<Via>,
}

/// `organizations` (accepted, never used).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct OrganizationsConfig {
    /// `email_domain`.
    pub matcher: Option<String>,
}

impl ExtensionConfig {
    /// Reads the annotation of a schema node, if it has a well-formed one. Load-time checks
    /// against `identity_extension.schema.json` make malformed ones unreachable here.
    pub(crate) fn of(node: &Value) -> Option<Self> {
        serde_json::from_value(node.get(EXTENSION_KEY)?.clone()).ok()
    }

    /// Whether the trait is a login identifier of any kind (drives the login `identifier` label).
    pub fn is_identifier(&self) -> bool {
        let c = &self.credentials;
        c.password.identifier
            || c.webauthn.identifier
            || c.passkey.display_name
            || c.totp.account_name
            || c.code.identifier
    }
}

/// One annotated trait value met while walking traits alongside their schema.
pub(crate) struct Annotated<'a> {
    /// Instance path segments, starting with `traits`.
    pub path: Vec<String>,
    /// The value (a string or number; array elements are visited one by one).
    pub value: &'a Value,
    /// The annotation.
    pub config: ExtensionConfig,
    /// The schema node carrying it (for `format`).
    pub node: &'a Value,
}

/// Visits every annotated value in `document` (`{"traits": …}`), in schema order. Follows
/// `properties`, `items`, local `$ref` and `allOf`/`anyOf`/`oneOf` branches.
pub(crate) fn walk<'a>(root: &'a Value, document: &'a Value, visit: &mut dyn FnMut(Annotated<'a>)) {
    let mut path = Vec::new();
    walk_node(root, root, document, &mut path, 0, visit);
}

fn walk_node<'a>(
    root: &'a Value,
    node: &'a Value,
    value: &'a Value,
    path: &mut Vec<String>,
    depth: usize,
    visit: &mut dyn FnMut(Annotated<'a>),
) {
    if depth > MAX_DEPTH {
        return;
    }
    let Some(obj) = node.as_object() else {
        return;
    };
    if let Some(reference) = obj.get("$ref").and_then(Value::as_str) {
        // Draft-07: siblings of `$ref` are ignored, annotations included (as in ory/jsonschema).
        if let Some(target) = pointer::resolve_local(root, reference) {
            walk_node(root, target, value, path, depth + 1, visit);
        }
        return;
    }
    // ory/jsonschema stops at a type mismatch before it runs extensions.
    if let Some(config) = ExtensionConfig::of(node).filter(|_| type_matches(node, value)) {
        match value {
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    if item.is_string() || item.is_number() {
                        path.push(i.to_string());
                        visit(Annotated {
                            path: path.clone(),
                            value: item,
                            config: config.clone(),
                            node,
                        });
                        path.pop();
                    }
                }
            }
            Value::String(_) | Value::Number(_) => {
                visit(Annotated {
                    path: path.clone(),
                    value,
                    config,
                    node,
                });
            }
            _ => {}
        }
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        for sub in obj.get(key).and_then(Value::as_array).into_iter().flatten() {
            walk_node(root, sub, value, path, depth + 1, visit);
        }
    }
    if let (Some(props), Some(map)) = (
        obj.get("properties").and_then(Value::as_object),
        value.as_object(),
    ) {
        for (name, sub) in props {
            if let Some(child) = map.get(name) {
                path.push(name.clone());
                walk_node(root, sub, child, path, depth + 1, visit);
                path.pop();
            }
        }
    }
    if let Some(items) = value.as_array() {
        match obj.get("items") {
            Some(Value::Array(tuple)) => {
                for (i, (sub, child)) in tuple.iter().zip(items).enumerate() {
                    path.push(i.to_string());
                    walk_node(root, sub, child, path, depth + 1, visit);
                    path.pop();
                }
            }
            Some(sub @ Value::Object(_)) => {
                for (i, child) in items.iter().enumerate() {
                    path.push(i.to_string());
                    walk_node(root, sub, child, path, depth + 1, visit);
                    path.pop();
                }
            }
            _ => {}
        }
    }
}

/// Whether `value` satisfies the node's `type` keyword (absent: anything goes).
fn type_matches(node: &Value, value: &Value) -> bool {
    let matches = |t: &str| match t {
        "integer" => value.as_f64().is_some_and(|f| f.fract() == 0.0),
        "number" => value.is_number(),
        "string" => value.is_string(),
        "boolean" => value.is_boolean(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        "null" => value.is_null(),
        _ => false,
    };
    match node.get("type") {
        Some(Value::String(t)) => matches(t),
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).any(matches),
        _ => true,
    }
}

/// The string form Kratos gives a value (`fmt.Sprintf("%s", v)` on a decoded JSON value).
pub(crate) fn value_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}
