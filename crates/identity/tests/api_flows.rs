//! Native (API) registration, login, whoami and logout driven by Ory's own Rust SDK.

mod common;

use common::{email, Backend, TestServer, PASSWORD};
use ory_kratos_client::apis::frontend_api as fe;
use ory_kratos_client::models::{Identity, PerformNativeLogoutBody, Session};
use serde_json::{json, Value};

/// Ory's Rust SDK (ory-kratos-client 26.2.0) cannot decode flows or `continue_with`: its
/// `UiNodeAttributes` and `ContinueWith` enums are tagged by `node_type` / `action` and every
/// variant struct also requires that field, which serde consumes (the same JSON from Kratos
/// fails too). So flows are created and submitted with plain HTTP, and the session and
/// identity in every answer are decoded with the SDK's strict models; whoami, session
/// listing, revocation and logout go through the SDK itself.
struct NativeFlow {
    id: String,
    action: String,
    refresh: Option<bool>,
}

async fn native_flow(
    srv: &TestServer,
    kind: &str,
    query: &str,
    token: Option<&str>,
) -> Result<NativeFlow, (u16, Value)> {
    let mut req = common::plain().get(srv.url(&format!("/self-service/{kind}/api{query}")));
    if let Some(t) = token {
        req = req.header("X-Session-Token", t);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let body: Value = res.json().await.unwrap();
    if status != 200 {
        return Err((status, body));
    }
    Ok(NativeFlow {
        id: body["id"].as_str().unwrap().to_string(),
        action: body["ui"]["action"].as_str().unwrap().to_string(),
        refresh: body["refresh"].as_bool(),
    })
}

async fn post(url: &str, body: Value, token: Option<&str>) -> (u16, Value) {
    let mut req = common::plain().post(url).json(&body);
    if let Some(t) = token {
        req = req.header("X-Session-Token", t);
    }
    let res = req.send().await.unwrap();
    (res.status().as_u16(), res.json().await.unwrap())
}

/// Decodes `v` with an SDK model (strict: unknown enum values or missing required fields fail).
fn sdk<T: serde::de::DeserializeOwned>(v: &Value) -> T {
    serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("SDK model rejects {v}: {e}"))
}

/// Registers `email` with `PASSWORD` and returns the session token.
pub async fn register(srv: &TestServer, email: &str) -> String {
    let flow = native_flow(srv, "registration", "", None)
        .await
        .expect("init registration");
    let body = json!({ "method": "password", "password": PASSWORD, "traits": { "email": email, "name": { "first": "Ada", "last": "Lovelace" } } });
    let (status, done) = post(&flow.action, body, None).await;
    assert_eq!(status, 200, "{done}");
    let identity: Identity = sdk(&done["identity"]);
    assert_eq!(identity.traits.unwrap()["email"], email);
    let session: Session = sdk(&done["session"]);
    assert_eq!(session.active, Some(true));
    assert_eq!(done["continue_with"][0]["action"], "set_ory_session_token");
    let token = done["session_token"]
        .as_str()
        .expect("api registration returns a token")
        .to_string();
    assert_eq!(
        done["continue_with"][0]["ory_session_token"],
        token.as_str()
    );
    token
}

async fn login(srv: &TestServer, identifier: &str, password: &str) -> Result<String, Value> {
    let flow = native_flow(srv, "login", "", None)
        .await
        .expect("init login");
    let (status, body) = post(
        &flow.action,
        json!({ "method": "password", "identifier": identifier, "password": password }),
        None,
    )
    .await;
    match status {
        200 => {
            let _: Session = sdk(&body["session"]);
            Ok(body["session_token"].as_str().expect("token").to_string())
        }
        400 => Err(body),
        other => panic!("unexpected status {other}: {body}"),
    }
}

both!(
    register_login_whoami_logout,
    |backend: Backend| async move {
        let srv = TestServer::start(backend).await;
        let address = email();
        let reg_token = register(&srv, &address).await;
        assert!(reg_token.starts_with("ory_st_"));

        let token = login(&srv, &address.to_uppercase(), PASSWORD)
            .await
            .expect("login succeeds");
        assert_ne!(token, reg_token, "every login issues a new session");
        let cfg = srv.sdk();
        let session = fe::to_session(&cfg, Some(&token), None, None)
            .await
            .expect("whoami");
        let identity = session.identity.expect("identity");
        assert_eq!(identity.traits.unwrap()["email"], address);
        assert!(
            identity.credentials.is_none(),
            "credentials never on the public API"
        );
        assert_eq!(
            serde_json::to_value(&session.authentication_methods.unwrap()[0]).unwrap()["method"],
            "password"
        );

        // Authorization: Bearer works too, and the identity id header is set.
        let res = common::plain()
            .get(srv.url("/sessions/whoami"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(
            res.headers()["x-kratos-authenticated-identity-id"],
            identity.id.as_str()
        );

        fe::perform_native_logout(&cfg, PerformNativeLogoutBody::new(token.clone()))
            .await
            .expect("logout");
        let after = common::plain()
            .get(srv.url("/sessions/whoami"))
            .header("X-Session-Token", &token)
            .send()
            .await
            .unwrap();
        assert_eq!(after.status(), 401);
        let body: Value = after.json().await.unwrap();
        assert_eq!(body["error"]["id"], "session_inactive");
    }
);

both!(
    failed_logins_are_indistinguishable,
    |backend: Backend| async move {
        let srv = TestServer::start(backend).await;
        let address = email();
        register(&srv, &address).await;
        let wrong_password = login(&srv, &address, "not-the-password-at-all")
            .await
            .unwrap_err();
        let unknown_user = login(&srv, &email(), PASSWORD).await.unwrap_err();
        assert_eq!(common::message_ids(&wrong_password), vec![4000006]);
        assert_eq!(common::message_ids(&unknown_user), vec![4000006]);
        assert_eq!(
            wrong_password["ui"]["messages"],
            unknown_user["ui"]["messages"]
        );
        // The identifier is kept, the password never echoed.
        let nodes = wrong_password["ui"]["nodes"].as_array().unwrap();
        let pw = nodes
            .iter()
            .find(|n| n["attributes"]["name"] == "password")
            .unwrap();
        assert!(pw["attributes"].get("value").is_none());
    }
);

both!(
    duplicate_registration_is_rejected,
    |backend: Backend| async move {
        let srv = TestServer::start(backend).await;
        let address = email();
        register(&srv, &address).await;
        let flow = native_flow(&srv, "registration", "", None).await.unwrap();
        let body = json!({ "method": "password", "password": PASSWORD, "traits": { "email": address.to_uppercase() } });
        let (status, flow) = post(&flow.action, body, None).await;
        assert_eq!(status, 400);
        assert_eq!(common::message_ids(&flow), vec![4000007]);
    }
);

both!(
    session_already_available_and_refresh,
    |backend: Backend| async move {
        let srv = TestServer::start(backend).await;
        let address = email();
        let token = register(&srv, &address).await;
        let cfg = srv.sdk();
        match native_flow(&srv, "login", "", Some(&token)).await {
            Err((status, e)) => {
                assert_eq!(status, 400);
                assert_eq!(e["error"]["id"], "session_already_available");
            }
            Ok(_) => panic!("expected session_already_available"),
        }
        // refresh=true re-authenticates the same session and rotates its token.
        let before = fe::to_session(&cfg, Some(&token), None, None)
            .await
            .unwrap();
        let flow = native_flow(&srv, "login", "?refresh=true", Some(&token))
            .await
            .expect("refresh flow");
        assert_eq!(flow.refresh, Some(true));
        let body = json!({ "method": "password", "identifier": address, "password": PASSWORD });
        let (status, done) = post(&flow.action, body, Some(&token)).await;
        assert_eq!(status, 200, "{done}");
        let session: Session = sdk(&done["session"]);
        assert_eq!(session.id, before.id, "refresh keeps the session");
        let new_token = done["session_token"].as_str().unwrap();
        assert_ne!(new_token, token, "refresh rotates the token");
        assert_eq!(session.authentication_methods.unwrap().len(), 2);
        assert!(
            fe::to_session(&cfg, Some(&token), None, None)
                .await
                .is_err(),
            "the old token stops working"
        );
        assert!(fe::to_session(&cfg, Some(new_token), None, None)
            .await
            .is_ok());
        let _ = &flow.id;
    }
);

both!(sessions_list_and_revoke, |backend: Backend| async move {
    let srv = TestServer::start(backend).await;
    let address = email();
    let first = register(&srv, &address).await;
    let second = login(&srv, &address, PASSWORD).await.unwrap();
    let third = login(&srv, &address, PASSWORD).await.unwrap();
    let cfg = srv.sdk();
    let others = fe::list_my_sessions(&cfg, None, None, None, None, Some(&first), None)
        .await
        .unwrap();
    assert_eq!(others.len(), 2, "lists the other active sessions");
    let second_session = fe::to_session(&cfg, Some(&second), None, None)
        .await
        .unwrap();
    fe::disable_my_session(&cfg, &second_session.id, Some(&first), None)
        .await
        .expect("revoke one");
    assert!(fe::to_session(&cfg, Some(&second), None, None)
        .await
        .is_err());
    let count = fe::disable_my_other_sessions(&cfg, Some(&first), None)
        .await
        .unwrap();
    assert_eq!(count.count, Some(1));
    assert!(fe::to_session(&cfg, Some(&third), None, None)
        .await
        .is_err());
    assert!(fe::to_session(&cfg, Some(&first), None, None).await.is_ok());
});
