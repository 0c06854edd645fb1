//! Validators for each `anyOf`/`oneOf` branch, so a failed combinator can be reported the way
//! ory/jsonschema does: as the errors of every branch (Kratos shows those leaves, e.g. "Property
//! email is missing." and "Property phone is missing." for an "email or phone" schema).

use std::collections::HashMap;

use jsonschema::{Draft, Validator};
use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};
use serde_json::Value;

use super::extension::MAX_DEPTH;
use super::pointer;

/// Hostile schemas could hold thousands of branches; beyond this, failures stay generic.
const MAX_BRANCHES: usize = 64;

/// Characters escaped in a `$ref` fragment.
const FRAGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'<')
    .add(b'>')
    .add(b'`')
    .add(b'#')
    .add(b'%');

/// Branch validators keyed by the canonical JSON pointer of the branch (`/properties/traits/anyOf/0`).
#[derive(Default)]
pub(crate) struct Branches(HashMap<String, Validator>);

impl Branches {
    /// Compiles one validator per branch. Each is the whole document plus a root `$ref` to the
    /// branch, so local references keep resolving; that relies on draft-04..07 ignoring `$ref`
    /// siblings, so newer drafts get no branch detail.
    pub(crate) fn compile(
        root: &Value,
        draft: Draft,
        options: impl Fn() -> jsonschema::ValidationOptions<'static>,
    ) -> Self {
        let mut branches = Branches::default();
        if !matches!(draft, Draft::Draft4 | Draft::Draft6 | Draft::Draft7) {
            return branches;
        }
        let mut pointers = Vec::new();
        find(root, &mut String::new(), 0, false, &mut pointers);
        for ptr in pointers.into_iter().take(MAX_BRANCHES) {
            let mut wrapper = root.clone();
            if let Some(obj) = wrapper.as_object_mut() {
                let fragment = utf8_percent_encode(&ptr, FRAGMENT).to_string();
                obj.insert("$ref".into(), Value::String(format!("#{fragment}")));
            }
            if let Ok(v) = options().with_draft(draft).build(&wrapper) {
                branches.0.insert(ptr, v);
            }
        }
        branches
    }

    /// The validator for the branch at `pointer`.
    pub(crate) fn get(&self, pointer: &str) -> Option<&Validator> {
        self.0.get(pointer)
    }
}

/// Collects the pointers of every `anyOf`/`oneOf` branch in schema positions.
/// `in_map` is set inside name-to-schema maps (`properties`, `definitions`, …), whose keys are
/// names rather than keywords.
fn find(node: &Value, ptr: &mut String, depth: usize, in_map: bool, out: &mut Vec<String>) {
    if depth > MAX_DEPTH || out.len() >= MAX_BRANCHES {
        return;
    }
    let Some(obj) = node.as_object() else {
        return;
    };
    for (key, value) in obj {
        // Instance data (enum, const, default, examples) and annotations are not schemas.
        if !in_map
            && matches!(
                key.as_str(),
                "enum" | "const" | "default" | "examples" | "ory.sh/kratos"
            )
        {
            continue;
        }
        let child_map = !in_map
            && matches!(
                key.as_str(),
                "properties" | "patternProperties" | "definitions" | "$defs" | "dependencies"
            );
        let len = ptr.len();
        ptr.push('/');
        ptr.push_str(&pointer::escape(key));
        match value {
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    let len = ptr.len();
                    ptr.push_str(&format!("/{i}"));
                    if matches!(key.as_str(), "anyOf" | "oneOf") && item.is_object() {
                        out.push(ptr.clone());
                    }
                    find(item, ptr, depth + 1, false, out);
                    ptr.truncate(len);
                }
            }
            Value::Object(_) => find(value, ptr, depth + 1, child_map, out),
            _ => {}
        }
        ptr.truncate(len);
    }
}

/// Follows a validator's schema path through the document, jumping at each `$ref` segment to
/// the referenced location; returns the canonical pointer and the node there.
pub(crate) fn resolve<'a>(root: &'a Value, schema_path: &str) -> Option<(String, &'a Value)> {
    let mut node = root;
    let mut canonical = String::new();
    for segment in pointer::segments(schema_path) {
        if segment == "$ref" {
            let reference = node.get("$ref")?.as_str()?;
            node = pointer::resolve_local(root, reference)?;
            let fragment = reference.split_once('#').map_or("", |(_, f)| f);
            canonical = percent_encoding::percent_decode_str(fragment)
                .decode_utf8()
                .ok()?
                .into_owned();
            continue;
        }
        node = match node {
            Value::Array(items) => items.get(segment.parse::<usize>().ok()?)?,
            other => other.get(&segment)?,
        };
        canonical.push('/');
        canonical.push_str(&pointer::escape(&segment));
    }
    Some((canonical, node))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn finds_branches_and_resolves_paths() {
        let root = json!({
            "definitions": {"t": {"oneOf": [{"required": ["a"]}, {"required": ["b"]}]}},
            "properties": {"traits": {"$ref": "#/definitions/t", "anyOf": [{"type": "object"}]},
                           "enum": {"enum": [{"anyOf": []}]}}
        });
        let mut found = Vec::new();
        find(&root, &mut String::new(), 0, false, &mut found);
        assert_eq!(
            found,
            [
                "/definitions/t/oneOf/0",
                "/definitions/t/oneOf/1",
                "/properties/traits/anyOf/0"
            ]
        );
        let (ptr, node) = resolve(&root, "/properties/traits/$ref/oneOf").unwrap();
        assert_eq!(ptr, "/definitions/t/oneOf");
        assert!(node.is_array());
        let branches = Branches::compile(&root, Draft::Draft7, jsonschema::options);
        let v = branches.get("/definitions/t/oneOf/1").unwrap();
        assert!(v.is_valid(&json!({"b": 1})));
        assert!(!v.is_valid(&json!({"a": 1})));
    }
}
