//! The configured identity schemas, loaded once at start-up.

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::error::{display_url, SchemaError};
use super::identity_schema::IdentitySchema;
use super::source;

/// One `identity.schemas[]` entry of the configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchemaEntry {
    /// Schema id, referenced by identities' `schema_id`.
    pub id: String,
    /// `file://`, `base64://` or `http(s)://` URL of the document.
    pub url: String,
}

/// All identity schemas, in configuration order, plus the default one.
#[derive(Debug)]
pub struct SchemaRegistry {
    schemas: Vec<IdentitySchema>,
    default_index: usize,
}

impl SchemaRegistry {
    /// Loads and compiles every entry (remote ones fetched once, with a timeout). Fails on the
    /// first bad entry with an error naming its id and URL.
    pub async fn load(
        entries: &[SchemaEntry],
        default_id: &str,
        http: &reqwest::Client,
    ) -> Result<Self, SchemaError> {
        if entries.is_empty() {
            return Err(SchemaError::NoSchemas);
        }
        let mut schemas: Vec<IdentitySchema> = Vec::with_capacity(entries.len());
        for entry in entries {
            if schemas.iter().any(|s| s.id() == entry.id) {
                return Err(SchemaError::DuplicateId {
                    id: entry.id.clone(),
                });
            }
            let bytes = source::read(&entry.id, &entry.url, http).await?;
            let raw: Value = serde_json::from_slice(&bytes).map_err(|e| SchemaError::Parse {
                id: entry.id.clone(),
                url: display_url(&entry.url),
                reason: e.to_string(),
            })?;
            schemas.push(IdentitySchema::compile(&entry.id, &entry.url, raw)?);
        }
        Self::from_schemas(schemas, default_id)
    }

    /// Builds a registry from schemas compiled elsewhere (tests, embedded presets).
    pub fn from_schemas(
        schemas: Vec<IdentitySchema>,
        default_id: &str,
    ) -> Result<Self, SchemaError> {
        if schemas.is_empty() {
            return Err(SchemaError::NoSchemas);
        }
        let default_index = schemas
            .iter()
            .position(|s| s.id() == default_id)
            .ok_or_else(|| SchemaError::UnknownDefault {
                id: default_id.to_owned(),
            })?;
        Ok(Self {
            schemas,
            default_index,
        })
    }

    /// The schema with exactly this id.
    pub fn get(&self, id: &str) -> Option<&IdentitySchema> {
        self.schemas.iter().find(|s| s.id() == id)
    }

    /// Lookup as Kratos `Schemas.GetByID` does for `/schemas/{id}`: the raw id first, then the
    /// base64url-decoded one; an empty id means the default schema.
    pub fn find(&self, id_or_encoded: &str) -> Option<&IdentitySchema> {
        if id_or_encoded.is_empty() {
            return Some(self.default_schema());
        }
        self.get(id_or_encoded)
            .or_else(|| decode_id(id_or_encoded).and_then(|id| self.get(&id)))
    }

    /// The schema named by `identity.default_schema_id`.
    pub fn default_schema(&self) -> &IdentitySchema {
        &self.schemas[self.default_index]
    }

    /// `(id, raw document)` pairs in configuration order, for `GET /schemas`.
    pub fn list(&self) -> impl Iterator<Item = (&str, &Value)> + '_ {
        self.schemas.iter().map(|s| (s.id(), s.raw()))
    }
}

/// `base64url-nopad(id)`: the path segment of `/schemas/{id}` and of an identity's `schema_url`.
pub fn encoded_id(id: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(id.as_bytes())
}

/// An identity's `schema_url`: `<public base>/schemas/<base64url-nopad(id)>`.
pub fn schema_url(public_base_url: &str, id: &str) -> String {
    format!(
        "{}/schemas/{}",
        public_base_url.trim_end_matches('/'),
        encoded_id(id)
    )
}

/// Reverses [`encoded_id`]; `None` if the segment is not base64url or not UTF-8.
pub fn decode_id(encoded: &str) -> Option<String> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(encoded)
        .ok()?;
    String::from_utf8(bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The registry is shared across request handlers behind an `Arc`.
    #[test]
    fn registry_is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<SchemaRegistry>();
    }

    #[test]
    fn schema_urls_use_the_encoded_id() {
        assert_eq!(
            schema_url("https://auth.example.com/", "default"),
            "https://auth.example.com/schemas/ZGVmYXVsdA"
        );
    }

    #[test]
    fn ids_round_trip_as_base64url() {
        assert_eq!(encoded_id("default"), "ZGVmYXVsdA");
        assert_eq!(encoded_id("preset://email"), "cHJlc2V0Oi8vZW1haWw");
        assert_eq!(decode_id("ZGVmYXVsdA").as_deref(), Some("default"));
        assert_eq!(decode_id("ZGVmYXVsdA=="), None);
        assert_eq!(decode_id("!!"), None);
    }
}
