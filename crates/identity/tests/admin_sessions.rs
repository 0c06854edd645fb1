//! Admin session endpoints, and identity changes that must reach sessions at once: an
//! inactive or deleted identity's sessions stop working immediately; metadata_public shows
//! in the session, metadata_admin never does.

mod admin_support;
mod common;

use admin_support::{admin, admin_sdk, call, create, login, person_with_password, whoami};
use common::{email, Backend, TestServer, PASSWORD};
use ory_kratos_client::apis::identity_api as ida;
use ory_kratos_client::models::Session;
use serde_json::{json, Value};

/// An identity with a password, signed in `n` times: (identity id, e-mail, session tokens).
async fn signed_in(srv: &TestServer, n: usize) -> (String, String, Vec<String>) {
    let address = email();
    let id = create(srv, person_with_password(&address, PASSWORD)).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut tokens = Vec::new();
    for _ in 0..n {
        tokens.push(login(srv, &address, PASSWORD).await.expect("login"));
    }
    (id, address, tokens)
}

/// The session id behind a token.
async fn session_id(srv: &TestServer, token: &str) -> String {
    let w = whoami(srv, token).await;
    assert_eq!(w.status, 200, "{}", w.body);
    w.body["id"].as_str().unwrap().to_string()
}

both!(
    inactive_identity_is_locked_out_at_once,
    |backend: Backend| async move {
        let srv = TestServer::start(backend).await;
        let (id, address, tokens) = signed_in(&srv, 1).await;
        let token = &tokens[0];
        // Twice, so the second answer comes from the session cache.
        assert_eq!(whoami(&srv, token).await.status, 200);
        assert_eq!(whoami(&srv, token).await.status, 200);

        let url = admin(&srv, &format!("/admin/identities/{id}"));
        let r = call(
            "PATCH",
            &url,
            Some(json!([{ "op": "replace", "path": "/state", "value": "inactive" }])),
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.body["state"], "inactive");

        let refused = whoami(&srv, token).await;
        assert_eq!(
            refused.status, 401,
            "immediately, not after the cache TTL: {}",
            refused.body
        );
        assert_eq!(refused.body["error"]["id"], "session_inactive");
        let (status, body) = login(&srv, &address, PASSWORD)
            .await
            .expect_err("inactive cannot sign in");
        assert_eq!(status, 401, "{body}");
        assert_eq!(body["error"]["reason"], "This account was disabled.");

        // Reactivated (PUT): signing in works again; the old session stays revoked.
        let back = call("PUT", &url, Some(json!({ "schema_id": "default", "state": "active", "traits": { "email": address } }))).await;
        assert_eq!(back.status, 200, "{}", back.body);
        assert_ne!(back.body["state_changed_at"], r.body["state_changed_at"]);
        let fresh = login(&srv, &address, PASSWORD).await.expect("active again");
        assert_eq!(whoami(&srv, &fresh).await.status, 200);
        assert_eq!(whoami(&srv, token).await.status, 401);

        // PUT to inactive works the same way.
        let put = call("PUT", &url, Some(json!({ "schema_id": "default", "state": "inactive", "traits": { "email": address } }))).await;
        assert_eq!(put.status, 200);
        assert_eq!(whoami(&srv, &fresh).await.status, 401);
    }
);

both!(
    deleting_an_identity_ends_its_sessions_at_once,
    |backend: Backend| async move {
        let srv = TestServer::start(backend).await;
        let (id, _, tokens) = signed_in(&srv, 1).await;
        assert_eq!(whoami(&srv, &tokens[0]).await.status, 200);
        ida::delete_identity(&admin_sdk(&srv), &id)
            .await
            .expect("delete");
        assert_eq!(whoami(&srv, &tokens[0]).await.status, 401);
    }
);

both!(
    metadata_public_reaches_the_session_metadata_admin_never,
    |backend: Backend| async move {
        let srv = TestServer::start(backend).await;
        let address = email();
        let mut body = person_with_password(&address, PASSWORD);
        body["metadata_public"] = json!({ "plan": "free" });
        body["metadata_admin"] = json!({ "risk": "low" });
        let id = create(&srv, body).await["id"].as_str().unwrap().to_string();
        let token = login(&srv, &address, PASSWORD).await.unwrap();
        let w = whoami(&srv, &token).await;
        assert_eq!(
            w.body["identity"]["metadata_public"],
            json!({ "plan": "free" })
        );
        assert!(
            w.body["identity"].get("metadata_admin").is_none(),
            "{}",
            w.body
        );
        assert!(w.body["identity"].get("credentials").is_none());
        assert!(!w.body.to_string().contains("low"));

        let url = admin(&srv, &format!("/admin/identities/{id}"));
        let r = call(
            "PATCH",
            &url,
            Some(json!([{ "op": "replace", "path": "/metadata_public/plan", "value": "pro" }])),
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.body["metadata_admin"], json!({ "risk": "low" }));
        assert_eq!(
            whoami(&srv, &token).await.body["identity"]["metadata_public"]["plan"],
            "pro",
            "no stale cache"
        );
        // Admin session views show the public identity too.
        let sid = w.body["id"].as_str().unwrap();
        let s = call(
            "GET",
            &admin(&srv, &format!("/admin/sessions/{sid}?expand=identity")),
            None,
        )
        .await;
        assert!(
            s.body["identity"].get("metadata_admin").is_none(),
            "{}",
            s.body
        );
    }
);

both!(
    list_get_and_expand_sessions,
    |backend: Backend| async move {
        let srv = TestServer::start(backend).await;
        let (id, _, tokens) = signed_in(&srv, 3).await;
        let mut sids = Vec::new();
        for t in &tokens {
            sids.push(session_id(&srv, t).await);
        }
        sids.sort();

        let first = call("GET", &admin(&srv, "/admin/sessions?page_size=2"), None).await;
        assert_eq!(first.status, 200, "{}", first.body);
        let page: Vec<Session> = serde_json::from_value(first.body.clone()).expect("SDK decodes");
        assert_eq!(page.len(), 2);
        assert!(
            page.iter()
                .all(|s| s.identity.is_none() && s.devices.is_none()),
            "nothing expanded"
        );
        let next = first.next_link().expect("a second page");
        let second = call("GET", &next, None).await;
        assert_eq!(second.body.as_array().unwrap().len(), 1);
        assert!(second.next_link().is_none());
        let mut listed: Vec<String> = page.iter().map(|s| s.id.clone()).collect();
        listed.push(second.body[0]["id"].as_str().unwrap().to_string());
        assert_eq!(listed, sids);

        let cfg = admin_sdk(&srv);
        let expanded = ida::list_sessions(
            &cfg,
            None,
            None,
            Some(true),
            Some(vec!["identity".into(), "devices".into()]),
        )
        .await
        .expect("list via SDK");
        assert_eq!(expanded.len(), 3);
        assert!(expanded
            .iter()
            .all(|s| s.identity.as_ref().is_some_and(|i| i.id == id)));
        assert!(expanded
            .iter()
            .all(|s| s.devices.as_ref().is_some_and(|d| !d.is_empty())));

        let one = ida::get_session(&cfg, &sids[0], None).await.expect("get");
        assert!(one.identity.is_none());
        let one = ida::get_session(&cfg, &sids[0], Some(vec!["Identity".into()]))
            .await
            .expect("get expanded");
        assert_eq!(one.identity.unwrap().id, id);

        for (url, status) in [
            ("/admin/sessions?expand=everything", 400),
            ("/admin/sessions?active=maybe", 400),
            ("/admin/sessions?page_token=forged", 400),
            ("/admin/sessions/not-a-uuid", 400),
        ] {
            let r = call("GET", &admin(&srv, url), None).await;
            assert_eq!(r.status, status, "{url}: {}", r.body);
        }
        let missing = call(
            "GET",
            &admin(&srv, &format!("/admin/sessions/{}", uuid::Uuid::new_v4())),
            None,
        )
        .await;
        assert_eq!(missing.status, 404);
        // An identities page token is not a sessions page token.
        let ids = call("GET", &admin(&srv, "/admin/identities?page_size=1"), None).await;
        let token = admin_support::link(&ids.headers, "first").unwrap();
        let token = token.split("page_token=").nth(1).unwrap();
        let cross = call(
            "GET",
            &admin(&srv, &format!("/admin/sessions?page_token={token}")),
            None,
        )
        .await;
        assert_eq!(cross.status, 400);
        let redirect = call("GET", &admin(&srv, "/admin/sessions/whoami"), None).await;
        assert_eq!(redirect.status, 307);
        assert_eq!(
            redirect.headers["location"],
            srv.url("/sessions/whoami").as_str()
        );
    }
);

both!(disable_a_session, |backend: Backend| async move {
    let srv = TestServer::start(backend).await;
    let (_, _, tokens) = signed_in(&srv, 2).await;
    let sid = session_id(&srv, &tokens[0]).await;
    let cfg = admin_sdk(&srv);
    ida::disable_session(&cfg, &sid).await.expect("disable");
    assert_eq!(whoami(&srv, &tokens[0]).await.status, 401, "at once");
    assert_eq!(whoami(&srv, &tokens[1]).await.status, 200, "only that one");
    let inactive = ida::list_sessions(&cfg, None, None, Some(false), None)
        .await
        .unwrap();
    assert_eq!(
        inactive.iter().map(|s| s.id.clone()).collect::<Vec<_>>(),
        vec![sid.clone()]
    );
    assert_eq!(inactive[0].active, Some(false));
    let active = ida::list_sessions(&cfg, None, None, Some(true), None)
        .await
        .unwrap();
    assert_eq!(active.len(), 1);
    let url = admin(&srv, &format!("/admin/sessions/{}", uuid::Uuid::new_v4()));
    assert_eq!(call("DELETE", &url, None).await.status, 404);
    assert_eq!(
        call("DELETE", &admin(&srv, "/admin/sessions/xyz"), None)
            .await
            .status,
        400
    );
});

both!(extend_a_session, |backend: Backend| async move {
    let srv = TestServer::start_with(backend, |c| {
        c["session"] = json!({ "lifespan": "1h", "earliest_possible_extend": "30m" });
    })
    .await;
    let (id, _, tokens) = signed_in(&srv, 1).await;
    let sid = session_id(&srv, &tokens[0]).await;
    let cfg = admin_sdk(&srv);
    let before = ida::get_session(&cfg, &sid, None)
        .await
        .unwrap()
        .expires_at
        .unwrap();

    // Too early: 1 h left, the window is the last 30 min → unchanged.
    let same = ida::extend_session(&cfg, &sid).await.expect("extend");
    assert_eq!(same.expires_at.as_deref(), Some(before.as_str()));
    assert_eq!(
        same.identity.as_ref().map(|i| i.id.clone()),
        Some(id),
        "identity expanded"
    );

    // 10 min left → extended to now + 1 h.
    let uuid: uuid::Uuid = sid.parse().unwrap();
    let mut stored = srv
        .reg
        .store
        .get_session(uuid, false)
        .await
        .unwrap()
        .unwrap();
    stored.expires_at = nexus_identity::domain::now() + chrono::Duration::minutes(10);
    srv.reg.store.update_session(&stored).await.unwrap();
    let extended = call(
        "PATCH",
        &admin(&srv, &format!("/admin/sessions/{sid}/extend")),
        None,
    )
    .await;
    assert_eq!(extended.status, 200, "{}", extended.body);
    let expires: chrono::DateTime<chrono::Utc> = extended.body["expires_at"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let left = expires - chrono::Utc::now();
    assert!(
        left > chrono::Duration::minutes(59) && left <= chrono::Duration::hours(1),
        "{left}"
    );
    assert_eq!(
        whoami(&srv, &tokens[0]).await.body["expires_at"],
        extended.body["expires_at"]
    );

    let missing = call(
        "PATCH",
        &admin(
            &srv,
            &format!("/admin/sessions/{}/extend", uuid::Uuid::new_v4()),
        ),
        None,
    )
    .await;
    assert_eq!(missing.status, 404);
    assert_eq!(
        call("PATCH", &admin(&srv, "/admin/sessions/nope/extend"), None)
            .await
            .status,
        400
    );
});

both!(sessions_of_an_identity, |backend: Backend| async move {
    let srv = TestServer::start(backend).await;
    let (id, _, tokens) = signed_in(&srv, 2).await;
    let (_, _, others) = signed_in(&srv, 1).await;
    let cfg = admin_sdk(&srv);
    let list = ida::list_identity_sessions(&cfg, &id, None, None, None, None, None)
        .await
        .expect("list");
    assert_eq!(list.len(), 2);
    assert!(list
        .iter()
        .all(|s| s.identity.as_ref().is_some_and(|i| i.id == id) && s.devices.is_some()));
    let paged = call(
        "GET",
        &admin(
            &srv,
            &format!("/admin/identities/{id}/sessions?page_size=1"),
        ),
        None,
    )
    .await;
    assert_eq!(paged.body.as_array().unwrap().len(), 1);
    let next = paged.next_link().expect("next page");
    assert!(
        next.contains(&format!("/admin/identities/{id}/sessions?")),
        "{next}"
    );

    ida::delete_identity_sessions(&cfg, &id)
        .await
        .expect("delete all");
    for t in &tokens {
        assert_eq!(whoami(&srv, t).await.status, 401);
    }
    assert_eq!(
        whoami(&srv, &others[0]).await.status,
        200,
        "other identities untouched"
    );
    let again = call(
        "DELETE",
        &admin(&srv, &format!("/admin/identities/{id}/sessions")),
        None,
    )
    .await;
    assert_eq!(again.status, 404);
    let empty: Value = call(
        "GET",
        &admin(&srv, &format!("/admin/identities/{id}/sessions")),
        None,
    )
    .await
    .body;
    assert_eq!(empty, json!([]));
    let unknown = call(
        "GET",
        &admin(
            &srv,
            &format!("/admin/identities/{}/sessions", uuid::Uuid::new_v4()),
        ),
        None,
    )
    .await;
    assert_eq!(unknown.status, 404);
    assert_eq!(
        call("DELETE", &admin(&srv, "/admin/identities/x/sessions"), None)
            .await
            .status,
        400
    );
});
