//! Reading config files (YAML or JSON) and merging layers: objects merge key by key, anything
//! else (scalars, arrays) is replaced by the later layer — koanf's rule.

use super::error::one_line;
use super::ConfigError;
use serde_json::Value;
use std::path::Path;

/// Reads one config file; `.json` is parsed as JSON, anything else as YAML (a JSON superset).
/// An empty file is an empty object.
pub(crate) fn read_file(path: &Path) -> Result<Value, ConfigError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        file: file.clone(),
        source,
    })?;
    let is_json = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let parsed: Result<Value, String> = if is_json {
        serde_json::from_str(&text).map_err(|e| e.to_string())
    } else {
        serde_yaml::from_str(&text).map_err(|e| e.to_string())
    };
    match parsed {
        Ok(Value::Null) => Ok(Value::Object(Default::default())),
        Ok(v @ Value::Object(_)) => Ok(v),
        Ok(_) => Err(ConfigError::Parse {
            file,
            message: "the top level must be a map of keys".into(),
        }),
        Err(e) => Err(ConfigError::Parse {
            file,
            message: one_line(&e),
        }),
    }
}

/// Merges `over` into `base`: objects recursively, other values replace.
pub(crate) fn deep_merge(base: &mut Value, over: Value) {
    match (base, over) {
        (Value::Object(b), Value::Object(o)) => {
            for (k, v) in o {
                match b.get_mut(&k) {
                    Some(existing) => deep_merge(existing, v),
                    None => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (b, o) => *b = o,
    }
}

/// Fills `value` at `path` with `default` where nothing is set (objects are completed).
pub(crate) fn fill_default(root: &mut Value, path: &[String], default: &Value) {
    let Some((first, rest)) = path.split_first() else {
        fill_missing(root, default);
        return;
    };
    if root.is_null() {
        *root = Value::Object(Default::default());
    }
    let Value::Object(map) = root else { return };
    match map.get_mut(first) {
        Some(child) => fill_default(child, rest, default),
        None => {
            let mut child = Value::Null;
            fill_default(&mut child, rest, default);
            map.insert(first.clone(), child);
        }
    }
}

fn fill_missing(target: &mut Value, default: &Value) {
    match (target, default) {
        (t @ Value::Null, d) => *t = d.clone(),
        (Value::Object(t), Value::Object(d)) => {
            for (k, dv) in d {
                match t.get_mut(k) {
                    Some(tv) => fill_missing(tv, dv),
                    None => {
                        t.insert(k.clone(), dv.clone());
                    }
                }
            }
        }
        _ => {}
    }
}

/// Whether `value` has something at the dotted `path` (array elements by index).
pub(crate) fn has_path(value: &Value, path: &[String]) -> bool {
    path.iter()
        .try_fold(value, |v, seg| match v {
            Value::Object(m) => m.get(seg),
            Value::Array(a) => seg.parse::<usize>().ok().and_then(|i| a.get(i)),
            _ => None,
        })
        .is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn later_wins_objects_merge_arrays_replace() {
        let mut a = json!({"a": {"x": 1, "y": [1, 2]}, "b": 1});
        deep_merge(&mut a, json!({"a": {"y": [3], "z": true}, "b": {"n": 1}}));
        assert_eq!(
            a,
            json!({"a": {"x": 1, "y": [3], "z": true}, "b": {"n": 1}})
        );
    }

    #[test]
    fn defaults_fill_only_gaps() {
        let mut v = json!({"serve": {"public": {"port": 1}}, "x": null});
        let p = |s: &str| s.split('.').map(String::from).collect::<Vec<_>>();
        fill_default(&mut v, &p("serve.public.port"), &json!(4433));
        fill_default(&mut v, &p("serve.admin.port"), &json!(4434));
        fill_default(&mut v, &p("x"), &json!({"k": 1}));
        assert_eq!(
            v,
            json!({"serve": {"public": {"port": 1}, "admin": {"port": 4434}}, "x": {"k": 1}})
        );
        assert!(has_path(&v, &p("serve.admin.port")) && !has_path(&v, &p("serve.admin.host")));
    }

    #[test]
    fn reads_yaml_json_and_reports_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let y = dir.path().join("c.yml");
        std::fs::write(&y, "a:\n  b: 1\n").unwrap();
        assert_eq!(read_file(&y).unwrap(), json!({"a": {"b": 1}}));
        let j = dir.path().join("c.json");
        std::fs::write(&j, r#"{"a": {"b": 2}}"#).unwrap();
        assert_eq!(read_file(&j).unwrap(), json!({"a": {"b": 2}}));
        std::fs::write(&y, "a: [\n").unwrap();
        let e = read_file(&y).unwrap_err().to_string();
        assert!(
            e.starts_with(&format!("cannot parse {}:", y.display())) && !e.contains('\n'),
            "{e}"
        );
        let e = read_file(&dir.path().join("missing.yml"))
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("cannot read ") && e.contains("missing.yml"),
            "{e}"
        );
    }
}
