//! Keys the user set that the server does not implement yet.

use serde_json::Value;

/// Dotted paths of the leaves of `user` (a map, arrays and empty maps count as leaves) that
/// are not under any of the `implemented` dotted prefixes. Pass the user's own config (files +
/// env, see [`super::Loaded::user`]), not the value with schema defaults.
pub fn unknown_keys(user: &Value, implemented: &[&str]) -> Vec<String> {
    let mut leaves = Vec::new();
    collect(user, &mut String::new(), &mut leaves);
    leaves.retain(|leaf| !implemented.iter().any(|p| covers(p, leaf)));
    leaves
}

fn covers(prefix: &str, path: &str) -> bool {
    prefix.is_empty()
        || path == prefix
        || (path.starts_with(prefix) && path.as_bytes().get(prefix.len()) == Some(&b'.'))
}

fn collect(v: &Value, path: &mut String, out: &mut Vec<String>) {
    match v {
        Value::Object(map) if !map.is_empty() => {
            for (k, child) in map {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
                collect(child, path, out);
                path.truncate(len);
            }
        }
        _ if !path.is_empty() => out.push(path.clone()),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lists_leaves_outside_implemented_prefixes() {
        let user = json!({
            "dsn": "memory",
            "serve": {"public": {"base_url": "x", "tls": {"cert": {"path": "a"}}}},
            "selfservice": {"methods": {"oidc": {"enabled": true, "config": {"providers": [{"id": "g"}]}}}},
            "feature_flags": {},
            "servex": 1
        });
        let got = unknown_keys(
            &user,
            &[
                "dsn",
                "serve.public.base_url",
                "selfservice.methods.password",
                "serve",
            ],
        );
        assert_eq!(
            got,
            vec![
                "selfservice.methods.oidc.enabled",
                "selfservice.methods.oidc.config.providers",
                "feature_flags",
                "servex",
            ]
        );
        assert!(unknown_keys(&user, &[""]).is_empty());
    }
}
