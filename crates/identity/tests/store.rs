//! Store tests: every test runs against in-memory SQLite, a SQLite file and PostgreSQL.
//!
//! PostgreSQL uses `NEXUS_TEST_POSTGRES_URL` (see `nexus_identity::store::testing`); each test
//! gets its own fresh database, so tests are independent of order and run in parallel.

#[path = "store"]
mod cases {
    pub mod courier;
    pub mod fixtures;
    pub mod flows;
    pub mod identities;
    pub mod migrations;
    pub mod sessions;
    pub mod volume;
}

use std::future::Future;
use std::sync::Arc;

use nexus_identity::store::{self, testing, Store};

/// Which database a test runs on.
#[derive(Clone, Copy, Debug)]
pub enum Backend {
    /// `sqlite::memory:`.
    Memory,
    /// A SQLite file in a temporary directory, Kratos-style DSN.
    File,
    /// A fresh PostgreSQL database.
    Postgres,
}

/// A fresh, unmigrated database: its DSN and whatever keeps it alive.
pub struct FreshDb {
    /// DSN to open.
    pub dsn: String,
    _dir: Option<tempfile::TempDir>,
    postgres: bool,
}

impl FreshDb {
    /// Creates the database; `None` when PostgreSQL is skipped.
    pub async fn new(backend: Backend) -> Option<FreshDb> {
        Some(match backend {
            Backend::Memory => FreshDb {
                dsn: testing::sqlite_memory_dsn(),
                _dir: None,
                postgres: false,
            },
            Backend::File => {
                let dir = tempfile::tempdir().unwrap();
                let path = dir.path().join("kratos.sqlite");
                let dsn = format!("sqlite://{}?_fk=true&mode=rwc", path.display());
                FreshDb {
                    dsn,
                    _dir: Some(dir),
                    postgres: false,
                }
            }
            Backend::Postgres => FreshDb {
                dsn: testing::fresh_postgres_dsn().await?,
                _dir: None,
                postgres: true,
            },
        })
    }

    /// Drops the database (PostgreSQL) or its directory (SQLite file).
    pub async fn cleanup(self) {
        if self.postgres {
            testing::drop_postgres_database(&self.dsn).await;
        }
    }
}

/// Runs `test` on a fresh, migrated store of `backend`.
pub async fn run<F, Fut>(backend: Backend, test: F)
where
    F: FnOnce(Arc<dyn Store>) -> Fut,
    Fut: Future<Output = ()>,
{
    let Some(db) = FreshDb::new(backend).await else {
        return;
    };
    let store = store::open(&db.dsn).await.expect("open store");
    store.migrate().await.expect("migrate");
    test(store).await;
    db.cleanup().await;
}

/// Declares each test once per backend, in modules named `store_<backend>`.
macro_rules! store_tests {
    ($($path:ident :: $name:ident),* $(,)?) => {
        mod store_sqlite_memory {
            $(#[tokio::test] async fn $name() { crate::run(crate::Backend::Memory, crate::cases::$path::$name).await })*
        }
        mod store_sqlite_file {
            $(#[tokio::test] async fn $name() { crate::run(crate::Backend::File, crate::cases::$path::$name).await })*
        }
        mod store_postgres {
            $(#[tokio::test] async fn $name() { crate::run(crate::Backend::Postgres, crate::cases::$path::$name).await })*
        }
    };
}

store_tests! {
    identities::identity_round_trip,
    identities::update_replaces_everything,
    identities::duplicate_identifier_conflicts,
    identities::duplicate_address_conflicts,
    identities::lookups,
    identities::keyset_paging_and_filters,
    identities::delete_cascades,
    identities::batch_with_bad_item,
    identities::batch_round_trip,
    sessions::session_round_trip_and_lookup,
    sessions::token_rotation,
    sessions::list_sessions_filters,
    sessions::revocation,
    sessions::session_requires_identity,
    flows::flow_round_trip,
    flows::expired_flows_deleted,
    flows::errors_round_trip,
    courier::courier_round_trip_and_list,
    courier::courier_claims_leases_and_settles,
    courier::courier_concurrent_claims_are_disjoint,
}

mod store_migrations {
    use crate::{cases::migrations, Backend};

    #[tokio::test]
    async fn sqlite_memory() {
        migrations::memory_is_migrated_on_open(Backend::Memory).await
    }
    #[tokio::test]
    async fn sqlite_file() {
        migrations::idempotent_and_pending(Backend::File).await
    }
    #[tokio::test]
    async fn postgres() {
        migrations::idempotent_and_pending(Backend::Postgres).await
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite_fresh_files_open_together() {
        migrations::fresh_files_open_together().await
    }
    #[tokio::test]
    async fn unsupported_dsn() {
        migrations::unsupported_dsn().await
    }
}

/// Volume checks, run by hand: `cargo test -p nexus-identity --test store store_volume -- --ignored --nocapture`.
/// They print timings (no timed assertions) and check lookups still work at volume.
mod store_volume {
    use crate::{cases::volume, Backend};

    #[tokio::test(flavor = "multi_thread")]
    #[ignore = "volume: ~100k identities"]
    async fn sqlite_file_import_100k() {
        volume::import(Backend::File, 100_000).await
    }
    #[tokio::test(flavor = "multi_thread")]
    #[ignore = "volume: ~100k identities"]
    async fn postgres_import_100k() {
        volume::import(Backend::Postgres, 100_000).await
    }
}
