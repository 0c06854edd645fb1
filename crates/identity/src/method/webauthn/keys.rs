//! The keys of an identity as stored in its `webauthn` or `passkey` credential, in Kratos'
//! layout (`{"credentials": [{id, display_name, added_at, is_passwordless, authenticator,
//! …}], "user_handle": …}`, byte fields in standard base64) plus the verified key itself
//! (`key`, webauthn-rs' credential: public key, counter, policy).

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use webauthn_rs_core::proto::{AuthenticationResult, Credential};

use crate::domain::identity::new_credential;
use crate::domain::{self, Identity};

/// The keys of one credential type.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct StoredKeys {
    /// The keys, oldest first.
    #[serde(default)]
    pub credentials: Vec<StoredKey>,
    /// The WebAuthn user handle the keys were registered for (standard base64).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub user_handle: String,
}

/// One registered key.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredKey {
    /// Credential id (standard base64, as Kratos stores `[]byte`).
    pub id: String,
    /// The name the person gave it.
    #[serde(default)]
    pub display_name: String,
    /// When it was added.
    pub added_at: DateTime<Utc>,
    /// Whether it signs in on its own (passkeys, passwordless WebAuthn).
    #[serde(default)]
    pub is_passwordless: bool,
    /// Attestation format (`none`, `packed`, …).
    #[serde(default)]
    pub attestation_type: String,
    /// Authenticator data Kratos keeps.
    #[serde(default)]
    pub authenticator: AuthenticatorInfo,
    /// The verified key.
    pub key: Credential,
}

/// `authenticator` of a stored key.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AuthenticatorInfo {
    /// Authenticator model (standard base64 of the 16-byte AAGUID).
    #[serde(default)]
    pub aaguid: String,
    /// Signature counter.
    #[serde(default)]
    pub sign_count: u32,
    /// Set when a counter went backwards (a cloned key).
    #[serde(default)]
    pub clone_warning: bool,
}

impl StoredKey {
    /// A key just registered.
    pub fn new(key: Credential, display_name: &str, is_passwordless: bool) -> Self {
        use webauthn_rs_core::proto::AttestationMetadata as M;
        let aaguid = match &key.attestation.metadata {
            M::Packed { aaguid } | M::Tpm { aaguid, .. } => STANDARD.encode(aaguid.as_bytes()),
            _ => String::new(),
        };
        StoredKey {
            id: STANDARD.encode(&key.cred_id),
            display_name: display_name.trim().to_string(),
            added_at: chrono::SubsecRound::trunc_subsecs(domain::now(), 0),
            is_passwordless,
            attestation_type: format!("{:?}", key.attestation_format).to_lowercase(),
            authenticator: AuthenticatorInfo {
                aaguid,
                sign_count: key.counter,
                clone_warning: false,
            },
            key,
        }
    }

    /// The id as the settings' remove buttons carry it (lower-case hex).
    pub fn hex_id(&self) -> String {
        hex::encode(&self.key.cred_id)
    }

    /// The name shown, "unnamed" when none was given (as Kratos).
    pub fn shown_name(&self) -> &str {
        if self.display_name.is_empty() {
            "unnamed"
        } else {
            &self.display_name
        }
    }
}

impl StoredKeys {
    /// The keys of `identity`'s `credential_type` credential (none when it has none or it
    /// does not parse).
    pub fn of(identity: &Identity, credential_type: &str) -> StoredKeys {
        identity
            .credential(credential_type)
            .and_then(|c| serde_json::from_value(c.config.clone()).ok())
            .unwrap_or_default()
    }

    /// The verified keys, for a ceremony.
    pub fn verified(&self) -> Vec<Credential> {
        self.credentials.iter().map(|k| k.key.clone()).collect()
    }

    /// Credential ids, to exclude from a new registration.
    pub fn ids(&self) -> Vec<Vec<u8>> {
        self.credentials
            .iter()
            .map(|k| k.key.cred_id.clone())
            .collect()
    }

    /// Whether a key with this credential id is registered.
    pub fn contains(&self, cred_id: &[u8]) -> bool {
        self.credentials.iter().any(|k| k.key.cred_id == cred_id)
    }

    /// Removes the key whose hex id is `hex_id`; returns it.
    pub fn remove(&mut self, hex_id: &str) -> Option<StoredKey> {
        let at = self
            .credentials
            .iter()
            .position(|k| k.hex_id().eq_ignore_ascii_case(hex_id.trim()))?;
        Some(self.credentials.remove(at))
    }

    /// Records a successful authentication (counter, backup state); returns whether a key
    /// changed.
    pub fn record_use(&mut self, result: &AuthenticationResult) -> bool {
        let Some(k) = self
            .credentials
            .iter_mut()
            .find(|k| &k.key.cred_id == result.cred_id())
        else {
            return false;
        };
        let mut changed = false;
        if result.counter() > k.key.counter {
            k.key.counter = result.counter();
            k.authenticator.sign_count = result.counter();
            changed = true;
        }
        if result.backup_state() != k.key.backup_state {
            k.key.backup_state = result.backup_state();
            changed = true;
        }
        if result.backup_eligible() && !k.key.backup_eligible {
            k.key.backup_eligible = true;
            changed = true;
        }
        changed
    }

    /// Stores the keys on `identity` as its `credential_type` credential (removing the
    /// credential when no key is left). `identifiers` become the credential's identifiers.
    pub fn save_to(
        &self,
        identity: &mut Identity,
        credential_type: &str,
        identifiers: Vec<String>,
    ) {
        if self.credentials.is_empty() {
            identity.credentials.remove(credential_type);
            identity.available_aal = identity.compute_available_aal();
            return;
        }
        let config = serde_json::to_value(self).unwrap_or(Value::Null);
        match identity.credentials.get_mut(credential_type) {
            Some(c) => {
                c.config = config;
                c.identifiers = identifiers;
                c.updated_at = domain::now();
                identity.available_aal = identity.compute_available_aal();
            }
            None => identity.set_credential(new_credential(credential_type, identifiers, config)),
        }
    }

    /// The user handle's bytes.
    pub fn user_handle_bytes(&self) -> Option<Vec<u8>> {
        STANDARD.decode(&self.user_handle).ok()
    }
}

/// Encodes a user handle as stored.
pub fn encode_user_handle(handle: &[u8]) -> String {
    STANDARD.encode(handle)
}
