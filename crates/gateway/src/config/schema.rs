//! Oathkeeper v26.2.0's config schema, extended with our opt-in additions.

use std::sync::OnceLock;

use serde_json::{json, Value};

const OATHKEEPER_SCHEMA: &str = include_str!("../../schema/config.schema.json");

/// The schema the gateway validates against: Oathkeeper's, plus
/// - `cache {enabled, ttl, max_entries}` on `cookie_session` and `bearer_token`,
/// - `access_rules.repositories` also accepting one string (as Oathkeeper's code does).
pub fn gateway_schema() -> String {
    static SCHEMA: OnceLock<String> = OnceLock::new();
    SCHEMA.get_or_init(build).clone()
}

/// The parsed schema (for per-rule handler config validation).
pub fn gateway_schema_value() -> &'static Value {
    static VALUE: OnceLock<Value> = OnceLock::new();
    VALUE.get_or_init(|| serde_json::from_str(&gateway_schema()).expect("schema is JSON"))
}

fn build() -> String {
    let mut s: Value = serde_json::from_str(OATHKEEPER_SCHEMA).expect("embedded schema is JSON");
    let cache = json!({
        "type": "object",
        "additionalProperties": false,
        "title": "Session cache (nexus extension)",
        "description": "Caches successful session checks keyed by a hash of the forwarded credential.",
        "properties": {
            "enabled": {"type": "boolean", "default": false},
            "ttl": {"type": "string", "pattern": "^[0-9]+(ns|us|ms|s|m|h)$", "default": "30s"},
            "max_entries": {"type": "integer", "minimum": 1, "default": 100000}
        }
    });
    for def in [
        "configAuthenticatorsCookieSession",
        "configAuthenticatorsBearerToken",
    ] {
        if let Some(props) = s
            .pointer_mut(&format!("/definitions/{def}/properties"))
            .and_then(Value::as_object_mut)
        {
            props.insert("cache".into(), cache.clone());
        }
    }
    if let Some(repos) = s.pointer_mut("/properties/access_rules/properties/repositories") {
        if let Some(obj) = repos.as_object_mut() {
            obj.insert("type".into(), json!(["array", "string"]));
        }
    }
    serde_json::to_string(&s).expect("schema serializes")
}
