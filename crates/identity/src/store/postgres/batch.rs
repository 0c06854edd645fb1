//! Bulk insert for imports: every table of a chunk in a few multi-row statements.

use std::collections::HashSet;

use sqlx::types::Json;
use sqlx::{PgConnection, Postgres, QueryBuilder};
use uuid::Uuid;

use crate::domain::{Credential, Identity};
use crate::store::{rows, Result};

/// Rows per statement: 11 columns × 1000 stays below PostgreSQL's 65535 parameters.
const ROWS: usize = 1000;

/// Inserts all identities and their children; any error (e.g. a conflict) fails the whole
/// call, and the caller retries item by item to find the culprit.
pub(super) async fn insert_many(conn: &mut PgConnection, identities: &[Identity]) -> Result<()> {
    for part in identities.chunks(ROWS) {
        QueryBuilder::<Postgres>::new(
            "INSERT INTO identities (id, schema_id, state, state_changed_at, traits, \
                 metadata_public, metadata_admin, external_id, available_aal, created_at, updated_at) ",
        )
        .push_values(part, |mut b, i| {
            b.push_bind(i.id)
                .push_bind(&i.schema_id)
                .push_bind(i.state.as_str())
                .push_bind(i.state_changed_at)
                .push_bind(Json(&i.traits))
                .push_bind(i.metadata_public.as_ref().map(Json))
                .push_bind(i.metadata_admin.as_ref().map(Json))
                .push_bind(&i.external_id)
                .push_bind(i.compute_available_aal().as_str())
                .push_bind(i.created_at)
                .push_bind(i.updated_at);
        })
        .build()
        .execute(&mut *conn)
        .await?;
    }

    let credentials: Vec<(Uuid, Uuid, &Credential)> = identities
        .iter()
        .flat_map(|i| {
            i.credentials
                .values()
                .map(move |c| (rows::credential_id(c), i.id, c))
        })
        .collect();
    for part in credentials.chunks(ROWS) {
        QueryBuilder::<Postgres>::new(
            "INSERT INTO identity_credentials (id, identity_id, credential_type, identifiers, \
                 config, version, created_at, updated_at) ",
        )
        .push_values(part, |mut b, (id, identity_id, c)| {
            b.push_bind(*id)
                .push_bind(*identity_id)
                .push_bind(&c.credential_type)
                .push_bind(Json(&c.identifiers))
                .push_bind(Json(&c.config))
                .push_bind(c.version)
                .push_bind(c.created_at)
                .push_bind(c.updated_at);
        })
        .build()
        .execute(&mut *conn)
        .await?;
    }

    let identifiers: Vec<(&str, &str, Uuid, Uuid)> = credentials
        .iter()
        .flat_map(|(id, identity_id, c)| {
            let mut seen = HashSet::new();
            c.identifiers
                .iter()
                .filter(move |i| seen.insert(*i))
                .map(move |i| (i.as_str(), c.credential_type.as_str(), *identity_id, *id))
        })
        .collect();
    for part in identifiers.chunks(ROWS) {
        QueryBuilder::<Postgres>::new(
            "INSERT INTO identity_credential_identifiers (identifier, credential_type, \
                 identity_id, identity_credential_id) ",
        )
        .push_values(
            part,
            |mut b, (identifier, credential_type, identity_id, id)| {
                b.push_bind(*identifier)
                    .push_bind(*credential_type)
                    .push_bind(*identity_id)
                    .push_bind(*id);
            },
        )
        .build()
        .execute(&mut *conn)
        .await?;
    }

    let verifiable: Vec<_> = identities
        .iter()
        .flat_map(|i| {
            i.verifiable_addresses
                .iter()
                .enumerate()
                .map(move |(n, a)| (i.id, n, a))
        })
        .collect();
    for part in verifiable.chunks(ROWS) {
        QueryBuilder::<Postgres>::new(
            "INSERT INTO identity_verifiable_addresses (id, identity_id, ordinal, via, value, \
                 verified, status, verified_at, created_at, updated_at) ",
        )
        .push_values(part, |mut b, (identity_id, ordinal, a)| {
            b.push_bind(a.id)
                .push_bind(*identity_id)
                .push_bind(*ordinal as i32)
                .push_bind(&a.via)
                .push_bind(&a.value)
                .push_bind(a.verified)
                .push_bind(a.status.as_str())
                .push_bind(a.verified_at)
                .push_bind(a.created_at)
                .push_bind(a.updated_at);
        })
        .build()
        .execute(&mut *conn)
        .await?;
    }

    let recovery: Vec<_> = identities
        .iter()
        .flat_map(|i| {
            i.recovery_addresses
                .iter()
                .enumerate()
                .map(move |(n, a)| (i.id, n, a))
        })
        .collect();
    for part in recovery.chunks(ROWS) {
        QueryBuilder::<Postgres>::new(
            "INSERT INTO identity_recovery_addresses (id, identity_id, ordinal, via, value, \
                 created_at, updated_at) ",
        )
        .push_values(part, |mut b, (identity_id, ordinal, a)| {
            b.push_bind(a.id)
                .push_bind(*identity_id)
                .push_bind(*ordinal as i32)
                .push_bind(&a.via)
                .push_bind(&a.value)
                .push_bind(a.created_at)
                .push_bind(a.updated_at);
        })
        .build()
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}
