//! The verification flow end to end: codes and links, after sign-up and self-service, the
//! `require_verified_address` login hook, and bad input answered with the Kratos error.

mod account_support;
mod common;

use account_support::{self as acc, location, UI};
use common::{email, Backend, TestServer, PASSWORD};
use ory_kratos_client::models::{Identity, VerifiableIdentityAddress};
use reqwest::header::ACCEPT;
use serde_json::{json, Value};

async fn server(backend: Backend, strategy: &str, tweak: impl FnOnce(&mut Value)) -> TestServer {
    TestServer::start_with(backend, |cfg| {
        acc::ui_urls(cfg);
        acc::verification(cfg, strategy);
        tweak(cfg);
    })
    .await
}

/// Registration hooks: a session and the verification UI.
fn show_ui(cfg: &mut Value) {
    cfg["selfservice"]["flows"]["registration"]["after"]["password"]["hooks"] =
        json!([{ "hook": "session" }, { "hook": "show_verification_ui" }]);
}

/// The identity's first verifiable address, decoded with the SDK model.
fn address_of(identity: &Value) -> VerifiableIdentityAddress {
    let identity: Identity = acc::sdk(identity);
    identity.verifiable_addresses.unwrap().remove(0)
}

both!(
    code_after_browser_registration,
    |backend: Backend| async move {
        let srv = server(backend, "code", show_ui).await;
        let client = common::browser();
        let address = email();
        let res = acc::register_browser(&srv, &client, &address).await;
        assert_eq!(res.status(), 303);
        let to = location(&res);
        assert!(to.starts_with(&format!("{UI}/verification?flow=")), "{to}");
        let flow = acc::fetch(&srv, &client, "verification", &acc::flow_param(&to)).await;
        assert_eq!(flow["state"], "sent_email");
        assert_eq!(flow["active"], "code");
        assert_eq!(common::message_ids(&flow), vec![1080003]);
        let code_node = acc::node(&flow, "code").unwrap();
        assert_eq!(code_node["meta"]["label"]["id"], 1070011);
        let (_, who) = acc::whoami(&srv, &client).await;
        let a = address_of(&who["identity"]);
        assert!(!a.verified);
        assert_eq!(serde_json::to_value(a.status).unwrap(), "sent");

        let mail = acc::wait_mail(&srv, &address, 1).await;
        assert_eq!(mail.template_type, "verification_code_valid");
        let code = acc::code_in(&mail.body);
        // The link in the email fills the code in and shows the flow; nothing is verified yet.
        let link = acc::link_in(&mail.body);
        assert_eq!(acc::param(&link, "code"), code);
        let res = client
            .get(&link)
            .header(ACCEPT, "text/html")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303);
        assert_eq!(location(&res), to);
        let filled = acc::fetch(&srv, &client, "verification", &acc::flow_param(&to)).await;
        assert_eq!(
            acc::node(&filled, "code").unwrap()["attributes"]["value"],
            code.as_str()
        );
        let (_, who) = acc::whoami(&srv, &client).await;
        assert!(!address_of(&who["identity"]).verified);

        let res = acc::post_form(
            &client,
            &filled,
            &[
                ("csrf_token", &common::csrf_of(&filled)),
                ("method", "code"),
                ("code", &code),
            ],
        )
        .await;
        assert_eq!(res.status(), 303);
        let done = acc::fetch(&srv, &client, "verification", &acc::flow_param(&to)).await;
        assert_eq!(done["state"], "passed_challenge");
        assert_eq!(common::message_ids(&done), vec![1080002]);
        assert_eq!(done["ui"]["method"], "GET");
        let anchor = done["ui"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["type"] == "a")
            .unwrap();
        assert_eq!(anchor["attributes"]["href"], format!("{UI}/welcome"));
        let (_, who) = acc::whoami(&srv, &client).await;
        let a = address_of(&who["identity"]);
        assert!(a.verified);
        assert_eq!(serde_json::to_value(a.status).unwrap(), "completed");
        assert!(a.verified_at.is_some());
    }
);

both!(
    api_registration_and_self_service_codes,
    |backend: Backend| async move {
        let srv = server(backend, "code", show_ui).await;
        let address = email();
        let done = acc::register_api(&srv, &address).await;
        let items = done["continue_with"].as_array().unwrap();
        assert_eq!(items[0]["action"], "set_ory_session_token");
        assert_eq!(items[1]["action"], "show_verification_ui");
        assert_eq!(items[1]["flow"]["verifiable_address"], address.as_str());
        assert!(
            items[1]["flow"].get("url").is_none(),
            "api flows have no UI URL"
        );
        let first_code = acc::code_in(&acc::wait_mail(&srv, &address, 1).await.body);

        // A self-service API flow for the same address: a new code, on the new flow only.
        let plain = common::plain();
        let (status, flow) = acc::api_flow(&srv, "verification", None).await;
        assert_eq!(status, 200);
        assert_eq!(flow["state"], "choose_method");
        assert_eq!(
            acc::node(&flow, "email").unwrap()["meta"]["label"]["id"],
            1070007
        );
        let (status, sent) = acc::post_json(
            &plain,
            &flow,
            json!({ "method": "code", "email": address.to_uppercase() }),
            None,
        )
        .await;
        assert_eq!(status, 200, "{sent}");
        assert_eq!(sent["state"], "sent_email");
        assert_eq!(common::message_ids(&sent), vec![1080003]);
        let code = acc::code_in(&acc::wait_mail(&srv, &address, 2).await.body);

        // The sign-up flow's code does not work here; a wrong code is 4070006 and the flow stays.
        let (status, f) = acc::post_json(
            &plain,
            &flow,
            json!({ "method": "code", "code": first_code }),
            None,
        )
        .await;
        if first_code != code {
            assert_eq!(status, 200, "{f}");
            assert_eq!(common::message_ids(&f), vec![4070006]);
        }
        let (status, ok) = acc::post_json(
            &plain,
            &flow,
            json!({ "method": "code", "code": code }),
            None,
        )
        .await;
        assert_eq!(status, 200, "{ok}");
        assert_eq!(ok["state"], "passed_challenge");
        let token = done["session_token"].as_str().unwrap();
        let who: Value = plain
            .get(srv.url("/sessions/whoami"))
            .header("X-Session-Token", token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(address_of(&who["identity"]).verified);

        // The completed flow cannot be used again: a new flow says so (4070002).
        let (status, e) = acc::post_json(
            &plain,
            &flow,
            json!({ "method": "code", "code": code }),
            None,
        )
        .await;
        assert_eq!(status, 410, "{e}");
        assert_eq!(e["error"]["id"], "self_service_flow_replaced");
        let (_, fresh) = {
            let res = plain
                .get(srv.url(&format!(
                    "/self-service/verification/flows?id={}",
                    e["use_flow_id"].as_str().unwrap()
                )))
                .send()
                .await
                .unwrap();
            (res.status(), res.json::<Value>().await.unwrap())
        };
        assert_eq!(common::message_ids(&fresh), vec![4070002]);
    }
);

both!(links_verify_in_the_browser, |backend: Backend| async move {
    let srv = server(backend, "link", |_| {}).await;
    let address = email();
    acc::register_api(&srv, &address).await;
    let client = common::browser();
    let flow = acc::browser_flow(&srv, &client, "verification").await;
    assert_eq!(flow["active"], "link");
    let res = acc::post_form(
        &client,
        &flow,
        &[
            ("csrf_token", &common::csrf_of(&flow)),
            ("method", "link"),
            ("email", &address),
        ],
    )
    .await;
    assert_eq!(res.status(), 303);
    let sent = acc::fetch(&srv, &client, "verification", flow["id"].as_str().unwrap()).await;
    assert_eq!(sent["state"], "sent_email");
    assert_eq!(common::message_ids(&sent), vec![1080001]);
    // Mail #1 is the verification the sign-up started; #2 answers this flow.
    let mail = acc::wait_mail(&srv, &address, 2).await;
    assert_eq!(mail.template_type, "verification_valid");
    let link = acc::link_in(&mail.body);
    assert_eq!(acc::param(&link, "token").len(), 32);

    // Opened in another browser: it works without that browser's CSRF cookie.
    let other = common::browser();
    let res = other
        .get(&link)
        .header(ACCEPT, "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let to = location(&res);
    assert_eq!(acc::flow_param(&to), flow["id"].as_str().unwrap());
    let done = acc::fetch(&srv, &other, "verification", &acc::flow_param(&to)).await;
    assert_eq!(done["state"], "passed_challenge");
    assert_eq!(common::message_ids(&done), vec![1080002]);
    let login = acc::login_api(&srv, &address, PASSWORD).await.unwrap();
    let who: Value = common::plain()
        .get(srv.url("/sessions/whoami"))
        .header("X-Session-Token", login)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(address_of(&who["identity"]).verified);

    // A used link: a new flow with 4070001.
    let res = other
        .get(&link)
        .header(ACCEPT, "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let retry = acc::fetch(
        &srv,
        &other,
        "verification",
        &acc::flow_param(&location(&res)),
    )
    .await;
    assert_ne!(retry["id"], flow["id"]);
    assert_eq!(common::message_ids(&retry), vec![4070001]);
    // A forged token on a fresh flow: the same.
    let fresh = acc::browser_flow(&srv, &other, "verification").await;
    let forged = srv.url(&format!(
        "/self-service/verification?flow={}&token=abcdefghijklmnopqrstuvwxyz012345",
        fresh["id"].as_str().unwrap()
    ));
    let res = other
        .get(&forged)
        .header(ACCEPT, "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let retry = acc::fetch(
        &srv,
        &other,
        "verification",
        &acc::flow_param(&location(&res)),
    )
    .await;
    assert_eq!(common::message_ids(&retry), vec![4070001]);
});

both!(
    unknown_addresses_look_the_same,
    |backend: Backend| async move {
        let srv = server(backend, "code", |_| {}).await;
        let known = email();
        acc::register_api(&srv, &known).await;
        let unknown = email();
        let plain = common::plain();
        let mut answers = Vec::new();
        for address in [&known, &unknown] {
            let (_, flow) = acc::api_flow(&srv, "verification", None).await;
            let (status, sent) = acc::post_json(
                &plain,
                &flow,
                json!({ "method": "code", "email": address }),
                None,
            )
            .await;
            let mut layout = acc::layout(&sent);
            for (_, name, value) in &mut layout {
                if name == "email" {
                    *value = Value::Null;
                }
            }
            answers.push((
                status,
                sent["state"].clone(),
                sent["ui"]["messages"].clone(),
                layout,
            ));
        }
        assert_eq!(answers[0], answers[1]);
        acc::wait_mail(&srv, &known, 2).await;
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        assert!(
            acc::mails(&srv, &unknown).await.is_empty(),
            "nothing to unknown addresses by default"
        );
    }
);

both!(
    unknown_recipients_notified_when_configured,
    |backend: Backend| async move {
        let srv = server(backend, "code", |cfg| {
            cfg["selfservice"]["flows"]["verification"]["notify_unknown_recipients"] = json!(true);
        })
        .await;
        let unknown = email();
        let (_, flow) = acc::api_flow(&srv, "verification", None).await;
        let (status, _) = acc::post_json(
            &common::plain(),
            &flow,
            json!({ "method": "code", "email": unknown }),
            None,
        )
        .await;
        assert_eq!(status, 200);
        let mail = acc::wait_mail(&srv, &unknown, 1).await;
        assert_eq!(mail.template_type, "verification_code_invalid");
    }
);

both!(
    expired_and_brute_forced_codes,
    |backend: Backend| async move {
        let srv = server(backend, "code", |cfg| {
            cfg["selfservice"]["methods"]["code"]["config"] = json!({ "lifespan": "1s" });
        })
        .await;
        let address = email();
        acc::register_api(&srv, &address).await;
        let plain = common::plain();

        // An expired code: 410 and a new flow saying the flow expired (4070005).
        // Mail #1 is the verification the sign-up started.
        let (flow, code) = acc::api_code_flow(&srv, "verification", &address, 2).await;
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        let (status, e) = acc::post_json(
            &plain,
            &flow,
            json!({ "method": "code", "code": code }),
            None,
        )
        .await;
        assert_eq!(status, 410, "{e}");
        assert_eq!(e["error"]["id"], "self_service_flow_expired");
        let fresh = acc::fetch_api(&srv, "verification", e["use_flow_id"].as_str().unwrap()).await;
        assert_eq!(common::message_ids(&fresh), vec![4070005]);

        // Five wrong codes are answered on the flow; the sixth submission restarts it, and even
        // the right code no longer works there.
        let (flow, code) = acc::api_code_flow(&srv, "verification", &address, 3).await;
        acc::five_wrong_codes_then_restart(&srv, "verification", &flow, &code, 4070006).await;
        let token = acc::login_api(&srv, &address, PASSWORD).await.unwrap();
        let who: Value = plain
            .get(srv.url("/sessions/whoami"))
            .header("X-Session-Token", token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(!address_of(&who["identity"]).verified);
    }
);

both!(
    bad_input_gets_kratos_errors,
    |backend: Backend| async move {
        let srv = server(backend, "code", |cfg| {
            cfg["selfservice"]["flows"]["verification"]["lifespan"] = json!("2s");
        })
        .await;
        let client = common::browser();
        // Missing and forged CSRF tokens, wrong method, missing address, unknown flow ids.
        let flow = acc::address_step_bad_input(&srv, &client, "verification", 4010006, "x").await;
        let csrf = common::csrf_of(&flow);
        // A login flow id is not a verification flow.
        let (_, login) = acc::api_flow(&srv, "login", None).await;
        let res = client
            .post(srv.url(&format!(
                "/self-service/verification?flow={}",
                login["id"].as_str().unwrap()
            )))
            .header(ACCEPT, "application/json")
            .json(&json!({ "method": "code" }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 404);
        // An expired flow: 410 with a replacement.
        tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
        let (status, e) = acc::post_json(
            &client,
            &flow,
            json!({ "method": "code", "csrf_token": csrf, "email": email() }),
            None,
        )
        .await;
        assert_eq!(status, 410, "{e}");
        assert_eq!(e["error"]["id"], "self_service_flow_expired");
        assert!(e["use_flow_id"].is_string());
    }
);

both!(
    disabled_verification_is_refused,
    |backend: Backend| async move {
        let srv = TestServer::start_with(backend, acc::ui_urls).await;
        let (status, e) = acc::api_flow(&srv, "verification", None).await;
        assert_eq!(status, 400);
        assert_eq!(e["error"]["id"], "self_service_flow_disabled");
        // Sign-up does not start a verification either.
        let address = email();
        let done = acc::register_api(&srv, &address).await;
        assert_eq!(done["continue_with"].as_array().unwrap().len(), 1);
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        assert!(acc::mails(&srv, &address).await.is_empty());
    }
);

both!(
    login_requires_a_verified_address,
    |backend: Backend| async move {
        let srv = server(backend, "code", |cfg| {
            cfg["selfservice"]["flows"]["login"]["after"] =
                json!({ "password": { "hooks": [{ "hook": "require_verified_address" }] } });
        })
        .await;
        let address = email();
        acc::register_api(&srv, &address).await;
        acc::wait_mail(&srv, &address, 1).await;

        let (status, e) = acc::login_api(&srv, &address, PASSWORD).await.unwrap_err();
        assert_eq!(status, 403, "{e}");
        assert_eq!(e["error"]["id"], "session_verified_address_required");
        let item = &e["error"]["details"]["continue_with"][0];
        assert_eq!(item["action"], "show_verification_ui");
        assert_eq!(item["flow"]["verifiable_address"], address.as_str());
        let code = acc::code_in(&acc::wait_mail(&srv, &address, 2).await.body);

        // A browser is sent to the verification UI and gets no session.
        let client = common::browser();
        let login = acc::browser_flow(&srv, &client, "login").await;
        let res = acc::post_form(
            &client,
            &login,
            &[
                ("csrf_token", &common::csrf_of(&login)),
                ("method", "password"),
                ("identifier", &address),
                ("password", PASSWORD),
            ],
        )
        .await;
        assert_eq!(res.status(), 303);
        assert!(location(&res).starts_with(&format!("{UI}/verification?flow=")));
        assert_eq!(acc::whoami(&srv, &client).await.0, 401);

        // Verify with the code from the API attempt, then sign-in works.
        let id = item["flow"]["id"].as_str().unwrap();
        let flow: Value = common::plain()
            .get(srv.url(&format!("/self-service/verification/flows?id={id}")))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let (status, ok) = acc::post_json(
            &common::plain(),
            &flow,
            json!({ "method": "code", "code": code }),
            None,
        )
        .await;
        assert_eq!(status, 200, "{ok}");
        assert_eq!(ok["state"], "passed_challenge");
        assert!(acc::login_api(&srv, &address, PASSWORD).await.is_ok());
    }
);

both!(
    legacy_require_verified_login_error,
    |backend: Backend| async move {
        let srv = server(backend, "code", |cfg| {
            cfg["selfservice"]["flows"]["login"]["after"] =
                json!({ "password": { "hooks": [{ "hook": "require_verified_address" }] } });
            cfg["feature_flags"] = json!({ "legacy_require_verified_login_error": true });
        })
        .await;
        let address = email();
        acc::register_api(&srv, &address).await;
        let (status, f) = acc::login_api(&srv, &address, PASSWORD).await.unwrap_err();
        assert_eq!(status, 400);
        assert_eq!(common::message_ids(&f), vec![4000010]);
    }
);

both!(
    settings_email_change_is_verified,
    |backend: Backend| async move {
        let srv = server(backend, "code", |cfg| {
            cfg["selfservice"]["flows"]["settings"]["after"] =
                json!({ "profile": { "hooks": [{ "hook": "show_verification_ui" }] } });
        })
        .await;
        let address = email();
        let done = acc::register_api(&srv, &address).await;
        let token = done["session_token"].as_str().unwrap().to_string();
        let (_, flow) = acc::api_flow(&srv, "settings", Some(&token)).await;
        let changed = email();
        let (status, saved) = acc::post_json(
            &common::plain(),
            &flow,
            json!({ "method": "profile", "traits": { "email": changed } }),
            Some(&token),
        )
        .await;
        assert_eq!(status, 200, "{saved}");
        assert_eq!(saved["continue_with"][0]["action"], "show_verification_ui");
        assert_eq!(
            saved["continue_with"][0]["flow"]["verifiable_address"],
            changed.as_str()
        );
        let a = address_of(&saved["identity"]);
        assert_eq!(a.value, changed);
        assert!(!a.verified);
        let mail = acc::wait_mail(&srv, &changed, 1).await;
        assert_eq!(mail.template_type, "verification_code_valid");
    }
);

both!(
    login_verification_hook_does_not_block,
    |backend: Backend| async move {
        let srv = server(backend, "code", |cfg| {
            cfg["selfservice"]["flows"]["login"]["after"] = json!({ "password": { "hooks": [
            { "hook": "verification" }, { "hook": "show_verification_ui" }
        ] } });
        })
        .await;
        let address = email();
        acc::register_api(&srv, &address).await;
        acc::wait_mail(&srv, &address, 1).await;
        let (_, flow) = acc::api_flow(&srv, "login", None).await;
        let body = json!({ "method": "password", "identifier": address, "password": PASSWORD });
        let (status, done) = acc::post_json(&common::plain(), &flow, body, None).await;
        assert_eq!(status, 200, "{done}");
        let actions: Vec<&str> = done["continue_with"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["action"].as_str().unwrap())
            .collect();
        assert_eq!(
            actions,
            vec!["set_ory_session_token", "show_verification_ui"]
        );
        let mail = acc::wait_mail(&srv, &address, 2).await;
        assert_eq!(mail.template_type, "verification_code_valid");
    }
);
