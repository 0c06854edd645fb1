//! Writing identities (row + children) to SQLite, inside a caller's transaction.

use std::collections::HashSet;

use sqlx::SqliteConnection;
use uuid::Uuid;

use super::us;
use crate::domain::Identity;
use crate::store::{rows, Result, StoreError};

/// Inserts the identity row and all its children.
pub(super) async fn insert_identity(
    conn: &mut SqliteConnection,
    identity: &Identity,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO identities (id, schema_id, state, state_changed_at, traits, metadata_public, \
             metadata_admin, external_id, available_aal, created_at, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )
    .bind(identity.id)
    .bind(&identity.schema_id)
    .bind(identity.state.as_str())
    .bind(identity.state_changed_at.map(us))
    .bind(json(&identity.traits)?)
    .bind(identity.metadata_public.as_ref().map(json).transpose()?)
    .bind(identity.metadata_admin.as_ref().map(json).transpose()?)
    .bind(&identity.external_id)
    .bind(identity.compute_available_aal().as_str())
    .bind(us(identity.created_at))
    .bind(us(identity.updated_at))
    .execute(&mut *conn)
    .await?;
    insert_children(conn, identity).await
}

/// Replaces the identity row's fields and all its children; `NotFound` if absent.
pub(super) async fn replace_identity(
    conn: &mut SqliteConnection,
    identity: &Identity,
) -> Result<()> {
    let done = sqlx::query(
        "UPDATE identities SET schema_id = ?2, state = ?3, state_changed_at = ?4, traits = ?5, \
             metadata_public = ?6, metadata_admin = ?7, external_id = ?8, available_aal = ?9, \
             updated_at = ?10 \
         WHERE id = ?1",
    )
    .bind(identity.id)
    .bind(&identity.schema_id)
    .bind(identity.state.as_str())
    .bind(identity.state_changed_at.map(us))
    .bind(json(&identity.traits)?)
    .bind(identity.metadata_public.as_ref().map(json).transpose()?)
    .bind(identity.metadata_admin.as_ref().map(json).transpose()?)
    .bind(&identity.external_id)
    .bind(identity.compute_available_aal().as_str())
    .bind(us(identity.updated_at))
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    // Identifiers go with their credentials (ON DELETE CASCADE).
    for table in [
        "identity_credentials",
        "identity_verifiable_addresses",
        "identity_recovery_addresses",
    ] {
        sqlx::query(&format!("DELETE FROM {table} WHERE identity_id = ?1"))
            .bind(identity.id)
            .execute(&mut *conn)
            .await?;
    }
    insert_children(conn, identity).await
}

async fn insert_children(conn: &mut SqliteConnection, identity: &Identity) -> Result<()> {
    for credential in identity.credentials.values() {
        let credential_id = rows::credential_id(credential);
        sqlx::query(
            "INSERT INTO identity_credentials (id, identity_id, credential_type, identifiers, \
                 config, version, created_at, updated_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )
        .bind(credential_id)
        .bind(identity.id)
        .bind(&credential.credential_type)
        .bind(json(&credential.identifiers)?)
        .bind(json(&credential.config)?)
        .bind(credential.version)
        .bind(us(credential.created_at))
        .bind(us(credential.updated_at))
        .execute(&mut *conn)
        .await?;
        let mut seen = HashSet::new();
        for identifier in credential.identifiers.iter().filter(|i| seen.insert(*i)) {
            insert_identifier(
                conn,
                identifier,
                &credential.credential_type,
                identity.id,
                credential_id,
            )
            .await?;
        }
    }
    for (ordinal, a) in identity.verifiable_addresses.iter().enumerate() {
        sqlx::query(
            "INSERT INTO identity_verifiable_addresses (id, identity_id, ordinal, via, value, \
                 verified, status, verified_at, created_at, updated_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )
        .bind(a.id)
        .bind(identity.id)
        .bind(ordinal as i64)
        .bind(&a.via)
        .bind(&a.value)
        .bind(a.verified)
        .bind(a.status.as_str())
        .bind(a.verified_at.map(us))
        .bind(us(a.created_at))
        .bind(us(a.updated_at))
        .execute(&mut *conn)
        .await?;
    }
    for (ordinal, a) in identity.recovery_addresses.iter().enumerate() {
        sqlx::query(
            "INSERT INTO identity_recovery_addresses (id, identity_id, ordinal, via, value, \
                 created_at, updated_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )
        .bind(a.id)
        .bind(identity.id)
        .bind(ordinal as i64)
        .bind(&a.via)
        .bind(&a.value)
        .bind(us(a.created_at))
        .bind(us(a.updated_at))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

async fn insert_identifier(
    conn: &mut SqliteConnection,
    identifier: &str,
    credential_type: &str,
    identity_id: Uuid,
    credential_id: Uuid,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO identity_credential_identifiers (identifier, credential_type, identity_id, \
             identity_credential_id) \
         VALUES (?1, ?2, ?3, ?4)",
    )
    .bind(identifier)
    .bind(credential_type)
    .bind(identity_id)
    .bind(credential_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// JSON text for a TEXT column.
pub(super) fn json<T: serde::Serialize + ?Sized>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| StoreError::Corrupt(format!("serialise: {e}")))
}
