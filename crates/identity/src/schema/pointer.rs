//! JSON pointer helpers: Kratos node names and local `$ref` resolution.

use serde_json::Value;

/// Splits a JSON pointer (`/traits/a~1b`) into unescaped segments.
pub(crate) fn segments(pointer: &str) -> Vec<String> {
    pointer
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect()
}

/// Joins segments into a Kratos node name (`jsonschemax.JSONPointerToDotNotation`): dots inside
/// a segment are escaped as `\.`.
pub(crate) fn dotted<S: AsRef<str>>(segments: &[S]) -> String {
    segments
        .iter()
        .map(|s| s.as_ref().replace('.', "\\."))
        .collect::<Vec<_>>()
        .join(".")
}

/// Escapes one segment for a JSON pointer.
pub(crate) fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// Resolves a `$ref` that points into the same document (`#/definitions/x`, or the document's
/// own `$id` followed by a fragment). Remote references are not followed.
pub(crate) fn resolve_local<'a>(root: &'a Value, reference: &str) -> Option<&'a Value> {
    let (base, fragment) = reference.split_once('#').unwrap_or((reference, ""));
    if !base.is_empty() {
        let own_id = root.get("$id").and_then(Value::as_str).unwrap_or_default();
        if base != own_id.split('#').next().unwrap_or_default() {
            return None;
        }
    }
    if fragment.is_empty() {
        return Some(root);
    }
    let decoded = percent_encoding::percent_decode_str(fragment)
        .decode_utf8()
        .ok()?;
    root.pointer(&decoded)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_follow_kratos_dot_notation() {
        assert_eq!(dotted(&segments("/traits/name/first")), "traits.name.first");
        assert_eq!(dotted(&segments("/traits/a.b/c~1d")), "traits.a\\.b.c/d");
        assert_eq!(escape("a/b~c"), "a~1b~0c");
    }

    #[test]
    fn resolves_local_refs_only() {
        let root = json!({"$id": "https://x/s.json", "definitions": {"a": {"type": "string"}}});
        let want = json!({"type": "string"});
        assert_eq!(resolve_local(&root, "#/definitions/a"), Some(&want));
        assert_eq!(
            resolve_local(&root, "https://x/s.json#/definitions/a"),
            Some(&want)
        );
        assert_eq!(resolve_local(&root, "#"), Some(&root));
        assert_eq!(resolve_local(&root, "other.json#/definitions/a"), None);
        assert_eq!(resolve_local(&root, "#/nope"), None);
    }
}
