//! [`IdentityStore`] on PostgreSQL.

use async_trait::async_trait;
use sqlx::{Postgres, QueryBuilder};
use uuid::Uuid;

use super::load::{self, IDENTITY_COLUMNS};
use super::{batch, write, PostgresStore};
use crate::domain::Identity;
use crate::store::{IdentityStore, ListIdentities, Result, StoreError};

/// Identities per transaction in [`IdentityStore::create_identities_batch`].
const BATCH_CHUNK: usize = 1000;

#[async_trait]
impl IdentityStore for PostgresStore {
    async fn create_identity(&self, identity: &Identity) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        write::insert_identity(&mut tx, identity).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn update_identity(&self, identity: &Identity) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        write::replace_identity(&mut tx, identity).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn get_identity(&self, id: Uuid) -> Result<Option<Identity>> {
        let sql = format!("SELECT {IDENTITY_COLUMNS} FROM identities i WHERE i.id = $1");
        let mut conn = self.pool.acquire().await?;
        load::one_identity(&mut conn, &sql, &[], Some(id)).await
    }

    async fn find_identity_by_identifier(
        &self,
        credential_type: &str,
        identifier: &str,
    ) -> Result<Option<Identity>> {
        let sql = format!(
            "SELECT {IDENTITY_COLUMNS} FROM identity_credential_identifiers c \
             JOIN identities i ON i.id = c.identity_id \
             WHERE c.identifier = $1 AND c.credential_type = $2"
        );
        let mut conn = self.pool.acquire().await?;
        load::one_identity(&mut conn, &sql, &[identifier, credential_type], None).await
    }

    async fn find_identity_by_external_id(&self, external_id: &str) -> Result<Option<Identity>> {
        let sql = format!("SELECT {IDENTITY_COLUMNS} FROM identities i WHERE i.external_id = $1");
        let mut conn = self.pool.acquire().await?;
        load::one_identity(&mut conn, &sql, &[external_id], None).await
    }

    async fn find_identity_by_verifiable_address(
        &self,
        via: &str,
        value: &str,
    ) -> Result<Option<Identity>> {
        let sql = format!(
            "SELECT {IDENTITY_COLUMNS} FROM identity_verifiable_addresses a \
             JOIN identities i ON i.id = a.identity_id WHERE a.via = $1 AND a.value = $2"
        );
        let mut conn = self.pool.acquire().await?;
        load::one_identity(&mut conn, &sql, &[via, value], None).await
    }

    async fn find_identity_by_recovery_address(
        &self,
        via: &str,
        value: &str,
    ) -> Result<Option<Identity>> {
        let sql = format!(
            "SELECT {IDENTITY_COLUMNS} FROM identity_recovery_addresses a \
             JOIN identities i ON i.id = a.identity_id WHERE a.via = $1 AND a.value = $2"
        );
        let mut conn = self.pool.acquire().await?;
        load::one_identity(&mut conn, &sql, &[via, value], None).await
    }

    async fn delete_identity(&self, id: Uuid) -> Result<bool> {
        let done = sqlx::query("DELETE FROM identities WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn list_identities(&self, query: &ListIdentities) -> Result<Vec<Identity>> {
        let mut q = QueryBuilder::<Postgres>::new(format!(
            "SELECT {IDENTITY_COLUMNS} FROM identities i WHERE 1 = 1"
        ));
        if let Some(token) = query.page_token {
            q.push(" AND i.id > ").push_bind(token);
        }
        if !query.ids.is_empty() {
            q.push(" AND i.id IN (");
            let mut list = q.separated(", ");
            for id in &query.ids {
                list.push_bind(*id);
            }
            q.push(")");
        }
        if let Some(identifier) = &query.credentials_identifier {
            q.push(" AND i.id IN (SELECT identity_id FROM identity_credential_identifiers WHERE identifier = ")
                .push_bind(identifier.clone())
                .push(")");
        }
        if let Some(prefix) = &query.identifier_similar {
            // A byte range on the "C"-collated primary key: an index range scan.
            q.push(" AND i.id IN (SELECT identity_id FROM identity_credential_identifiers WHERE identifier >= ")
                .push_bind(prefix.clone())
                .push(" AND identifier < ")
                .push_bind(format!("{prefix}{}", char::MAX))
                .push(")");
        }
        q.push(" ORDER BY i.id LIMIT ")
            .push_bind(query.page_size as i64);
        let mut conn = self.pool.acquire().await?;
        let rows = q.build().fetch_all(&mut *conn).await?;
        let identities = rows
            .iter()
            .map(|r| load::identity_from_row(r, 0))
            .collect::<Result<Vec<_>>>()?;
        load::complete(&mut conn, identities).await
    }

    async fn count_identities(&self) -> Result<u64> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM identities")
            .fetch_one(&self.pool)
            .await?;
        Ok(n as u64)
    }

    async fn create_identities_batch(&self, identities: &[Identity]) -> Vec<Result<()>> {
        let mut results = Vec::with_capacity(identities.len());
        for chunk in identities.chunks(BATCH_CHUNK) {
            match self.create_chunk(chunk).await {
                Ok(chunk_results) => results.extend(chunk_results),
                Err(e) => {
                    let reason = e.to_string();
                    results.extend(chunk.iter().map(|_| Err(batch_failed(&reason))));
                }
            }
        }
        let imported = results.iter().filter(|r| r.is_ok()).count() as u64;
        self.refresh_statistics(imported).await;
        results
    }
}

impl PostgresStore {
    /// After bulk imports, refreshes planner statistics once the identity tables have grown
    /// by a fifth since the last `ANALYZE`. Without this, lookups right after a large import
    /// run on plans made for near-empty tables (seq scans) until autovacuum catches up.
    /// Growth is geometric, so a 1M import analyses only a few dozen times.
    async fn refresh_statistics(&self, imported: u64) {
        use std::sync::atomic::Ordering;
        let since = self
            .imported_since_analyze
            .fetch_add(imported, Ordering::Relaxed)
            + imported;
        let known: f32 =
            sqlx::query_scalar("SELECT reltuples FROM pg_class WHERE oid = 'identities'::regclass")
                .fetch_one(&self.pool)
                .await
                .unwrap_or(0.0);
        if (since as f32) < (known.max(0.0) * 0.2).max(1000.0) {
            return;
        }
        self.imported_since_analyze.store(0, Ordering::Relaxed);
        let analyze = "ANALYZE identities, identity_credentials, identity_credential_identifiers, \
                       identity_verifiable_addresses, identity_recovery_addresses";
        if let Err(e) = sqlx::query(analyze).execute(&self.pool).await {
            tracing::warn!(error = %StoreError::from(e), "ANALYZE after import failed");
        }
    }

    /// One transaction with multi-row inserts; if that fails, the chunk is retried with each
    /// identity in its own savepoint so a bad one only undoes itself.
    async fn create_chunk(&self, chunk: &[Identity]) -> Result<Vec<Result<()>>> {
        let mut tx = self.pool.begin().await?;
        match batch::insert_many(&mut tx, chunk).await {
            Ok(()) => {
                tx.commit().await?;
                return Ok(chunk.iter().map(|_| Ok(())).collect());
            }
            Err(_) => tx.rollback().await?,
        }
        let mut tx = self.pool.begin().await?;
        let mut results = Vec::with_capacity(chunk.len());
        for identity in chunk {
            sqlx::query("SAVEPOINT item").execute(&mut *tx).await?;
            match write::insert_identity(&mut tx, identity).await {
                Ok(()) => results.push(Ok(())),
                Err(e) => {
                    sqlx::query("ROLLBACK TO SAVEPOINT item")
                        .execute(&mut *tx)
                        .await?;
                    results.push(Err(e));
                }
            }
            sqlx::query("RELEASE SAVEPOINT item")
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(results)
    }
}

/// The per-item error when a whole chunk's transaction failed.
pub(crate) fn batch_failed(reason: &str) -> StoreError {
    StoreError::Database(sqlx::Error::Protocol(format!(
        "batch transaction failed: {reason}"
    )))
}
