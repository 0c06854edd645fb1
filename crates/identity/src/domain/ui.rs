//! UI containers, nodes and messages as Kratos renders them (`uiContainer`, `uiNode`, `uiText`).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A message shown to the person (`uiText`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct UiText {
    /// Stable message id (Kratos `text/id.go`).
    pub id: u32,
    /// English text.
    pub text: String,
    /// `info`, `error` or `success`.
    #[serde(rename = "type")]
    pub kind: MessageKind,
    /// Values used in the text, for translations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context: Option<Value>,
}

/// Message severity.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum MessageKind {
    /// Informational.
    Info,
    /// Error.
    Error,
    /// Success.
    Success,
}

impl UiText {
    /// An info message.
    pub fn info(id: u32, text: impl Into<String>) -> Self {
        UiText {
            id,
            text: text.into(),
            kind: MessageKind::Info,
            context: None,
        }
    }

    /// An error message.
    pub fn error(id: u32, text: impl Into<String>) -> Self {
        UiText {
            id,
            text: text.into(),
            kind: MessageKind::Error,
            context: None,
        }
    }

    /// Adds context values.
    pub fn with_context(mut self, context: Value) -> Self {
        self.context = Some(context);
        self
    }
}

/// Node label and other meta data.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct NodeMeta {
    /// The label.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<UiText>,
}

/// Attributes of an `input` node.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct InputAttributes {
    /// Field name (`identifier`, `traits.email`, `method`, …).
    pub name: String,
    /// HTML input type.
    #[serde(rename = "type")]
    pub input_type: String,
    /// Current value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
    /// Required.
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub required: bool,
    /// Disabled.
    pub disabled: bool,
    /// Autocomplete hint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub autocomplete: Option<String>,
    /// Pattern.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    /// Max length.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub maxlength: Option<u64>,
    /// Deprecated inline handler Kratos still sends beside `onclickTrigger`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub onclick: Option<String>,
    /// Deprecated inline handler Kratos still sends beside `onloadTrigger`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub onload: Option<String>,
    /// Script trigger on click (e.g. `oryWebAuthnLogin`).
    #[serde(rename = "onclickTrigger", skip_serializing_if = "Option::is_none")]
    pub onclick_trigger: Option<String>,
    /// Script trigger on load.
    #[serde(rename = "onloadTrigger", skip_serializing_if = "Option::is_none")]
    pub onload_trigger: Option<String>,
}

/// Node attributes, tagged by `node_type` as in Kratos.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "node_type", rename_all = "lowercase")]
pub enum NodeAttributes {
    /// `<input>`.
    Input(InputAttributes),
    /// `<img>`: `{id, src, width, height}`.
    Img(Map<String, Value>),
    /// `<a>`: `{id, href, title}`.
    A(Map<String, Value>),
    /// Text: `{id, text}`.
    Text(Map<String, Value>),
    /// `<script>`: `{id, src, async, crossorigin, integrity, referrerpolicy, type, nonce}`.
    Script(Map<String, Value>),
    /// `<div>`: `{id, class, data}`.
    Div(Map<String, Value>),
}

/// A UI node (`uiNode`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct UiNode {
    /// `input`, `img`, `a`, `text`, `script`, `div` (mirrors `attributes.node_type`).
    #[serde(rename = "type")]
    pub node_type: String,
    /// Group (`default`, `password`, `profile`, `code`, …).
    pub group: String,
    /// Attributes.
    pub attributes: NodeAttributes,
    /// Messages on this node.
    pub messages: Vec<UiText>,
    /// Meta data (label).
    pub meta: NodeMeta,
}

impl UiNode {
    /// An input node.
    pub fn input(group: &str, attrs: InputAttributes, label: Option<UiText>) -> Self {
        UiNode {
            node_type: "input".into(),
            group: group.into(),
            attributes: NodeAttributes::Input(attrs),
            messages: Vec::new(),
            meta: NodeMeta { label },
        }
    }

    /// The hidden `csrf_token` node of browser flows.
    pub fn csrf(token: &str) -> Self {
        Self::input(
            "default",
            InputAttributes {
                name: "csrf_token".into(),
                input_type: "hidden".into(),
                value: Some(Value::String(token.into())),
                required: true,
                ..Default::default()
            },
            None,
        )
    }

    /// A submit button `name=value`.
    pub fn submit(group: &str, name: &str, value: &str, label: UiText) -> Self {
        Self::input(
            group,
            InputAttributes {
                name: name.into(),
                input_type: "submit".into(),
                value: Some(Value::String(value.into())),
                ..Default::default()
            },
            Some(label),
        )
    }

    /// An `img` node (`{id, src, width, height}`).
    pub fn image(group: &str, id: &str, src: String, size: u32, label: UiText) -> Self {
        let mut attrs = Map::new();
        attrs.insert("id".into(), Value::String(id.into()));
        attrs.insert("src".into(), Value::String(src));
        attrs.insert("width".into(), Value::from(size));
        attrs.insert("height".into(), Value::from(size));
        UiNode {
            node_type: "img".into(),
            group: group.into(),
            attributes: NodeAttributes::Img(attrs),
            messages: Vec::new(),
            meta: NodeMeta { label: Some(label) },
        }
    }

    /// A `text` node (`{id, text}`) showing `text`.
    pub fn text(group: &str, id: &str, text: UiText, label: UiText) -> Self {
        let mut attrs = Map::new();
        attrs.insert("id".into(), Value::String(id.into()));
        attrs.insert(
            "text".into(),
            serde_json::to_value(text).unwrap_or(Value::Null),
        );
        UiNode {
            node_type: "text".into(),
            group: group.into(),
            attributes: NodeAttributes::Text(attrs),
            messages: Vec::new(),
            meta: NodeMeta { label: Some(label) },
        }
    }

    /// The id of an `img`, `text`, `a`, `script` or `div` node.
    pub fn element_id(&self) -> Option<&str> {
        match &self.attributes {
            NodeAttributes::Input(_) => None,
            NodeAttributes::Img(m)
            | NodeAttributes::A(m)
            | NodeAttributes::Text(m)
            | NodeAttributes::Script(m)
            | NodeAttributes::Div(m) => m.get("id").and_then(Value::as_str),
        }
    }

    /// The input name, for input nodes.
    pub fn name(&self) -> Option<&str> {
        match &self.attributes {
            NodeAttributes::Input(a) => Some(&a.name),
            _ => None,
        }
    }

    /// Mutable input attributes, for input nodes.
    pub fn input_attributes_mut(&mut self) -> Option<&mut InputAttributes> {
        match &mut self.attributes {
            NodeAttributes::Input(a) => Some(a),
            _ => None,
        }
    }
}

/// The form of a flow (`uiContainer`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct UiContainer {
    /// Where the form posts to.
    pub action: String,
    /// Always `POST`.
    pub method: String,
    /// Nodes.
    pub nodes: Vec<UiNode>,
    /// Flow-level messages.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub messages: Vec<UiText>,
}

impl UiContainer {
    /// An empty POST form to `action`.
    pub fn new(action: String) -> Self {
        UiContainer {
            action,
            method: "POST".into(),
            nodes: Vec::new(),
            messages: Vec::new(),
        }
    }

    /// The first input node named `name`.
    pub fn node_mut(&mut self, name: &str) -> Option<&mut UiNode> {
        self.nodes.iter_mut().find(|n| n.name() == Some(name))
    }

    /// Sets the value of the input named `name`, if present.
    pub fn set_value(&mut self, name: &str, value: Value) {
        if let Some(attrs) = self.node_mut(name).and_then(UiNode::input_attributes_mut) {
            attrs.value = Some(value);
        }
    }

    /// Adds a message to the node named `name`, or to the form when there is none.
    pub fn add_message(&mut self, node: Option<&str>, message: UiText) {
        match node.and_then(|n| self.node_mut(n)) {
            Some(n) => n.messages.push(message),
            None => self.messages.push(message),
        }
    }

    /// Removes all messages (before re-validating a submission).
    pub fn clear_messages(&mut self) {
        self.messages.clear();
        for n in &mut self.nodes {
            n.messages.clear();
        }
    }

    /// Clears the values of every node whose name matches `pred` (e.g. passwords).
    pub fn clear_values(&mut self, pred: impl Fn(&str) -> bool) {
        for n in &mut self.nodes {
            if let NodeAttributes::Input(a) = &mut n.attributes {
                if pred(&a.name) && a.input_type != "submit" && a.name != "csrf_token" {
                    a.value = None;
                }
            }
        }
    }
}
