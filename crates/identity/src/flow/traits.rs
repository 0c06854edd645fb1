//! Trait nodes generated from the identity schema, and submitted traits mapped back onto them.

use serde_json::{Map, Value};

use crate::domain::ui::InputAttributes;
use crate::domain::{UiContainer, UiNode, UiText};
use crate::schema::{IdentitySchema, TraitError, TraitField};

/// One input node per schema leaf (`traits.email`, …) in `group`; hidden when `hidden`.
pub fn nodes(
    schema: &IdentitySchema,
    group: &str,
    traits: Option<&Value>,
    hidden: bool,
) -> Vec<UiNode> {
    schema
        .form_fields()
        .iter()
        .map(|field| node(field, group, traits, hidden))
        .collect()
}

fn node(field: &TraitField, group: &str, traits: Option<&Value>, hidden: bool) -> UiNode {
    let value = traits.and_then(|t| lookup(t, &field.name)).cloned();
    let label = field
        .label()
        .map(|l| UiText::info(l.id, l.text).with_context(l.context));
    UiNode::input(
        group,
        InputAttributes {
            name: field.name.clone(),
            input_type: if hidden { "hidden" } else { field.input_type }.to_string(),
            value,
            required: field.required,
            autocomplete: field.autocomplete.map(str::to_string),
            pattern: field.pattern.clone(),
            maxlength: field.maxlength,
            ..Default::default()
        },
        label,
    )
}

/// The value at a node name like `traits.name.first` inside `traits`.
pub fn lookup<'a>(traits: &'a Value, name: &str) -> Option<&'a Value> {
    let path = name.strip_prefix("traits.")?;
    path.split('.').try_fold(traits, |v, key| v.get(key))
}

/// Sets every trait node's value from `traits`.
pub fn fill(ui: &mut UiContainer, traits: &Value) {
    for n in &mut ui.nodes {
        let Some(name) = n.name().map(str::to_string) else {
            continue;
        };
        if let (Some(attrs), Some(v)) = (n.input_attributes_mut(), lookup(traits, &name)) {
            attrs.value = Some(v.clone());
        }
    }
}

/// Adds schema validation errors to their nodes (or to the form).
pub fn add_errors(ui: &mut UiContainer, errors: Vec<TraitError>) {
    for e in errors {
        let message = UiText::error(e.id, e.text).with_context(e.context);
        ui.add_message(e.node.as_deref(), message);
    }
}

/// Form posts carry every value as a string: turn those of numeric and boolean fields into
/// numbers and booleans so schema validation sees what the person meant.
pub fn coerce(schema: &IdentitySchema, traits: &mut Value) {
    for field in schema.form_fields() {
        let Some(path) = field.name.strip_prefix("traits.") else {
            continue;
        };
        let Some(slot) = path.split('.').try_fold(&mut *traits, |v, k| v.get_mut(k)) else {
            continue;
        };
        let Some(s) = slot.as_str() else { continue };
        let coerced = match field.input_type {
            "number" => s
                .parse::<i64>()
                .map(Value::from)
                .or_else(|_| s.parse::<f64>().map(Value::from))
                .ok(),
            "checkbox" => match s {
                "true" | "on" | "1" => Some(Value::Bool(true)),
                "false" | "off" | "0" | "" => Some(Value::Bool(false)),
                _ => None,
            },
            _ => None,
        };
        if let Some(v) = coerced {
            *slot = v;
        }
    }
}

/// The `traits` object of a submission (`{}` when absent).
pub fn from_body(body: &Value) -> Value {
    match body.get("traits") {
        Some(t) => t.clone(),
        None => Value::Object(Map::new()),
    }
}
