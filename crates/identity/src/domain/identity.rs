//! Identities, their credentials and their addresses.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use super::{Aal, Timestamp};

/// Whether an identity may sign in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum IdentityState {
    /// May sign in; sessions work.
    #[default]
    Active,
    /// Cannot sign in; existing sessions stop working.
    Inactive,
}

impl IdentityState {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            IdentityState::Active => "active",
            IdentityState::Inactive => "inactive",
        }
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "active" => Some(Self::Active),
            "inactive" => Some(Self::Inactive),
            _ => None,
        }
    }
}

/// Credential type names as Kratos spells them (`password`, `totp`, …).
pub type CredentialType = String;

/// Well-known credential type names.
pub mod credential_type {
    /// Password.
    pub const PASSWORD: &str = "password";
    /// TOTP.
    pub const TOTP: &str = "totp";
    /// Lookup secrets (recovery codes).
    pub const LOOKUP_SECRET: &str = "lookup_secret";
    /// WebAuthn.
    pub const WEBAUTHN: &str = "webauthn";
    /// Passkeys.
    pub const PASSKEY: &str = "passkey";
    /// One-time codes.
    pub const CODE: &str = "code";
    /// Social sign-in.
    pub const OIDC: &str = "oidc";
}

/// One credential of an identity.
#[derive(Clone, Serialize, Deserialize, PartialEq)]
pub struct Credential {
    /// Internal id (not on the wire).
    #[serde(skip)]
    pub id: Uuid,
    /// Type name, e.g. `password`.
    #[serde(rename = "type")]
    pub credential_type: CredentialType,
    /// Identifiers the identity can sign in with through this credential.
    pub identifiers: Vec<String>,
    /// Method-specific configuration (e.g. `{"hashed_password": …}`). Secret material.
    pub config: Value,
    /// Version of the config layout.
    pub version: i32,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credential")
            .field("type", &self.credential_type)
            .field("identifiers", &self.identifiers)
            .field("config", &"<redacted>")
            .finish()
    }
}

/// Verification status of an address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum VerificationStatus {
    /// Nothing sent yet.
    #[default]
    Pending,
    /// A code or link was sent.
    Sent,
    /// Verified.
    Completed,
}

impl VerificationStatus {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sent => "sent",
            Self::Completed => "completed",
        }
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pending" => Some(Self::Pending),
            "sent" => Some(Self::Sent),
            "completed" => Some(Self::Completed),
            _ => None,
        }
    }
}

/// An address that can be verified (from the schema's `verification.via`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct VerifiableAddress {
    /// Address id.
    pub id: Uuid,
    /// The address itself.
    pub value: String,
    /// Whether it is verified.
    pub verified: bool,
    /// `email` or `sms`.
    pub via: String,
    /// Status.
    pub status: VerificationStatus,
    /// When it was verified.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verified_at: Option<Timestamp>,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
}

/// An address recovery messages can go to (from the schema's `recovery.via`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RecoveryAddress {
    /// Address id.
    pub id: Uuid,
    /// The address itself.
    pub value: String,
    /// `email` or `sms`.
    pub via: String,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
}

/// A person (or machine) known to the identity server.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Identity {
    /// Identity id.
    pub id: Uuid,
    /// Id of the identity schema its traits follow.
    pub schema_id: String,
    /// URL of that schema on the public API (filled by the HTTP layer).
    #[serde(default)]
    pub schema_url: String,
    /// Active or inactive.
    pub state: IdentityState,
    /// When `state` last changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state_changed_at: Option<Timestamp>,
    /// Schema-validated traits.
    pub traits: Value,
    /// Verifiable addresses.
    pub verifiable_addresses: Vec<VerifiableAddress>,
    /// Recovery addresses.
    pub recovery_addresses: Vec<RecoveryAddress>,
    /// Metadata the identity may see.
    pub metadata_public: Option<Value>,
    /// Metadata only the admin API shows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata_admin: Option<Value>,
    /// Id in an external system.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// Credentials by type; only the admin API shows them.
    #[serde(skip_serializing_if = "BTreeMap::is_empty", default)]
    pub credentials: BTreeMap<CredentialType, Credential>,
    /// The highest AAL the identity's credentials allow (internal).
    #[serde(skip)]
    pub available_aal: Aal,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
}

impl Identity {
    /// A new active identity with the given schema and traits, no credentials.
    pub fn new(schema_id: impl Into<String>, traits: Value) -> Self {
        let now = super::now();
        Identity {
            id: Uuid::new_v4(),
            schema_id: schema_id.into(),
            schema_url: String::new(),
            state: IdentityState::Active,
            state_changed_at: Some(now),
            traits,
            verifiable_addresses: Vec::new(),
            recovery_addresses: Vec::new(),
            metadata_public: None,
            metadata_admin: None,
            external_id: None,
            credentials: BTreeMap::new(),
            available_aal: Aal::Aal0,
            created_at: now,
            updated_at: now,
        }
    }

    /// Whether the identity may sign in and use sessions.
    pub fn is_active(&self) -> bool {
        self.state == IdentityState::Active
    }

    /// The credential of the given type, if any.
    pub fn credential(&self, credential_type: &str) -> Option<&Credential> {
        self.credentials.get(credential_type)
    }

    /// Sets (or replaces) a credential and recomputes `available_aal`.
    pub fn set_credential(&mut self, credential: Credential) {
        self.credentials
            .insert(credential.credential_type.clone(), credential);
        self.available_aal = self.compute_available_aal();
    }

    /// aal2 if any multi-factor credential (no first factor needed, kratos v26.2.0
    /// `identity.SetAvailableAAL`), aal1 if any first factor, else aal0. Lookup secrets count
    /// while the credential holds codes, used or not (as Kratos counts them).
    pub fn compute_available_aal(&self) -> Aal {
        use credential_type::*;
        let has = |t: &str| self.credentials.contains_key(t);
        let first = has(PASSWORD) || has(OIDC) || has(PASSKEY) || has(CODE) || has(WEBAUTHN);
        let second = has(TOTP) || self.has_lookup_codes() || self.has_webauthn_second_factor();
        if second {
            Aal::Aal2
        } else if first {
            Aal::Aal1
        } else {
            Aal::Aal0
        }
    }

    fn has_lookup_codes(&self) -> bool {
        self.credentials
            .get(credential_type::LOOKUP_SECRET)
            .and_then(|c| c.config.get("recovery_codes"))
            .and_then(Value::as_array)
            .is_some_and(|codes| !codes.is_empty())
    }

    fn has_webauthn_second_factor(&self) -> bool {
        self.credentials
            .get(credential_type::WEBAUTHN)
            .and_then(|c| c.config.get("credentials"))
            .and_then(Value::as_array)
            .is_some_and(|creds| {
                creds.iter().any(|c| {
                    !c.get("is_passwordless")
                        .and_then(Value::as_bool)
                        .unwrap_or(false)
                })
            })
    }
}

/// Builds a credential of `credential_type` with the current time.
pub fn new_credential(
    credential_type: &str,
    identifiers: Vec<String>,
    config: Value,
) -> Credential {
    let now = super::now();
    Credential {
        id: Uuid::new_v4(),
        credential_type: credential_type.to_string(),
        identifiers,
        config,
        version: 0,
        created_at: now,
        updated_at: now,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn available_aal_follows_kratos_v26() {
        let mut i = Identity::new("default", json!({}));
        assert_eq!(i.compute_available_aal(), Aal::Aal0);
        i.set_credential(new_credential(
            credential_type::PASSWORD,
            vec!["a@b.c".into()],
            json!({}),
        ));
        assert_eq!(i.available_aal, Aal::Aal1);
        let empty = json!({ "recovery_codes": [] });
        i.set_credential(new_credential(
            credential_type::LOOKUP_SECRET,
            vec![],
            empty,
        ));
        assert_eq!(
            i.available_aal,
            Aal::Aal1,
            "a lookup credential without codes"
        );
        let codes = json!({ "recovery_codes": [{ "hashed_code": "x", "used_at": "2026-01-01T00:00:00Z" }] });
        i.set_credential(new_credential(
            credential_type::LOOKUP_SECRET,
            vec![],
            codes,
        ));
        assert_eq!(i.available_aal, Aal::Aal2);
        i.credentials.remove(credential_type::PASSWORD);
        i.credentials.remove(credential_type::LOOKUP_SECRET);
        i.set_credential(new_credential(
            credential_type::TOTP,
            vec![],
            json!({ "totp_url": "otpauth://totp/x?secret=AB" }),
        ));
        assert_eq!(i.available_aal, Aal::Aal2, "no first factor needed");
    }
}
