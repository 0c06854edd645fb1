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
