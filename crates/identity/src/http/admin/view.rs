//! Admin wire views: identities with credentials and `metadata_admin`, sessions with the
//! parts the caller expanded.

use serde_json::{json, Value};

use crate::domain::{Identity, Session};
use crate::http::render;
use crate::options::Options;
use crate::schema::encoded_id;

/// Which credential configs an identity view shows.
#[derive(Debug, Clone, Copy)]
pub enum Configs<'a> {
    /// Credentials without `config` (create, update and patch answers).
    Hidden,
    /// `config` of these types only (`include_credential`).
    Of(&'a [String]),
}

/// The identity as the admin API shows it (`identity` with credentials and admin metadata).
pub fn identity(i: &Identity, opts: &Options, configs: Configs<'_>) -> Value {
    let mut v = serde_json::to_value(i).unwrap_or(Value::Null);
    let Some(o) = v.as_object_mut() else {
        return v;
    };
    o.insert(
        "schema_url".into(),
        json!(opts.public(&format!("schemas/{}", encoded_id(&i.schema_id)))),
    );
    o.entry("metadata_public").or_insert(Value::Null);
    o.entry("metadata_admin").or_insert(Value::Null);
    if let Some(creds) = o.get_mut("credentials").and_then(Value::as_object_mut) {
        for (kind, cred) in creds.iter_mut() {
            let shown = matches!(configs, Configs::Of(list) if list.iter().any(|k| k == kind));
            if let (false, Some(c)) = (shown, cred.as_object_mut()) {
                c.remove("config");
            }
        }
    }
    v
}

/// What `expand` asked for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Expand {
    /// `expand=identity`.
    pub identity: bool,
    /// `expand=devices`.
    pub devices: bool,
}

impl Expand {
    /// Both.
    pub const ALL: Expand = Expand {
        identity: true,
        devices: true,
    };
    /// Kratos' `ExpandDefault` for a single session: the identity.
    pub const IDENTITY: Expand = Expand {
        identity: true,
        devices: false,
    };
}

/// The session JSON (`active` computed; the identity in its public view, as Kratos shows it
/// inside sessions), without the parts not expanded.
pub fn session(s: &Session, opts: &Options, expand: Expand) -> Value {
    let mut v = render::session(s, opts);
    if let Some(o) = v.as_object_mut() {
        if !expand.identity {
            o.remove("identity");
        }
        if !expand.devices {
            o.remove("devices");
        }
    }
    v
}
