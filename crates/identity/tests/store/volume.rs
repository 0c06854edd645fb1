//! Volume runs (ignored by default): bulk import, then lookups and last-page listing.

use std::time::Instant;

use nexus_identity::domain::identity::{credential_type, new_credential};
use nexus_identity::domain::{now, Identity, RecoveryAddress, VerifiableAddress};
use nexus_identity::store::{self, ListIdentities};
use serde_json::json;
use uuid::Uuid;

use crate::{Backend, FreshDb};

/// An identity as `kratos import identities` would create it: bcrypt hash, one address.
fn imported(i: usize) -> Identity {
    let email = format!("user{i}@example.com");
    let mut identity = Identity::new("default", json!({"email": email}));
    identity.set_credential(new_credential(
        credential_type::PASSWORD,
        vec![email.clone()],
        json!({"hashed_password": "$2a$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW"}),
    ));
    let t = now();
    identity.verifiable_addresses.push(VerifiableAddress {
        id: Uuid::new_v4(),
        value: email.clone(),
        verified: false,
        via: "email".into(),
        status: Default::default(),
        verified_at: None,
        created_at: t,
        updated_at: t,
    });
    identity.recovery_addresses.push(RecoveryAddress {
        id: Uuid::new_v4(),
        value: email,
        via: "email".into(),
        created_at: t,
        updated_at: t,
    });
    identity
}

pub async fn import(backend: Backend, n: usize) {
    let Some(db) = FreshDb::new(backend).await else {
        return;
    };
    let store = store::open(&db.dsn).await.unwrap();
    store.migrate().await.unwrap();
    let identities: Vec<Identity> = (0..n).map(imported).collect();

    let started = Instant::now();
    for chunk in identities.chunks(10_000) {
        let results = store.create_identities_batch(chunk).await;
        assert!(results.iter().all(Result::is_ok));
    }
    eprintln!(
        "{backend:?}: imported {n} identities in {:?}",
        started.elapsed()
    );
    assert_eq!(store.count_identities().await.unwrap(), n as u64);

    for round in ["cold", "warm"] {
        let started = Instant::now();
        for i in (0..n).step_by(n / 1000) {
            let found = store
                .find_identity_by_identifier("password", &format!("user{i}@example.com"))
                .await
                .unwrap();
            assert_eq!(found.unwrap().id, identities[i].id);
        }
        eprintln!(
            "{backend:?}: 1000 identifier lookups ({round}) in {:?}",
            started.elapsed()
        );
    }

    let mut ids: Vec<Uuid> = identities.iter().map(|i| i.id).collect();
    ids.sort();
    for (label, token) in [("first", None), ("last", Some(ids[n - 101]))] {
        let started = Instant::now();
        let page = store
            .list_identities(&ListIdentities {
                page_token: token,
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(page.len(), 100);
        eprintln!(
            "{backend:?}: {label} page of 100 in {:?}",
            started.elapsed()
        );
    }
    drop(store);
    db.cleanup().await;
}
