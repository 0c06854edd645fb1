//! The PostgreSQL backend.

mod batch;
mod codes;
mod courier;
mod flows;
mod identities;
mod load;
mod sessions;
mod write;

use std::str::FromStr;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

use async_trait::async_trait;
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::PgPool;

use super::dsn::PostgresDsn;
use super::{rows, Result, Store};

/// Migrations embedded from `migrations/postgres`.
static MIGRATOR: Migrator = sqlx::migrate!("./migrations/postgres");

/// PostgreSQL implementation of [`Store`].
pub(crate) struct PostgresStore {
    pool: PgPool,
    /// Identities bulk-imported since the last `ANALYZE` (see `identities::refresh_statistics`).
    imported_since_analyze: AtomicU64,
}

/// Opens the pool (connects once, so a wrong DSN or an unreachable server fails here).
pub(crate) async fn connect(dsn: PostgresDsn) -> Result<Arc<dyn Store>> {
    let options = PgConnectOptions::from_str(&dsn.url)?;
    let mut pool = PgPoolOptions::new()
        .max_connections(
            dsn.max_connections
                .unwrap_or((4 * num_cpus::get() as u32).max(10)),
        )
        .min_connections(dsn.min_connections.unwrap_or(0));
    if let Some(lifetime) = dsn.max_lifetime {
        pool = pool.max_lifetime(lifetime);
    }
    if let Some(idle) = dsn.idle_timeout {
        pool = pool.idle_timeout(idle);
    }
    let pool = pool.connect_with(options).await?;
    Ok(Arc::new(PostgresStore {
        pool,
        imported_since_analyze: AtomicU64::new(0),
    }))
}

#[async_trait]
impl Store for PostgresStore {
    async fn migrate(&self) -> Result<()> {
        MIGRATOR.run(&self.pool).await?;
        Ok(())
    }

    async fn pending_migrations(&self) -> Result<usize> {
        let exists: bool = sqlx::query_scalar("SELECT to_regclass('_sqlx_migrations') IS NOT NULL")
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
        "postgres"
    }
}
