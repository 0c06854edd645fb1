//! Validation messages with Kratos' ids, texts and contexts (kratos v26.2.0
//! `text/message_validation.go`, `text/id.go`). Texts copy the ory/jsonschema wording Kratos
//! re-parses, so the numbers print as Go's `%v` prints a float64.

use serde_json::{json, Value};

/// A message before it is attached to a node.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Message {
    pub id: u32,
    pub text: String,
    pub context: Value,
}

fn msg(id: u32, text: String, context: Value) -> Message {
    Message { id, text, context }
}

/// 4000001: any validator message without a dedicated id.
pub(crate) fn generic(reason: impl Into<String>) -> Message {
    let reason = reason.into();
    msg(4000001, reason.clone(), json!({ "reason": reason }))
}

/// 4000002: a required property is absent.
pub(crate) fn required(property: &str) -> Message {
    msg(
        4000002,
        format!("Property {property} is missing."),
        json!({ "property": property }),
    )
}

/// 4000003.
pub(crate) fn min_length(min: u64, actual: usize) -> Message {
    msg(
        4000003,
        format!("length must be >= {min}, but got {actual}"),
        json!({ "min_length": min, "actual_length": actual }),
    )
}

/// 4000017.
pub(crate) fn max_length(max: u64, actual: usize) -> Message {
    msg(
        4000017,
        format!("length must be <= {max}, but got {actual}"),
        json!({ "max_length": max, "actual_length": actual }),
    )
}

/// 4000004: `pattern` mismatch.
pub(crate) fn invalid_format(pattern: &str) -> Message {
    msg(
        4000004,
        format!("does not match pattern {}", go_quote(pattern)),
        json!({ "pattern": pattern }),
    )
}

/// 4000018 `minimum`, 4000019 `exclusiveMinimum`, 4000020 `maximum`, 4000021 `exclusiveMaximum`.
pub(crate) fn bound(keyword: &str, limit: f64, actual: f64) -> Message {
    let (id, op, key) = match keyword {
        "minimum" => (4000018, ">=", "minimum"),
        "exclusiveMinimum" => (4000019, ">", "minimum"),
        "maximum" => (4000020, "<=", "maximum"),
        _ => (4000021, "<", "maximum"),
    };
    msg(
        id,
        format!(
            "must be {op} {} but found {}",
            go_num(limit),
            go_num(actual)
        ),
        json!({ key: num_value(limit), "actual": num_value(actual) }),
    )
}

/// 4000022.
pub(crate) fn multiple_of(base: f64, actual: f64) -> Message {
    msg(
        4000022,
        format!("{} not multipleOf {}", go_num(actual), go_num(base)),
        json!({ "base": num_value(base), "actual": num_value(actual) }),
    )
}

/// 4000023.
pub(crate) fn max_items(max: u64, actual: usize) -> Message {
    msg(
        4000023,
        format!("maximum {max} items allowed, but found {actual} items"),
        json!({ "max_items": max, "actual_items": actual }),
    )
}

/// 4000024.
pub(crate) fn min_items(min: u64, actual: usize) -> Message {
    msg(
        4000024,
        format!("minimum {min} items allowed, but found {actual} items"),
        json!({ "min_items": min, "actual_items": actual }),
    )
}

/// 4000025.
pub(crate) fn unique_items(a: usize, b: usize) -> Message {
    msg(
        4000025,
        format!("items at index {a} and {b} are equal"),
        json!({ "index_a": a, "index_b": b }),
    )
}

/// 4000026.
pub(crate) fn wrong_type(allowed: &[String], actual: &str) -> Message {
    msg(
        4000026,
        format!("expected {}, but got {actual}", allowed.join(" or ")),
        json!({ "allowed_types": allowed, "actual_type": actual }),
    )
}

/// 4000029 for a primitive `const`, 4000030 for an object or array one.
pub(crate) fn constant(expected: &Value) -> Message {
    if expected.is_object() || expected.is_array() {
        return msg(4000030, "const failed".into(), Value::Null);
    }
    let expected = go_sharp_v(expected);
    msg(
        4000029,
        format!("must be equal to constant {expected}"),
        json!({ "expected": expected }),
    )
}

/// 4000040: `format: email` mismatch.
pub(crate) fn email(value: &str) -> Message {
    msg(
        4000040,
        "Enter a valid email address".into(),
        json!({ "value": value }),
    )
}

/// 4000041: `format: tel` mismatch.
pub(crate) fn phone(value: &str) -> Message {
    msg(
        4000041,
        "Enter a valid phone number".into(),
        json!({ "value": value }),
    )
}

/// The message for any other `format` mismatch (ory/jsonschema: `"x" is not valid "date"`).
pub(crate) fn format(value: &Value, format: &str) -> Message {
    let shown = match value {
        Value::String(s) => go_quote(s),
        other => other.to_string(),
    };
    match (format, value.as_str()) {
        ("email", Some(s)) => email(s),
        ("tel", Some(s)) => phone(s),
        _ => generic(format!("{shown} is not valid {}", go_quote(format))),
    }
}

/// The JSON type name ory/jsonschema reports for a value (every number is a `number`).
pub(crate) fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Go's `%q` for a string (close enough: JSON escaping differs only for rare control runes).
pub(crate) fn go_quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}

/// Go's `%#v` for a decoded primitive: strings and (json.Number) numbers quoted.
pub(crate) fn go_sharp_v(value: &Value) -> String {
    match value {
        Value::String(s) => go_quote(s),
        Value::Number(n) => go_quote(&n.to_string()),
        Value::Null => "<nil>".into(),
        other => other.to_string(),
    }
}

/// Go's `%v` for a float64: integral values without a fraction, exponent form from 1e21.
pub(crate) fn go_num(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e21 {
        format!("{}", f as i128)
    } else {
        format!("{f}")
    }
}

/// A float64 as Go's JSON encoder writes it: integral values as integers.
pub(crate) fn num_value(f: f64) -> Value {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 9.007_199_254_740_992e15 {
        json!(f as i64)
    } else {
        json!(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_print_like_go() {
        assert_eq!(go_num(5.0), "5");
        assert_eq!(go_num(-2.5), "-2.5");
        assert_eq!(num_value(5.0), json!(5));
        assert_eq!(num_value(0.5), json!(0.5));
    }

    #[test]
    fn const_and_format_texts() {
        let m = constant(&json!("foo"));
        assert_eq!(
            (m.id, m.text.as_str()),
            (4000029, "must be equal to constant \"foo\"")
        );
        assert_eq!(m.context, json!({"expected": "\"foo\""}));
        assert_eq!(constant(&json!({"a": 1})).id, 4000030);
        assert_eq!(format(&json!("x"), "email").id, 4000040);
        assert_eq!(format(&json!("x"), "tel").id, 4000041);
        let d = format(&json!("x"), "date");
        assert_eq!(
            (d.id, d.text.as_str()),
            (4000001, "\"x\" is not valid \"date\"")
        );
        assert_eq!(
            invalid_format("^\\d+$").text,
            "does not match pattern \"^\\\\d+$\""
        );
    }
}
