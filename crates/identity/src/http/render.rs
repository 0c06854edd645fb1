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
            if f.kind == FlowKind::Settings {
                let identity = f.internal.get("identity").cloned().unwrap_or(Value::Null);
                o.insert("identity".into(), identity);
            }
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

/// The public identity, borrowed field by field (no intermediate JSON tree).
#[derive(serde::Serialize)]
struct IdentityView<'a> {
    id: &'a uuid::Uuid,
    schema_id: &'a str,
    schema_url: String,
    state: crate::domain::IdentityState,
    #[serde(skip_serializing_if = "Option::is_none")]
    state_changed_at: Option<&'a crate::domain::Timestamp>,
    traits: &'a Value,
    verifiable_addresses: &'a [crate::domain::VerifiableAddress],
    recovery_addresses: &'a [crate::domain::RecoveryAddress],
    metadata_public: &'a Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    external_id: Option<&'a str>,
    created_at: &'a crate::domain::Timestamp,
    updated_at: &'a crate::domain::Timestamp,
}

/// The session, borrowed field by field.
#[derive(serde::Serialize)]
struct SessionView<'a> {
    id: &'a uuid::Uuid,
    active: bool,
    expires_at: &'a crate::domain::Timestamp,
    authenticated_at: &'a crate::domain::Timestamp,
    authenticator_assurance_level: crate::domain::Aal,
    authentication_methods: &'a [crate::domain::AuthenticationMethod],
    issued_at: &'a crate::domain::Timestamp,
    #[serde(skip_serializing_if = "Option::is_none")]
    identity: Option<IdentityView<'a>>,
    devices: &'a [crate::domain::Device],
}

/// The same JSON as [`session`], serialised straight to bytes: the `whoami` hot path.
pub fn session_bytes(s: &Session, opts: &Options) -> Vec<u8> {
    let identity = s.identity.as_ref().map(|i| IdentityView {
        id: &i.id,
        schema_id: &i.schema_id,
        schema_url: opts.public(&format!("schemas/{}", encoded_id(&i.schema_id))),
        state: i.state,
        state_changed_at: i.state_changed_at.as_ref(),
        traits: &i.traits,
        verifiable_addresses: &i.verifiable_addresses,
        recovery_addresses: &i.recovery_addresses,
        metadata_public: &i.metadata_public,
        external_id: i.external_id.as_deref(),
        created_at: &i.created_at,
        updated_at: &i.updated_at,
    });
    let view = SessionView {
        id: &s.id,
        active: s.is_active(domain::now()),
        expires_at: &s.expires_at,
        authenticated_at: &s.authenticated_at,
        authenticator_assurance_level: s.authenticator_assurance_level,
        authentication_methods: &s.authentication_methods,
        issued_at: &s.issued_at,
        identity,
        devices: &s.devices,
    };
    serde_json::to_vec(&view).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_bytes_equals_session_json() {
        let mut identity = Identity::new("default", serde_json::json!({ "email": "a@b.c" }));
        identity.external_id = Some("ext-1".into());
        let device = crate::domain::Device {
            id: uuid::Uuid::new_v4(),
            ip_address: Some("127.0.0.1".into()),
            user_agent: None,
            location: None,
        };
        let mut s = Session::new(&identity, chrono::Duration::hours(1), device);
        s.complete_method("password", crate::domain::Aal::Aal1);
        let opts = crate::options::tests_support::options();
        let fast: Value = serde_json::from_slice(&session_bytes(&s, &opts)).unwrap();
        assert_eq!(fast, session(&s, &opts));
    }
}
