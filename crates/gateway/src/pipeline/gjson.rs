//! The GJSON path subset used by `subject_from`/`extra_from`: dotted keys, array indexes,
//! `\.` escapes, `#` for length and `@this` for the whole document.

use serde_json::Value;

/// Looks `path` up in `doc`; `None` when absent.
pub fn get<'a>(doc: &'a Value, path: &str) -> Option<std::borrow::Cow<'a, Value>> {
    use std::borrow::Cow;
    if path.is_empty() || path == "@this" {
        return Some(Cow::Borrowed(doc));
    }
    let mut cur = doc;
    for seg in split(path) {
        cur = match cur {
            Value::Object(o) => o.get(&seg)?,
            Value::Array(a) if seg == "#" => return Some(Cow::Owned(Value::from(a.len()))),
            Value::Array(a) => a.get(seg.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(Cow::Borrowed(cur))
}

fn split(path: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut chars = path.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(n) = chars.next() {
                    out.last_mut().expect("non-empty").push(n);
                }
            }
            '.' => out.push(String::new()),
            c => out.last_mut().expect("non-empty").push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths() {
        let d = json!({"identity": {"id": "x", "a.b": 1}, "list": [1, 2]});
        assert_eq!(*get(&d, "identity.id").unwrap(), json!("x"));
        assert_eq!(*get(&d, "identity.a\\.b").unwrap(), json!(1));
        assert_eq!(*get(&d, "list.1").unwrap(), json!(2));
        assert_eq!(*get(&d, "list.#").unwrap(), json!(2));
        assert_eq!(*get(&d, "@this").unwrap(), d);
        assert!(get(&d, "nope.x").is_none());
    }
}
