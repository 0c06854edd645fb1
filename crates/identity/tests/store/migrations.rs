//! Migration and DSN tests.

use nexus_identity::store::{self, StoreError};

use crate::{Backend, FreshDb};

pub async fn idempotent_and_pending(backend: Backend) {
    let Some(db) = FreshDb::new(backend).await else {
        return;
    };
    let store = store::open(&db.dsn).await.unwrap();
    store.ping().await.unwrap();
    let pending = store.pending_migrations().await.unwrap();
    assert!(pending >= 1, "a fresh database has pending migrations");
    store.migrate().await.unwrap();
    assert_eq!(store.pending_migrations().await.unwrap(), 0);
    store.migrate().await.unwrap();
    assert_eq!(store.pending_migrations().await.unwrap(), 0);
    assert_eq!(store.count_identities().await.unwrap(), 0);
    drop(store);
    // Reopening sees the applied migrations.
    let again = store::open(&db.dsn).await.unwrap();
    assert_eq!(again.pending_migrations().await.unwrap(), 0);
    drop(again);
    db.cleanup().await;
}

pub async fn memory_is_migrated_on_open(backend: Backend) {
    let db = FreshDb::new(backend).await.unwrap();
    let store = store::open(&db.dsn).await.unwrap();
    assert_eq!(store.pending_migrations().await.unwrap(), 0);
    assert_eq!(
        store::open("memory")
            .await
            .unwrap()
            .count_identities()
            .await
            .unwrap(),
        0
    );
}

pub async fn unsupported_dsn() {
    for dsn in [
        "mysql://root:secret@tcp(127.0.0.1:3306)/kratos",
        "cockroach://root@h:26257/db",
        "ftp://x",
    ] {
        match store::open(dsn).await {
            Err(StoreError::UnsupportedDsn(msg)) => assert!(!msg.contains("secret"), "{msg}"),
            Err(other) => panic!("{dsn}: {other}"),
            Ok(_) => panic!("{dsn}: opened"),
        }
    }
}

/// Opening a new SQLite file creates it and switches it to WAL. When the pool's first
/// connections did that at once, one could fail with "database is locked" without waiting
/// (seen once in CI, in the courier's restart test); many fresh files opened together must
/// all open and migrate.
pub async fn fresh_files_open_together() {
    let dir = tempfile::tempdir().unwrap();
    let opens = (0..48).map(|i| {
        let dsn = format!(
            "sqlite://{}?_fk=true&mode=rwc",
            dir.path().join(format!("fresh{i}.sqlite")).display()
        );
        tokio::spawn(async move {
            let store = store::open(&dsn).await?;
            store.migrate().await?;
            store.ping().await
        })
    });
    for (i, open) in futures::future::join_all(opens)
        .await
        .into_iter()
        .enumerate()
    {
        if let Err(e) = open.unwrap() {
            panic!("file {i}: {e}");
        }
    }
}
