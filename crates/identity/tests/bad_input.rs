//! Bad input gets the documented Kratos error: never a 500, a hang or a panic.

mod common;

use common::{email, Backend, TestServer, PASSWORD};
use reqwest::header::{ACCEPT, CONTENT_TYPE};
use serde_json::{json, Value};

async fn api_flow(srv: &TestServer, kind: &str) -> Value {
    common::plain()
        .get(srv.url(&format!("/self-service/{kind}/api")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

both!(malformed_bodies, |backend: Backend| async move {
    let srv = TestServer::start(backend).await;
    let flow = api_flow(&srv, "registration").await;
    let action = flow["ui"]["action"].as_str().unwrap().to_string();
    let client = common::plain();

    let res = client
        .post(&action)
        .header(CONTENT_TYPE, "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let e: Value = res.json().await.unwrap();
    assert_eq!(e["error"]["code"], 400);

    let res = client
        .post(&action)
        .header(CONTENT_TYPE, "application/json")
        .body("[1,2]")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);

    let res = client
        .post(&action)
        .header(CONTENT_TYPE, "text/plain")
        .body("method=password")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 415);
    let e: Value = res.json().await.unwrap();
    assert_eq!(e["error"]["code"], 415);

    let huge = vec![b'a'; 10 * 1024 * 1024];
    let res = client
        .post(&action)
        .header(CONTENT_TYPE, "application/json")
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
    let e: Value = res.json().await.unwrap();
    assert_eq!(e["error"]["code"], 413);
});

both!(
    wrong_trait_types_and_missing_fields,
    |backend: Backend| async move {
        let srv = TestServer::start(backend).await;
        let flow = api_flow(&srv, "registration").await;
        let action = flow["ui"]["action"].as_str().unwrap().to_string();
        let client = common::plain();
        let res = client
        .post(&action)
        .json(&json!({ "method": "password", "password": PASSWORD, "traits": { "email": 12345 } }))
        .send()
        .await
        .unwrap();
        assert_eq!(res.status(), 400);
        let flow: Value = res.json().await.unwrap();
        assert_eq!(
            common::node_message_ids(&flow, "traits.email"),
            vec![4000026]
        );

        let res = client
            .post(&action)
            .json(&json!({ "method": "password", "password": PASSWORD, "traits": {} }))
            .send()
            .await
            .unwrap();
        let flow: Value = res.json().await.unwrap();
        assert_eq!(
            common::node_message_ids(&flow, "traits.email"),
            vec![4000002]
        );

        let res = client
            .post(&action)
            .json(&json!({ "method": "password", "password": PASSWORD, "traits": "a string" }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 400);

        let res = client
            .post(&action)
            .json(&json!({ "method": "password", "traits": { "email": email() } }))
            .send()
            .await
            .unwrap();
        let flow: Value = res.json().await.unwrap();
        assert_eq!(common::node_message_ids(&flow, "password"), vec![4000002]);

        let res = client
            .post(&action)
            .json(&json!({ "method": "carrier-pigeon" }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 400);
        let flow: Value = res.json().await.unwrap();
        assert_eq!(common::message_ids(&flow), vec![4010003]);
    }
);

both!(password_policy, |backend: Backend| async move {
    let srv = TestServer::start(backend).await;
    let client = common::plain();
    let address = email();
    for (password, expected) in [("short", 4000032), (address.as_str(), 4000031)] {
        let flow = api_flow(&srv, "registration").await;
        let res = client
            .post(flow["ui"]["action"].as_str().unwrap())
            .json(&json!({ "method": "password", "password": password, "traits": { "email": address } }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 400);
        let flow: Value = res.json().await.unwrap();
        assert_eq!(
            common::node_message_ids(&flow, "password"),
            vec![expected],
            "{password}"
        );
    }
});

both!(
    unknown_malformed_expired_and_replayed_flows,
    |backend: Backend| async move {
        let srv = TestServer::start(backend).await;
        let client = common::plain();
        for id in ["not-a-uuid", "00000000-0000-0000-0000-000000000000"] {
            let res = client
                .get(srv.url(&format!("/self-service/login/flows?id={id}")))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 404, "{id}");
            let res = client
                .post(srv.url(&format!("/self-service/login?flow={id}")))
                .json(&json!({ "method": "password" }))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 404, "{id}");
            let e: Value = res.json().await.unwrap();
            assert_eq!(e["error"]["code"], 404);
        }

        // Expired: force the flow's expiry into the past.
        let flow = api_flow(&srv, "login").await;
        let id = uuid::Uuid::parse_str(flow["id"].as_str().unwrap()).unwrap();
        let mut stored = srv.reg.store.get_flow(id).await.unwrap().unwrap();
        stored.expires_at = nexus_identity::domain::now() - chrono::Duration::minutes(5);
        srv.reg.store.update_flow(&stored).await.unwrap();
        let res = client
            .get(srv.url(&format!("/self-service/login/flows?id={id}")))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 410);
        let e: Value = res.json().await.unwrap();
        assert_eq!(e["error"]["id"], "self_service_flow_expired");
        let res = client
            .post(srv.url(&format!("/self-service/login?flow={id}")))
            .json(&json!({ "method": "password", "identifier": "a@b.c", "password": "x" }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 410);
        let e: Value = res.json().await.unwrap();
        assert_eq!(e["error"]["id"], "self_service_flow_expired");
        let replacement = e["use_flow_id"].as_str().expect("a replacement flow");
        let new_flow: Value = client
            .get(srv.url(&format!("/self-service/login/flows?id={replacement}")))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(common::message_ids(&new_flow), vec![4010001]);

        // Replayed: a completed registration flow cannot be submitted again.
        let flow = api_flow(&srv, "registration").await;
        let action = flow["ui"]["action"].as_str().unwrap().to_string();
        let body =
            json!({ "method": "password", "password": PASSWORD, "traits": { "email": email() } });
        assert_eq!(
            client
                .post(&action)
                .json(&body)
                .send()
                .await
                .unwrap()
                .status(),
            200
        );
        let res = client.post(&action).json(&body).send().await.unwrap();
        assert_eq!(res.status(), 400);
        let flow: Value = res.json().await.unwrap();
        assert_eq!(common::message_ids(&flow), vec![4040002]);
    }
);

both!(
    api_flows_refuse_browser_requests,
    |backend: Backend| async move {
        let srv = TestServer::start(backend).await;
        let flow = api_flow(&srv, "login").await;
        let action = flow["ui"]["action"].as_str().unwrap().to_string();
        let client = common::plain();
        let body = json!({ "method": "password", "identifier": "a@b.c", "password": "x" });
        let res = client
            .post(&action)
            .header("Origin", "https://evil.example.com")
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 400);
        let e: Value = res.json().await.unwrap();
        assert_eq!(e["error"]["id"], "security_csrf_violation");
        let res = client
            .post(&action)
            .header("Cookie", "ory_kratos_session=x")
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 400);
        // Cloudflare cookies are allowed.
        let res = client
            .post(&action)
            .header("Cookie", "__cf_bm=1")
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 400);
        let flow: Value = res.json().await.unwrap();
        assert_eq!(common::message_ids(&flow), vec![4000006]);
    }
);

both!(
    sessions_reject_garbage_tokens,
    |backend: Backend| async move {
        let srv = TestServer::start(backend).await;
        let client = common::plain();
        for (name, value) in [
            ("X-Session-Token", "ory_st_nope"),
            ("Cookie", "ory_kratos_session=garbage"),
            ("Authorization", "Bearer"),
            ("Authorization", "Basic Zm9vOmJhcg=="),
        ] {
            let res = client
                .get(srv.url("/sessions/whoami"))
                .header(name, value)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 401, "{name}: {value}");
            let e: Value = res.json().await.unwrap();
            assert_eq!(e["error"]["id"], "session_inactive");
        }
        let res = client
            .delete(srv.url("/self-service/logout/api"))
            .json(&json!({ "session_token": "ory_st_nope" }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403);
        let res = client
            .delete(srv.url("/self-service/logout/api"))
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 400);
        let res = client
            .get(srv.url("/self-service/logout/browser"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 401);
    }
);

both!(meta_endpoints_and_ports, |backend: Backend| async move {
    let srv = TestServer::start(backend).await;
    let client = common::plain();
    for base in [&srv.public, &srv.admin] {
        let alive: Value = client
            .get(format!("{base}/health/alive"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(alive["status"], "ok");
        let ready = client
            .get(format!("{base}/health/ready"))
            .send()
            .await
            .unwrap();
        assert_eq!(ready.status(), 200);
        let version: Value = client
            .get(format!("{base}/version"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(version["version"].is_string());
    }
    let schemas: Value = client
        .get(srv.url("/schemas"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(schemas[0]["id"], "default");
    let raw = client
        .get(srv.url("/schemas/default"))
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), 200);
    let encoded = client
        .get(srv.url("/schemas/ZGVmYXVsdA"))
        .send()
        .await
        .unwrap();
    assert_eq!(encoded.status(), 200);
    assert_eq!(
        client
            .get(srv.url("/schemas/nope"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    let res = client
        .get(srv.url("/admin/identities"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 307);
    assert!(res.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with(&srv.admin));
    let res = client
        .get(format!("{}/self-service/login/api", srv.admin))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 307);
    assert!(res.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with(&srv.public));
    let res = client
        .get(srv.url("/no/such/route"))
        .header(ACCEPT, "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
});
