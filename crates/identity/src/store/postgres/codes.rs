//! [`CodeStore`] on PostgreSQL.

use async_trait::async_trait;
use sqlx::postgres::PgRow;
use sqlx::Row;
use uuid::Uuid;

use super::PostgresStore;
use crate::domain::code::{CodeIssuer, CodePurpose, OneTimeCode};
use crate::domain::Timestamp;
use crate::store::{CodeStore, Result, StoreError};

const COLUMNS: &str = "id, flow_id, purpose, issuer, code_hmac, identity_id, address, via, \
     expires_at, used_at, created_at";

fn code_from_row(row: &PgRow) -> Result<OneTimeCode> {
    let purpose: String = row.try_get(2)?;
    let issuer: String = row.try_get(3)?;
    Ok(OneTimeCode {
        id: row.try_get(0)?,
        flow_id: row.try_get(1)?,
        purpose: CodePurpose::parse(&purpose)
            .ok_or_else(|| StoreError::Corrupt(format!("code purpose {purpose:?}")))?,
        issuer: CodeIssuer::parse(&issuer)
            .ok_or_else(|| StoreError::Corrupt(format!("code issuer {issuer:?}")))?,
        hmac: row.try_get(4)?,
        identity_id: row.try_get(5)?,
        address: row.try_get(6)?,
        via: row.try_get(7)?,
        expires_at: row.try_get(8)?,
        used_at: row.try_get(9)?,
        created_at: row.try_get(10)?,
    })
}

#[async_trait]
impl CodeStore for PostgresStore {
    async fn create_code(&self, code: &OneTimeCode) -> Result<()> {
        sqlx::query(&format!(
            "INSERT INTO selfservice_codes ({COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
        ))
        .bind(code.id)
        .bind(code.flow_id)
        .bind(code.purpose.as_str())
        .bind(code.issuer.as_str())
        .bind(&code.hmac)
        .bind(code.identity_id)
        .bind(&code.address)
        .bind(&code.via)
        .bind(code.expires_at)
        .bind(code.used_at)
        .bind(code.created_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn codes_of_flow(&self, flow_id: Uuid, purpose: CodePurpose) -> Result<Vec<OneTimeCode>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM selfservice_codes WHERE flow_id = $1 AND purpose = $2 \
             ORDER BY created_at"
        ))
        .bind(flow_id)
        .bind(purpose.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(code_from_row).collect()
    }

    async fn use_code(&self, id: Uuid, at: Timestamp) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE selfservice_codes SET used_at = $2 WHERE id = $1 AND used_at IS NULL",
        )
        .bind(id)
        .bind(at)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn delete_codes_of_flow(&self, flow_id: Uuid, purpose: CodePurpose) -> Result<u64> {
        let done = sqlx::query("DELETE FROM selfservice_codes WHERE flow_id = $1 AND purpose = $2")
            .bind(flow_id)
            .bind(purpose.as_str())
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    async fn count_code_submission(&self, flow_id: Uuid) -> Result<u32> {
        let count: i32 = sqlx::query_scalar(
            "INSERT INTO selfservice_code_submissions (flow_id, count) VALUES ($1, 1) \
             ON CONFLICT (flow_id) DO UPDATE \
             SET count = selfservice_code_submissions.count + 1 RETURNING count",
        )
        .bind(flow_id)
        .fetch_one(&self.pool)
        .await?;
        Ok(u32::try_from(count).unwrap_or(u32::MAX))
    }

    async fn use_second_factor(
        &self,
        identity_id: Uuid,
        credential_type: &str,
        key: &str,
        at: Timestamp,
    ) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO identity_second_factor_uses \
             (identity_id, credential_type, secret_key, used_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT DO NOTHING",
        )
        .bind(identity_id)
        .bind(credential_type)
        .bind(key)
        .bind(at)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn forget_second_factor_uses(
        &self,
        identity_id: Uuid,
        credential_type: &str,
        before: Timestamp,
    ) -> Result<u64> {
        let done = sqlx::query(
            "DELETE FROM identity_second_factor_uses \
             WHERE identity_id = $1 AND credential_type = $2 AND used_at < $3",
        )
        .bind(identity_id)
        .bind(credential_type)
        .bind(before)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }
}
