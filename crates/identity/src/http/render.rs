//! Wire views: flows, identities and sessions as Kratos serialises them.

use serde_json::{json, Map, Value};

use crate::domain::{self, Flow, FlowKind, Identity, Session};
use crate::options::Options;
use crate::schema::encoded_id;

/// The flow JSON for its kind (`loginFlow`, `registrationFlow`, …).
pub fn flow(f: &Flow) -> Value {
    let mut v = json!({
        "id": f.id,
        "type": f.flow_type.as_str(),
        "expires_at": f.expires_at,
        "issued_at": f.issued_at,
        "request_url": f.request_url,
        "ui": f.ui,
        "state": f.state,
    });
    let o = v.as_object_mut().expect("object literal");
    if let Some(r) = &f.return_to {
        o.insert("return_to".into(), json!(r));
    }
    if let Some(a) = &f.active {
        o.insert("active".into(), json!(a));
    }
    if let Some(p) = &f.transient_payload {
        o.insert("transient_payload".into(), p.clone());
    }
    match f.kind {
        FlowKind::Login => {
            o.insert("refresh".into(), json!(f.refresh));
            o.insert("requested_aal".into(), json!(f.requested_aal));
            o.insert("created_at".into(), json!(f.issued_at));
            o.insert("updated_at".into(), json!(f.issued_at));
            if let Some(s) = &f.identity_schema {
                o.insert("identity_schema".into(), json!(s));
            }
        }
        FlowKind::Registration => {
            if let Some(s) = &f.identity_schema {
                o.insert("identity_schema".into(), json!(s));
            }
        }
        FlowKind::Settings | FlowKind::Recovery | FlowKind::Verification => {
            if let Some(c) = f.internal.get("continue_with") {
                o.insert("continue_with".into(), c.clone());
            }
        }
    }
    v
}

/// The identity as the public API shows it (no credentials, no admin metadata).
pub fn identity_public(i: &Identity, opts: &Options) -> Value {
    let mut v = identity_base(i, opts);
    if let Some(o) = v.as_object_mut() {
        o.remove("credentials");
        o.remove("metadata_admin");
    }
    v
}

/// The identity as the admin API shows it; credential configs only for `include` types.
pub fn identity_admin(i: &Identity, opts: &Options, include_credentials: &[String]) -> Value {
    let mut v = identity_base(i, opts);
    if let Some(creds) = v.get_mut("credentials").and_then(Value::as_object_mut) {
        for (kind, cred) in creds.iter_mut() {
            if !include_credentials.iter().any(|k| k == kind) {
                cred["config"] = Value::Object(Map::new());
            }
        }
    }
    if let Some(o) = v.as_object_mut() {
        o.entry("metadata_admin").or_insert(Value::Null);
    }
    v
}

fn identity_base(i: &Identity, opts: &Options) -> Value {
    let mut v = serde_json::to_value(i).unwrap_or(Value::Null);
    if let Some(o) = v.as_object_mut() {
        o.insert(
            "schema_url".into(),
            json!(opts.public(&format!("schemas/{}", encoded_id(&i.schema_id)))),
        );
        o.entry("metadata_public").or_insert(Value::Null);
    }
    v
}

/// The session JSON with `active` computed and the identity's public view.
pub fn session(s: &Session, opts: &Options) -> Value {
    let mut v = serde_json::to_value(s).unwrap_or(Value::Null);
    if let Some(o) = v.as_object_mut() {
        o.insert("active".into(), json!(s.is_active(domain::now())));
        match &s.identity {
            Some(i) => o.insert("identity".into(), identity_public(i, opts)),
            None => o.remove("identity"),
        };
    }
    v
}
