//! [`FlowStore`] and [`ErrorStore`] on SQLite.

use async_trait::async_trait;
use serde_json::Value;
use uuid::Uuid;

use super::write::json;
use super::{from_us, us, SqliteStore};
use crate::domain::{now, Flow, Timestamp};
use crate::store::{rows, ErrorStore, FlowStore, Result, StoreError};

#[async_trait]
impl FlowStore for SqliteStore {
    async fn create_flow(&self, flow: &Flow) -> Result<()> {
        sqlx::query(
            "INSERT INTO selfservice_flows (id, kind, expires_at, data, updated_at) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .bind(flow.id)
        .bind(flow.kind.as_str())
        .bind(us(flow.expires_at))
        .bind(json(flow)?)
        .bind(us(now()))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn get_flow(&self, id: Uuid) -> Result<Option<Flow>> {
        let data: Option<String> =
            sqlx::query_scalar("SELECT data FROM selfservice_flows WHERE id = ?1")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
        data.map(|d| rows::from_text("flow", &d)).transpose()
    }

    async fn update_flow(&self, flow: &Flow) -> Result<()> {
        let done = sqlx::query(
            "UPDATE selfservice_flows SET kind = ?2, expires_at = ?3, data = ?4, updated_at = ?5 \
             WHERE id = ?1",
        )
        .bind(flow.id)
        .bind(flow.kind.as_str())
        .bind(us(flow.expires_at))
        .bind(json(flow)?)
        .bind(us(now()))
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn delete_expired_flows(&self, before: Timestamp) -> Result<u64> {
        let done = sqlx::query("DELETE FROM selfservice_flows WHERE expires_at < ?1")
            .bind(us(before))
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }
}

#[async_trait]
impl ErrorStore for SqliteStore {
    async fn create_error(&self, id: Uuid, error: &Value) -> Result<()> {
        sqlx::query("INSERT INTO selfservice_errors (id, error, created_at) VALUES (?1, ?2, ?3)")
            .bind(id)
            .bind(json(error)?)
            .bind(us(now()))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn get_error(&self, id: Uuid) -> Result<Option<(Value, Timestamp)>> {
        let row: Option<(String, i64)> =
            sqlx::query_as("SELECT error, created_at FROM selfservice_errors WHERE id = ?1")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
        row.map(|(e, t)| Ok((rows::from_text("error", &e)?, from_us(t)?)))
            .transpose()
    }
}
