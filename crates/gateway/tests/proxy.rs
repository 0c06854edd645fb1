//! End-to-end: the reverse proxy in front of a real upstream, with a Kratos-like whoami.

mod common;

use common::*;
use serde_json::{json, Value};

#[tokio::test]
async fn cookie_session_and_header_mutator_reach_the_upstream() {
    let (up, who) = (upstream().await, whoami().await);
    let rules = json!([rule(
        "api",
        "http://<**>/api/<**>",
        &["cookie_session"],
        &format!("http://{up}")
    )]);
    let t = gateway(base_config(&who.url(), json!({})), rules).await;
    let c = client();

    let resp = c
        .get(t.proxy("/api/users?x=1"))
        .header("Cookie", "ory_kratos_session=valid")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["headers"]["x-user-id"], "user-1");
    assert_eq!(body["path"], "/api/users");
    assert_eq!(body["query"], "x=1");
    assert_eq!(
        body["headers"]["host"],
        up.to_string(),
        "Host is the upstream's without preserve_host"
    );

    let resp = c
        .get(t.proxy("/api/users"))
        .header("Cookie", "ory_kratos_session=bad")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], 401);

    let resp = c.get(t.proxy("/api/users")).send().await.unwrap();
    assert_eq!(
        resp.status(),
        401,
        "no cookie: no authenticator responsible"
    );
}

#[tokio::test]
async fn no_match_is_404_and_ambiguity_is_500() {
    let (up, who) = (upstream().await, whoami().await);
    let u = format!("http://{up}");
    let rules = json!([
        rule("a", "http://<**>/dup/<**>", &["noop"], &u),
        rule("b", "http://<**>/dup/<*>", &["noop"], &u),
    ]);
    let t = gateway(base_config(&who.url(), json!({})), rules).await;
    let c = client();
    let resp = c.get(t.proxy("/nothing")).send().await.unwrap();
    assert_eq!(resp.status(), 404);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(
        body["error"]["message"],
        "Requested url does not match any rules"
    );
    assert_eq!(c.get(t.proxy("/dup/x")).send().await.unwrap().status(), 500);
    assert_eq!(
        c.get(t.proxy("/dup/x/y")).send().await.unwrap().status(),
        200
    );
}

#[tokio::test]
async fn strip_path_and_preserve_host() {
    let (up, who) = (upstream().await, whoami().await);
    let mut r = rule(
        "s",
        "http://<**>/api/v1/<**>",
        &["anonymous"],
        &format!("http://{up}/base/"),
    );
    r["upstream"]["strip_path"] = json!("/api/v1");
    r["upstream"]["preserve_host"] = json!(true);
    let t = gateway(base_config(&who.url(), json!({})), json!([r])).await;
    let resp = client()
        .get(t.proxy("/api/v1/users/"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(
        body["path"], "/base/users/",
        "prefix stripped, trailing slash kept"
    );
    assert_eq!(body["headers"]["host"], t.gw.proxy_addr.to_string());
    assert_eq!(body["headers"]["x-user-id"], "guest");
}

#[tokio::test]
async fn upstream_failures_map_to_502_and_504() {
    let (up, who) = (upstream().await, whoami().await);
    let dead = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let rules = json!([
        rule(
            "dead",
            "http://<**>/dead",
            &["noop"],
            &format!("http://{dead}")
        ),
        rule(
            "slow",
            "http://<**>/slow",
            &["noop"],
            &format!("http://{up}")
        ),
    ]);
    let cfg = base_config(
        &who.url(),
        json!({"serve": {"proxy": {"timeout": {"write": "1s"}}}}),
    );
    let t = gateway(cfg, rules).await;
    assert_eq!(
        client()
            .get(t.proxy("/dead"))
            .send()
            .await
            .unwrap()
            .status(),
        502
    );
    assert_eq!(
        client()
            .get(t.proxy("/slow"))
            .send()
            .await
            .unwrap()
            .status(),
        504
    );
}

#[tokio::test]
async fn unreachable_session_service_answers_403_not_a_hang() {
    let up = upstream().await;
    let dead = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let rules = json!([rule(
        "a",
        "http://<**>/a",
        &["cookie_session"],
        &format!("http://{up}")
    )]);
    let t = gateway(
        base_config(&format!("http://{dead}/sessions/whoami"), json!({})),
        rules,
    )
    .await;
    let resp = client()
        .get(t.proxy("/a"))
        .header("Cookie", "ory_kratos_session=valid")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
}

#[tokio::test]
async fn forwarded_headers_are_replaced_unless_trusted() {
    let (up, who) = (upstream().await, whoami().await);
    let rules = json!([
        rule("http", "http://<**>/f", &["noop"], &format!("http://{up}")),
        rule(
            "https",
            "https://<**>/f",
            &["anonymous"],
            &format!("http://{up}")
        ),
    ]);
    let t = gateway(base_config(&who.url(), json!({})), rules.clone()).await;
    let resp = client()
        .get(t.proxy("/f"))
        .header("X-Forwarded-Proto", "https")
        .header("X-Forwarded-Host", "evil.example")
        .header("X-Forwarded-For", "6.6.6.6")
        .send()
        .await
        .unwrap();
    let body: Value = resp.json().await.unwrap();
    assert_eq!(
        body["headers"]["x-user-id"], "",
        "matched the http rule (noop)"
    );
    assert_eq!(
        body["headers"]["x-forwarded-host"],
        t.gw.proxy_addr.to_string()
    );
    assert_eq!(body["headers"]["x-forwarded-for"], "127.0.0.1");

    let trusted = gateway(
        base_config(
            &who.url(),
            json!({"serve": {"proxy": {"trust_forwarded_headers": true}}}),
        ),
        rules,
    )
    .await;
    let resp = client()
        .get(trusted.proxy("/f"))
        .header("X-Forwarded-Proto", "https")
        .header("X-Forwarded-For", "10.0.0.1")
        .send()
        .await
        .unwrap();
    let body: Value = resp.json().await.unwrap();
    assert_eq!(
        body["headers"]["x-user-id"], "guest",
        "matched the https rule"
    );
    assert_eq!(body["headers"]["x-forwarded-for"], "10.0.0.1, 127.0.0.1");
}

#[tokio::test]
async fn bodies_stream_through() {
    let (up, who) = (upstream().await, whoami().await);
    let rules = json!([rule(
        "b",
        "http://<**>/upload",
        &["noop"],
        &format!("http://{up}")
    )]);
    let t = gateway(base_config(&who.url(), json!({})), rules).await;
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        (0..64).map(|_| Ok(vec![b'x'; 64 * 1024])).collect();
    let body = reqwest::Body::wrap_stream(futures::stream::iter(chunks));
    let resp = client()
        .post(t.proxy("/upload"))
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["body_len"], 64 * 64 * 1024);
}

#[tokio::test]
async fn oversized_headers_are_rejected() {
    let (up, who) = (upstream().await, whoami().await);
    let rules = json!([rule(
        "h",
        "http://<**>/h",
        &["noop"],
        &format!("http://{up}")
    )]);
    let t = gateway(base_config(&who.url(), json!({})), rules).await;
    let resp = client()
        .get(t.proxy("/h"))
        .header("X-Big", "a".repeat(128 * 1024))
        .send()
        .await;
    match resp {
        Ok(r) => assert_eq!(r.status(), 431),
        Err(e) => assert!(e.is_request() || e.is_connect() || e.is_body(), "{e}"),
    }
}

#[tokio::test]
async fn websocket_upgrades_pass_through() {
    use futures::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    let (up, who) = (upstream().await, whoami().await);
    let rules = json!([rule(
        "ws",
        "http://<**>/ws",
        &["cookie_session"],
        &format!("http://{up}")
    )]);
    let t = gateway(base_config(&who.url(), json!({})), rules).await;
    let mut req = tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(
        format!("ws://{}/ws", t.gw.proxy_addr),
    )
    .unwrap();
    req.headers_mut()
        .insert("cookie", "ory_kratos_session=valid".parse().unwrap());
    let (mut ws, resp) = tokio_tungstenite::connect_async(req).await.unwrap();
    assert_eq!(resp.status(), 101);
    ws.send(Message::Text("hi".into())).await.unwrap();
    let msg = ws.next().await.unwrap().unwrap();
    assert_eq!(msg.into_text().unwrap().as_str(), "echo:hi");

    let unauth = tokio_tungstenite::connect_async(format!("ws://{}/ws", t.gw.proxy_addr)).await;
    assert!(unauth.is_err(), "the handshake is authenticated");
}

/// A gateway with one rule for `url` behind `authenticator`, its session cache on (1 min)
/// and `config` merged into the authenticator's config, with the whoami it checks against.
async fn cached_gateway(authenticator: &str, config: Value, url: &str) -> (TestGateway, Whoami) {
    let (up, who) = (upstream().await, whoami().await);
    let mut config = config;
    nexus_gateway::pipeline::registry::deep_merge(
        &mut config,
        &json!({"cache": {"enabled": true, "ttl": "1m"}}),
    );
    let extra = json!({"authenticators": {authenticator: {"config": config}}});
    let rules = json!([rule("c", url, &[authenticator], &format!("http://{up}"))]);
    (gateway(base_config(&who.url(), extra), rules).await, who)
}

#[tokio::test]
async fn session_cache_avoids_repeated_whoami_calls() {
    let (t, who) = cached_gateway("cookie_session", json!({}), "http://<**>/c").await;
    for _ in 0..5 {
        let r = client()
            .get(t.proxy("/c"))
            .header("Cookie", "ory_kratos_session=valid")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    }
    assert_eq!(who.calls(), 1);
    for _ in 0..2 {
        let r = client()
            .get(t.proxy("/c"))
            .header("Cookie", "ory_kratos_session=bad")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401, "failures are not cached as successes");
    }
}

#[tokio::test]
async fn session_cache_keys_on_what_the_check_would_send() {
    let config = json!({"preserve_query": false});
    let (t, who) = cached_gateway("cookie_session", config, "http://<**>/c<**>").await;
    let get = |path: &'static str, cookie: &'static str| {
        let url = t.proxy(path);
        async move {
            let r = client()
                .get(url)
                .header("Cookie", cookie)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200, "{path} {cookie}");
        }
    };
    get("/c?a=1", "ory_kratos_session=valid").await;
    get("/c?a=1", "ory_kratos_session=valid").await;
    assert_eq!(who.calls(), 1, "the same check is answered from the cache");
    get("/c?a=2", "ory_kratos_session=valid").await;
    assert_eq!(
        who.calls(),
        2,
        "the request's query goes to the check: another key"
    );
    get("/c?a=1", "ory_kratos_session=valid-too").await;
    assert_eq!(who.calls(), 3, "another cookie is another key");
    get("/c?a=2", "ory_kratos_session=valid").await;
    get("/c?a=1", "ory_kratos_session=valid-too").await;
    assert_eq!(who.calls(), 3, "both are cached");
}

#[tokio::test]
async fn session_cache_keys_on_the_host_when_the_check_sends_it() {
    let config = json!({"preserve_host": true});
    let (t, who) = cached_gateway("cookie_session", config, "http://<**>/c").await;
    for host in ["a.example", "b.example", "a.example"] {
        let r = client()
            .get(t.proxy("/c"))
            .header("Host", host)
            .header("Cookie", "ory_kratos_session=valid")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{host}");
    }
    assert_eq!(
        who.calls(),
        2,
        "X-Forwarded-Host differs per host: one check each"
    );
}

#[tokio::test]
async fn bearer_token_authenticates() {
    let (up, who) = (upstream().await, whoami().await);
    let rules = json!([rule(
        "b",
        "http://<**>/b",
        &["bearer_token"],
        &format!("http://{up}")
    )]);
    let t = gateway(base_config(&who.url(), json!({})), rules).await;
    let r = client()
        .get(t.proxy("/b"))
        .bearer_auth("valid-token")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["headers"]["x-user-id"], "user-1");
    assert_eq!(
        client()
            .get(t.proxy("/b"))
            .bearer_auth("nope")
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
}

#[tokio::test]
async fn bearer_token_cache_keys_on_the_token() {
    let (t, who) = cached_gateway("bearer_token", json!({}), "http://<**>/b").await;
    let status = |token: &'static str| {
        let url = t.proxy("/b");
        async move {
            client()
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(status("valid-token").await, 200);
    assert_eq!(status("valid-token").await, 200);
    assert_eq!(
        who.calls(),
        1,
        "the second check is answered from the cache"
    );
    assert_eq!(status("nope").await, 401, "another token is another check");
    assert_eq!(who.calls(), 2);
}

#[tokio::test]
async fn cors_preflight_is_answered_before_rule_matching() {
    let who = whoami().await;
    let cfg = base_config(
        &who.url(),
        json!({"serve": {"proxy": {"cors": {
            "enabled": true, "allowed_origins": ["https://app.example.com"],
            "allowed_methods": ["GET", "POST"], "allowed_headers": ["Authorization"]
        }}}}),
    );
    let t = gateway(cfg, json!([])).await;
    let resp = client()
        .request(reqwest::Method::OPTIONS, t.proxy("/anything"))
        .header("Origin", "https://app.example.com")
        .header("Access-Control-Request-Method", "POST")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.headers()["access-control-allow-origin"],
        "https://app.example.com"
    );
}
