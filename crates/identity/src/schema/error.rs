//! The one error type of the schema module: everything that can go wrong while loading.

/// Why the identity schemas could not be loaded. Every variant names the schema id (and URL),
/// so the CLI can print it as a one-line reason and exit 64.
#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    /// No `identity.schemas` entries were configured.
    #[error("no identity schemas are configured (identity.schemas is empty)")]
    NoSchemas,
    /// Two entries share an id.
    #[error("identity schema id {id:?} is configured more than once")]
    DuplicateId {
        /// The repeated id.
        id: String,
    },
    /// `identity.default_schema_id` names no configured schema.
    #[error("identity.default_schema_id {id:?} does not match any configured identity schema")]
    UnknownDefault {
        /// The configured default id.
        id: String,
    },
    /// The URL scheme is not one of `file`, `base64`, `http`, `https`.
    #[error(
        "identity schema {id:?}: unsupported URL {url} (use file://, base64:// or http(s)://)"
    )]
    UnsupportedUrl {
        /// Schema id.
        id: String,
        /// The URL as configured (shortened).
        url: String,
    },
    /// The document could not be read, decoded or fetched.
    #[error("identity schema {id:?}: cannot load {url}: {reason}")]
    Fetch {
        /// Schema id.
        id: String,
        /// The URL as configured (shortened).
        url: String,
        /// What failed.
        reason: String,
    },
    /// The document is not JSON, or not a JSON object.
    #[error("identity schema {id:?} at {url} is not a JSON object: {reason}")]
    Parse {
        /// Schema id.
        id: String,
        /// The URL as configured (shortened).
        url: String,
        /// Parser message.
        reason: String,
    },
    /// The document is not a valid JSON Schema (meta-schema check or compilation failed).
    #[error("identity schema {id:?} at {url} is not a valid JSON Schema: {reason}")]
    Invalid {
        /// Schema id.
        id: String,
        /// The URL as configured (shortened).
        url: String,
        /// Compiler message.
        reason: String,
    },
    /// An `ory.sh/kratos` annotation does not match `identity_extension.schema.json`.
    #[error("identity schema {id:?} at {url}: invalid \"ory.sh/kratos\" extension at {location}: {reason}")]
    Extension {
        /// Schema id.
        id: String,
        /// The URL as configured (shortened).
        url: String,
        /// JSON pointer of the offending annotation in the schema document.
        location: String,
        /// Validator message.
        reason: String,
    },
}

/// Shortens long URLs (inline `base64://` documents) for error messages and logs.
pub(crate) fn display_url(url: &str) -> String {
    const MAX: usize = 80;
    if url.chars().count() <= MAX {
        return url.to_owned();
    }
    let head: String = url.chars().take(MAX).collect();
    format!("{head}… ({} chars)", url.chars().count())
}
