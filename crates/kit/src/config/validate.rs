//! Draft-07 validation of the merged config, reported as one [`ConfigError`] naming the key.

use super::error::one_line;
use super::ConfigError;
use jsonschema::error::ValidationErrorKind;
use jsonschema::ValidationError;
use serde_json::Value;

/// Compiles `schema` (already prepared: no `ory://` references left).
pub(crate) fn compile(schema: &Value) -> Result<jsonschema::Validator, ConfigError> {
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft7)
        .build(schema)
        .map_err(|e| ConfigError::Schema(one_line(&e.to_string())))
}

/// Validates `value`; `origin` names where the value at a path came from.
pub(crate) fn validate(
    validator: &jsonschema::Validator,
    value: &Value,
    origin: &dyn Fn(&[String]) -> Option<String>,
) -> Result<(), ConfigError> {
    let errors: Vec<ValidationError> = validator.iter_errors(value).collect();
    // Combinator failures ("not valid under any of the schemas") say least; prefer the rest.
    let vague = |e: &ValidationError| {
        matches!(
            e.kind(),
            ValidationErrorKind::AnyOf { .. } | ValidationErrorKind::OneOfNotValid { .. }
        )
    };
    let Some(err) = errors.iter().find(|e| !vague(e)).or(errors.first()) else {
        return Ok(());
    };
    let mut path = pointer_segments(err.instance_path().as_str());
    let message = match err.kind() {
        ValidationErrorKind::Required { property } => {
            path.push(property.as_str().unwrap_or_default().to_string());
            "is required but missing".to_string()
        }
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            path.push(unexpected.first().cloned().unwrap_or_default());
            "is not a known key here".to_string()
        }
        ValidationErrorKind::Pattern { pattern } if pattern.contains("(ns|us|ms|s|m|h)") => {
            format!("{} is not a valid duration", err.instance())
        }
        ValidationErrorKind::Pattern { pattern } if pattern.contains("(B|KB|MB") => {
            format!("{} is not a valid byte size", err.instance())
        }
        _ if is_sensitive(&path) => redact(&err.to_string(), &err.instance()),
        _ => err.to_string(),
    };
    let origin = origin(&path);
    Err(ConfigError::Invalid {
        path: if path.is_empty() {
            "(top level)".into()
        } else {
            path.join(".")
        },
        message: one_line(&message),
        origin,
    })
}

fn pointer_segments(pointer: &str) -> Vec<String> {
    pointer
        .split('/')
        .skip(1)
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect()
}

/// Keys whose values must not reach a log line, even inside an error.
fn is_sensitive(path: &[String]) -> bool {
    path.iter().any(|s| {
        let s = s.to_ascii_lowercase();
        [
            "secret",
            "password",
            "dsn",
            "connection_uri",
            "token",
            "key",
        ]
        .iter()
        .any(|w| s.contains(w))
    })
}

fn redact(message: &str, instance: &Value) -> String {
    let shown = instance.to_string();
    if shown.len() > 2 {
        message.replace(&shown, "<redacted>")
    } else {
        message.to_string()
    }
}
