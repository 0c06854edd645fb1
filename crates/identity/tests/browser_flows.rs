//! Browser flows as a browser drives them: cookie jar, 303 redirects, forms, CSRF, logout.

mod common;

use common::{email, Backend, TestServer, PASSWORD};
use reqwest::header::{ACCEPT, LOCATION};
use serde_json::Value;

/// Starts a browser flow the way a page does (HTML accept → 303 to the UI with ?flow=).
async fn start(srv: &TestServer, client: &reqwest::Client, kind: &str) -> Value {
    let res = client
        .get(srv.url(&format!("/self-service/{kind}/browser")))
        .header(ACCEPT, "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let location = res.headers()[LOCATION].to_str().unwrap().to_string();
    assert!(
        location.starts_with(&format!("http://127.0.0.1:4455/{kind}?flow=")),
        "{location}"
    );
    let id = location.split("flow=").nth(1).unwrap();
    let res = client
        .get(srv.url(&format!("/self-service/{kind}/flows?id={id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

async fn register(srv: &TestServer, client: &reqwest::Client, address: &str) -> reqwest::Response {
    let flow = start(srv, client, "registration").await;
    let action = flow["ui"]["action"].as_str().unwrap().to_string();
    let csrf = common::csrf_of(&flow);
    client
        .post(action)
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("method", "password"),
            ("traits.email", address),
            ("traits.name.first", "Grace"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap()
}

both!(
    register_login_logout_in_a_browser,
    |backend: Backend| async move {
        let srv = TestServer::start(backend).await;
        let client = common::browser();
        let address = email();
        let res = register(&srv, &client, &address).await;
        assert_eq!(res.status(), 303);
        assert_eq!(res.headers()[LOCATION], "http://127.0.0.1:4455/welcome");
        let cookie = res
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .find(|c| c.starts_with("ory_kratos_session="))
            .expect("session cookie");
        assert!(cookie.contains("HttpOnly"));
        assert!(cookie.contains("SameSite=Lax"));

        let who: Value = client
            .get(srv.url("/sessions/whoami"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(who["identity"]["traits"]["email"], address);

        // Log out: get the URL, follow it, the session is gone.
        let logout: Value = client
            .get(srv.url("/self-service/logout/browser"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let url = logout["logout_url"].as_str().unwrap();
        assert!(logout["logout_token"]
            .as_str()
            .unwrap()
            .starts_with("ory_lo_"));
        let res = client
            .get(url)
            .header(ACCEPT, "text/html")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303);
        assert_eq!(res.headers()[LOCATION], "http://127.0.0.1:4455/login");
        let who = client
            .get(srv.url("/sessions/whoami"))
            .send()
            .await
            .unwrap();
        assert_eq!(who.status(), 401);

        // Log in again with the form.
        let flow = start(&srv, &client, "login").await;
        let res = client
            .post(flow["ui"]["action"].as_str().unwrap())
            .form(&[
                ("csrf_token", common::csrf_of(&flow).as_str()),
                ("method", "password"),
                ("identifier", address.as_str()),
                ("password", PASSWORD),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303);
        let who = client
            .get(srv.url("/sessions/whoami"))
            .send()
            .await
            .unwrap();
        assert_eq!(who.status(), 200);

        // A signed-in browser asking for a login flow goes straight to the return URL.
        let res = client
            .get(srv.url("/self-service/login/browser"))
            .header(ACCEPT, "text/html")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303);
        assert_eq!(res.headers()[LOCATION], "http://127.0.0.1:4455/welcome");
    }
);

both!(csrf_is_enforced, |backend: Backend| async move {
    let srv = TestServer::start(backend).await;
    let client = common::browser();
    let flow = start(&srv, &client, "login").await;
    let action = flow["ui"]["action"].as_str().unwrap().to_string();
    let json_post = |token: Option<&str>| {
        let mut body =
            serde_json::json!({ "method": "password", "identifier": "a@b.c", "password": "x" });
        if let Some(t) = token {
            body["csrf_token"] = t.into();
        }
        client
            .post(&action)
            .header(ACCEPT, "application/json")
            .json(&body)
            .send()
    };
    for token in [
        None,
        Some("forged-token-forged-token-forged-token-forged-token"),
    ] {
        let res = json_post(token).await.unwrap();
        assert_eq!(res.status(), 403);
        let e: Value = res.json().await.unwrap();
        assert_eq!(e["error"]["id"], "security_csrf_violation");
    }
    // The right token without the cookie (another browser) is rejected too.
    let other = common::plain();
    let res = other
        .post(&action)
        .header(ACCEPT, "application/json")
        .json(&serde_json::json!({ "method": "password", "csrf_token": common::csrf_of(&flow), "identifier": "a@b.c", "password": "x" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    // Fetching a browser flow without its cookie is refused.
    let id = flow["id"].as_str().unwrap();
    let res = other
        .get(srv.url(&format!("/self-service/login/flows?id={id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    // With the right token and cookie, the credentials are checked (400 with 4000006).
    let res = json_post(Some(&common::csrf_of(&flow))).await.unwrap();
    assert_eq!(res.status(), 400);
    let flow: Value = res.json().await.unwrap();
    assert_eq!(common::message_ids(&flow), vec![4000006]);
});

both!(
    ajax_browser_login_gets_json,
    |backend: Backend| async move {
        let srv = TestServer::start(backend).await;
        let client = common::browser();
        let address = email();
        assert_eq!(register(&srv, &client, &address).await.status(), 303);
        let other = common::browser();
        let flow: Value = other
            .get(srv.url("/self-service/login/browser"))
            .header(ACCEPT, "application/json")
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(flow["type"], "browser");
        let res = other
        .post(flow["ui"]["action"].as_str().unwrap())
        .header(ACCEPT, "application/json")
        .json(&serde_json::json!({ "method": "password", "csrf_token": common::csrf_of(&flow), "identifier": address, "password": PASSWORD }))
        .send()
        .await
        .unwrap();
        assert_eq!(res.status(), 200);
        assert!(res
            .headers()
            .get_all("set-cookie")
            .iter()
            .any(|c| c.to_str().unwrap().starts_with("ory_kratos_session=")));
        let body: Value = res.json().await.unwrap();
        assert!(
            body.get("session_token").is_none(),
            "browser flows never return tokens"
        );
        assert_eq!(body["continue_with"][0]["action"], "redirect_browser_to");
    }
);

both!(return_to_is_checked, |backend: Backend| async move {
    let srv = TestServer::start(backend).await;
    let client = common::browser();
    let res = client
        .get(srv.url("/self-service/login/browser?return_to=https://evil.example.com/"))
        .header(ACCEPT, "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let e: Value = res.json().await.unwrap();
    assert_eq!(e["error"]["id"], "self_service_flow_return_to_forbidden");
    // A browser page gets the error UI with a stored error.
    let res = client
        .get(srv.url("/self-service/login/browser?return_to=https://evil.example.com/"))
        .header(ACCEPT, "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let location = res.headers()[LOCATION].to_str().unwrap().to_string();
    assert!(location.starts_with("http://127.0.0.1:4455/error?id="));
    let id = location.split("id=").nth(1).unwrap();
    let err: Value = client
        .get(srv.url(&format!("/self-service/errors?id={id}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(err["error"]["id"], "self_service_flow_return_to_forbidden");
    // An allowed return_to is kept on the flow and used after login.
    let flow: Value = client
        .get(srv.url("/self-service/login/browser?return_to=http://127.0.0.1:4455/dashboard"))
        .header(ACCEPT, "application/json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(flow["return_to"], "http://127.0.0.1:4455/dashboard");
});

/// `serve.public.cors`: an allowed origin is echoed with credentials allowed and preflights are
/// answered; any other origin gets no CORS headers; off by default.
#[tokio::test]
async fn cors_on_the_public_api_follows_the_config() {
    let srv = TestServer::start_with(Backend::Sqlite, |cfg| {
        cfg["serve"]["public"]["cors"] = serde_json::json!({
            "enabled": true,
            "allowed_origins": ["https://app.example.com", "https://*.apps.example.com"],
            "max_age": 600
        });
    })
    .await;
    let client = common::plain();
    let whoami = srv.url("/sessions/whoami");
    for origin in ["https://app.example.com", "https://ui.apps.example.com"] {
        let res = client
            .get(&whoami)
            .header("Origin", origin)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 401);
        let h = res.headers();
        assert_eq!(h["access-control-allow-origin"], origin);
        assert_eq!(h["access-control-allow-credentials"], "true");
    }
    let preflight = client
        .request(reqwest::Method::OPTIONS, &whoami)
        .header("Origin", "https://app.example.com")
        .header("Access-Control-Request-Method", "GET")
        .header("Access-Control-Request-Headers", "x-session-token")
        .send()
        .await
        .unwrap();
    assert!(preflight.status().is_success(), "{}", preflight.status());
    let h = preflight.headers();
    assert_eq!(h["access-control-allow-origin"], "https://app.example.com");
    assert!(h["access-control-allow-methods"]
        .to_str()
        .unwrap()
        .contains("GET"));
    assert!(h["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase()
        .contains("x-session-token"));
    assert_eq!(h["access-control-max-age"], "600");

    let res = client
        .get(&whoami)
        .header("Origin", "https://evil.example.net")
        .send()
        .await
        .unwrap();
    assert!(res.headers().get("access-control-allow-origin").is_none());

    let off = TestServer::start(Backend::Sqlite).await;
    let res = client
        .get(off.url("/sessions/whoami"))
        .header("Origin", "https://app.example.com")
        .send()
        .await
        .unwrap();
    assert!(res.headers().get("access-control-allow-origin").is_none());
}
