//! Identity store tests (run per backend by `store_tests!`).

use std::sync::Arc;

use nexus_identity::domain::identity::{credential_type, new_credential};
use nexus_identity::domain::{now, Aal};
use nexus_identity::store::{ListIdentities, Store, StoreError};
use serde_json::json;
use uuid::Uuid;

use super::fixtures;

pub async fn identity_round_trip(store: Arc<dyn Store>) {
    let identity = fixtures::identity("ada@example.com");
    assert_eq!(identity.available_aal, Aal::Aal2);
    store.create_identity(&identity).await.unwrap();
    let loaded = store
        .get_identity(identity.id)
        .await
        .unwrap()
        .expect("stored");
    assert_eq!(loaded, identity);
    assert_eq!(loaded.available_aal, Aal::Aal2);
    assert!(store.get_identity(Uuid::new_v4()).await.unwrap().is_none());
    assert_eq!(store.count_identities().await.unwrap(), 1);
}

pub async fn update_replaces_everything(store: Arc<dyn Store>) {
    let mut identity = fixtures::identity("ada@example.com");
    store.create_identity(&identity).await.unwrap();

    identity.traits = json!({"email": "ada@new.example"});
    identity.state = nexus_identity::domain::IdentityState::Active;
    identity.state_changed_at = Some(now());
    identity.metadata_public = None;
    identity.external_id = None;
    identity.credentials.remove(credential_type::TOTP);
    identity.set_credential(new_credential(
        credential_type::PASSWORD,
        vec!["ada@new.example".into(), "ada".into()],
        json!({"hashed_password": "$2a$12$new"}),
    ));
    identity.verifiable_addresses.truncate(1);
    identity.verifiable_addresses[0].value = "ada@new.example".into();
    identity.recovery_addresses.clear();
    identity.updated_at = now();
    store.update_identity(&identity).await.unwrap();

    let loaded = store.get_identity(identity.id).await.unwrap().unwrap();
    assert_eq!(loaded, identity);
    assert_eq!(loaded.available_aal, Aal::Aal1);
    let by = |id: &'static str| {
        let store = store.clone();
        async move {
            store
                .find_identity_by_identifier("password", id)
                .await
                .unwrap()
        }
    };
    assert!(by("ada@example.com").await.is_none());
    assert_eq!(by("ada").await.unwrap().id, identity.id);

    let missing = fixtures::simple("ghost@example.com");
    assert!(matches!(
        store.update_identity(&missing).await,
        Err(StoreError::NotFound)
    ));
}

pub async fn duplicate_identifier_conflicts(store: Arc<dyn Store>) {
    let first = fixtures::identity("ada@example.com");
    store.create_identity(&first).await.unwrap();

    let second = fixtures::simple("ada@example.com");
    let err = store.create_identity(&second).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    assert!(
        store.get_identity(second.id).await.unwrap().is_none(),
        "rolled back"
    );

    // Identifiers are case-sensitive as given (callers lowercase emails).
    store
        .create_identity(&fixtures::simple("Ada@example.com"))
        .await
        .unwrap();
    // The same identifier under another credential type is fine.
    let mut other = fixtures::simple("bob@example.com");
    other.set_credential(new_credential(
        "code",
        vec!["ada@example.com".into()],
        json!({}),
    ));
    store.create_identity(&other).await.unwrap();

    // An update that would steal an identifier conflicts and changes nothing.
    let mut stealer = store.get_identity(other.id).await.unwrap().unwrap();
    stealer.set_credential(new_credential(
        "password",
        vec!["ada@example.com".into()],
        json!({}),
    ));
    assert!(matches!(
        store.update_identity(&stealer).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(store.get_identity(other.id).await.unwrap().unwrap(), other);
    assert_eq!(store.count_identities().await.unwrap(), 3);
}

pub async fn duplicate_address_conflicts(store: Arc<dyn Store>) {
    let first = fixtures::identity("ada@example.com");
    store.create_identity(&first).await.unwrap();
    let mut second = fixtures::simple("bob@example.com");
    second.verifiable_addresses = first.verifiable_addresses[..1].to_vec();
    second.verifiable_addresses[0].id = Uuid::new_v4();
    let err = store.create_identity(&second).await.unwrap_err();
    assert!(
        matches!(err, StoreError::Conflict(ref m) if m.contains("address")),
        "{err:?}"
    );

    let mut third = fixtures::simple("carol@example.com");
    third.external_id = first.external_id.clone();
    assert!(matches!(
        store.create_identity(&third).await,
        Err(StoreError::Conflict(_))
    ));
}

pub async fn lookups(store: Arc<dyn Store>) {
    let ada = fixtures::identity("ada@example.com");
    let bob = fixtures::identity("bob@example.com");
    store.create_identity(&ada).await.unwrap();
    store.create_identity(&bob).await.unwrap();

    let found = store
        .find_identity_by_identifier("password", "bob@example.com")
        .await
        .unwrap();
    assert_eq!(found.unwrap(), bob);
    assert!(store
        .find_identity_by_identifier("totp", "bob@example.com")
        .await
        .unwrap()
        .is_none());
    assert!(store
        .find_identity_by_identifier("password", "BOB@example.com")
        .await
        .unwrap()
        .is_none());
    let found = store
        .find_identity_by_external_id("ext-ada@example.com")
        .await
        .unwrap();
    assert_eq!(found.unwrap().id, ada.id);
    let sms = &bob.verifiable_addresses[1].value;
    let found = store
        .find_identity_by_verifiable_address("sms", sms)
        .await
        .unwrap();
    assert_eq!(found.unwrap().id, bob.id);
    assert!(store
        .find_identity_by_verifiable_address("email", sms)
        .await
        .unwrap()
        .is_none());
    let found = store
        .find_identity_by_recovery_address("email", "ada@example.com")
        .await
        .unwrap();
    assert_eq!(found.unwrap().id, ada.id);
}

pub async fn keyset_paging_and_filters(store: Arc<dyn Store>) {
    let mut all = Vec::new();
    for i in 0..25 {
        let identity = fixtures::simple(&format!("user{i:02}@example.com"));
        store.create_identity(&identity).await.unwrap();
        all.push(identity.id);
    }
    all.sort();

    let mut seen = Vec::new();
    let mut token = None;
    let mut sizes = Vec::new();
    loop {
        let page = store
            .list_identities(&ListIdentities {
                page_size: 10,
                page_token: token,
                ..Default::default()
            })
            .await
            .unwrap();
        sizes.push(page.len());
        let Some(last) = page.last() else { break };
        token = Some(last.id);
        assert!(
            page.iter().all(|i| i.credentials.contains_key("password")),
            "completed"
        );
        seen.extend(page.iter().map(|i| i.id));
    }
    assert_eq!(sizes, vec![10, 10, 5, 0]);
    assert_eq!(seen, all);

    let ids = vec![all[3], all[7], Uuid::new_v4()];
    let page = store
        .list_identities(&ListIdentities {
            ids: ids.clone(),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        page.iter().map(|i| i.id).collect::<Vec<_>>(),
        vec![all[3], all[7]]
    );

    let page = store
        .list_identities(&ListIdentities {
            credentials_identifier: Some("user07@example.com".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(page.len(), 1);
    assert_eq!(page[0].traits["email"], "user07@example.com");

    let similar = |prefix: &str, token| ListIdentities {
        identifier_similar: Some(prefix.into()),
        page_token: token,
        page_size: 5,
        ..Default::default()
    };
    let page = store
        .list_identities(&similar("user1", None))
        .await
        .unwrap();
    assert_eq!(page.len(), 5);
    let rest = store
        .list_identities(&similar("user1", Some(page[4].id)))
        .await
        .unwrap();
    assert_eq!(page.len() + rest.len(), 10);
    assert!(rest
        .iter()
        .chain(&page)
        .all(|i| i.traits["email"].as_str().unwrap().starts_with("user1")));
    assert!(store
        .list_identities(&similar("nobody", None))
        .await
        .unwrap()
        .is_empty());
}

pub async fn delete_cascades(store: Arc<dyn Store>) {
    let ada = fixtures::identity("ada@example.com");
    let bob = fixtures::identity("bob@example.com");
    store.create_identity(&ada).await.unwrap();
    store.create_identity(&bob).await.unwrap();
    let session = fixtures::session(&ada);
    store.create_session(&session).await.unwrap();
    let kept = fixtures::session(&bob);
    store.create_session(&kept).await.unwrap();

    assert!(store.delete_identity(ada.id).await.unwrap());
    assert!(!store.delete_identity(ada.id).await.unwrap());
    assert!(store.get_identity(ada.id).await.unwrap().is_none());
    assert!(store
        .get_session(session.id, false)
        .await
        .unwrap()
        .is_none());
    assert!(store
        .session_by_token(&session.token)
        .await
        .unwrap()
        .is_none());
    assert!(store
        .find_identity_by_identifier("password", "ada@example.com")
        .await
        .unwrap()
        .is_none());
    assert!(store
        .find_identity_by_recovery_address("email", "ada@example.com")
        .await
        .unwrap()
        .is_none());
    // The freed identifier and addresses can be used again.
    store
        .create_identity(&fixtures::identity("ada@example.com"))
        .await
        .unwrap();
    assert!(store.get_session(kept.id, false).await.unwrap().is_some());
    assert_eq!(store.count_identities().await.unwrap(), 2);
}

pub async fn batch_with_bad_item(store: Arc<dyn Store>) {
    let existing = fixtures::simple("taken@example.com");
    store.create_identity(&existing).await.unwrap();
    let mut batch: Vec<_> = (0..7)
        .map(|i| fixtures::identity(&format!("b{i}@example.com")))
        .collect();
    batch[2] = fixtures::simple("taken@example.com");
    // A duplicate inside the batch itself: the later one fails.
    batch[5] = fixtures::simple("b1@example.com");
    let results = store.create_identities_batch(&batch).await;
    assert_eq!(results.len(), 7);
    for (i, r) in results.iter().enumerate() {
        match i {
            2 | 5 => assert!(matches!(r, Err(StoreError::Conflict(_))), "{i}: {r:?}"),
            _ => assert!(r.is_ok(), "{i}: {r:?}"),
        }
    }
    assert_eq!(store.count_identities().await.unwrap(), 6);
    for (i, identity) in batch.iter().enumerate() {
        let loaded = store.get_identity(identity.id).await.unwrap();
        match i {
            2 | 5 => assert!(loaded.is_none()),
            _ => assert_eq!(loaded.as_ref(), Some(identity)),
        }
    }
    assert!(store.create_identities_batch(&[]).await.is_empty());
}

pub async fn batch_round_trip(store: Arc<dyn Store>) {
    // No conflicts: the multi-row fast path stores every field exactly.
    let batch: Vec<_> = (0..30)
        .map(|i| fixtures::identity(&format!("f{i}@example.com")))
        .collect();
    let results = store.create_identities_batch(&batch).await;
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    for identity in &batch {
        assert_eq!(
            store.get_identity(identity.id).await.unwrap().as_ref(),
            Some(identity)
        );
    }
    let found = store
        .find_identity_by_identifier("password", "f7@example.com")
        .await
        .unwrap();
    assert_eq!(found.as_ref(), Some(&batch[7]));
}
