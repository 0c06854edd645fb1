//! One jsonschema error → one Kratos message (kratos v26.2.0 `ui/container/container.go`
//! `translateValidationError`), with ory/jsonschema's wording for the generic ones.

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::ValidationError;
use serde_json::Value;

use super::branches;
use super::messages::{self, Message};

/// The Kratos message for one jsonschema error; `schema_path` is the error's schema path in
/// the original document.
pub(crate) fn message(e: &ValidationError<'_>, root: &Value, schema_path: &str) -> Message {
    use ValidationErrorKind as K;
    let instance: &Value = e.instance();
    let actual = instance.as_f64().unwrap_or(-1.0);
    let len = || match instance {
        Value::String(s) => s.chars().count(),
        Value::Array(a) => a.len(),
        Value::Object(o) => o.len(),
        _ => 0,
    };
    match e.kind() {
        K::Required { property } => messages::required(&property.to_string()),
        K::MinLength { limit } => messages::min_length(*limit, len()),
        K::MaxLength { limit } => messages::max_length(*limit, len()),
        K::Pattern { pattern } => messages::invalid_format(pattern),
        K::Minimum { limit } => messages::bound("minimum", limit.as_f64().unwrap_or(-1.0), actual),
        K::ExclusiveMinimum { limit } => {
            messages::bound("exclusiveMinimum", limit.as_f64().unwrap_or(-1.0), actual)
        }
        K::Maximum { limit } => messages::bound("maximum", limit.as_f64().unwrap_or(-1.0), actual),
        K::ExclusiveMaximum { limit } => {
            messages::bound("exclusiveMaximum", limit.as_f64().unwrap_or(-1.0), actual)
        }
        K::MultipleOf { multiple_of } => messages::multiple_of(*multiple_of, actual),
        K::MaxItems { limit } => messages::max_items(*limit, len()),
        K::MinItems { limit } => messages::min_items(*limit, len()),
        K::UniqueItems => {
            let (a, b) = first_duplicate(instance).unwrap_or((0, 0));
            messages::unique_items(a, b)
        }
        K::Type { kind } => {
            let allowed = declared_types(root, schema_path).unwrap_or_else(|| match kind {
                TypeKind::Single(t) => vec![t.to_string()],
                TypeKind::Multiple(set) => set.iter().map(|t| t.to_string()).collect(),
            });
            messages::wrong_type(&allowed, messages::json_type(instance))
        }
        K::Constant { expected_value } => messages::constant(expected_value),
        K::Format { format } => messages::format(instance, format),
        K::Enum { options } => messages::generic(enum_text(options)),
        K::AdditionalProperties { unexpected } => messages::generic(format!(
            "additionalProperties {} not allowed",
            unexpected
                .iter()
                .map(|p| messages::go_quote(p))
                .collect::<Vec<_>>()
                .join(", ")
        )),
        K::AdditionalItems { limit } => messages::generic(format!(
            "only {limit} items are allowed, but found {} items",
            len()
        )),
        K::MaxProperties { limit } => messages::generic(format!(
            "maximum {limit} properties allowed, but found {} properties",
            len()
        )),
        K::MinProperties { limit } => messages::generic(format!(
            "minimum {limit} properties allowed, but found {} properties",
            len()
        )),
        K::AnyOf { .. } => messages::generic("anyOf failed"),
        K::OneOfNotValid { .. } => messages::generic("oneOf failed"),
        K::OneOfMultipleValid { .. } => {
            messages::generic("oneOf failed: valid against more than one schema")
        }
        K::Not { .. } => messages::generic("not failed"),
        K::Contains => messages::generic("contains failed"),
        K::FalseSchema => messages::generic("always fail"),
        K::ContentEncoding { content_encoding } => messages::generic(format!(
            "{} is not {content_encoding} encoded",
            messages::go_quote(instance.as_str().unwrap_or_default())
        )),
        K::ContentMediaType { content_media_type } => messages::generic(format!(
            "value is not of mediatype {}",
            messages::go_quote(content_media_type)
        )),
        K::PropertyNames { error } => message(error, root, schema_path),
        _ => messages::generic(e.to_string()),
    }
}

/// The `type` array as written in the schema (Kratos keeps its order in the message).
fn declared_types(root: &Value, schema_path: &str) -> Option<Vec<String>> {
    match branches::resolve(root, schema_path)?.1 {
        Value::String(t) => Some(vec![t.clone()]),
        Value::Array(ts) => ts.iter().map(|t| t.as_str().map(str::to_owned)).collect(),
        _ => None,
    }
}

/// ory/jsonschema's enum message.
fn enum_text(options: &Value) -> String {
    let items = options.as_array().map(Vec::as_slice).unwrap_or_default();
    if items.iter().any(|v| v.is_object() || v.is_array()) || items.is_empty() {
        return "enum failed".into();
    }
    if let [one] = items {
        return format!("value must be {}", messages::go_sharp_v(one));
    }
    let shown: Vec<String> = items.iter().map(messages::go_sharp_v).collect();
    format!("value must be one of {}", shown.join(", "))
}

fn first_duplicate(value: &Value) -> Option<(usize, usize)> {
    let items = value.as_array()?;
    (1..items.len()).find_map(|i| (0..i).find(|&j| items[j] == items[i]).map(|j| (j, i)))
}
