//! [`CourierStore`] on SQLite. Claims are one `UPDATE … RETURNING`; SQLite runs one writer
//! at a time, so two watchers can never claim the same row.

use std::time::Duration;

use async_trait::async_trait;
use serde_json::Value;
use sqlx::sqlite::SqliteRow;
use sqlx::Row;
use uuid::Uuid;

use super::write::json;
use super::{from_us, us, SqliteStore, BEGIN_WRITE};
use crate::domain::message::{DispatchStatus, Message, MessageDispatch};
use crate::domain::{now, Timestamp};
use crate::store::{rows, CourierStore, ListMessages, Result};

const COLUMNS: &str = "id, type, channel, status, recipient, subject, body, html_body, \
                       template_type, send_count, next_attempt_at, created_at, updated_at";

fn message(row: &SqliteRow) -> Result<Message> {
    Ok(Message {
        id: row.try_get("id")?,
        kind: rows::message_type(row.try_get("type")?)?,
        channel: row.try_get("channel")?,
        status: rows::message_status(row.try_get("status")?)?,
        recipient: row.try_get("recipient")?,
        subject: row.try_get("subject")?,
        body: row.try_get("body")?,
        html_body: row.try_get("html_body")?,
        template_type: row.try_get("template_type")?,
        send_count: row.try_get::<i64, _>("send_count")? as u32,
        dispatches: Vec::new(),
        next_attempt_at: from_us(row.try_get("next_attempt_at")?)?,
        created_at: from_us(row.try_get("created_at")?)?,
        updated_at: from_us(row.try_get("updated_at")?)?,
    })
}

fn lease_end(now: Timestamp, lease: Duration) -> Timestamp {
    now + chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::MAX)
}

#[async_trait]
impl CourierStore for SqliteStore {
    async fn enqueue_message(&self, m: &Message) -> Result<()> {
        sqlx::query(
            "INSERT INTO courier_messages (id, type, channel, status, recipient, subject, body, \
             html_body, template_type, send_count, next_attempt_at, created_at, updated_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        )
        .bind(m.id)
        .bind(m.kind.as_str())
        .bind(&m.channel)
        .bind(m.status.as_str())
        .bind(&m.recipient)
        .bind(&m.subject)
        .bind(&m.body)
        .bind(&m.html_body)
        .bind(&m.template_type)
        .bind(i64::from(m.send_count))
        .bind(us(m.next_attempt_at))
        .bind(us(m.created_at))
        .bind(us(m.updated_at))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn claim_messages(
        &self,
        worker: Uuid,
        now: Timestamp,
        lease: Duration,
        limit: usize,
    ) -> Result<Vec<Message>> {
        let sql = format!(
            "UPDATE courier_messages SET status = 'processing', lease_owner = ?1, \
             lease_until = ?2, updated_at = ?3 \
             WHERE id IN (SELECT id FROM courier_messages \
               WHERE (status = 'queued' AND next_attempt_at <= ?3) \
                  OR (status = 'processing' AND lease_until < ?3) \
               ORDER BY next_attempt_at, created_at LIMIT ?4) \
             RETURNING {COLUMNS}"
        );
        let found = sqlx::query(&sql)
            .bind(worker)
            .bind(us(lease_end(now, lease)))
            .bind(us(now))
            .bind(limit as i64)
            .fetch_all(&self.pool)
            .await?;
        let mut out = found.iter().map(message).collect::<Result<Vec<_>>>()?;
        // RETURNING has no defined order.
        out.sort_by(|a, b| (a.created_at, a.id).cmp(&(b.created_at, b.id)));
        Ok(out)
    }

    async fn message_sent(&self, id: Uuid, worker: Uuid) -> Result<bool> {
        settle(self, id, worker, DispatchStatus::Success, None, None).await
    }

    async fn message_failed(
        &self,
        id: Uuid,
        worker: Uuid,
        error: &Value,
        retry_at: Option<Timestamp>,
    ) -> Result<bool> {
        settle(
            self,
            id,
            worker,
            DispatchStatus::Failed,
            Some(error),
            Some(retry_at),
        )
        .await
    }

    async fn release_messages(
        &self,
        ids: &[Uuid],
        worker: Uuid,
        retry_at: Timestamp,
    ) -> Result<u64> {
        let mut tx = self.pool.begin_with(BEGIN_WRITE).await?;
        let mut released = 0;
        for id in ids {
            let done = sqlx::query(
                "UPDATE courier_messages SET status = 'queued', next_attempt_at = ?3, \
                 lease_owner = NULL, lease_until = NULL, updated_at = ?4 \
                 WHERE id = ?1 AND lease_owner = ?2 AND status = 'processing'",
            )
            .bind(id)
            .bind(worker)
            .bind(us(retry_at))
            .bind(us(now()))
            .execute(&mut *tx)
            .await?;
            released += done.rows_affected();
        }
        tx.commit().await?;
        Ok(released)
    }

    async fn list_messages(&self, q: &ListMessages) -> Result<Vec<Message>> {
        let mut sql = format!("SELECT {COLUMNS} FROM courier_messages WHERE 1 = 1");
        if q.status.is_some() {
            sql.push_str(" AND status = ?1");
        }
        if q.recipient.is_some() {
            sql.push_str(" AND recipient = ?2");
        }
        if q.page_token.is_some() {
            sql.push_str(
                " AND (created_at, id) < (SELECT created_at, id FROM courier_messages WHERE id = ?3)",
            );
        }
        sql.push_str(" ORDER BY created_at DESC, id DESC LIMIT ?4");
        let found = sqlx::query(&sql)
            .bind(q.status.map(|s| s.as_str()))
            .bind(q.recipient.as_deref())
            .bind(q.page_token)
            .bind(q.page_size as i64)
            .fetch_all(&self.pool)
            .await?;
        found.iter().map(message).collect()
    }

    async fn get_message(&self, id: Uuid) -> Result<Option<Message>> {
        let sql = format!("SELECT {COLUMNS} FROM courier_messages WHERE id = ?1");
        let Some(row) = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        let mut m = message(&row)?;
        let found: Vec<(Uuid, String, Option<String>, i64, i64)> = sqlx::query_as(
            "SELECT id, status, error, created_at, updated_at FROM courier_message_dispatches \
             WHERE message_id = ?1 ORDER BY created_at, id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        for (did, status, error, created, updated) in found {
            m.dispatches.push(MessageDispatch {
                id: did,
                message_id: id,
                status: rows::dispatch_status(&status)?,
                error: error
                    .map(|e| rows::from_text("dispatch error", &e))
                    .transpose()?,
                created_at: from_us(created)?,
                updated_at: from_us(updated)?,
            });
        }
        Ok(Some(m))
    }
}

/// Records one attempt. `retry_at`: `None` for a success, `Some(None)` to abandon,
/// `Some(Some(t))` to queue again at `t`.
async fn settle(
    store: &SqliteStore,
    id: Uuid,
    worker: Uuid,
    outcome: DispatchStatus,
    error: Option<&Value>,
    retry_at: Option<Option<Timestamp>>,
) -> Result<bool> {
    let at = now();
    let (status, next) = match retry_at {
        None => ("sent", None),
        Some(None) => ("abandoned", None),
        Some(Some(t)) => ("queued", Some(t)),
    };
    let mut tx = store.pool.begin_with(BEGIN_WRITE).await?;
    let done = sqlx::query(
        "UPDATE courier_messages SET status = ?3, send_count = send_count + 1, \
         next_attempt_at = COALESCE(?4, next_attempt_at), lease_owner = NULL, \
         lease_until = NULL, updated_at = ?5 \
         WHERE id = ?1 AND lease_owner = ?2 AND status = 'processing'",
    )
    .bind(id)
    .bind(worker)
    .bind(status)
    .bind(next.map(us))
    .bind(us(at))
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO courier_message_dispatches (id, message_id, status, error, created_at, \
         updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
    )
    .bind(Uuid::new_v4())
    .bind(id)
    .bind(outcome.as_str())
    .bind(error.map(json).transpose()?)
    .bind(us(at))
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(true)
}
