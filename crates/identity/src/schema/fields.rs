//! Form inputs generated from the schema, like Kratos `container.NodesFromJSONSchema` (kratos
//! v26.2.0 `ui/container/container.go`, `ui/node/attributes_input.go`, `x/jsonschemax` paths),
//! kept free of UI types: the flow layer turns each [`TraitField`] into a UI node.

use std::collections::HashSet;

use serde::Serialize;
use serde_json::{json, Value};

use super::extension::{ExtensionConfig, MAX_DEPTH};
use super::identity_schema::IdentitySchema;
use super::pointer;

/// One input of the registration or settings form.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TraitField {
    /// Input name, e.g. `traits.email` or `traits.name.first`.
    pub name: String,
    /// HTML input type: `text`, `email`, `tel`, `number`, `checkbox`, `date`,
    /// `datetime-local`, `url`, `password`.
    #[serde(rename = "type")]
    pub input_type: &'static str,
    /// Listed in the parent object's `required`.
    pub required: bool,
    /// Schema `title`; the node label is [`TraitField::label`].
    pub title: Option<String>,
    /// `autocomplete` as Kratos sets it from the format (`email`, `tel`, `url`).
    pub autocomplete: Option<&'static str>,
    /// Schema `pattern` (copied to the input).
    pub pattern: Option<String>,
    /// Schema `maxLength`.
    pub maxlength: Option<u64>,
    /// Schema `minLength`.
    pub minlength: Option<u64>,
    /// Schema `format`.
    pub format: Option<String>,
    /// Schema `description`.
    pub description: Option<String>,
    /// Schema `default`.
    pub default: Option<Value>,
    /// Schema `examples`.
    pub examples: Option<Vec<Value>>,
    /// Schema `enum`.
    #[serde(rename = "enum")]
    pub enum_values: Option<Vec<Value>>,
    /// Schema `const`.
    #[serde(rename = "const")]
    pub const_value: Option<Value>,
    /// Schema `minimum`.
    pub minimum: Option<f64>,
    /// Schema `maximum`.
    pub maximum: Option<f64>,
    /// Schema `multipleOf`.
    pub multiple_of: Option<f64>,
    /// Schema `readOnly`.
    pub read_only: bool,
    /// The field is an array of primitives (entered as one value per input in Kratos' UI).
    pub array: bool,
    /// The `ory.sh/kratos` annotation, if any (identifier, verification and recovery flags).
    pub extension: Option<ExtensionConfig>,
}

/// A generated label: Kratos message 1070002 with the schema title.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldLabel {
    /// Always 1070002.
    pub id: u32,
    /// The title.
    pub text: String,
    /// `{"title": …, "name": …}`.
    pub context: Value,
}

impl TraitField {
    /// The node label Kratos generates from `title` (1070002), if the property has a title.
    pub fn label(&self) -> Option<FieldLabel> {
        let title = self.title.as_deref().filter(|t| !t.is_empty())?;
        Some(label(title, &self.name))
    }
}

fn label(title: &str, name: &str) -> FieldLabel {
    FieldLabel {
        id: 1070002,
        text: title.to_owned(),
        context: json!({ "title": title, "name": name }),
    }
}

/// How a schema node's value is typed (ory `jsonschemax.TypeHint`, collapsed).
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Text,
    Number,
    Bool,
    /// Objects and mixed values: no input.
    Json,
}

impl IdentitySchema {
    /// One entry per leaf property of the schema, in schema order. Objects are descended into;
    /// arrays of primitives are one field; objects, arrays of objects and properties with
    /// several types (unless they have a `default`) produce none, as in Kratos.
    pub fn form_fields(&self) -> Vec<TraitField> {
        let mut out: Vec<TraitField> = Vec::new();
        let mut seen = HashSet::new();
        let mut path = Vec::new();
        collect(
            self.raw(),
            self.raw(),
            None,
            &mut path,
            0,
            &mut out,
            &mut seen,
        );
        out
    }

    /// The login `identifier` label: 1070002 with the title of the only identifier trait, or
    /// `None` when Kratos would use 1070004 "ID" (no identifier, several, or no title).
    pub fn identifier_label(&self) -> Option<FieldLabel> {
        let ids: Vec<TraitField> = self
            .form_fields()
            .into_iter()
            .filter(|f| {
                f.extension
                    .as_ref()
                    .is_some_and(ExtensionConfig::is_identifier)
            })
            .collect();
        match ids.as_slice() {
            [only] => only.label(),
            _ => None,
        }
    }
}

fn collect(
    root: &Value,
    node: &Value,
    parent: Option<&Value>,
    path: &mut Vec<String>,
    depth: usize,
    out: &mut Vec<TraitField>,
    seen: &mut HashSet<String>,
) {
    if depth > MAX_DEPTH {
        return;
    }
    let Some(obj) = node.as_object() else {
        return;
    };
    if !path.is_empty() {
        if let Some(field) = field(root, node, parent, path) {
            merge(out, seen, field);
        }
    }
    if let Some(target) = obj
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| pointer::resolve_local(root, r))
    {
        collect(root, target, Some(node), path, depth + 1, out, seen);
    }
    for key in ["not", "if", "then", "else"] {
        if let Some(sub) = obj.get(key) {
            collect(root, sub, Some(node), path, depth + 1, out, seen);
        }
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        for sub in obj.get(key).and_then(Value::as_array).into_iter().flatten() {
            collect(root, sub, Some(node), path, depth + 1, out, seen);
        }
    }
    for (name, sub) in obj
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        path.push(name.clone());
        collect(root, sub, Some(node), path, depth + 1, out, seen);
        path.pop();
    }
}

/// Kratos keeps one path per name: the first one that has a default, else the last one seen.
/// The position stays where the name first appeared (schema order).
fn merge(out: &mut Vec<TraitField>, seen: &mut HashSet<String>, field: TraitField) {
    if seen.insert(field.name.clone()) {
        out.push(field);
    } else if let Some(existing) = out.iter_mut().find(|f| f.name == field.name) {
        if existing.default.is_none() {
            *existing = field;
        }
    }
}

fn field(
    root: &Value,
    node: &Value,
    parent: Option<&Value>,
    path: &[String],
) -> Option<TraitField> {
    let (kind, array) = kind_of(root, node);
    let default = node.get("default").cloned();
    let kind = match kind {
        Some(Kind::Json) => return None,
        Some(k) => k,
        None if default.is_some() => Kind::Text,
        None => return None,
    };
    let last = path.last()?;
    let required = parent
        .and_then(|p| p.get("required"))
        .and_then(Value::as_array)
        .is_some_and(|r| r.iter().any(|v| v.as_str() == Some(last)));
    let format = node
        .get("format")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let (input_type, autocomplete) = input_type(kind, array, format.as_deref());
    let text = |k: &str| node.get(k).and_then(Value::as_str).map(str::to_owned);
    let num = |k: &str| node.get(k).and_then(Value::as_f64);
    let count = |k: &str| node.get(k).and_then(Value::as_u64);
    Some(TraitField {
        name: pointer::dotted(path),
        input_type,
        required,
        title: text("title"),
        autocomplete,
        pattern: text("pattern"),
        maxlength: count("maxLength"),
        minlength: count("minLength"),
        format,
        description: text("description"),
        default,
        examples: node.get("examples").and_then(Value::as_array).cloned(),
        enum_values: node.get("enum").and_then(Value::as_array).cloned(),
        const_value: node.get("const").cloned(),
        minimum: num("minimum"),
        maximum: num("maximum"),
        multiple_of: num("multipleOf"),
        read_only: node
            .get("readOnly")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        array,
        extension: ExtensionConfig::of(node),
    })
}

/// The value kind of a node (`None`: untyped or two types) and whether it is an array.
fn kind_of(root: &Value, node: &Value) -> (Option<Kind>, bool) {
    if let Some(c) = node.get("const") {
        return (Some(kind_of_value(c)), false);
    }
    let types = declared(node);
    match types.as_slice() {
        [one] if one == "array" => (Some(item_kind(root, node)), true),
        [one] => (type_kind(one), false),
        [] | [_, _] => (None, false),
        _ => (Some(Kind::Json), false),
    }
}

fn declared(node: &Value) -> Vec<String> {
    match node.get("type") {
        Some(Value::String(t)) => vec![t.clone()],
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    }
}

fn type_kind(t: &str) -> Option<Kind> {
    match t {
        "string" => Some(Kind::Text),
        "number" | "integer" => Some(Kind::Number),
        "boolean" => Some(Kind::Bool),
        "object" => Some(Kind::Json),
        _ => None, // "null": no input unless there is a default
    }
}

fn kind_of_value(v: &Value) -> Kind {
    match v {
        Value::Number(_) => Kind::Number,
        Value::String(_) => Kind::Text,
        Value::Bool(_) => Kind::Bool,
        _ => Kind::Json,
    }
}

/// Arrays whose items share one primitive type are inputs (typed by Kratos as a text field);
/// arrays of objects, arrays or nulls are not.
fn item_kind(root: &Value, node: &Value) -> Kind {
    let items: Vec<&Value> = match node.get("items") {
        Some(Value::Array(list)) => list.iter().collect(),
        Some(one @ Value::Object(_)) => vec![one],
        _ => return Kind::Text,
    };
    let mut types: Vec<String> = Vec::new();
    for item in items {
        types.extend(declared(item));
        if let Some(target) = item
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| pointer::resolve_local(root, r))
        {
            types.extend(declared(target));
        }
    }
    types.dedup();
    match types.as_slice() {
        [one] if matches!(one.as_str(), "object" | "array" | "null") => Kind::Json,
        _ => Kind::Text,
    }
}

/// Kratos `toFormType` plus the format overrides of `NewInputFieldFromSchema`.
fn input_type(
    kind: Kind,
    array: bool,
    format: Option<&str>,
) -> (&'static str, Option<&'static str>) {
    let base = match (kind, array) {
        (Kind::Number, false) => "number",
        (Kind::Bool, false) => "checkbox",
        _ => "text",
    };
    match format {
        Some("date-time") => ("datetime-local", None),
        Some("email") => ("email", Some("email")),
        Some("tel") => ("tel", Some("tel")),
        Some("date") => ("date", None),
        Some("uri") => ("url", Some("url")),
        // Not a Kratos format; rendered masked so secrets kept in traits are not shown.
        Some("password") => ("password", None),
        _ => (base, None),
    }
}
