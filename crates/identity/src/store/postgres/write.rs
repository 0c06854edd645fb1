//! Writing identities (row + children) to PostgreSQL, inside a caller's transaction.

use std::collections::HashSet;

use sqlx::types::Json;
use sqlx::PgConnection;

use crate::domain::Identity;
use crate::store::{rows, Result, StoreError};

/// Inserts the identity row and all its children.
pub(super) async fn insert_identity(conn: &mut PgConnection, identity: &Identity) -> Result<()> {
    sqlx::query(
        "INSERT INTO identities (id, schema_id, state, state_changed_at, traits, metadata_public, \
             metadata_admin, external_id, available_aal, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(identity.id)
    .bind(&identity.schema_id)
    .bind(identity.state.as_str())
    .bind(identity.state_changed_at)
    .bind(Json(&identity.traits))
    .bind(identity.metadata_public.as_ref().map(Json))
    .bind(identity.metadata_admin.as_ref().map(Json))
    .bind(&identity.external_id)
    .bind(identity.compute_available_aal().as_str())
    .bind(identity.created_at)
    .bind(identity.updated_at)
    .execute(&mut *conn)
    .await?;
    insert_children(conn, identity).await
}

/// Replaces the identity row's fields and all its children; `NotFound` if absent.
pub(super) async fn replace_identity(conn: &mut PgConnection, identity: &Identity) -> Result<()> {
    let done = sqlx::query(
        "UPDATE identities SET schema_id = $2, state = $3, state_changed_at = $4, traits = $5, \
             metadata_public = $6, metadata_admin = $7, external_id = $8, available_aal = $9, \
             updated_at = $10 \
         WHERE id = $1",
    )
    .bind(identity.id)
    .bind(&identity.schema_id)
    .bind(identity.state.as_str())
    .bind(identity.state_changed_at)
    .bind(Json(&identity.traits))
    .bind(identity.metadata_public.as_ref().map(Json))
    .bind(identity.metadata_admin.as_ref().map(Json))
    .bind(&identity.external_id)
    .bind(identity.compute_available_aal().as_str())
    .bind(identity.updated_at)
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
        sqlx::query(&format!("DELETE FROM {table} WHERE identity_id = $1"))
            .bind(identity.id)
            .execute(&mut *conn)
            .await?;
    }
    insert_children(conn, identity).await
}

async fn insert_children(conn: &mut PgConnection, identity: &Identity) -> Result<()> {
    for credential in identity.credentials.values() {
        let credential_id = rows::credential_id(credential);
        sqlx::query(
            "INSERT INTO identity_credentials (id, identity_id, credential_type, identifiers, \
                 config, version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(credential_id)
        .bind(identity.id)
        .bind(&credential.credential_type)
        .bind(Json(&credential.identifiers))
        .bind(Json(&credential.config))
        .bind(credential.version)
        .bind(credential.created_at)
        .bind(credential.updated_at)
        .execute(&mut *conn)
        .await?;
        let mut seen = HashSet::new();
        let identifiers: Vec<&str> = credential
            .identifiers
            .iter()
            .filter(|i| seen.insert(*i))
            .map(String::as_str)
            .collect();
        if !identifiers.is_empty() {
            sqlx::query(
                "INSERT INTO identity_credential_identifiers (identifier, credential_type, \
                     identity_id, identity_credential_id) \
                 SELECT i, $2, $3, $4 FROM UNNEST($1::text[]) AS i",
            )
            .bind(&identifiers)
            .bind(&credential.credential_type)
            .bind(identity.id)
            .bind(credential_id)
            .execute(&mut *conn)
            .await?;
        }
    }
    for (ordinal, a) in identity.verifiable_addresses.iter().enumerate() {
        sqlx::query(
            "INSERT INTO identity_verifiable_addresses (id, identity_id, ordinal, via, value, \
                 verified, status, verified_at, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(a.id)
        .bind(identity.id)
        .bind(ordinal as i32)
        .bind(&a.via)
        .bind(&a.value)
        .bind(a.verified)
        .bind(a.status.as_str())
        .bind(a.verified_at)
        .bind(a.created_at)
        .bind(a.updated_at)
        .execute(&mut *conn)
        .await?;
    }
    for (ordinal, a) in identity.recovery_addresses.iter().enumerate() {
        sqlx::query(
            "INSERT INTO identity_recovery_addresses (id, identity_id, ordinal, via, value, \
                 created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(a.id)
        .bind(identity.id)
        .bind(ordinal as i32)
        .bind(&a.via)
        .bind(&a.value)
        .bind(a.created_at)
        .bind(a.updated_at)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}
