//! The recovery flow end to end: codes and links sent to recovery addresses or created by an
//! administrator, the privileged session and settings flow that follow, unknown addresses,
//! the settings flow after it (bad input: `recovery_bad_input.rs`).

mod account_support;
mod common;
mod recovery_support;

use account_support::{self as acc, location, UI};
use common::{email, Backend, PASSWORD};
use ory_kratos_client::models::{
    Identity, RecoveryCodeForIdentity, RecoveryLinkForIdentity, Session,
};
use reqwest::header::ACCEPT;
use serde_json::{json, Value};

use recovery_support::{account, server};

/// The password a recovery sets.
const NEW_PASSWORD: &str = "recovered-and-renewed-passphrase";

/// The settings flow id of a UI settings URL.
fn settings_id(url: &str) -> String {
    assert!(url.starts_with(&format!("{UI}/settings?flow=")), "{url}");
    acc::flow_param(url)
}

both!(
    code_recovery_in_the_browser,
    |backend: Backend| async move {
        let srv = server(backend, "code", |_| {}).await;
        let address = email();
        account(&srv, &address).await;
        let client = common::browser();
        let flow = acc::browser_flow(&srv, &client, "recovery").await;
        assert_eq!(flow["state"], "choose_method");
        assert_eq!(flow["active"], "code");
        let csrf = common::csrf_of(&flow);
        let res = acc::post_form(
            &client,
            &flow,
            &[
                ("csrf_token", &csrf),
                ("method", "code"),
                ("email", &address),
            ],
        )
        .await;
        assert_eq!(res.status(), 303);
        let id = flow["id"].as_str().unwrap();
        assert_eq!(location(&res), format!("{UI}/recovery?flow={id}"));
        let sent = acc::fetch(&srv, &client, "recovery", id).await;
        assert_eq!(sent["state"], "sent_email");
        assert_eq!(common::message_ids(&sent), vec![1060003]);
        let code_node = acc::node(&sent, "code").unwrap();
        assert_eq!(code_node["attributes"]["pattern"], "[0-9]+");
        assert_eq!(code_node["attributes"]["maxlength"], 6);
        assert_eq!(code_node["meta"]["label"]["id"], 1070010);
        let mail = acc::wait_mail(&srv, &address, 1).await;
        assert_eq!(mail.template_type, "recovery_code_valid");
        let code = acc::code_in(&mail.body);

        let res = acc::post_form(
            &client,
            &sent,
            &[("csrf_token", &csrf), ("method", "code"), ("code", &code)],
        )
        .await;
        assert_eq!(res.status(), 303);
        let settings = settings_id(&location(&res));
        let (status, who) = acc::whoami(&srv, &client).await;
        assert_eq!(status, 200);
        let session: Session = acc::sdk(&who);
        assert_eq!(
            serde_json::to_value(&session.authentication_methods.unwrap()[0]).unwrap()["method"],
            "code_recovery"
        );
        let identity: Identity = acc::sdk(&who["identity"]);
        assert!(
            identity.verifiable_addresses.unwrap()[0].verified,
            "the code proved the address"
        );

        // The settings flow says what happened; the privileged session may set a new password.
        let sf = acc::fetch(&srv, &client, "settings", &settings).await;
        assert_eq!(common::message_ids(&sf), vec![1060001]);
        assert_eq!(sf["ui"]["messages"][0]["type"], "success");
        assert!(sf["ui"]["messages"][0]["context"]["privileged_session_expires_at_unix"].is_i64());
        let res = acc::post_form(
            &client,
            &sf,
            &[
                ("csrf_token", &common::csrf_of(&sf)),
                ("method", "password"),
                ("password", NEW_PASSWORD),
            ],
        )
        .await;
        assert_eq!(res.status(), 303);
        assert!(acc::login_api(&srv, &address, NEW_PASSWORD).await.is_ok());

        // The same code on the completed flow: a new flow (4000001).
        let (status, e) = acc::post_json(
            &client,
            &sent,
            json!({ "method": "code", "csrf_token": csrf, "code": code }),
            None,
        )
        .await;
        assert_eq!(status, 410, "{e}");
        assert_eq!(e["error"]["id"], "self_service_flow_replaced");
        let fresh = acc::fetch(
            &srv,
            &client,
            "recovery",
            e["use_flow_id"].as_str().unwrap(),
        )
        .await;
        assert_eq!(common::message_ids(&fresh), vec![4000001]);
    }
);

both!(
    api_recovery_needs_continue_with_transitions,
    |backend: Backend| async move {
        // Without the flag, JSON clients are told to navigate (422) as Kratos does.
        let srv = server(backend, "code", |_| {}).await;
        let address = email();
        account(&srv, &address).await;
        let plain = common::plain();
        let (_, flow) = acc::api_flow(&srv, "recovery", None).await;
        assert!(acc::node(&flow, "csrf_token").is_none());
        let (status, sent) = acc::post_json(
            &plain,
            &flow,
            json!({ "method": "code", "email": address }),
            None,
        )
        .await;
        assert_eq!(status, 200, "{sent}");
        let code = acc::code_in(&acc::wait_mail(&srv, &address, 1).await.body);
        let (status, e) = acc::post_json(
            &plain,
            &flow,
            json!({ "method": "code", "code": code }),
            None,
        )
        .await;
        assert_eq!(status, 422, "{e}");
        assert_eq!(e["error"]["id"], "browser_location_change_required");
        assert!(e["redirect_browser_to"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{UI}/settings?flow=")));
    }
);

both!(
    api_recovery_with_continue_with,
    |backend: Backend| async move {
        let srv = server(backend, "code", |cfg| {
            cfg["feature_flags"] = json!({ "use_continue_with_transitions": true });
        })
        .await;
        let address = email();
        account(&srv, &address).await;
        let plain = common::plain();
        let (flow, code) = acc::api_code_flow(&srv, "recovery", &address, 1).await;
        let (status, done) = acc::post_json(
            &plain,
            &flow,
            json!({ "method": "code", "code": code }),
            None,
        )
        .await;
        assert_eq!(status, 200, "{done}");
        assert_eq!(done["state"], "passed_challenge");
        let items = done["continue_with"].as_array().unwrap();
        assert_eq!(items[0]["action"], "set_ory_session_token");
        assert_eq!(items[1]["action"], "show_settings_ui");
        let token = items[0]["ory_session_token"].as_str().unwrap();
        assert_eq!(acc::whoami_token(&srv, token).await, 200);
        // The token is in the answer only, never in the stored flow.
        let stored: Value = plain
            .get(srv.url(&format!(
                "/self-service/recovery/flows?id={}",
                flow["id"].as_str().unwrap()
            )))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(!stored.to_string().contains(token));
        let settings = items[1]["flow"]["id"].as_str().unwrap();
        let res = plain
            .get(srv.url(&format!("/self-service/settings/flows?id={settings}")))
            .header("X-Session-Token", token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let sf: Value = res.json().await.unwrap();
        assert_eq!(sf["type"], "api");
        let (status, saved) = acc::post_json(
            &plain,
            &sf,
            json!({ "method": "password", "password": NEW_PASSWORD }),
            Some(token),
        )
        .await;
        assert_eq!(status, 200, "{saved}");
        assert!(acc::login_api(&srv, &address, NEW_PASSWORD).await.is_ok());
    }
);

both!(link_recovery, |backend: Backend| async move {
    let srv = server(backend, "link", |cfg| {
        cfg["selfservice"]["flows"]["recovery"]["after"] =
            json!({ "hooks": [{ "hook": "revoke_active_sessions" }] });
    })
    .await;
    let address = email();
    account(&srv, &address).await;
    let other_session = acc::login_api(&srv, &address, PASSWORD).await.unwrap();
    let client = common::browser();
    let flow = acc::browser_flow(&srv, &client, "recovery").await;
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
    let sent = acc::fetch(&srv, &client, "recovery", flow["id"].as_str().unwrap()).await;
    assert_eq!(sent["state"], "sent_email");
    assert_eq!(common::message_ids(&sent), vec![1060002]);
    let mail = acc::wait_mail(&srv, &address, 1).await;
    assert_eq!(mail.template_type, "recovery_valid");
    let link = acc::link_in(&mail.body);

    let phone = common::browser();
    let res = phone
        .get(&link)
        .header(ACCEPT, "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let settings = settings_id(&location(&res));
    let (status, who) = acc::whoami(&srv, &phone).await;
    assert_eq!(status, 200);
    assert_eq!(who["authentication_methods"][0]["method"], "link_recovery");
    let sf = acc::fetch(&srv, &phone, "settings", &settings).await;
    assert_eq!(common::message_ids(&sf), vec![1060001]);
    assert_eq!(
        acc::whoami_token(&srv, &other_session).await,
        401,
        "revoke_active_sessions ran"
    );

    // A used link: a new recovery flow saying so (4060004), no session.
    let third = common::browser();
    let res = third
        .get(&link)
        .header(ACCEPT, "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let to = location(&res);
    assert!(to.starts_with(&format!("{UI}/recovery?flow=")), "{to}");
    let retry = acc::fetch(&srv, &third, "recovery", &acc::flow_param(&to)).await;
    assert_eq!(common::message_ids(&retry), vec![4060004]);
    assert_eq!(acc::whoami(&srv, &third).await.0, 401);
});

both!(
    unknown_addresses_look_the_same,
    |backend: Backend| async move {
        let srv = server(backend, "code", |_| {}).await;
        let known = email();
        account(&srv, &known).await;
        let unknown = email();
        let plain = common::plain();
        let mut answers = Vec::new();
        for address in [&known, &unknown] {
            let (_, flow) = acc::api_flow(&srv, "recovery", None).await;
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
        acc::wait_mail(&srv, &known, 1).await;
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        assert!(acc::mails(&srv, &unknown).await.is_empty());
    }
);

both!(
    unknown_recipients_notified_when_configured,
    |backend: Backend| async move {
        for (strategy, template) in [
            ("code", "recovery_code_invalid"),
            ("link", "recovery_invalid"),
        ] {
            let srv = server(backend, strategy, |cfg| {
                cfg["selfservice"]["flows"]["recovery"]["notify_unknown_recipients"] = json!(true);
            })
            .await;
            let unknown = email();
            let client = common::browser();
            let flow = acc::browser_flow(&srv, &client, "recovery").await;
            let res = acc::post_form(
                &client,
                &flow,
                &[
                    ("csrf_token", &common::csrf_of(&flow)),
                    ("method", strategy),
                    ("email", &unknown),
                ],
            )
            .await;
            assert_eq!(res.status(), 303);
            let mail = acc::wait_mail(&srv, &unknown, 1).await;
            assert_eq!(mail.template_type, template);
        }
    }
);

both!(
    admin_recovery_code_and_link,
    |backend: Backend| async move {
        let srv = server(backend, "code", |cfg| {
            cfg["selfservice"]["methods"]["link"] = json!({ "enabled": true });
        })
        .await;
        let address = email();
        let id = account(&srv, &address).await;
        let admin = common::plain();
        let post = |path: &str, body: Value| {
            admin
                .post(format!("{}{path}", srv.admin))
                .json(&body)
                .send()
        };

        let res = post(
            "/admin/recovery/code",
            json!({ "identity_id": id, "expires_in": "15m" }),
        )
        .await
        .unwrap();
        assert_eq!(res.status(), 201);
        let body: Value = res.json().await.unwrap();
        let created: RecoveryCodeForIdentity = acc::sdk(&body);
        assert_eq!(created.recovery_code.len(), 6);
        let expires: chrono::DateTime<chrono::Utc> = created.expires_at.unwrap().parse().unwrap();
        let left = expires - chrono::Utc::now();
        assert!(
            left > chrono::Duration::minutes(14) && left <= chrono::Duration::minutes(15),
            "{left}"
        );
        assert!(created
            .recovery_link
            .starts_with(&format!("{UI}/recovery?flow=")));
        assert!(
            acc::mails(&srv, &address).await.is_empty(),
            "admin codes are not emailed"
        );

        // The person opens the link in a browser that never saw the flow.
        let client = common::browser();
        let flow = acc::fetch(
            &srv,
            &client,
            "recovery",
            &acc::flow_param(&created.recovery_link),
        )
        .await;
        assert_eq!(flow["state"], "sent_email");
        assert!(acc::node(&flow, "csrf_token").is_none());
        let res = acc::post_form(&client, &flow, &[("method", "code"), ("code", "000000")]).await;
        assert_eq!(res.status(), 303);
        let res = acc::post_form(
            &client,
            &flow,
            &[("method", "code"), ("code", &created.recovery_code)],
        )
        .await;
        assert_eq!(res.status(), 303);
        settings_id(&location(&res));
        assert_eq!(acc::whoami(&srv, &client).await.0, 200);

        // API flow type.
        let res = post(
            "/admin/recovery/code",
            json!({ "identity_id": id, "flow_type": "api" }),
        )
        .await
        .unwrap();
        assert_eq!(res.status(), 201);
        let created: RecoveryCodeForIdentity = acc::sdk(&res.json::<Value>().await.unwrap());
        let flow: Value = common::plain()
            .get(srv.url(&format!(
                "/self-service/recovery/flows?id={}",
                acc::flow_param(&created.recovery_link)
            )))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(flow["type"], "api");

        // A link.
        let res = post("/admin/recovery/link", json!({ "identity_id": id }))
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let created: RecoveryLinkForIdentity = acc::sdk(&res.json::<Value>().await.unwrap());
        assert!(created
            .recovery_link
            .starts_with(&srv.url("/self-service/recovery?flow=")));
        let browser = common::browser();
        let res = browser
            .get(&created.recovery_link)
            .header(ACCEPT, "text/html")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303);
        settings_id(&location(&res));
        assert_eq!(acc::whoami(&srv, &browser).await.0, 200);

        // Bad requests.
        let unknown = uuid::Uuid::new_v4().to_string();
        for (path, body, status) in [
            (
                "/admin/recovery/code",
                json!({ "identity_id": unknown }),
                404,
            ),
            (
                "/admin/recovery/code",
                json!({ "identity_id": id, "expires_in": "soon" }),
                400,
            ),
            (
                "/admin/recovery/code",
                json!({ "identity_id": id, "expires_in": "-5m" }),
                400,
            ),
            (
                "/admin/recovery/code",
                json!({ "identity_id": id, "flow_type": "native" }),
                400,
            ),
            ("/admin/recovery/code", json!({}), 400),
            (
                "/admin/recovery/link",
                json!({ "identity_id": unknown }),
                400,
            ),
            (
                "/admin/recovery/link",
                json!({ "identity_id": "not-a-uuid" }),
                400,
            ),
            (
                "/admin/recovery/link",
                json!({ "identity_id": id, "expires_in": "0s" }),
                400,
            ),
        ] {
            let res = post(path, body.clone()).await.unwrap();
            assert_eq!(res.status(), status, "{path} {body}");
            let e: Value = res.json().await.unwrap();
            assert_eq!(e["error"]["code"], status);
        }
        let res = admin
            .post(format!("{}/admin/recovery/code", srv.admin))
            .body("{nope")
            .header("content-type", "application/json")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 400);
    }
);

both!(
    admin_link_disabled_without_the_link_method,
    |backend: Backend| async move {
        let srv = server(backend, "code", |_| {}).await;
        let id = account(&srv, &email()).await;
        let res = common::plain()
            .post(format!("{}/admin/recovery/link", srv.admin))
            .json(&json!({ "identity_id": id }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 404);
    }
);

both!(
    expired_used_and_brute_forced_codes,
    |backend: Backend| async move {
        let srv = server(backend, "code", |cfg| {
            cfg["selfservice"]["methods"]["code"]["config"] = json!({ "lifespan": "1s" });
        })
        .await;
        let address = email();
        account(&srv, &address).await;
        let plain = common::plain();

        // An expired code is refused like a wrong one (4060006), as Kratos does.
        let (flow, code) = acc::api_code_flow(&srv, "recovery", &address, 1).await;
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        let (status, f) = acc::post_json(
            &plain,
            &flow,
            json!({ "method": "code", "code": code }),
            None,
        )
        .await;
        assert_eq!(status, 200, "{f}");
        assert_eq!(common::message_ids(&f), vec![4060006]);

        // Five wrong codes; the sixth submission restarts the flow, even with the right code.
        let (flow, code) = acc::api_code_flow(&srv, "recovery", &address, 2).await;
        acc::five_wrong_codes_then_restart(&srv, "recovery", &flow, &code, 4060006).await;
    }
);
