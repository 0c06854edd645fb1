//! The settings flow end to end: profile and password in browsers and native apps,
//! privileged sessions, hooks, and bad input answered with the Kratos error.

mod account_support;
mod common;

use account_support::{self as acc, location, UI};
use common::{email, Backend, TestServer, PASSWORD};
use ory_kratos_client::models::Identity;
use reqwest::header::ACCEPT;
use serde_json::{json, Value};

const NEW_PASSWORD: &str = "another-long-passphrase-42";

async fn server(backend: Backend, tweak: impl FnOnce(&mut Value)) -> TestServer {
    TestServer::start_with(backend, |cfg| {
        acc::ui_urls(cfg);
        tweak(cfg);
    })
    .await
}

/// A signed-in browser for a new identity, and its address.
async fn signed_in(srv: &TestServer) -> (reqwest::Client, String) {
    let client = common::browser();
    let address = email();
    let res = acc::register_browser(srv, &client, &address).await;
    assert_eq!(res.status(), 303);
    (client, address)
}

both!(
    browser_profile_and_password,
    |backend: Backend| async move {
        let srv = server(backend, |_| {}).await;
        let (client, address) = signed_in(&srv).await;
        let flow = acc::browser_flow(&srv, &client, "settings").await;
        assert_eq!(flow["state"], "show_form");
        assert_eq!(flow["type"], "browser");
        let identity: Identity = acc::sdk(&flow["identity"]);
        assert_eq!(identity.traits.unwrap()["email"], address.as_str());
        assert!(flow["identity"].get("credentials").is_none());
        let names: Vec<(String, String)> = acc::layout(&flow)
            .into_iter()
            .map(|(g, n, _)| (g, n))
            .collect();
        for expected in [
            ("default", "csrf_token"),
            ("profile", "traits.email"),
            ("profile", "traits.name.first"),
            ("profile", "method"),
            ("password", "password"),
            ("password", "method"),
        ] {
            assert!(
                names.contains(&(expected.0.into(), expected.1.into())),
                "{expected:?} in {names:?}"
            );
        }
        assert_eq!(
            acc::node(&flow, "traits.email").unwrap()["attributes"]["value"],
            address.as_str()
        );
        let save = flow["ui"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["group"] == "password" && n["attributes"]["name"] == "method")
            .unwrap();
        assert_eq!(save["meta"]["label"]["id"], 1070003);

        // Profile: a new first name; the browser returns to the flow, which shows the success.
        let csrf = common::csrf_of(&flow);
        let res = acc::post_form(
            &client,
            &flow,
            &[
                ("csrf_token", &csrf),
                ("method", "profile"),
                ("traits.email", &address),
                ("traits.name.first", "Ada"),
            ],
        )
        .await;
        assert_eq!(res.status(), 303);
        let id = flow["id"].as_str().unwrap();
        assert_eq!(location(&res), format!("{UI}/settings?flow={id}"));
        let done = acc::fetch(&srv, &client, "settings", id).await;
        assert_eq!(done["state"], "success");
        assert_eq!(common::message_ids(&done), vec![1050001]);
        assert_eq!(done["ui"]["messages"][0]["type"], "success");
        assert_eq!(done["identity"]["traits"]["name"]["first"], "Ada");
        let (_, who) = acc::whoami(&srv, &client).await;
        assert_eq!(who["identity"]["traits"]["name"]["first"], "Ada");

        // Password (the same flow can be submitted again after a success).
        let res = acc::post_form(
            &client,
            &done,
            &[
                ("csrf_token", &csrf),
                ("method", "password"),
                ("password", NEW_PASSWORD),
            ],
        )
        .await;
        assert_eq!(res.status(), 303);
        assert!(acc::login_api(&srv, &address, PASSWORD).await.is_err());
        acc::login_api(&srv, &address, NEW_PASSWORD)
            .await
            .expect("the new password signs in");
        let (status, _) = acc::whoami(&srv, &client).await;
        assert_eq!(status, 200, "the browser's own session survives");
    }
);

both!(api_flow_with_session_token, |backend: Backend| async move {
    let srv = server(backend, |_| {}).await;
    let address = email();
    let done = acc::register_api(&srv, &address).await;
    let token = done["session_token"].as_str().unwrap().to_string();
    let (status, flow) = acc::api_flow(&srv, "settings", Some(&token)).await;
    assert_eq!(status, 200, "{flow}");
    assert_eq!(flow["type"], "api");
    assert!(acc::node(&flow, "csrf_token").is_none());
    let _: Identity = acc::sdk(&flow["identity"]);

    // Fetching needs the owner's session.
    let id = flow["id"].as_str().unwrap();
    let res = common::plain()
        .get(srv.url(&format!("/self-service/settings/flows?id={id}")))
        .header("X-Session-Token", &token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = common::plain()
        .get(srv.url(&format!("/self-service/settings/flows?id={id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);

    let plain = common::plain();
    let body = json!({ "method": "profile", "traits": { "email": address, "name": { "first": "Lin", "last": "Ye" } } });
    let (status, saved) = acc::post_json(&plain, &flow, body, Some(&token)).await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["state"], "success");
    assert_eq!(saved["identity"]["traits"]["name"]["last"], "Ye");
    assert_eq!(common::message_ids(&saved), vec![1050001]);
    assert!(saved
        .get("continue_with")
        .is_none_or(|c| c.as_array().unwrap().is_empty()));

    let body = json!({ "method": "password", "password": NEW_PASSWORD });
    let (status, saved) = acc::post_json(&plain, &flow, body, Some(&token)).await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["active"], "password");
    assert!(acc::login_api(&srv, &address, NEW_PASSWORD).await.is_ok());
});

both!(
    ajax_browser_gets_continue_with,
    |backend: Backend| async move {
        let srv = server(backend, |cfg| {
        cfg["selfservice"]["flows"]["settings"]["after"] =
            json!({ "profile": { "default_browser_return_url": format!("{UI}/profile-saved") } });
    })
    .await;
        let (client, address) = signed_in(&srv).await;
        let flow: Value = client
            .get(srv.url("/self-service/settings/browser"))
            .header(ACCEPT, "application/json")
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let body = json!({ "method": "profile", "csrf_token": common::csrf_of(&flow), "traits": { "email": address } });
        let (status, saved) = acc::post_json(&client, &flow, body, None).await;
        assert_eq!(status, 200, "{saved}");
        assert_eq!(saved["continue_with"][0]["action"], "redirect_browser_to");
        assert_eq!(
            saved["continue_with"][0]["redirect_browser_to"],
            format!("{UI}/profile-saved")
        );
        // A page gets the per-method return URL as a redirect.
        let res = acc::post_form(
            &client,
            &flow,
            &[
                ("csrf_token", &common::csrf_of(&flow)),
                ("method", "profile"),
                ("traits.email", &address),
            ],
        )
        .await;
        assert_eq!(res.status(), 303);
        assert_eq!(location(&res), format!("{UI}/profile-saved"));
    }
);

both!(
    revoke_active_sessions_after_password_change,
    |backend: Backend| async move {
        let srv = server(backend, |cfg| {
            cfg["selfservice"]["flows"]["settings"]["after"] =
                json!({ "password": { "hooks": [{ "hook": "revoke_active_sessions" }] } });
        })
        .await;
        let (client, address) = signed_in(&srv).await;
        let other = acc::login_api(&srv, &address, PASSWORD).await.unwrap();
        assert_eq!(acc::whoami_token(&srv, &other).await, 200);

        // A profile change does not end other sessions (the hook is for `password` only).
        let flow = acc::browser_flow(&srv, &client, "settings").await;
        let csrf = common::csrf_of(&flow);
        let res = acc::post_form(
            &client,
            &flow,
            &[
                ("csrf_token", &csrf),
                ("method", "profile"),
                ("traits.email", &address),
            ],
        )
        .await;
        assert_eq!(res.status(), 303);
        assert_eq!(acc::whoami_token(&srv, &other).await, 200);

        let res = acc::post_form(
            &client,
            &flow,
            &[
                ("csrf_token", &csrf),
                ("method", "password"),
                ("password", NEW_PASSWORD),
            ],
        )
        .await;
        assert_eq!(res.status(), 303);
        assert_eq!(
            acc::whoami_token(&srv, &other).await,
            401,
            "other sessions end"
        );
        let (status, _) = acc::whoami(&srv, &client).await;
        assert_eq!(status, 200, "the changing session stays");
    }
);

both!(privileged_session_required, |backend: Backend| async move {
    let srv = server(backend, |cfg| {
        cfg["selfservice"]["flows"]["settings"]["privileged_session_max_age"] = json!("1s");
    })
    .await;
    let (client, address) = signed_in(&srv).await;
    let flow = acc::browser_flow(&srv, &client, "settings").await;
    let csrf = common::csrf_of(&flow);
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;

    // A harmless trait still saves; a new email or password needs a fresh sign-in.
    let body = json!({ "method": "profile", "csrf_token": csrf, "traits": { "email": address, "name": { "first": "Old" } } });
    let (status, saved) = acc::post_json(&client, &flow, body, None).await;
    assert_eq!(status, 200, "{saved}");
    let id = flow["id"].as_str().unwrap();
    let back = srv.url(&format!("/self-service/settings?flow={id}"));
    for body in [
        json!({ "method": "password", "csrf_token": csrf, "password": NEW_PASSWORD }),
        json!({ "method": "profile", "csrf_token": csrf, "traits": { "email": email() } }),
    ] {
        let (status, e) = acc::post_json(&client, &flow, body, None).await;
        assert_eq!(status, 403, "{e}");
        assert_eq!(e["error"]["id"], "session_refresh_required");
        let to = e["redirect_browser_to"].as_str().unwrap();
        let to = url::Url::parse(to).unwrap();
        assert_eq!(to.path(), "/self-service/login/browser");
        let q: std::collections::HashMap<_, _> = to.query_pairs().into_owned().collect();
        assert_eq!(q["refresh"], "true");
        assert_eq!(q["return_to"], back);
    }
    // A page is redirected to the re-authentication.
    let res = acc::post_form(
        &client,
        &flow,
        &[
            ("csrf_token", &csrf),
            ("method", "password"),
            ("password", NEW_PASSWORD),
        ],
    )
    .await;
    assert_eq!(res.status(), 303);
    let login_url = location(&res);
    assert!(login_url.contains("refresh=true"), "{login_url}");

    // Re-authenticate; the login returns to the settings flow.
    let res = client
        .get(&login_url)
        .header(ACCEPT, "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let login = acc::fetch(&srv, &client, "login", &acc::flow_param(&location(&res))).await;
    assert_eq!(login["refresh"], true);
    let res = acc::post_password_login(&client, &login, &address, PASSWORD).await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), back);
    let res = client
        .get(&back)
        .header(ACCEPT, "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), format!("{UI}/settings?flow={id}"));
    let res = acc::post_form(
        &client,
        &flow,
        &[
            ("csrf_token", &csrf),
            ("method", "password"),
            ("password", NEW_PASSWORD),
        ],
    )
    .await;
    assert_eq!(res.status(), 303);
    assert!(acc::login_api(&srv, &address, NEW_PASSWORD).await.is_ok());
});

both!(
    bad_input_gets_kratos_errors,
    |backend: Backend| async move {
        let srv = server(backend, |_| {}).await;
        let (client, address) = signed_in(&srv).await;
        let flow = acc::browser_flow(&srv, &client, "settings").await;
        let csrf = common::csrf_of(&flow);
        let id = flow["id"].as_str().unwrap().to_string();

        // Missing and forged CSRF tokens.
        for token in [
            None,
            Some("forged-forged-forged-forged-forged-forged-forged-forged"),
        ] {
            let mut body = json!({ "method": "profile", "traits": { "email": address } });
            if let Some(t) = token {
                body["csrf_token"] = json!(t);
            }
            let (status, e) = acc::post_json(&client, &flow, body, None).await;
            assert_eq!(status, 403, "{e}");
            assert_eq!(e["error"]["id"], "security_csrf_violation");
        }
        // Wrong or missing method.
        for method in [json!("totp"), json!("nonsense"), Value::Null] {
            let body = json!({ "method": method, "csrf_token": csrf });
            let (status, f) = acc::post_json(&client, &flow, body, None).await;
            assert_eq!(status, 400, "{f}");
            assert_eq!(common::message_ids(&f), vec![4010004]);
        }
        // Invalid traits: wrong format, missing required, unknown property, no traits at all.
        let (status, f) = acc::post_json(&client, &flow, json!({ "method": "profile", "csrf_token": csrf, "traits": { "email": "not-an-email" } }), None).await;
        assert_eq!(status, 400, "{f}");
        assert!(
            !common::node_message_ids(&f, "traits.email").is_empty(),
            "{f}"
        );
        assert_eq!(
            acc::node(&f, "traits.email").unwrap()["attributes"]["value"],
            "not-an-email"
        );
        let (status, f) = acc::post_json(&client, &flow, json!({ "method": "profile", "csrf_token": csrf, "traits": { "name": { "first": "X" } } }), None).await;
        assert_eq!(status, 400);
        assert!(f["ui"].to_string().contains("4000002"), "{f}");
        let (status, f) = acc::post_json(&client, &flow, json!({ "method": "profile", "csrf_token": csrf, "traits": { "email": address, "age": 3 } }), None).await;
        assert_eq!(status, 400, "{f}");
        let (status, f) = acc::post_json(
            &client,
            &flow,
            json!({ "method": "profile", "csrf_token": csrf }),
            None,
        )
        .await;
        assert_eq!(status, 400);
        assert_eq!(common::message_ids(&f), vec![4000001]);
        // An address another identity has.
        let taken = email();
        acc::register_api(&srv, &taken).await;
        let (status, f) = acc::post_json(
            &client,
            &flow,
            json!({ "method": "profile", "csrf_token": csrf, "traits": { "email": taken } }),
            None,
        )
        .await;
        assert_eq!(status, 400, "{f}");
        assert_eq!(common::message_ids(&f), vec![4000007]);
        // Passwords: missing, too short, the current one.
        let (status, f) = acc::post_json(
            &client,
            &flow,
            json!({ "method": "password", "csrf_token": csrf }),
            None,
        )
        .await;
        assert_eq!(status, 400);
        assert_eq!(common::node_message_ids(&f, "password"), vec![4000002]);
        let (status, f) = acc::post_json(
            &client,
            &flow,
            json!({ "method": "password", "csrf_token": csrf, "password": "short" }),
            None,
        )
        .await;
        assert_eq!(status, 400);
        assert_eq!(common::node_message_ids(&f, "password"), vec![4000032]);
        assert!(acc::node(&f, "password").unwrap()["attributes"]
            .get("value")
            .is_none());
        let (status, f) = acc::post_json(
            &client,
            &flow,
            json!({ "method": "password", "csrf_token": csrf, "password": PASSWORD }),
            None,
        )
        .await;
        assert_eq!(status, 400);
        assert_eq!(common::node_message_ids(&f, "password"), vec![4000039]);

        // Unknown and malformed flow ids.
        for q in [
            format!("flow={}", uuid::Uuid::new_v4()),
            "flow=not-a-uuid".into(),
            String::new(),
        ] {
            let res = client
                .post(srv.url(&format!("/self-service/settings?{q}")))
                .header(ACCEPT, "application/json")
                .json(&json!({ "method": "profile", "csrf_token": csrf }))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 404, "{q}");
            let e: Value = res.json().await.unwrap();
            assert_eq!(e["error"]["code"], 404);
        }
        let res = client
            .get(srv.url(&format!(
                "/self-service/settings/flows?id={}",
                uuid::Uuid::new_v4()
            )))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 404);

        // Another identity's session cannot read or use the flow.
        let (intruder, _) = signed_in(&srv).await;
        let res = intruder
            .get(srv.url(&format!("/self-service/settings/flows?id={id}")))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403);
        let e: Value = res.json().await.unwrap();
        assert_eq!(e["error"]["id"], "security_identity_mismatch");

        // Without a session: JSON 401, pages go to the login.
        let anonymous = common::browser();
        let res = anonymous
            .get(srv.url("/self-service/settings/browser?return_to=http://127.0.0.1:4455/after"))
            .header(ACCEPT, "text/html")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303);
        assert_eq!(
            location(&res),
            srv.url("/self-service/login/browser?return_to=http%3A%2F%2F127.0.0.1%3A4455%2Fafter")
        );
        let (status, e) = acc::api_flow(&srv, "settings", None).await;
        assert_eq!(status, 401);
        assert_eq!(e["error"]["id"], "session_inactive");
        let (status, e) =
            acc::post_json(&anonymous, &flow, json!({ "method": "profile" }), None).await;
        assert_eq!(status, 401, "{e}");
        let res = acc::post_form(&anonymous, &flow, &[("method", "profile")]).await;
        assert_eq!(res.status(), 303);
        assert_eq!(location(&res), format!("{UI}/login"));
    }
);

both!(expired_flow_is_replaced, |backend: Backend| async move {
    let srv = server(backend, |cfg| {
        cfg["selfservice"]["flows"]["settings"]["lifespan"] = json!("1s");
    })
    .await;
    let (client, address) = signed_in(&srv).await;
    let flow = acc::browser_flow(&srv, &client, "settings").await;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let id = flow["id"].as_str().unwrap();
    let res = client
        .get(srv.url(&format!("/self-service/settings/flows?id={id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 410);
    let body = json!({ "method": "profile", "csrf_token": common::csrf_of(&flow), "traits": { "email": address } });
    let (status, e) = acc::post_json(&client, &flow, body, None).await;
    assert_eq!(status, 410, "{e}");
    assert_eq!(e["error"]["id"], "self_service_flow_expired");
    let new_id = e["use_flow_id"].as_str().unwrap();
    let fresh = acc::fetch(&srv, &client, "settings", new_id).await;
    assert_eq!(common::message_ids(&fresh), vec![4050001]);
    assert_eq!(fresh["identity"]["traits"]["email"], address.as_str());
});
