//! [`IdentityStore`] on SQLite.

use async_trait::async_trait;
use sqlx::{QueryBuilder, Sqlite};
use uuid::Uuid;

use super::load::{self, IDENTITY_COLUMNS};
use super::{batch, write, SqliteStore, BEGIN_WRITE};
use crate::domain::Identity;
use crate::store::{IdentityStore, ListIdentities, Result, StoreError};

/// Identities per transaction in [`IdentityStore::create_identities_batch`].
const BATCH_CHUNK: usize = 1000;

#[async_trait]
impl IdentityStore for SqliteStore {
    async fn create_identity(&self, identity: &Identity) -> Result<()> {
        let mut tx = self.pool.begin_with(BEGIN_WRITE).await?;
        write::insert_identity(&mut tx, identity).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn update_identity(&self, identity: &Identity) -> Result<()> {
        let mut tx = self.pool.begin_with(BEGIN_WRITE).await?;
        write::replace_identity(&mut tx, identity).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn get_identity(&self, id: Uuid) -> Result<Option<Identity>> {
        let sql = format!("SELECT {IDENTITY_COLUMNS} FROM identities i WHERE i.id = ?1");
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
             WHERE c.identifier = ?1 AND c.credential_type = ?2"
        );
        let mut conn = self.pool.acquire().await?;
        load::one_identity(&mut conn, &sql, &[identifier, credential_type], None).await
    }

    async fn find_identity_by_external_id(&self, external_id: &str) -> Result<Option<Identity>> {
        let sql = format!("SELECT {IDENTITY_COLUMNS} FROM identities i WHERE i.external_id = ?1");
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
             JOIN identities i ON i.id = a.identity_id WHERE a.via = ?1 AND a.value = ?2"
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
             JOIN identities i ON i.id = a.identity_id WHERE a.via = ?1 AND a.value = ?2"
        );
        let mut conn = self.pool.acquire().await?;
        load::one_identity(&mut conn, &sql, &[via, value], None).await
    }

    async fn delete_identity(&self, id: Uuid) -> Result<bool> {
        let done = sqlx::query("DELETE FROM identities WHERE id = ?1")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn list_identities(&self, query: &ListIdentities) -> Result<Vec<Identity>> {
        let mut q = QueryBuilder::<Sqlite>::new(format!(
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
            // A range on the primary key instead of LIKE (which is case-insensitive here).
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
        results
    }
}

impl SqliteStore {
    /// One transaction with multi-row inserts; if that fails, the chunk is retried with each
    /// identity in its own savepoint so a bad one only undoes itself.
    async fn create_chunk(&self, chunk: &[Identity]) -> Result<Vec<Result<()>>> {
        let mut tx = self.pool.begin_with(BEGIN_WRITE).await?;
        match batch::insert_many(&mut tx, chunk).await {
            Ok(()) => {
                tx.commit().await?;
                return Ok(chunk.iter().map(|_| Ok(())).collect());
            }
            Err(_) => tx.rollback().await?,
        }
        let mut tx = self.pool.begin_with(BEGIN_WRITE).await?;
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
