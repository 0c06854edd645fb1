//! Reading identities (row + children) from PostgreSQL.

use std::collections::BTreeMap;

use serde_json::Value;
use sqlx::postgres::PgRow;
use sqlx::types::Json;
use sqlx::{PgConnection, Row};
use uuid::Uuid;

use crate::domain::{Credential, Identity, RecoveryAddress, VerifiableAddress};
use crate::store::rows::{self, child_kind, Child};
use crate::store::Result;

/// Identity columns, table alias `i`; decode with [`identity_from_row`].
pub(super) const IDENTITY_COLUMNS: &str = "i.id, i.schema_id, i.state, i.state_changed_at, \
     i.traits, i.metadata_public, i.metadata_admin, i.external_id, i.available_aal, \
     i.created_at, i.updated_at";

/// An identity without children from [`IDENTITY_COLUMNS`] starting at column `at`.
pub(super) fn identity_from_row(row: &PgRow, at: usize) -> Result<Identity> {
    let json = |i: usize| -> Result<Option<Value>> {
        Ok(row.try_get::<Option<Json<Value>>, _>(at + i)?.map(|j| j.0))
    };
    Ok(Identity {
        id: row.try_get(at)?,
        schema_id: row.try_get(at + 1)?,
        schema_url: String::new(),
        state: rows::state(row.try_get(at + 2)?)?,
        state_changed_at: row.try_get(at + 3)?,
        traits: row.try_get::<Json<Value>, _>(at + 4)?.0,
        metadata_public: json(5)?,
        metadata_admin: json(6)?,
        external_id: row.try_get(at + 7)?,
        available_aal: rows::aal(row.try_get(at + 8)?)?,
        created_at: row.try_get(at + 9)?,
        updated_at: row.try_get(at + 10)?,
        credentials: BTreeMap::new(),
        verifiable_addresses: Vec::new(),
        recovery_addresses: Vec::new(),
    })
}

/// Credentials and addresses of the given identities in one query.
async fn children(conn: &mut PgConnection, ids: &[Uuid]) -> Result<Vec<(Uuid, Child)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {c}::int4, identity_id, id, 0::int4, credential_type, identifiers::text, \
                config::text, version, created_at, updated_at, NULL::timestamptz \
           FROM identity_credentials WHERE identity_id = ANY($1) \
         UNION ALL \
         SELECT {v}, identity_id, id, ordinal, value, via, status, verified::int4, \
                created_at, updated_at, verified_at \
           FROM identity_verifiable_addresses WHERE identity_id = ANY($1) \
         UNION ALL \
         SELECT {r}, identity_id, id, ordinal, value, via, NULL, 0, created_at, updated_at, NULL \
           FROM identity_recovery_addresses WHERE identity_id = ANY($1) \
         ORDER BY 1, 4",
        c = child_kind::CREDENTIAL,
        v = child_kind::VERIFIABLE,
        r = child_kind::RECOVERY,
    );
    let rows = sqlx::query(&sql).bind(ids).fetch_all(&mut *conn).await?;
    rows.iter().map(child_from_row).collect()
}

fn child_from_row(row: &PgRow) -> Result<(Uuid, Child)> {
    let kind: i32 = row.try_get(0)?;
    let identity_id: Uuid = row.try_get(1)?;
    let id: Uuid = row.try_get(2)?;
    let created_at = row.try_get(8)?;
    let updated_at = row.try_get(9)?;
    let child = match kind {
        child_kind::CREDENTIAL => Child::Credential(Credential {
            id,
            credential_type: row.try_get(4)?,
            identifiers: rows::from_text("identifiers", row.try_get(5)?)?,
            config: rows::from_text("config", row.try_get(6)?)?,
            version: row.try_get(7)?,
            created_at,
            updated_at,
        }),
        child_kind::VERIFIABLE => Child::Verifiable(VerifiableAddress {
            id,
            value: row.try_get(4)?,
            via: row.try_get(5)?,
            status: rows::status(row.try_get(6)?)?,
            verified: row.try_get::<i32, _>(7)? != 0,
            verified_at: row.try_get(10)?,
            created_at,
            updated_at,
        }),
        _ => Child::Recovery(RecoveryAddress {
            id,
            value: row.try_get(4)?,
            via: row.try_get(5)?,
            created_at,
            updated_at,
        }),
    };
    Ok((identity_id, child))
}

/// Fills credentials and addresses of `identities` (one query for all of them).
pub(super) async fn complete(
    conn: &mut PgConnection,
    mut identities: Vec<Identity>,
) -> Result<Vec<Identity>> {
    let ids: Vec<Uuid> = identities.iter().map(|i| i.id).collect();
    let children = children(conn, &ids).await?;
    rows::attach(&mut identities, children);
    Ok(identities)
}

/// Runs `sql` (selecting [`IDENTITY_COLUMNS`]; `$1` is `id` if given, then `binds`) and
/// completes the first identity found.
pub(super) async fn one_identity(
    conn: &mut PgConnection,
    sql: &str,
    binds: &[&str],
    id: Option<Uuid>,
) -> Result<Option<Identity>> {
    let mut query = sqlx::query(sql);
    if let Some(id) = id {
        query = query.bind(id);
    }
    for b in binds {
        query = query.bind(*b);
    }
    let Some(row) = query.fetch_optional(&mut *conn).await? else {
        return Ok(None);
    };
    let identity = identity_from_row(&row, 0)?;
    Ok(complete(conn, vec![identity]).await?.pop())
}

/// Identities by id (any order), completed.
pub(super) async fn identities_by_ids(
    conn: &mut PgConnection,
    ids: &[Uuid],
) -> Result<Vec<Identity>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!("SELECT {IDENTITY_COLUMNS} FROM identities i WHERE i.id = ANY($1)");
    let rows = sqlx::query(&sql).bind(ids).fetch_all(&mut *conn).await?;
    let identities = rows
        .iter()
        .map(|r| identity_from_row(r, 0))
        .collect::<Result<Vec<_>>>()?;
    complete(conn, identities).await
}
