//! [`SessionStore`] on SQLite.

use std::collections::HashMap;

use async_trait::async_trait;
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Row, Sqlite};
use uuid::Uuid;

use super::load::{self, IDENTITY_COLUMNS};
use super::write::json;
use super::{from_us, us, SqliteStore};
use crate::domain::{now, Session};
use crate::store::{rows, ListSessions, Result, SessionStore, StoreError};

/// Session columns, table alias `s`; decode with [`session_from_row`]. 11 columns.
const SESSION_COLUMNS: &str = "s.id, s.identity_id, s.token, s.logout_token, s.active, \
     s.expires_at, s.authenticated_at, s.aal, s.authentication_methods, s.devices, s.issued_at";
const SESSION_WIDTH: usize = 11;

fn session_from_row(row: &SqliteRow) -> Result<Session> {
    Ok(Session {
        id: row.try_get(0)?,
        identity_id: row.try_get(1)?,
        token: row.try_get(2)?,
        logout_token: row.try_get(3)?,
        active: row.try_get(4)?,
        expires_at: from_us(row.try_get(5)?)?,
        authenticated_at: from_us(row.try_get(6)?)?,
        authenticator_assurance_level: rows::aal(row.try_get(7)?)?,
        authentication_methods: rows::from_text("authentication_methods", row.try_get(8)?)?,
        devices: rows::from_text("devices", row.try_get(9)?)?,
        issued_at: from_us(row.try_get(10)?)?,
        identity: None,
    })
}

impl SqliteStore {
    /// The session matching `column = value`, joined with its identity (two queries).
    async fn session_with_identity(
        &self,
        column: &str,
        value: SessionKey<'_>,
    ) -> Result<Option<Session>> {
        let sql = format!(
            "SELECT {SESSION_COLUMNS}, {IDENTITY_COLUMNS} FROM sessions s \
             JOIN identities i ON i.id = s.identity_id WHERE s.{column} = ?1"
        );
        let query = sqlx::query(&sql);
        let query = match value {
            SessionKey::Id(id) => query.bind(id),
            SessionKey::Text(t) => query.bind(t),
        };
        let mut conn = self.pool.acquire().await?;
        let Some(row) = query.fetch_optional(&mut *conn).await? else {
            return Ok(None);
        };
        let mut session = session_from_row(&row)?;
        let identity = load::identity_from_row(&row, SESSION_WIDTH)?;
        session.identity = load::complete(&mut conn, vec![identity]).await?.pop();
        Ok(Some(session))
    }
}

enum SessionKey<'a> {
    Id(Uuid),
    Text(&'a str),
}

#[async_trait]
impl SessionStore for SqliteStore {
    async fn create_session(&self, session: &Session) -> Result<()> {
        sqlx::query(
            "INSERT INTO sessions (id, identity_id, token, logout_token, active, expires_at, \
                 authenticated_at, aal, authentication_methods, devices, issued_at, updated_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        )
        .bind(session.id)
        .bind(session.identity_id)
        .bind(&session.token)
        .bind(&session.logout_token)
        .bind(session.active)
        .bind(us(session.expires_at))
        .bind(us(session.authenticated_at))
        .bind(session.authenticator_assurance_level.as_str())
        .bind(json(&session.authentication_methods)?)
        .bind(json(&session.devices)?)
        .bind(us(session.issued_at))
        .bind(us(now()))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn get_session(&self, id: Uuid, with_identity: bool) -> Result<Option<Session>> {
        if with_identity {
            return self.session_with_identity("id", SessionKey::Id(id)).await;
        }
        let sql = format!("SELECT {SESSION_COLUMNS} FROM sessions s WHERE s.id = ?1");
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(session_from_row).transpose()
    }

    async fn session_by_token(&self, token: &str) -> Result<Option<Session>> {
        self.session_with_identity("token", SessionKey::Text(token))
            .await
    }

    async fn session_by_logout_token(&self, logout_token: &str) -> Result<Option<Session>> {
        self.session_with_identity("logout_token", SessionKey::Text(logout_token))
            .await
    }

    async fn update_session(&self, session: &Session) -> Result<()> {
        let done = sqlx::query(
            "UPDATE sessions SET token = ?2, logout_token = ?3, active = ?4, expires_at = ?5, \
                 authenticated_at = ?6, aal = ?7, authentication_methods = ?8, devices = ?9, \
                 updated_at = ?10 \
             WHERE id = ?1",
        )
        .bind(session.id)
        .bind(&session.token)
        .bind(&session.logout_token)
        .bind(session.active)
        .bind(us(session.expires_at))
        .bind(us(session.authenticated_at))
        .bind(session.authenticator_assurance_level.as_str())
        .bind(json(&session.authentication_methods)?)
        .bind(json(&session.devices)?)
        .bind(us(now()))
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn list_sessions(&self, query: &ListSessions) -> Result<Vec<Session>> {
        let mut q = QueryBuilder::<Sqlite>::new(format!(
            "SELECT {SESSION_COLUMNS} FROM sessions s WHERE 1 = 1"
        ));
        if let Some(identity_id) = query.identity_id {
            q.push(" AND s.identity_id = ").push_bind(identity_id);
        }
        if let Some(token) = query.page_token {
            q.push(" AND s.id > ").push_bind(token);
        }
        if let Some(except) = query.except {
            q.push(" AND s.id <> ").push_bind(except);
        }
        match query.active {
            Some(true) => q.push(" AND s.active = 1 AND s.expires_at > "),
            Some(false) => q.push(" AND NOT (s.active = 1 AND s.expires_at > "),
            None => &mut q,
        };
        if let Some(active) = query.active {
            q.push_bind(us(now()));
            if !active {
                q.push(")");
            }
        }
        q.push(" ORDER BY s.id LIMIT ")
            .push_bind(query.page_size as i64);
        let mut conn = self.pool.acquire().await?;
        let rows = q.build().fetch_all(&mut *conn).await?;
        let mut sessions = rows
            .iter()
            .map(session_from_row)
            .collect::<Result<Vec<_>>>()?;
        if query.with_identity {
            let mut ids: Vec<Uuid> = sessions.iter().map(|s| s.identity_id).collect();
            ids.sort_unstable();
            ids.dedup();
            let identities: HashMap<Uuid, _> = load::identities_by_ids(&mut conn, &ids)
                .await?
                .into_iter()
                .map(|i| (i.id, i))
                .collect();
            for session in &mut sessions {
                session.identity = identities.get(&session.identity_id).cloned();
            }
        }
        Ok(sessions)
    }

    async fn revoke_session(&self, id: Uuid) -> Result<bool> {
        let done = sqlx::query("UPDATE sessions SET active = 0, updated_at = ?2 WHERE id = ?1")
            .bind(id)
            .bind(us(now()))
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn revoke_sessions_of_identity(
        &self,
        identity_id: Uuid,
        except: Option<Uuid>,
    ) -> Result<u64> {
        let done = sqlx::query(
            "UPDATE sessions SET active = 0, updated_at = ?3 \
             WHERE identity_id = ?1 AND active = 1 AND (?2 IS NULL OR id <> ?2)",
        )
        .bind(identity_id)
        .bind(except)
        .bind(us(now()))
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }

    async fn delete_sessions_of_identity(&self, identity_id: Uuid) -> Result<u64> {
        let done = sqlx::query("DELETE FROM sessions WHERE identity_id = ?1")
            .bind(identity_id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }
}
