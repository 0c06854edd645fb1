//! RFC 6902 JSON Patch, restricted as Kratos restricts it (oryx `jsonx.ApplyJSONPatch`):
//! only `add`, `remove` and `replace`; a `replace` of a missing object member adds it; `add`
//! creates missing parent objects; paths under a denied prefix are refused. The patch is
//! all-or-nothing: on error the document is left unchanged.

use serde_json::{Map, Value};

/// Why a patch was refused; the message is meant for the API caller.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatchError {
    /// The body is not a JSON Patch document.
    #[error("invalid JSON Patch document: {0}")]
    Malformed(String),
    /// `move`, `copy`, `test` or an unknown operation.
    #[error("unsupported operation: {0}")]
    Unsupported(String),
    /// The path touches a field that cannot be patched.
    #[error("patch includes denied path: {0}")]
    Denied(String),
    /// The operation does not fit the document (missing member, bad index, …).
    #[error("{0}")]
    Apply(String),
}

/// One decoded operation.
#[derive(Debug, Clone, PartialEq)]
enum Op {
    Add(Vec<String>, Value),
    Remove(Vec<String>),
    Replace(Vec<String>, Value),
}

/// Applies `patch` (a JSON array of operations) to `doc`. Paths equal to a `deny` entry or
/// below it (compared case-insensitively) are refused before anything changes.
pub fn apply(doc: &mut Value, patch: &Value, deny: &[&str]) -> Result<(), PatchError> {
    let ops = decode(patch, deny)?;
    let mut work = doc.clone();
    for op in ops {
        match op {
            Op::Add(path, value) => add(&mut work, &path, value)?,
            Op::Remove(path) => remove(&mut work, &path)?,
            Op::Replace(path, value) => {
                let element = path.last().is_some_and(|t| is_index(t));
                if element {
                    replace(&mut work, &path, value)?;
                } else {
                    add(&mut work, &path, value)?;
                }
            }
        }
    }
    *doc = work;
    Ok(())
}

fn decode(patch: &Value, deny: &[&str]) -> Result<Vec<Op>, PatchError> {
    let list = patch
        .as_array()
        .ok_or_else(|| PatchError::Malformed("expected an array of operations".into()))?;
    list.iter()
        .enumerate()
        .map(|(n, raw)| {
            let kind = raw
                .get("op")
                .and_then(Value::as_str)
                .ok_or_else(|| PatchError::Malformed(format!("operation {n} has no op")))?;
            if !matches!(kind, "add" | "remove" | "replace") {
                return Err(PatchError::Unsupported(kind.to_string()));
            }
            let path = raw
                .get("path")
                .and_then(Value::as_str)
                .ok_or_else(|| PatchError::Malformed(format!("operation {n} has no path")))?;
            let lower = path.to_lowercase();
            if deny
                .iter()
                .any(|d| lower == *d || lower.starts_with(&format!("{d}/")))
            {
                return Err(PatchError::Denied(path.to_string()));
            }
            let tokens = pointer(path)?;
            let value = || {
                raw.get("value")
                    .cloned()
                    .ok_or_else(|| PatchError::Malformed(format!("operation {n} has no value")))
            };
            Ok(match kind {
                "add" => Op::Add(tokens, value()?),
                "remove" => Op::Remove(tokens),
                _ => Op::Replace(tokens, value()?),
            })
        })
        .collect()
}

/// RFC 6901: `""` is the whole document, otherwise `/`-separated tokens with `~1` → `/` and
/// `~0` → `~`.
fn pointer(path: &str) -> Result<Vec<String>, PatchError> {
    if path.is_empty() {
        return Ok(Vec::new());
    }
    let rest = path
        .strip_prefix('/')
        .ok_or_else(|| PatchError::Malformed(format!("path {path:?} must start with '/'")))?;
    Ok(rest
        .split('/')
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect())
}

fn is_index(token: &str) -> bool {
    token == "-" || (!token.is_empty() && token.bytes().all(|b| b.is_ascii_digit()))
}

fn index(token: &str, len: usize, allow_end: bool) -> Result<usize, PatchError> {
    let at = if token == "-" && allow_end {
        len
    } else {
        token
            .parse::<usize>()
            .map_err(|_| PatchError::Apply(format!("invalid array index {token:?}")))?
    };
    let limit = if allow_end {
        len
    } else {
        len.saturating_sub(1)
    };
    if at > limit || (!allow_end && len == 0) {
        return Err(PatchError::Apply(format!(
            "array index {token} out of bounds"
        )));
    }
    Ok(at)
}

/// The parent container of `path`, creating missing objects on the way when `create`.
fn parent<'a>(
    doc: &'a mut Value,
    path: &[String],
    create: bool,
) -> Result<&'a mut Value, PatchError> {
    let mut current = doc;
    for token in &path[..path.len() - 1] {
        current = match current {
            Value::Object(map) => {
                if create && !map.contains_key(token) {
                    map.insert(token.clone(), Value::Object(Map::new()));
                }
                map.get_mut(token)
                    .ok_or_else(|| PatchError::Apply(format!("missing member {token:?}")))?
            }
            Value::Array(list) => {
                let at = index(token, list.len(), false)?;
                &mut list[at]
            }
            _ => return Err(PatchError::Apply(format!("cannot descend into {token:?}"))),
        };
        if create && current.is_null() {
            *current = Value::Object(Map::new());
        }
    }
    Ok(current)
}

fn add(doc: &mut Value, path: &[String], value: Value) -> Result<(), PatchError> {
    let Some(last) = path.last() else {
        *doc = value;
        return Ok(());
    };
    match parent(doc, path, true)? {
        Value::Object(map) => {
            map.insert(last.clone(), value);
        }
        Value::Array(list) => {
            let at = index(last, list.len(), true)?;
            list.insert(at, value);
        }
        _ => {
            return Err(PatchError::Apply(format!(
                "cannot add {last:?} to a scalar"
            )))
        }
    }
    Ok(())
}

fn remove(doc: &mut Value, path: &[String]) -> Result<(), PatchError> {
    let Some(last) = path.last() else {
        return Err(PatchError::Apply("cannot remove the whole document".into()));
    };
    match parent(doc, path, false)? {
        Value::Object(map) => map
            .remove(last)
            .map(drop)
            .ok_or_else(|| PatchError::Apply(format!("missing member {last:?}"))),
        Value::Array(list) => {
            let at = index(last, list.len(), false)?;
            list.remove(at);
            Ok(())
        }
        _ => Err(PatchError::Apply(format!(
            "cannot remove {last:?} from a scalar"
        ))),
    }
}

fn replace(doc: &mut Value, path: &[String], value: Value) -> Result<(), PatchError> {
    let Some(last) = path.last() else {
        *doc = value;
        return Ok(());
    };
    match parent(doc, path, false)? {
        Value::Array(list) => {
            let at = index(last, list.len(), false)?;
            list[at] = value;
            Ok(())
        }
        Value::Object(map) => {
            map.insert(last.clone(), value);
            Ok(())
        }
        _ => Err(PatchError::Apply(format!(
            "cannot replace {last:?} in a scalar"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const DENY: &[&str] = &["/id", "/credentials"];

    fn patched(doc: Value, patch: Value) -> Result<Value, PatchError> {
        let mut doc = doc;
        apply(&mut doc, &patch, DENY).map(|()| doc)
    }

    #[test]
    fn add_remove_replace() {
        let doc = json!({ "traits": { "email": "a@b.c", "tags": ["x"] }, "state": "active" });
        let out = patched(
            doc,
            json!([
                { "op": "replace", "path": "/traits/email", "value": "d@e.f" },
                { "op": "add", "path": "/traits/tags/-", "value": "y" },
                { "op": "add", "path": "/traits/tags/0", "value": "w" },
                { "op": "remove", "path": "/state" },
                { "op": "replace", "path": "/metadata_public/plan", "value": "pro" },
                { "op": "replace", "path": "/traits/tags/1", "value": "X" }
            ]),
        )
        .unwrap();
        assert_eq!(
            out,
            json!({ "traits": { "email": "d@e.f", "tags": ["w", "X", "y"] }, "metadata_public": { "plan": "pro" } })
        );
    }

    #[test]
    fn escaped_tokens_and_null_parents() {
        let out = patched(
            json!({ "metadata_admin": null }),
            json!([{ "op": "add", "path": "/metadata_admin/a~1b~0c", "value": 1 }]),
        )
        .unwrap();
        assert_eq!(out, json!({ "metadata_admin": { "a/b~c": 1 } }));
    }

    #[test]
    fn denied_paths_and_unsupported_ops() {
        let doc = json!({ "id": "x", "credentials": {} });
        for path in ["/id", "/ID", "/credentials", "/credentials/password/config"] {
            assert_eq!(
                patched(
                    doc.clone(),
                    json!([{ "op": "replace", "path": path, "value": 1 }])
                ),
                Err(PatchError::Denied(path.into()))
            );
        }
        assert_eq!(
            patched(
                doc.clone(),
                json!([{ "op": "move", "from": "/id", "path": "/x" }])
            ),
            Err(PatchError::Unsupported("move".into()))
        );
        assert!(patched(
            doc.clone(),
            json!([{ "op": "replace", "path": "/identity", "value": 1 }])
        )
        .is_ok());
    }

    #[test]
    fn failures_leave_the_document_alone() {
        let mut doc = json!({ "a": [1] });
        let patch = json!([
            { "op": "replace", "path": "/a/0", "value": 2 },
            { "op": "remove", "path": "/missing" }
        ]);
        assert!(apply(&mut doc, &patch, DENY).is_err());
        assert_eq!(doc, json!({ "a": [1] }));
        for bad in [
            json!({}),
            json!([{ "path": "/a" }]),
            json!([{ "op": "add", "path": "a", "value": 1 }]),
        ] {
            assert!(matches!(
                apply(&mut doc, &bad, DENY),
                Err(PatchError::Malformed(_))
            ));
        }
        assert!(apply(
            &mut doc,
            &json!([{ "op": "replace", "path": "/a/5", "value": 1 }]),
            DENY
        )
        .is_err());
        assert!(apply(
            &mut doc,
            &json!([{ "op": "add", "path": "/a/7", "value": 1 }]),
            DENY
        )
        .is_err());
    }
}
