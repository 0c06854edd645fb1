//! Environment overrides, Ory configx style: no prefix; `SERVE_PUBLIC_BASE_URL` is lowercased,
//! `_` → `.`, and compared with every schema path whose own `_` are also turned into `.`
//! (`serve.public.base_url`). Array elements use their index (`..._PROVIDERS_0_CLIENT_ID`).
//! Unmatched variables are ignored.

use super::error::one_line;
use super::schema::{Hint, SchemaPath, Seg};
use super::ConfigError;
use serde_json::{Number, Value};

/// A concrete path segment: object key or array index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Step {
    Key(String),
    Index(usize),
}

/// The segments of a concrete path as strings (indices in decimal).
pub(crate) fn keys(path: &[Step]) -> Vec<String> {
    path.iter()
        .map(|s| match s {
            Step::Key(k) => k.clone(),
            Step::Index(i) => i.to_string(),
        })
        .collect()
}

/// Dotted form of a concrete path (`selfservice.methods.oidc.config.providers.0.client_id`).
pub(crate) fn dotted(path: &[Step]) -> String {
    keys(path).join(".")
}

/// One environment variable that matched a schema path.
#[derive(Debug, Clone)]
pub(crate) struct EnvOverride {
    pub var: String,
    pub path: Vec<Step>,
    pub value: Value,
}

/// The overrides found in `vars`, least specific first so that element paths
/// (`PROVIDERS_0_CLIENT_ID`) apply on top of whole values (`PROVIDERS`).
pub(crate) fn overrides(
    paths: &[SchemaPath],
    vars: Vec<(String, String)>,
) -> Result<Vec<EnvOverride>, ConfigError> {
    let normalized: Vec<Vec<String>> = paths.iter().map(|p| normalize(&p.segs)).collect();
    let mut out = Vec::new();
    for (var, raw) in vars {
        let key = var.to_lowercase().replace('_', ".");
        let key_parts: Vec<&str> = key.split('.').collect();
        let found = paths
            .iter()
            .zip(&normalized)
            .find_map(|(p, norm)| matches(p, norm, &key_parts).map(|path| (p, path)));
        let Some((sp, path)) = found else { continue };
        let value = parse(&sp.hint, &raw).map_err(|message| ConfigError::Invalid {
            path: dotted(&path),
            message,
            origin: Some(format!("env {var}")),
        })?;
        out.push(EnvOverride { var, path, value });
    }
    out.sort_by(|a, b| {
        a.path
            .len()
            .cmp(&b.path.len())
            .then_with(|| a.var.cmp(&b.var))
    });
    Ok(out)
}

/// Schema path → dot-split parts with `_` also split (`ui_url` → `ui`, `url`); `#` for items.
fn normalize(segs: &[Seg]) -> Vec<String> {
    let mut out = Vec::new();
    for s in segs {
        match s {
            Seg::Key(k) => out.extend(
                k.to_lowercase()
                    .replace('_', ".")
                    .split('.')
                    .map(String::from),
            ),
            Seg::Item => out.push("#".into()),
        }
    }
    out
}

fn matches(sp: &SchemaPath, norm: &[String], key: &[&str]) -> Option<Vec<Step>> {
    if norm.len() != key.len() {
        return None;
    }
    let mut indices = Vec::new();
    for (n, k) in norm.iter().zip(key) {
        if n == "#" {
            indices.push(
                k.parse::<usize>()
                    .ok()
                    .filter(|_| k.bytes().all(|b| b.is_ascii_digit()))?,
            );
        } else if n != k {
            return None;
        }
    }
    let mut indices = indices.into_iter();
    sp.segs
        .iter()
        .map(|s| match s {
            Seg::Key(k) => Some(Step::Key(k.clone())),
            Seg::Item => indices.next().map(Step::Index),
        })
        .collect()
}

/// Parses an env string by the schema type at its path; the error is the message only.
pub(crate) fn parse(hint: &Hint, raw: &str) -> Result<Value, String> {
    let t = raw.trim();
    match hint {
        Hint::String => Ok(Value::String(raw.to_string())),
        Hint::Integer => t
            .parse::<i64>()
            .map(Value::from)
            .map_err(|_| format!("{raw:?} is not an integer")),
        Hint::Number => t
            .parse::<f64>()
            .ok()
            .and_then(Number::from_f64)
            .map(Value::Number)
            .ok_or_else(|| format!("{raw:?} is not a number")),
        Hint::Boolean => parse_bool(t).ok_or_else(|| format!("{raw:?} is not a boolean")),
        Hint::Object => match serde_json::from_str::<Value>(t) {
            Ok(v @ Value::Object(_)) => Ok(v),
            _ => Err(format!("{raw:?} is not a JSON object")),
        },
        Hint::Array(item) => {
            if let Ok(v @ Value::Array(_)) = serde_json::from_str::<Value>(t) {
                return Ok(v);
            }
            if matches!(**item, Hint::Object | Hint::Array(_)) {
                return Err(format!("{raw:?} is not a JSON array"));
            }
            if t.is_empty() {
                return Ok(Value::Array(Vec::new()));
            }
            t.split(',')
                .map(|part| parse(item, part.trim()))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array)
        }
        Hint::Any => Ok(serde_json::from_str(t).unwrap_or_else(|_| Value::String(raw.to_string()))),
    }
    .map_err(|m| one_line(&m))
}

/// Go's `strconv.ParseBool` spellings.
fn parse_bool(s: &str) -> Option<Value> {
    match s {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Some(Value::Bool(true)),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Some(Value::Bool(false)),
        _ => None,
    }
}

/// Sets `value` at `path` in `root`, creating objects and growing arrays as needed; objects
/// are deep-merged, everything else replaced.
pub(crate) fn set_path(root: &mut Value, path: &[Step], value: Value) {
    let Some((first, rest)) = path.split_first() else {
        super::merge::deep_merge(root, value);
        return;
    };
    let child = match first {
        Step::Key(k) => {
            if !root.is_object() {
                *root = Value::Object(Default::default());
            }
            let Value::Object(map) = root else { return };
            map.entry(k.clone()).or_insert(Value::Null)
        }
        Step::Index(i) => {
            if !root.is_array() {
                *root = Value::Array(Vec::new());
            }
            let Value::Array(items) = root else { return };
            if items.len() <= *i {
                items.resize(*i + 1, Value::Null);
            }
            &mut items[*i]
        }
    };
    set_path(child, rest, value);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_by_type() {
        assert_eq!(parse(&Hint::String, " a b"), Ok(json!(" a b")));
        assert_eq!(parse(&Hint::Integer, "4433"), Ok(json!(4433)));
        assert!(parse(&Hint::Integer, "44x")
            .unwrap_err()
            .contains("\"44x\" is not an integer"));
        assert_eq!(parse(&Hint::Boolean, "true"), Ok(json!(true)));
        assert!(parse(&Hint::Boolean, "yes").is_err());
        let strings = Hint::Array(Box::new(Hint::String));
        assert_eq!(parse(&strings, "a,b"), Ok(json!(["a", "b"])));
        assert_eq!(parse(&strings, r#"["x,y"]"#), Ok(json!(["x,y"])));
        assert_eq!(parse(&Hint::Object, r#"{"a":1}"#), Ok(json!({"a":1})));
        assert!(parse(&Hint::Object, "nope").is_err());
        assert_eq!(parse(&Hint::Any, "3"), Ok(json!(3)));
    }

    #[test]
    fn sets_into_arrays_and_objects() {
        let mut v = json!({"p": [{"id": "a", "client_id": "old"}]});
        set_path(
            &mut v,
            &[
                Step::Key("p".into()),
                Step::Index(0),
                Step::Key("client_id".into()),
            ],
            json!("new"),
        );
        set_path(
            &mut v,
            &[
                Step::Key("p".into()),
                Step::Index(1),
                Step::Key("id".into()),
            ],
            json!("b"),
        );
        assert_eq!(
            v,
            json!({"p": [{"id": "a", "client_id": "new"}, {"id": "b"}]})
        );
    }
}
