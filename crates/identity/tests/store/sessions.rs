//! Session store tests (run per backend by `store_tests!`).

use std::sync::Arc;

use nexus_identity::domain::{now, token, Aal, Device};
use nexus_identity::store::{ListSessions, Store, StoreError};
use uuid::Uuid;

use super::fixtures;

pub async fn session_round_trip_and_lookup(store: Arc<dyn Store>) {
    let identity = fixtures::identity("ada@example.com");
    store.create_identity(&identity).await.unwrap();
    let session = fixtures::session(&identity);
    store.create_session(&session).await.unwrap();

    let loaded = store.get_session(session.id, true).await.unwrap().unwrap();
    assert_eq!(loaded, session);
    assert_eq!(loaded.token, session.token);
    assert_eq!(loaded.authenticator_assurance_level, Aal::Aal2);
    let bare = store.get_session(session.id, false).await.unwrap().unwrap();
    assert!(bare.identity.is_none());
    assert_eq!(bare.devices, session.devices);

    let by_token = store
        .session_by_token(&session.token)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(by_token, session);
    let by_logout = store
        .session_by_logout_token(&session.logout_token)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(by_logout.id, session.id);
    assert!(store
        .session_by_token(&session.logout_token)
        .await
        .unwrap()
        .is_none());
    assert!(store
        .session_by_token("ory_st_nope")
        .await
        .unwrap()
        .is_none());
    assert!(store
        .get_session(Uuid::new_v4(), true)
        .await
        .unwrap()
        .is_none());
}

pub async fn token_rotation(store: Arc<dyn Store>) {
    let identity = fixtures::simple("ada@example.com");
    store.create_identity(&identity).await.unwrap();
    let mut session = fixtures::session(&identity);
    store.create_session(&session).await.unwrap();

    let old = session.token.clone();
    session.token = token::session_token();
    session.logout_token = token::logout_token();
    session.expires_at = now() + chrono::Duration::hours(48);
    session.authentication_methods.truncate(1);
    session.authenticator_assurance_level = Aal::Aal1;
    session.devices.push(Device {
        id: Uuid::new_v4(),
        ip_address: None,
        user_agent: None,
        location: None,
    });
    store.update_session(&session).await.unwrap();

    assert!(store.session_by_token(&old).await.unwrap().is_none());
    assert_eq!(
        store
            .session_by_token(&session.token)
            .await
            .unwrap()
            .unwrap(),
        session
    );

    // Another session cannot take the same token.
    let mut other = fixtures::session(&identity);
    other.token = session.token.clone();
    assert!(matches!(
        store.create_session(&other).await,
        Err(StoreError::Conflict(_))
    ));

    let mut ghost = fixtures::session(&identity);
    ghost.id = Uuid::new_v4();
    assert!(matches!(
        store.update_session(&ghost).await,
        Err(StoreError::NotFound)
    ));
}

pub async fn list_sessions_filters(store: Arc<dyn Store>) {
    let ada = fixtures::simple("ada@example.com");
    let bob = fixtures::simple("bob@example.com");
    store.create_identity(&ada).await.unwrap();
    store.create_identity(&bob).await.unwrap();
    let mut ada_sessions = Vec::new();
    for i in 0..5 {
        let mut s = fixtures::session(&ada);
        if i == 3 {
            s.expires_at = now() - chrono::Duration::minutes(1);
        }
        store.create_session(&s).await.unwrap();
        ada_sessions.push(s.id);
    }
    store
        .create_session(&fixtures::session(&bob))
        .await
        .unwrap();
    store.revoke_session(ada_sessions[4]).await.unwrap();
    ada_sessions.sort();

    let list = |q: ListSessions| {
        let store = store.clone();
        async move { store.list_sessions(&q).await.unwrap() }
    };
    let all = list(ListSessions {
        page_size: 100,
        ..Default::default()
    })
    .await;
    assert_eq!(all.len(), 6);
    assert!(all.iter().all(|s| s.identity.is_none()));

    let mine = ListSessions {
        identity_id: Some(ada.id),
        page_size: 2,
        ..Default::default()
    };
    let first = list(mine.clone()).await;
    let second = list(ListSessions {
        page_token: Some(first[1].id),
        ..mine.clone()
    })
    .await;
    let third = list(ListSessions {
        page_token: Some(second[1].id),
        ..mine.clone()
    })
    .await;
    let ids: Vec<_> = first
        .iter()
        .chain(&second)
        .chain(&third)
        .map(|s| s.id)
        .collect();
    assert_eq!(ids, ada_sessions);

    let active = list(ListSessions {
        identity_id: Some(ada.id),
        active: Some(true),
        ..Default::default()
    })
    .await;
    assert_eq!(active.len(), 3);
    let inactive = list(ListSessions {
        identity_id: Some(ada.id),
        active: Some(false),
        ..Default::default()
    })
    .await;
    assert_eq!(inactive.len(), 2);

    let except = active[0].id;
    let others = list(ListSessions {
        identity_id: Some(ada.id),
        active: Some(true),
        except: Some(except),
        with_identity: true,
        ..Default::default()
    })
    .await;
    assert_eq!(others.len(), 2);
    assert!(others.iter().all(|s| s.id != except));
    assert!(others
        .iter()
        .all(|s| s.identity.as_ref().map(|i| i.id) == Some(ada.id)));
    assert!(others[0]
        .identity
        .as_ref()
        .unwrap()
        .credentials
        .contains_key("password"));
}

pub async fn revocation(store: Arc<dyn Store>) {
    let ada = fixtures::simple("ada@example.com");
    store.create_identity(&ada).await.unwrap();
    let sessions: Vec<_> = (0..4).map(|_| fixtures::session(&ada)).collect();
    for s in &sessions {
        store.create_session(s).await.unwrap();
    }

    assert!(store.revoke_session(sessions[0].id).await.unwrap());
    assert!(!store.revoke_session(Uuid::new_v4()).await.unwrap());
    let revoked = store
        .get_session(sessions[0].id, true)
        .await
        .unwrap()
        .unwrap();
    assert!(!revoked.active);
    assert!(!revoked.is_active(now()));

    // Revoke the others except the caller's own: 2 of the 3 still active.
    let n = store
        .revoke_sessions_of_identity(ada.id, Some(sessions[1].id))
        .await
        .unwrap();
    assert_eq!(n, 2);
    assert!(
        store
            .get_session(sessions[1].id, false)
            .await
            .unwrap()
            .unwrap()
            .active
    );
    assert_eq!(
        store
            .revoke_sessions_of_identity(ada.id, None)
            .await
            .unwrap(),
        1
    );

    assert_eq!(store.delete_sessions_of_identity(ada.id).await.unwrap(), 4);
    assert!(store
        .get_session(sessions[1].id, false)
        .await
        .unwrap()
        .is_none());
    assert!(store.get_identity(ada.id).await.unwrap().is_some());
}

pub async fn session_requires_identity(store: Arc<dyn Store>) {
    let ghost = fixtures::simple("ghost@example.com");
    let session = fixtures::session(&ghost);
    let err = store.create_session(&session).await.unwrap_err();
    assert!(matches!(err, StoreError::NotFound), "{err:?}");
}
