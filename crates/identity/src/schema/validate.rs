//! Trait validation with errors mapped to Kratos UI messages (kratos v26.2.0
//! `ui/container/container.go` `ParseError`/`translateValidationError`, plus the checks the
//! verification, recovery and code extensions run while validating).

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::ValidationError;
use serde::Serialize;
use serde_json::{json, Value};

use super::extension::{self, Annotated, Via};
use super::formats;
use super::identity_schema::IdentitySchema;
use super::messages::{self, Message};
use super::pointer;

/// One validation failure, shaped as a Kratos UI message on the node it belongs to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TraitError {
    /// Node name such as `traits.email` or `traits.name.first`; `None` for a flow-level message
    /// (the traits document itself is wrong).
    pub node: Option<String>,
    /// Kratos message id (e.g. 4000002).
    pub id: u32,
    /// Kratos message text.
    pub text: String,
    /// Kratos message context; `Null` when Kratos sends none.
    pub context: Value,
}

impl IdentitySchema {
    /// Validates `{"traits": traits}` against the whole schema. Errors come in schema
    /// evaluation order, deduplicated. Never panics, whatever the input.
    pub fn validate_traits(&self, traits: &Value) -> Result<(), Vec<TraitError>> {
        if !traits.is_object() {
            // ory/jsonschema stops at the first type mismatch; Kratos shows it on the form.
            let m = messages::wrong_type(&["object".into()], messages::json_type(traits));
            return Err(vec![attach(None, m)]);
        }
        let document = json!({ "traits": traits });
        let mut errors: Vec<TraitError> = self
            .validator
            .iter_errors(&document)
            .map(|e| map_error(&e, self.raw()))
            .collect();
        extension::walk(self.raw(), &document, &mut |a| {
            if let Some(e) = extension_error(&a) {
                errors.push(e);
            }
        });
        let mut unique: Vec<TraitError> = Vec::with_capacity(errors.len());
        for e in errors {
            if !unique
                .iter()
                .any(|u| u.node == e.node && u.id == e.id && u.text == e.text)
            {
                unique.push(e);
            }
        }
        if unique.is_empty() {
            Ok(())
        } else {
            Err(unique)
        }
    }
}

fn attach(node: Option<String>, m: Message) -> TraitError {
    TraitError {
        node,
        id: m.id,
        text: m.text,
        context: m.context,
    }
}

/// The node a pointer belongs to; the document root and `traits` itself are flow-level.
fn node_for(segments: &[String]) -> Option<String> {
    match segments {
        [] => None,
        [only] if only == "traits" => None,
        _ => Some(pointer::dotted(segments)),
    }
}

fn map_error(e: &ValidationError<'_>, root: &Value) -> TraitError {
    let mut segments = pointer::segments(e.instance_path.as_str());
    match &e.kind {
        ValidationErrorKind::Required { property } => {
            let name = property
                .as_str()
                .map(str::to_owned)
                .unwrap_or_else(|| property.to_string());
            let m = messages::required(&pointer::escape(&name));
            segments.push(name);
            attach(Some(pointer::dotted(&segments)), m)
        }
        ValidationErrorKind::PropertyNames { error } => {
            let name = error.instance.as_str().unwrap_or_default().to_owned();
            segments.push(name);
            attach(node_for(&segments), message(error, root))
        }
        _ => attach(node_for(&segments), message(e, root)),
    }
}

/// The Kratos message for one jsonschema error.
fn message(e: &ValidationError<'_>, root: &Value) -> Message {
    use ValidationErrorKind as K;
    let instance: &Value = &e.instance;
    let actual = instance.as_f64().unwrap_or(-1.0);
    let len = || match instance {
        Value::String(s) => s.chars().count(),
        Value::Array(a) => a.len(),
        Value::Object(o) => o.len(),
        _ => 0,
    };
    match &e.kind {
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
            let allowed =
                declared_types(root, e.schema_path.as_str()).unwrap_or_else(|| match kind {
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
        K::AnyOf => messages::generic("anyOf failed"),
        K::OneOfNotValid => messages::generic("oneOf failed"),
        K::OneOfMultipleValid => {
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
        K::PropertyNames { error } => message(error, root),
        _ => messages::generic(e.to_string()),
    }
}

/// The `type` array as written in the schema (Kratos keeps its order in the message).
fn declared_types(root: &Value, schema_path: &str) -> Option<Vec<String>> {
    let mut node = root;
    for segment in pointer::segments(schema_path) {
        node = if segment == "$ref" {
            pointer::resolve_local(root, node.get("$ref")?.as_str()?)?
        } else if let Value::Array(items) = node {
            items.get(segment.parse::<usize>().ok()?)?
        } else {
            node.get(&segment)?
        };
    }
    match node {
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

/// Errors the verification, recovery and code extensions raise while Kratos validates.
fn extension_error(a: &Annotated<'_>) -> Option<TraitError> {
    let text = extension::value_text(a.value)?;
    let node = node_for(&a.path);
    let c = &a.config;
    if c.credentials.code.identifier {
        match c.credentials.code.via {
            None => {
                let m = messages::generic("channel type \"\" must be one of email, sms");
                return Some(attach(node, m));
            }
            Some(Via::Sms) if formats::normalize_phone(&text).is_none() => {
                let reason = if text.trim_start().starts_with('+') {
                    "the provided number is not a valid phone number"
                } else {
                    "invalid country code"
                };
                return Some(attach(node, messages::generic(reason)));
            }
            _ => {}
        }
    }
    if let Some(via) = c.verification.via {
        match a.node.get("format") {
            Some(Value::String(f)) if !f.is_empty() => {}
            Some(Value::String(_)) | None => match via {
                Via::Email if !formats::is_email(&text) => {
                    return Some(attach(node, messages::email(&text)));
                }
                Via::Email => {}
                Via::Sms => {
                    let m = messages::generic(
                        "no format specified. A format is required if verification is enabled. \
                         If this was intentional, please set \"format\" to \"no-validate\"",
                    );
                    return Some(attach(node, m));
                }
            },
            Some(_) => {}
        }
    }
    match c.recovery.via {
        Some(Via::Email) if !formats::is_email(&text) => Some(attach(node, messages::email(&text))),
        Some(Via::Sms) if !formats::is_phone(&text) => Some(attach(node, messages::phone(&text))),
        _ => None,
    }
}
