//! Request bodies of the identity admin API (openapi.json `createIdentityBody`,
//! `updateIdentityBody`, `identityWithCredentials`, `patchIdentitiesBody`), and their
//! conversion into domain addresses.

use serde::Deserialize;
use serde_json::Value;
use uuid::Uuid;

use crate::domain::{self, ApiError, RecoveryAddress, Timestamp, VerifiableAddress};
use crate::domain::{IdentityState, VerificationStatus};

/// `POST /admin/identities` (and each `create` of a batch). Unknown fields are refused, as
/// Kratos' strict decoder does.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateIdentityBody {
    /// Schema id; empty means the default schema.
    #[serde(default)]
    pub schema_id: String,
    /// Traits (validated against the schema).
    #[serde(default)]
    pub traits: Option<Value>,
    /// Credentials to import.
    #[serde(default)]
    pub credentials: Option<ImportCredentials>,
    /// Addresses with their verification state; only those the traits carry are kept.
    #[serde(default)]
    pub verifiable_addresses: Vec<AddressInput>,
    /// Recovery addresses; only those the traits carry are kept.
    #[serde(default)]
    pub recovery_addresses: Vec<AddressInput>,
    /// Metadata the identity can see.
    #[serde(default)]
    pub metadata_public: Option<Value>,
    /// Metadata only admins see.
    #[serde(default)]
    pub metadata_admin: Option<Value>,
    /// `active` (default) or `inactive`.
    #[serde(default)]
    pub state: Option<String>,
    /// Unique id in an external system.
    #[serde(default)]
    pub external_id: Option<String>,
    /// Ory Network only: accepted and ignored.
    #[serde(default)]
    pub organization_id: Option<Value>,
}

/// `PUT /admin/identities/{id}`: replaces traits, metadata and external id; keeps the schema,
/// state and credentials unless given.
#[derive(Debug, Default, Deserialize)]
pub struct UpdateIdentityBody {
    /// New schema id; empty keeps the current one.
    #[serde(default)]
    pub schema_id: String,
    /// Traits (validated against the schema).
    #[serde(default)]
    pub traits: Option<Value>,
    /// Credentials to import (replacing the password, adding social sign-in links).
    #[serde(default)]
    pub credentials: Option<ImportCredentials>,
    /// Metadata the identity can see.
    #[serde(default)]
    pub metadata_public: Option<Value>,
    /// Metadata only admins see.
    #[serde(default)]
    pub metadata_admin: Option<Value>,
    /// New state; empty keeps the current one.
    #[serde(default)]
    pub state: Option<String>,
    /// Unique id in an external system.
    #[serde(default)]
    pub external_id: Option<String>,
}

/// `identityWithCredentials`.
#[derive(Debug, Default, Deserialize)]
pub struct ImportCredentials {
    /// A password, plain or hashed.
    #[serde(default)]
    pub password: Option<PasswordImport>,
    /// Social sign-in links.
    #[serde(default)]
    pub oidc: Option<OidcImport>,
    /// Ory Network only: accepted and ignored.
    #[serde(default)]
    pub saml: Option<Value>,
}

/// `identityWithCredentialsPassword`.
#[derive(Debug, Default, Deserialize)]
pub struct PasswordImport {
    /// The password or its hash.
    #[serde(default)]
    pub config: PasswordImportConfig,
}

/// `identityWithCredentialsPasswordConfig`. `Debug` hides the secrets.
#[derive(Default, Deserialize)]
pub struct PasswordImportConfig {
    /// A hash in one of the importable formats.
    #[serde(default)]
    pub hashed_password: Option<String>,
    /// A plaintext password, hashed with the configured hasher (wins over `hashed_password`).
    #[serde(default)]
    pub password: Option<String>,
    /// Verify through a migration web hook (not supported here: refused).
    #[serde(default)]
    pub use_password_migration_hook: bool,
}

impl std::fmt::Debug for PasswordImportConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordImportConfig")
            .field(
                "hashed_password",
                &self.hashed_password.as_ref().map(|_| "<redacted>"),
            )
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field(
                "use_password_migration_hook",
                &self.use_password_migration_hook,
            )
            .finish()
    }
}

/// `identityWithCredentialsOidc`.
#[derive(Debug, Default, Deserialize)]
pub struct OidcImport {
    /// The providers.
    #[serde(default)]
    pub config: OidcImportConfig,
}

/// `identityWithCredentialsOidcConfig`.
#[derive(Debug, Default, Deserialize)]
pub struct OidcImportConfig {
    /// One entry per linked provider account.
    #[serde(default)]
    pub providers: Vec<OidcProviderImport>,
}

/// `identityWithCredentialsOidcConfigProvider`.
#[derive(Debug, Deserialize)]
pub struct OidcProviderImport {
    /// The `sub` at the provider.
    pub subject: String,
    /// Provider id, e.g. `google`.
    pub provider: String,
    /// Allow automatic linking on first sign-in.
    #[serde(default)]
    pub use_auto_link: bool,
    /// Ory Network only: accepted and ignored.
    #[serde(default)]
    pub organization: Option<Value>,
}

/// A verifiable or recovery address as callers send it (`verifiableIdentityAddress`,
/// `recoveryIdentityAddress`); read-only fields are accepted and mostly ignored.
#[derive(Debug, Clone, Deserialize)]
pub struct AddressInput {
    /// Kept when the address is already known.
    #[serde(default)]
    pub id: Option<Uuid>,
    /// The address.
    pub value: String,
    /// `email` or `sms`.
    pub via: String,
    /// Whether it is verified (verifiable addresses only).
    #[serde(default)]
    pub verified: bool,
    /// `pending`, `sent` or `completed` (verifiable addresses only).
    #[serde(default)]
    pub status: Option<String>,
    /// When it was verified.
    #[serde(default)]
    pub verified_at: Option<Timestamp>,
    /// Kept when the address is already known.
    #[serde(default)]
    pub created_at: Option<Timestamp>,
    /// Read-only.
    #[serde(default)]
    pub updated_at: Option<Timestamp>,
}

impl AddressInput {
    /// The verifiable address (value lowercased as Kratos does; status from `verified` when
    /// not given).
    pub fn verifiable(&self) -> Result<VerifiableAddress, ApiError> {
        let now = domain::now();
        let status = match self.status.as_deref().filter(|s| !s.is_empty()) {
            None if self.verified => VerificationStatus::Completed,
            None => VerificationStatus::Pending,
            Some(s) => VerificationStatus::parse(s).ok_or_else(|| {
                ApiError::bad_request(format!(
                    "The verifiable address status \"{s}\" is not valid: use pending, sent or completed."
                ))
            })?,
        };
        Ok(VerifiableAddress {
            id: self.id.unwrap_or_else(Uuid::new_v4),
            value: self.value.trim().to_lowercase(),
            verified: self.verified,
            via: self.via.clone(),
            status,
            verified_at: self.verified_at.or(self.verified.then_some(now)),
            created_at: self.created_at.unwrap_or(now),
            updated_at: now,
        })
    }

    /// The recovery address (value lowercased as Kratos does).
    pub fn recovery(&self) -> RecoveryAddress {
        let now = domain::now();
        RecoveryAddress {
            id: self.id.unwrap_or_else(Uuid::new_v4),
            value: self.value.trim().to_lowercase(),
            via: self.via.clone(),
            created_at: self.created_at.unwrap_or(now),
            updated_at: now,
        }
    }
}

/// `patchIdentitiesBody`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchBody {
    /// The patches, in order.
    pub identities: Vec<BatchPatch>,
}

/// `identityPatch`: only `create` exists in Kratos v26.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchPatch {
    /// The identity to create.
    #[serde(default)]
    pub create: Option<Value>,
    /// Echoed back so callers can correlate results.
    #[serde(default)]
    pub patch_id: Option<Uuid>,
}

/// Parses a state name; `None` or empty means "not given".
pub fn state(raw: Option<&str>) -> Result<Option<IdentityState>, ApiError> {
    match raw.filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => IdentityState::parse(s).map(Some).ok_or_else(|| {
            ApiError::bad_request(format!(
                "identity state is not valid: \"{s}\" (use active or inactive)"
            ))
        }),
    }
}

/// JSON `null` and absence both mean "no metadata".
pub fn metadata(v: Option<Value>) -> Option<Value> {
    v.filter(|v| !v.is_null())
}

/// An empty external id means none.
pub fn external_id(v: Option<String>) -> Option<String> {
    v.filter(|s| !s.is_empty())
}
