//! Row ↔ domain helpers shared by both backends (the SQL differs, the assembly does not).

use std::collections::HashMap;

use serde::de::DeserializeOwned;
use uuid::Uuid;

use super::StoreError;
use crate::domain::message::{DispatchStatus, MessageStatus, MessageType};
use crate::domain::{
    Aal, Credential, Identity, IdentityState, RecoveryAddress, VerifiableAddress,
    VerificationStatus,
};

/// A row of the identity-children query: one credential or address of an identity.
pub(crate) enum Child {
    /// A credential.
    Credential(Credential),
    /// A verifiable address (rows arrive ordered by ordinal).
    Verifiable(VerifiableAddress),
    /// A recovery address (rows arrive ordered by ordinal).
    Recovery(RecoveryAddress),
}

/// The `kind` column values of the children query.
pub(crate) mod child_kind {
    /// `identity_credentials`.
    pub const CREDENTIAL: i32 = 0;
    /// `identity_verifiable_addresses`.
    pub const VERIFIABLE: i32 = 1;
    /// `identity_recovery_addresses`.
    pub const RECOVERY: i32 = 2;
}

/// Attaches children to their identities (identities keep their order).
pub(crate) fn attach(identities: &mut [Identity], children: Vec<(Uuid, Child)>) {
    let index: HashMap<Uuid, usize> = identities
        .iter()
        .enumerate()
        .map(|(i, identity)| (identity.id, i))
        .collect();
    for (identity_id, child) in children {
        let Some(&i) = index.get(&identity_id) else {
            continue;
        };
        let identity = &mut identities[i];
        match child {
            Child::Credential(c) => {
                identity.credentials.insert(c.credential_type.clone(), c);
            }
            Child::Verifiable(a) => identity.verifiable_addresses.push(a),
            Child::Recovery(a) => identity.recovery_addresses.push(a),
        }
    }
}

/// The credential id to store: a nil id (e.g. from a deserialised body) gets a fresh one.
pub(crate) fn credential_id(credential: &Credential) -> Uuid {
    if credential.id.is_nil() {
        Uuid::new_v4()
    } else {
        credential.id
    }
}

/// Parses a stored identity state.
pub(crate) fn state(s: &str) -> Result<IdentityState, StoreError> {
    IdentityState::parse(s).ok_or_else(|| corrupt("identity state", s))
}

/// Parses a stored AAL.
pub(crate) fn aal(s: &str) -> Result<Aal, StoreError> {
    Aal::parse(s).ok_or_else(|| corrupt("aal", s))
}

/// Parses a stored verification status.
pub(crate) fn status(s: &str) -> Result<VerificationStatus, StoreError> {
    VerificationStatus::parse(s).ok_or_else(|| corrupt("verification status", s))
}

/// Deserialises JSON text read from a column.
pub(crate) fn from_text<T: DeserializeOwned>(what: &str, s: &str) -> Result<T, StoreError> {
    serde_json::from_str(s).map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))
}

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("unknown {what} `{value}`"))
}

/// Embedded up-migrations whose version is not in `applied`.
pub(crate) fn pending(migrator: &sqlx::migrate::Migrator, applied: &[i64]) -> usize {
    migrator
        .iter()
        .filter(|m| m.migration_type.is_up_migration() && !applied.contains(&m.version))
        .count()
}

/// A stored courier message status.
pub(crate) fn message_status(s: String) -> Result<MessageStatus, StoreError> {
    MessageStatus::parse(&s).ok_or_else(|| corrupt("message status", &s))
}

/// A stored courier message type.
pub(crate) fn message_type(s: String) -> Result<MessageType, StoreError> {
    MessageType::parse(&s).ok_or_else(|| corrupt("message type", &s))
}

/// A stored dispatch status.
pub(crate) fn dispatch_status(s: &str) -> Result<DispatchStatus, StoreError> {
    DispatchStatus::parse(s).ok_or_else(|| corrupt("dispatch status", s))
}
