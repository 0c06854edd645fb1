//! Test databases for the store tests and the end-to-end suite.
//!
//! PostgreSQL: `NEXUS_TEST_POSTGRES_URL` (default `postgres://postgres@127.0.0.1:5432/test`)
//! names a server; every call creates a fresh database on it, so tests never share state
//! and can run in parallel. If the variable is unset and `CI` is not set, an unreachable
//! server skips the test (with a note); otherwise it fails the test.

use std::time::Duration;

use sqlx::{Connection, Executor, PgConnection};

/// The server used when `NEXUS_TEST_POSTGRES_URL` is unset.
pub const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

/// Prefix of the databases [`fresh_postgres_dsn`] creates.
pub const DATABASE_PREFIX: &str = "nexus_t_";

/// A DSN for a new private in-memory SQLite database (migrated by [`super::open`]).
pub fn sqlite_memory_dsn() -> String {
    "sqlite::memory:".to_string()
}

/// A DSN for a new, empty PostgreSQL database; `None` (after printing a note) when no server
/// is reachable and skipping is allowed. Panics when PostgreSQL is required but unreachable.
pub async fn fresh_postgres_dsn() -> Option<String> {
    let explicit = std::env::var("NEXUS_TEST_POSTGRES_URL")
        .ok()
        .filter(|v| !v.is_empty());
    let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0");
    let base = explicit
        .clone()
        .unwrap_or_else(|| DEFAULT_POSTGRES_URL.into());
    match create_database(&base).await {
        Ok(dsn) => Some(dsn),
        Err(reason) if explicit.is_some() || ci => {
            panic!("PostgreSQL required (NEXUS_TEST_POSTGRES_URL or CI set) but {reason}")
        }
        Err(reason) => {
            eprintln!(
                "note: skipping PostgreSQL test: {reason}; set NEXUS_TEST_POSTGRES_URL to run it"
            );
            None
        }
    }
}

/// Drops a database made by [`fresh_postgres_dsn`] (closing its remaining connections).
pub async fn drop_postgres_database(dsn: &str) {
    let Ok(url) = url::Url::parse(dsn) else {
        return;
    };
    let name = url.path().trim_start_matches('/').to_string();
    if !name.starts_with(DATABASE_PREFIX)
        || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        return;
    }
    let mut admin = url.clone();
    admin.set_path("/postgres");
    if let Ok(Ok(mut conn)) = tokio::time::timeout(
        Duration::from_secs(5),
        PgConnection::connect(admin.as_str()),
    )
    .await
    {
        let _ = conn
            .execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
            .await;
        let _ = conn.close().await;
    }
}

async fn create_database(base: &str) -> Result<String, String> {
    let mut url =
        url::Url::parse(base).map_err(|_| "NEXUS_TEST_POSTGRES_URL is not a URL".to_string())?;
    let host = url.host_str().unwrap_or("?").to_string();
    let port = url.port().unwrap_or(5432);
    let mut conn = tokio::time::timeout(Duration::from_secs(5), PgConnection::connect(base))
        .await
        .map_err(|_| format!("connecting to {host}:{port} timed out"))?
        .map_err(|e| format!("cannot connect to {host}:{port}: {}", redacted(&e)))?;
    let name = format!("{DATABASE_PREFIX}{}", uuid::Uuid::new_v4().simple());
    conn.execute(format!("CREATE DATABASE {name}").as_str())
        .await
        .map_err(|e| format!("CREATE DATABASE failed: {}", redacted(&e)))?;
    let _ = conn.close().await;
    url.set_path(&format!("/{name}"));
    Ok(url.into())
}

fn redacted(err: &sqlx::Error) -> String {
    crate::store::StoreError::Database(match err {
        sqlx::Error::Database(_) | sqlx::Error::Io(_) => return err.to_string(),
        _ => sqlx::Error::Protocol("connection failed".into()),
    })
    .to_string()
}
