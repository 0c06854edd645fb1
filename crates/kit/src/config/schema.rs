//! The config JSON schema as a list of key paths, with the type and default at each.
//!
//! Ory's configx derives env var names and defaults from every path of the schema; this is
//! the same walk: `properties`, `$ref` into `#/definitions`, `allOf`/`anyOf`/`oneOf` (the
//! union of their paths), and array `items` (an item is written `#`). Keys under
//! `patternProperties` / `additionalProperties` are only walked when the user's config
//! already has them, since their names cannot be guessed from an env var.

use serde_json::{json, Map, Value};
use std::collections::HashMap;

/// One segment of a schema path.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Seg {
    /// An object key.
    Key(String),
    /// Any element of an array (`#` in configx).
    Item,
}

/// The type a path holds, used to parse env var strings.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Hint {
    String,
    Integer,
    Number,
    Boolean,
    Object,
    Array(Box<Hint>),
    /// Unknown: JSON if it parses, else the raw string.
    Any,
}

/// A path of the schema with its type and first default.
#[derive(Debug, Clone)]
pub(crate) struct SchemaPath {
    pub segs: Vec<Seg>,
    pub hint: Hint,
    pub default: Option<Value>,
}

/// Permissive stand-ins for the `ory://` schemas that Ory resolves from ory/x at runtime.
fn embedded(uri: &str) -> Option<Value> {
    match uri {
        "ory://logging-config" => Some(json!({
            "type": "object",
            "properties": {
                "level": {"type": "string"},
                "format": {"type": "string"},
                "leak_sensitive_values": {"type": "boolean"},
                "redaction_text": {"type": "string"}
            }
        })),
        "ory://tracing-config" => Some(json!({
            "type": "object",
            "properties": {
                "provider": {"type": "string"},
                "service_name": {"type": "string"},
                "providers": {"type": "object"}
            }
        })),
        _ => None,
    }
}

/// Parses the schema text and inlines the `ory://` references (there is no network).
pub(crate) fn prepare(schema_json: &str) -> Result<Value, String> {
    let mut schema: Value = serde_json::from_str(schema_json).map_err(|e| e.to_string())?;
    inline_ory_refs(&mut schema)?;
    if let Some(obj) = schema.as_object_mut() {
        // A relative `$id` (Oathkeeper's `/.schema/config.schema.json`) cannot be a base URI.
        obj.insert(
            "$id".into(),
            json!("https://nexus.invalid/config.schema.json"),
        );
    }
    Ok(schema)
}

fn inline_ory_refs(v: &mut Value) -> Result<(), String> {
    match v {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref") {
                if r.starts_with("ory://") {
                    *v = embedded(r).ok_or_else(|| format!("unknown schema reference {r}"))?;
                    return Ok(());
                }
            }
            map.values_mut().try_for_each(inline_ory_refs)
        }
        Value::Array(items) => items.iter_mut().try_for_each(inline_ory_refs),
        _ => Ok(()),
    }
}

const MAX_DEPTH: usize = 24;

/// Every path of `schema`, in schema order, walking dynamic keys present in `user`.
pub(crate) fn paths(schema: &Value, user: &Value) -> Vec<SchemaPath> {
    let mut w = Walker {
        root: schema,
        out: Vec::new(),
        index: HashMap::new(),
        refs: Vec::new(),
    };
    w.walk(schema, Some(user), &mut Vec::new());
    w.out
}

struct Walker<'a> {
    root: &'a Value,
    out: Vec<SchemaPath>,
    index: HashMap<Vec<Seg>, usize>,
    refs: Vec<&'a str>,
}

impl<'a> Walker<'a> {
    fn walk(&mut self, node: &'a Value, value: Option<&Value>, path: &mut Vec<Seg>) {
        if path.len() > MAX_DEPTH {
            return;
        }
        let Some(obj) = node.as_object() else { return };
        if let Some(Value::String(r)) = obj.get("$ref") {
            // A cycle would never end; configx likewise stops at a recursion limit.
            if self.refs.contains(&r.as_str()) {
                return;
            }
            let Some(target) = r.strip_prefix('#').and_then(|p| self.root.pointer(p)) else {
                return;
            };
            self.refs.push(r);
            self.walk(target, value, path);
            self.refs.pop();
            return;
        }
        if !path.is_empty() {
            self.record(path, obj);
        }
        for key in ["allOf", "anyOf", "oneOf"] {
            for sub in obj.get(key).and_then(Value::as_array).into_iter().flatten() {
                self.walk(sub, value, path);
            }
        }
        let props = obj.get("properties").and_then(Value::as_object);
        for (k, sub) in props.into_iter().flatten() {
            path.push(Seg::Key(k.clone()));
            self.walk(sub, value.and_then(|v| v.get(k)), path);
            path.pop();
        }
        if let Some(Value::Object(present)) = value {
            for (k, v) in present {
                if props.is_some_and(|p| p.contains_key(k)) {
                    continue;
                }
                if let Some(sub) = dynamic_schema(obj, k) {
                    path.push(Seg::Key(k.clone()));
                    self.walk(sub, Some(v), path);
                    path.pop();
                }
            }
        }
        if let Some(items) = obj.get("items").filter(|i| i.is_object()) {
            path.push(Seg::Item);
            self.walk(items, None, path);
            path.pop();
        }
    }

    fn record(&mut self, path: &[Seg], node: &Map<String, Value>) {
        let hint = hint_of(self.root, node);
        let default = node.get("default").cloned();
        match self.index.get(path) {
            Some(&i) => {
                let p = &mut self.out[i];
                if p.hint == Hint::Any {
                    p.hint = hint;
                }
                if p.default.is_none() {
                    p.default = default;
                }
            }
            None => {
                self.index.insert(path.to_vec(), self.out.len());
                self.out.push(SchemaPath {
                    segs: path.to_vec(),
                    hint,
                    default,
                });
            }
        }
    }
}

/// The schema for a key not listed in `properties`, from `patternProperties` or an object
/// `additionalProperties`.
fn dynamic_schema<'a>(obj: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    if let Some(Value::Object(pats)) = obj.get("patternProperties") {
        for (pat, sub) in pats {
            if regex::Regex::new(pat).is_ok_and(|re| re.is_match(key)) {
                return Some(sub);
            }
        }
    }
    obj.get("additionalProperties").filter(|a| a.is_object())
}

fn hint_of(root: &Value, node: &Map<String, Value>) -> Hint {
    let ty = match node.get("type") {
        Some(Value::String(t)) => Some(t.as_str()),
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).find(|t| *t != "null"),
        _ => None,
    };
    match ty {
        Some("string") => Hint::String,
        Some("integer") => Hint::Integer,
        Some("number") => Hint::Number,
        Some("boolean") => Hint::Boolean,
        Some("object") => Hint::Object,
        Some("array") => {
            let item = node
                .get("items")
                .and_then(|i| resolve(root, i))
                .and_then(Value::as_object);
            Hint::Array(Box::new(item.map_or(Hint::Any, |i| hint_of(root, i))))
        }
        _ => {
            let sample = node
                .get("const")
                .or_else(|| node.get("enum").and_then(|e| e.get(0)));
            match sample {
                Some(Value::String(_)) => Hint::String,
                Some(Value::Bool(_)) => Hint::Boolean,
                Some(Value::Number(n)) if n.is_f64() => Hint::Number,
                Some(Value::Number(_)) => Hint::Integer,
                _ if node.contains_key("properties") => Hint::Object,
                _ => Hint::Any,
            }
        }
    }
}

fn resolve<'a>(root: &'a Value, node: &'a Value) -> Option<&'a Value> {
    match node.get("$ref").and_then(Value::as_str) {
        Some(r) => r.strip_prefix('#').and_then(|p| root.pointer(p)),
        None => Some(node),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find<'a>(ps: &'a [SchemaPath], dotted: &str) -> Option<&'a SchemaPath> {
        ps.iter().find(|p| {
            let s: Vec<_> = p
                .segs
                .iter()
                .map(|s| match s {
                    Seg::Key(k) => k.as_str(),
                    Seg::Item => "#",
                })
                .collect();
            s.join(".") == dotted
        })
    }

    #[test]
    fn walks_refs_combinators_items_and_present_dynamic_keys() {
        let schema = prepare(
            r##"{
            "definitions": {"port": {"type": "integer", "default": 4433}},
            "properties": {
                "serve": {"properties": {"port": {"$ref": "#/definitions/port"}}},
                "log": {"$ref": "ory://logging-config"},
                "list": {"type": "array", "items": {"properties": {"client_id": {"type": "string"}}}},
                "either": {"oneOf": [{"properties": {"a": {"type": "boolean"}}}, {"properties": {"b": {"type": "number"}}}]},
                "headers": {"type": "object", "additionalProperties": {"type": "string"}},
                "tpl": {"patternProperties": {"^x": {"properties": {"ttl": {"type": "string", "default": "1m"}}}}}
            }}"##,
        )
        .unwrap();
        let user = json!({"headers": {"X-Foo": "1"}, "tpl": {"xy": {}, "nope": {}}});
        let ps = paths(&schema, &user);
        let port = find(&ps, "serve.port").unwrap();
        assert_eq!(
            (port.hint.clone(), port.default.clone()),
            (Hint::Integer, Some(json!(4433)))
        );
        assert_eq!(find(&ps, "log.level").unwrap().hint, Hint::String);
        assert_eq!(find(&ps, "list.#.client_id").unwrap().hint, Hint::String);
        assert_eq!(
            find(&ps, "list").unwrap().hint,
            Hint::Array(Box::new(Hint::Object))
        );
        assert_eq!(find(&ps, "either.a").unwrap().hint, Hint::Boolean);
        assert_eq!(find(&ps, "either.b").unwrap().hint, Hint::Number);
        assert_eq!(find(&ps, "headers.X-Foo").unwrap().hint, Hint::String);
        assert_eq!(find(&ps, "tpl.xy.ttl").unwrap().default, Some(json!("1m")));
        assert!(find(&ps, "tpl.nope.ttl").is_none());
    }

    #[test]
    fn real_schemas_prepare() {
        for s in [
            crate::config::tests::KRATOS_SCHEMA,
            crate::config::tests::OATHKEEPER_SCHEMA,
        ] {
            let schema = prepare(s).unwrap();
            assert!(paths(&schema, &json!({})).len() > 100);
        }
    }
}
