//! One compiled identity schema.

use std::sync::LazyLock;

use jsonschema::{Draft, Validator};
use serde_json::Value;

use super::branches::Branches;
use super::error::{display_url, SchemaError};
use super::formats;

/// kratos v26.2.0 `embedx/identity_extension.schema.json`: the allowed `ory.sh/kratos` shapes.
const EXTENSION_META_SCHEMA: &str = include_str!("identity_extension.schema.json");

static EXTENSION_META: LazyLock<Option<Validator>> = LazyLock::new(|| {
    let schema: Value = serde_json::from_str(EXTENSION_META_SCHEMA).ok()?;
    jsonschema::options()
        .with_draft(Draft::Draft7)
        .build(&schema)
        .ok()
});

/// A loaded identity schema: its id, where it came from, the raw document (served by
/// `GET /schemas/{id}`) and the compiled validator.
pub struct IdentitySchema {
    id: String,
    url: String,
    raw: Value,
    pub(crate) validator: Validator,
    pub(crate) branches: Branches,
}

impl std::fmt::Debug for IdentitySchema {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IdentitySchema")
            .field("id", &self.id)
            .field("url", &display_url(&self.url))
            .finish_non_exhaustive()
    }
}

impl IdentitySchema {
    /// Compiles a schema document: checks it is a JSON object, that its `ory.sh/kratos`
    /// annotations are well-formed, and that it is a valid JSON Schema (draft-07 unless
    /// `$schema` says otherwise). Formats are validated, with Kratos' `email`, `tel` and
    /// `no-validate`.
    pub fn compile(id: &str, url: &str, raw: Value) -> Result<Self, SchemaError> {
        if !raw.is_object() {
            return Err(SchemaError::Parse {
                id: id.to_owned(),
                url: display_url(url),
                reason: format!(
                    "expected an object, got {}",
                    super::messages::json_type(&raw)
                ),
            });
        }
        check_extension(id, url, &raw)?;
        let default_draft = raw.get("$schema").is_none().then_some(Draft::Draft7);
        let options = || {
            let options = validation_options();
            match default_draft {
                Some(draft) => options.with_draft(draft),
                None => options,
            }
        };
        let validator = options().build(&raw).map_err(|e| SchemaError::Invalid {
            id: id.to_owned(),
            url: display_url(url),
            reason: e.to_string(),
        })?;
        let branches = Branches::compile(&raw, validator.draft(), validation_options);
        Ok(Self {
            id: id.to_owned(),
            url: url.to_owned(),
            raw,
            validator,
            branches,
        })
    }

    /// The configured schema id (e.g. `default`).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The URL it was loaded from, as configured.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The schema document as loaded.
    pub fn raw(&self) -> &Value {
        &self.raw
    }

    /// `base64url-nopad(id)`, the last segment of `/schemas/{id}` and of `schema_url`.
    pub fn encoded_id(&self) -> String {
        super::registry::encoded_id(&self.id)
    }
}

/// Format validation on, with Kratos' `email`, `tel` and `no-validate`.
fn validation_options() -> jsonschema::ValidationOptions<'static> {
    jsonschema::options()
        .should_validate_formats(true)
        .with_format("email", formats::is_email)
        .with_format("tel", formats::is_phone)
        .with_format("no-validate", formats::no_validate)
}

/// Validates every `ory.sh/kratos` annotation against the extension meta-schema.
fn check_extension(id: &str, url: &str, raw: &Value) -> Result<(), SchemaError> {
    let Some(meta) = EXTENSION_META.as_ref() else {
        // The embedded meta-schema is a compile-time constant covered by tests.
        return Ok(());
    };
    if let Some(err) = meta.iter_errors(raw).next() {
        return Err(SchemaError::Extension {
            id: id.to_owned(),
            url: display_url(url),
            location: err.instance_path().to_string(),
            reason: err.to_string(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn extension_meta_schema_compiles() {
        assert!(EXTENSION_META.is_some());
    }

    #[test]
    fn rejects_bad_annotations_and_non_objects() {
        let bad = json!({"properties": {"traits": {"properties": {"email": {
            "type": "string", "ory.sh/kratos": {"verification": {"via": "pigeon"}}}}}}});
        let err = IdentitySchema::compile("x", "base64://e30", bad).unwrap_err();
        assert!(matches!(err, SchemaError::Extension { .. }), "{err}");
        assert!(
            err.to_string()
                .contains("/properties/traits/properties/email/ory.sh~1kratos"),
            "{err}"
        );
        let err = IdentitySchema::compile("x", "file://x", json!([1])).unwrap_err();
        assert!(matches!(err, SchemaError::Parse { .. }), "{err}");
        let err = IdentitySchema::compile("x", "file://x", json!({"type": 5})).unwrap_err();
        assert!(matches!(err, SchemaError::Invalid { .. }), "{err}");
    }
}
