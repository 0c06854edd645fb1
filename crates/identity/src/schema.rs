//! Identity JSON schemas with the `ory.sh/kratos` extension.
//!
//! A [`SchemaRegistry`] loads the configured schemas once at start-up (`file://`, `base64://`,
//! `http(s)://`). Each [`IdentitySchema`] then answers the three questions the flows ask:
//! are these traits valid ([`IdentitySchema::validate_traits`], errors already shaped as Kratos
//! UI messages), which identifiers and addresses do they carry ([`IdentitySchema::extract`]),
//! and which inputs does a registration or settings form show ([`IdentitySchema::form_fields`]).

mod branches;
mod error;
mod extension;
mod extension_checks;
mod extract;
mod fields;
mod formats;
mod identity_schema;
mod messages;
mod pointer;
mod registry;
mod source;
mod translate;
mod validate;

pub use error::SchemaError;
pub use extension::{ExtensionConfig, Via};
pub use extract::TraitsInfo;
pub use fields::{FieldLabel, TraitField};
pub use identity_schema::IdentitySchema;
pub use registry::{decode_id, encoded_id, schema_url, SchemaEntry, SchemaRegistry};
pub use validate::TraitError;
