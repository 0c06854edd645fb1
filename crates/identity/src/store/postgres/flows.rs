//! [`FlowStore`] and [`ErrorStore`] on PostgreSQL.

use async_trait::async_trait;
use serde_json::Value;
use uuid::Uuid;

use super::PostgresStore;
use crate::domain::{now, Flow, Timestamp};
use crate::store::{ErrorStore, FlowStore, Result, StoreError};
use sqlx::types::Json;

#[async_trait]
impl FlowStore for PostgresStore {
    async fn create_flow(&self, flow: &Flow) -> Result<()> {
        sqlx::query(
            "INSERT INTO selfservice_flows (id, kind, expires_at, data, updated_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(flow.id)
        .bind(flow.kind.as_str())
        .bind(flow.expires_at)
        .bind(Json(flow))
        .bind(now())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn get_flow(&self, id: Uuid) -> Result<Option<Flow>> {
        let data: Option<Json<Flow>> =
            sqlx::query_scalar("SELECT data FROM selfservice_flows WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(data.map(|d| d.0))
    }

    async fn update_flow(&self, flow: &Flow) -> Result<()> {
        let done = sqlx::query(
            "UPDATE selfservice_flows SET kind = $2, expires_at = $3, data = $4, updated_at = $5 \
             WHERE id = $1",
        )
        .bind(flow.id)
        .bind(flow.kind.as_str())
        .bind(flow.expires_at)
        .bind(Json(flow))
        .bind(now())
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn delete_expired_flows(&self, before: Timestamp) -> Result<u64> {
        let done = sqlx::query("DELETE FROM selfservice_flows WHERE expires_at < $1")
            .bind(before)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }
}

#[async_trait]
impl ErrorStore for PostgresStore {
    async fn create_error(&self, id: Uuid, error: &Value) -> Result<()> {
        sqlx::query("INSERT INTO selfservice_errors (id, error, created_at) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(Json(error))
            .bind(now())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn get_error(&self, id: Uuid) -> Result<Option<(Value, Timestamp)>> {
        let row: Option<(Json<Value>, Timestamp)> =
            sqlx::query_as("SELECT error, created_at FROM selfservice_errors WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|(e, t)| (e.0, t)))
    }
}
