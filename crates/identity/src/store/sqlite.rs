//! The SQLite backend (files in WAL mode, or a private in-memory database).

mod batch;
mod codes;
mod courier;
mod flows;
mod identities;
mod load;
mod sessions;
mod write;

use std::str::FromStr;

use async_trait::async_trait;
use sqlx::migrate::Migrator;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;

use super::dsn::SqliteDsn;
use super::{rows, Result, Store, StoreError};
use crate::domain::Timestamp;

/// Migrations embedded from `migrations/sqlite`.
static MIGRATOR: Migrator = sqlx::migrate!("./migrations/sqlite");

/// Write transactions take the write lock up front so `busy_timeout` applies (a deferred
/// transaction that upgrades from read to write fails at once with SQLITE_BUSY).
const BEGIN_WRITE: &str = "BEGIN IMMEDIATE";

/// SQLite implementation of [`Store`].
pub(crate) struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    /// Opens the pool. Foreign keys are always on; files use WAL and synchronous=NORMAL.
    pub(crate) async fn connect(dsn: SqliteDsn) -> Result<Self> {
        let options = if dsn.memory {
            // sqlx gives every `:memory:` a unique shared-cache name.
            SqliteConnectOptions::from_str("sqlite::memory:")?
        } else {
            SqliteConnectOptions::new()
                .filename(&dsn.path)
                .create_if_missing(dsn.create)
                .read_only(dsn.read_only)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
        }
        .foreign_keys(true)
        .busy_timeout(dsn.busy_timeout);
        // One connection keeps an in-memory database alive and avoids shared-cache table
        // locks; files get a few readers next to the single writer WAL allows.
        let max = if dsn.memory {
            1
        } else {
            (2 * num_cpus::get() as u32).max(4)
        };
        if !dsn.memory && !dsn.read_only {
            // One connection alone creates the file and switches it to WAL first: the pool's
            // first connections doing that together could fail with "database is locked"
            // without waiting for the busy timeout (seen once in CI under load).
            use sqlx::Connection as _;
            sqlx::SqliteConnection::connect_with(&options)
                .await?
                .close()
                .await?;
        }
        let pool = SqlitePoolOptions::new()
            .max_connections(max)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options)
            .await?;
        Ok(SqliteStore { pool })
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn migrate(&self) -> Result<()> {
        MIGRATOR.run(&self.pool).await?;
        Ok(())
    }

    async fn pending_migrations(&self) -> Result<usize> {
        let exists: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations')",
        )
        .fetch_one(&self.pool)
        .await?;
        let applied: Vec<i64> = if exists {
            sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success")
                .fetch_all(&self.pool)
                .await?
        } else {
            Vec::new()
        };
        Ok(rows::pending(&MIGRATOR, &applied))
    }

    async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    fn backend(&self) -> &'static str {
        "sqlite"
    }
}

/// A timestamp as stored: microseconds since the epoch.
fn us(t: Timestamp) -> i64 {
    t.timestamp_micros()
}

/// A stored timestamp back.
fn from_us(v: i64) -> Result<Timestamp> {
    Timestamp::from_timestamp_micros(v)
        .ok_or_else(|| StoreError::Corrupt(format!("timestamp {v} out of range")))
}

/// `?1, ?2, …, ?n` for an `IN (…)` list whose parameters start at `?1`.
fn placeholders(n: usize) -> String {
    (1..=n)
        .map(|i| format!("?{i}"))
        .collect::<Vec<_>>()
        .join(", ")
}
