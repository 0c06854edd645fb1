//! The code method end to end: passwordless login with a code read from a real SMTP
//! receiver, registration by code, the code as a second factor, and bad input (wrong, used
//! and expired codes, too many attempts, unknown addresses).

mod account_support;
mod common;
mod courier_support;
mod mfa_support;

use std::time::Duration;

use account_support as acc;
use common::{email, Backend, TestServer};
use courier_support::smtp::SmtpReceiver;
use courier_support::{courier_config, digits, Watcher};
use mfa_support as mfa;
use serde_json::{json, Value};

/// How long a test waits for an email.
const WAIT: Duration = Duration::from_secs(10);

/// A server with passwordless codes on (and `tweak` applied).
async fn passwordless(backend: Backend, tweak: impl FnOnce(&mut Value)) -> TestServer {
    TestServer::start_with(backend, |cfg| {
        acc::ui_urls(cfg);
        cfg["selfservice"]["methods"]["code"] = json!({ "passwordless_enabled": true });
        tweak(cfg);
    })
    .await
}

/// Starts a login API flow and asks for a code for `identifier`.
async fn ask_code(srv: &TestServer, identifier: &str) -> (u16, Value) {
    let (_, flow) = acc::api_flow(srv, "login", None).await;
    let body = json!({ "method": "code", "identifier": identifier });
    acc::post_json(&common::plain(), &flow, body, None).await
}

/// Submits `code` on a login flow.
async fn send_code(flow: &Value, code: &str) -> (u16, Value) {
    let body = json!({ "method": "code", "code": code });
    acc::post_json(&common::plain(), flow, body, None).await
}

/// A six-digit code that differs from `code`.
fn wrong(code: &str) -> &'static str {
    if code == "123456" {
        "654321"
    } else {
        "123456"
    }
}

both!(
    passwordless_login_with_a_code_from_smtp,
    |backend: Backend| async move {
        let smtp = SmtpReceiver::start().await;
        let uri = smtp.uri();
        let srv = passwordless(backend, |cfg| {
            cfg["courier"] = json!({ "smtp": { "connection_uri": uri } });
        })
        .await;
        let watcher = Watcher::start(&srv.reg, &courier_config(&smtp.uri()));
        let address = email();
        let registered = acc::register_api(&srv, &address).await;
        let id = registered["identity"]["id"].as_str().unwrap().to_string();
        assert_eq!(
            registered["identity"]["verifiable_addresses"][0]["verified"],
            false
        );

        // The flow offers the identifier and "Send sign in code" beside the password.
        let (_, flow) = acc::api_flow(&srv, "login", None).await;
        let names = mfa::names(&flow);
        assert!(
            names.contains(&("default".into(), "identifier".into())),
            "{names:?}"
        );
        assert!(
            names.contains(&("code".into(), "method=code".into())),
            "{names:?}"
        );
        let send = flow["ui"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["group"] == "code" && n["attributes"]["value"] == "code")
            .unwrap();
        assert_eq!(send["meta"]["label"]["id"], 1010015);

        // Asking for a code: 400 with the flow in `sent_email` and the code input.
        let body = json!({ "method": "code", "identifier": address.to_uppercase() });
        let (status, sent) = acc::post_json(&common::plain(), &flow, body, None).await;
        assert_eq!(status, 400, "{sent}");
        assert_eq!(sent["state"], "sent_email");
        assert_eq!(sent["active"], "code");
        assert_eq!(common::message_ids(&sent), vec![1010014]);
        assert_eq!(
            acc::node(&sent, "code").unwrap()["meta"]["label"]["id"],
            1070013
        );
        assert_eq!(
            acc::node(&sent, "resend").unwrap()["attributes"]["value"],
            "code"
        );
        assert!(acc::node(&sent, "password").is_none());

        let mail = smtp.mail_to(&address, WAIT).await;
        let code = digits(&mail.text(), 6).unwrap_or_else(|| panic!("{}", mail.text()));
        let queued = acc::mails(&srv, &address).await;
        assert_eq!(queued.len(), 1);
        assert_eq!(queued[0].template_type, "login_code_valid");
        // At rest the code exists only as an HMAC.
        let flow_id: uuid::Uuid = sent["id"].as_str().unwrap().parse().unwrap();
        let stored = srv
            .reg
            .store
            .codes_of_flow(
                flow_id,
                nexus_identity::domain::code::CodePurpose::LoginCode,
            )
            .await
            .unwrap();
        assert_eq!(stored.len(), 1);
        assert_eq!(stored[0].hmac.len(), 64);
        assert!(!stored[0].hmac.contains(&code));

        // The right code signs in at aal1 with the `code` method and proves the address.
        let (status, done) = send_code(&sent, &code).await;
        assert_eq!(status, 200, "{done}");
        let token = done["session_token"].as_str().unwrap();
        assert_eq!(done["session"]["identity"]["id"], id.as_str());
        assert_eq!(done["session"]["authenticator_assurance_level"], "aal1");
        assert_eq!(
            mfa::methods(&done["session"]),
            vec![("code".to_string(), "aal1".to_string())]
        );
        let (status, who) = mfa::whoami(&srv, token).await;
        assert_eq!(status, 200);
        assert_eq!(who["identity"]["verifiable_addresses"][0]["verified"], true);

        // The code is used: the same code on the same flow signs in nobody.
        let (status, again) = send_code(&sent, &code).await;
        assert_ne!(status, 200, "{again}");
        assert!(again.get("session_token").is_none());
        watcher.stop().await;
    }
);

both!(wrong_used_and_unknown, |backend: Backend| async move {
    let srv = passwordless(backend, |_| {}).await;
    let address = email();
    acc::register_api(&srv, &address).await;

    // An unknown address gets the same answer as a known one, and no email.
    let stranger = email();
    let (known_status, known) = ask_code(&srv, &address).await;
    let (unknown_status, unknown) = ask_code(&srv, &stranger).await;
    assert_eq!(known_status, unknown_status);
    assert_eq!(known["state"], unknown["state"]);
    assert_eq!(common::message_ids(&known), common::message_ids(&unknown));
    assert_eq!(mfa::names(&known), mfa::names(&unknown));
    let code = acc::code_in(&acc::wait_mail(&srv, &address, 1).await.body);
    let (status, f) = send_code(&unknown, &code).await;
    assert_eq!(status, 400, "{f}");
    assert_eq!(common::node_message_ids(&f, "code"), vec![4010008]);
    assert!(acc::mails(&srv, &stranger).await.is_empty());

    // A wrong code: 4010008 on the code input; the right one still works afterwards.
    let (status, f) = send_code(&known, wrong(&code)).await;
    assert_eq!(status, 400, "{f}");
    assert_eq!(common::node_message_ids(&f, "code"), vec![4010008]);
    assert_eq!(f["state"], "sent_email");
    // A code of another flow does not work here either.
    let (_, other) = ask_code(&srv, &address).await;
    let other_code = acc::code_in(&acc::wait_mail(&srv, &address, 2).await.body);
    if other_code != code {
        let (status, f) = send_code(&known, &other_code).await;
        assert_eq!(status, 400, "{f}");
        assert_eq!(common::node_message_ids(&f, "code"), vec![4010008]);
    }
    let (status, done) = send_code(&known, &code).await;
    assert_eq!(status, 200, "{done}");

    // Resending replaces the code: the first one no longer works.
    let body = json!({ "method": "code", "resend": "code" });
    let (status, resent) = acc::post_json(&common::plain(), &other, body, None).await;
    assert_eq!(status, 400, "{resent}");
    assert_eq!(resent["state"], "sent_email");
    let newer = acc::code_in(&acc::wait_mail(&srv, &address, 3).await.body);
    if newer != other_code {
        let (status, f) = send_code(&other, &other_code).await;
        assert_eq!(status, 400, "{f}");
        assert_eq!(common::node_message_ids(&f, "code"), vec![4010008]);
    }
    let (status, done) = send_code(&other, &newer).await;
    assert_eq!(status, 200, "{done}");
});

both!(
    expired_codes_and_too_many_attempts,
    |backend: Backend| async move {
        let srv = passwordless(backend, |cfg| {
            cfg["selfservice"]["methods"]["code"]["config"] = json!({ "lifespan": "1s" });
        })
        .await;
        let address = email();
        acc::register_api(&srv, &address).await;

        // An expired code is refused like a wrong one.
        let (_, sent) = ask_code(&srv, &address).await;
        let code = acc::code_in(&acc::wait_mail(&srv, &address, 1).await.body);
        tokio::time::sleep(Duration::from_millis(1100)).await;
        let (status, f) = send_code(&sent, &code).await;
        assert_eq!(status, 400, "{f}");
        assert_eq!(common::node_message_ids(&f, "code"), vec![4010008]);
        assert!(f.get("session_token").is_none());

        // Five wrong codes; the sixth submission restarts the flow, even with the right code.
        let (_, sent) = ask_code(&srv, &address).await;
        let code = acc::code_in(&acc::wait_mail(&srv, &address, 2).await.body);
        for _ in 0..5 {
            let (status, f) = send_code(&sent, wrong(&code)).await;
            assert_eq!(status, 400, "{f}");
            assert_eq!(common::node_message_ids(&f, "code"), vec![4010008]);
        }
        let (status, e) = send_code(&sent, &code).await;
        assert_eq!(status, 410, "{e}");
        assert_eq!(e["error"]["id"], "self_service_flow_replaced");
        let fresh_id = e["use_flow_id"].as_str().unwrap();
        assert_ne!(fresh_id, sent["id"].as_str().unwrap());
        let fresh: Value = common::plain()
            .get(srv.url(&format!("/self-service/login/flows?id={fresh_id}")))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(fresh["state"], "choose_method");
        assert!(acc::node(&fresh, "identifier").is_some());
    }
);

both!(code_as_second_factor, |backend: Backend| async move {
    let srv = TestServer::start_with(backend, |cfg| {
        acc::ui_urls(cfg);
        cfg["selfservice"]["methods"]["code"] = json!({ "mfa_enabled": true });
    })
    .await;
    let address = email();
    acc::register_api(&srv, &address).await;
    let token = mfa::password_login(&srv, &address).await;
    // With mfa_enabled an identity with an address can reach aal2, so `whoami`
    // (highest_available) wants the second factor.
    let (status, who) = mfa::whoami(&srv, &token).await;
    assert_eq!(status, 403, "{who}");
    assert_eq!(mfa::error_id(&who), "session_aal2_required");

    let (status, flow) = mfa::aal2_flow(&srv, &token).await;
    assert_eq!(status, 200, "{flow}");
    let button = acc::node(&flow, "address").unwrap();
    assert_eq!(button["group"], "code");
    assert_eq!(button["attributes"]["value"], address.as_str());
    assert_eq!(button["meta"]["label"]["id"], 1010023);
    assert!(acc::node(&flow, "password").is_none());

    // Only the identity's own addresses.
    let (status, f) = mfa::submit(
        &flow,
        json!({ "method": "code", "address": email() }),
        &token,
    )
    .await;
    assert_eq!(status, 400, "{f}");
    assert_eq!(f["state"], "choose_method");

    let (status, sent) = mfa::submit(&flow, json!({ "address": address }), &token).await;
    assert_eq!(status, 400, "{sent}");
    assert_eq!(sent["state"], "sent_email");
    assert_eq!(common::message_ids(&sent), vec![1010014]);
    let mail = acc::wait_mail(&srv, &address, 1).await;
    assert_eq!(mail.template_type, "login_code_valid");
    let code = acc::code_in(&mail.body);

    let (status, f) = mfa::submit(
        &sent,
        json!({ "method": "code", "code": wrong(&code) }),
        &token,
    )
    .await;
    assert_eq!(status, 400, "{f}");
    assert_eq!(common::node_message_ids(&f, "code"), vec![4010008]);

    let (status, done) =
        mfa::submit(&sent, json!({ "method": "code", "code": code }), &token).await;
    assert_eq!(status, 200, "{done}");
    let upgraded = done["session_token"].as_str().unwrap();
    let (status, who) = mfa::whoami(&srv, upgraded).await;
    assert_eq!(status, 200, "{who}");
    assert_eq!(who["authenticator_assurance_level"], "aal2");
    assert_eq!(
        mfa::methods(&who),
        vec![
            ("password".to_string(), "aal1".to_string()),
            ("code".to_string(), "aal2".to_string())
        ]
    );
});

both!(registration_by_code, |backend: Backend| async move {
    let srv = passwordless(backend, |cfg| {
        cfg["selfservice"]["flows"]["registration"]["after"]["code"] =
            json!({ "hooks": [{ "hook": "session" }] });
    })
    .await;
    let address = email();
    let traits = json!({ "email": address, "name": { "first": "Ada" } });
    // Profile first (Kratos' default style): the code is one of the credentials offered
    // on the second screen.
    let (_, flow) = acc::api_flow(&srv, "registration", None).await;
    let body = json!({ "method": "profile", "traits": traits });
    let (status, second) = acc::post_json(&common::plain(), &flow, body, None).await;
    assert_eq!(status, 400, "{second}");
    assert_eq!(common::message_ids(&second), vec![1040009]);
    let button = second["ui"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["group"] == "code" && n["attributes"]["name"] == "method")
        .unwrap_or_else(|| panic!("no sign-up-with-code button in {second}"));
    assert_eq!(button["meta"]["label"]["id"], 1040006);

    // Invalid traits are refused before any email.
    let body = json!({ "method": "code", "traits": { "email": "not-an-email" } });
    let (status, f) = acc::post_json(&common::plain(), &flow, body, None).await;
    assert_eq!(status, 400, "{f}");
    assert_eq!(f["state"], "choose_method");

    // Traits first: a `registration_code_valid` email and the code input.
    let body = json!({ "method": "code", "traits": traits });
    let (status, sent) = acc::post_json(&common::plain(), &flow, body, None).await;
    assert_eq!(status, 400, "{sent}");
    assert_eq!(sent["state"], "sent_email");
    assert_eq!(common::message_ids(&sent), vec![1040005]);
    assert_eq!(
        acc::node(&sent, "code").unwrap()["meta"]["label"]["id"],
        1070012
    );
    assert_eq!(
        acc::node(&sent, "traits.email").unwrap()["attributes"]["type"],
        "hidden"
    );
    let mail = acc::wait_mail(&srv, &address, 1).await;
    assert_eq!(mail.template_type, "registration_code_valid");
    let code = acc::code_in(&mail.body);
    // Nothing exists until the code is typed; the code is not kept in clear.
    let stored = srv
        .reg
        .store
        .get_flow(sent["id"].as_str().unwrap().parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert!(!stored.internal.to_string().contains(&code));

    // A wrong code: 4040003.
    let (status, f) = send_code(&sent, wrong(&code)).await;
    assert_eq!(status, 400, "{f}");
    assert_eq!(common::node_message_ids(&f, "code"), vec![4040003]);

    // The right one registers with a verified address and a `code` session.
    let (status, done) = send_code(&sent, &code).await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["identity"]["traits"]["email"], address.as_str());
    assert_eq!(
        done["identity"]["verifiable_addresses"][0]["verified"],
        true
    );
    assert_eq!(
        done["identity"]["verifiable_addresses"][0]["status"],
        "completed"
    );
    assert_eq!(
        mfa::methods(&done["session"]),
        vec![("code".to_string(), "aal1".to_string())]
    );
    let token = done["session_token"].as_str().unwrap();
    assert_eq!(acc::whoami_token(&srv, token).await, 200);

    // The code is spent with the flow.
    let (status, again) = send_code(&sent, &code).await;
    assert_ne!(status, 200, "{again}");

    // The new identity can sign in by code.
    let (_, login) = ask_code(&srv, &address).await;
    let code = acc::code_in(&acc::wait_mail(&srv, &address, 2).await.body);
    let (status, done) = send_code(&login, &code).await;
    assert_eq!(status, 200, "{done}");

    // Registering the same address again ends in the duplicate message.
    let (_, flow) = acc::api_flow(&srv, "registration", None).await;
    let body = json!({ "method": "code", "traits": traits });
    let (_, sent) = acc::post_json(&common::plain(), &flow, body, None).await;
    let code = acc::code_in(&acc::wait_mail(&srv, &address, 3).await.body);
    let (status, f) = send_code(&sent, &code).await;
    assert_eq!(status, 400, "{f}");
    assert_eq!(common::message_ids(&f), vec![4000007]);

    // More than five codes restart the flow.
    let (_, flow) = acc::api_flow(&srv, "registration", None).await;
    let other = email();
    let body = json!({ "method": "code", "traits": { "email": other } });
    let (_, sent) = acc::post_json(&common::plain(), &flow, body, None).await;
    let code = acc::code_in(&acc::wait_mail(&srv, &other, 1).await.body);
    for _ in 0..5 {
        let (status, f) = send_code(&sent, wrong(&code)).await;
        assert_eq!(status, 400, "{f}");
    }
    let (status, e) = send_code(&sent, &code).await;
    assert_eq!(status, 410, "{e}");
    assert_eq!(e["error"]["id"], "self_service_flow_replaced");
});

both!(
    passwordless_login_in_a_browser,
    |backend: Backend| async move {
        let srv = passwordless(backend, |_| {}).await;
        let address = email();
        acc::register_api(&srv, &address).await;
        let client = common::browser();
        let flow = acc::browser_flow(&srv, &client, "login").await;
        let csrf = common::csrf_of(&flow);
        let pairs = [
            ("csrf_token", csrf.as_str()),
            ("method", "code"),
            ("identifier", address.as_str()),
        ];
        // Without the CSRF token: the error page, and nothing is sent.
        let res = acc::post_form(&client, &flow, &pairs[1..]).await;
        let to = acc::location(&res);
        assert!(to.starts_with(&format!("{}/error?id=", acc::UI)), "{to}");
        let res = acc::post_form(&client, &flow, &pairs).await;
        assert_eq!(res.status(), 303);
        let to = acc::location(&res);
        assert!(to.starts_with(&format!("{}/login?flow=", acc::UI)), "{to}");
        let sent = acc::fetch(&srv, &client, "login", &acc::flow_param(&to)).await;
        assert_eq!(sent["state"], "sent_email");
        assert!(acc::node(&sent, "csrf_token").is_some());
        let mail = acc::wait_mail(&srv, &address, 1).await;
        assert_eq!(acc::mails(&srv, &address).await.len(), 1);
        let code = acc::code_in(&mail.body);
        let res = acc::post_form(
            &client,
            &sent,
            &[
                ("csrf_token", csrf.as_str()),
                ("method", "code"),
                ("code", code.as_str()),
            ],
        )
        .await;
        assert_eq!(res.status(), 303);
        assert_eq!(acc::location(&res), "http://127.0.0.1:4455/welcome");
        let (status, who) = acc::whoami(&srv, &client).await;
        assert_eq!(status, 200, "{who}");
        assert_eq!(
            mfa::methods(&who),
            vec![("code".to_string(), "aal1".to_string())]
        );
    }
);

both!(
    second_factor_code_attempts_are_capped,
    |backend: Backend| async move {
        let srv = TestServer::start_with(backend, |cfg| {
            acc::ui_urls(cfg);
            cfg["selfservice"]["methods"]["code"] = json!({ "mfa_enabled": true });
        })
        .await;
        let address = email();
        acc::register_api(&srv, &address).await;
        let token = mfa::password_login(&srv, &address).await;
        let (_, flow) = mfa::aal2_flow(&srv, &token).await;
        let (_, sent) = mfa::submit(&flow, json!({ "address": address }), &token).await;
        let code = acc::code_in(&acc::wait_mail(&srv, &address, 1).await.body);
        for _ in 0..5 {
            let body = json!({ "method": "code", "code": wrong(&code) });
            let (status, f) = mfa::submit(&sent, body, &token).await;
            assert_eq!(status, 400, "{f}");
        }
        let body = json!({ "method": "code", "code": code });
        let (status, e) = mfa::submit(&sent, body, &token).await;
        assert_eq!(status, 410, "{e}");
        assert_eq!(e["error"]["id"], "self_service_flow_replaced");
        // The session stayed aal1; the new flow offers the code again.
        let (status, _) = mfa::whoami(&srv, &token).await;
        assert_eq!(status, 403);
        let fresh: Value = common::plain()
            .get(srv.url(&format!(
                "/self-service/login/flows?id={}",
                e["use_flow_id"].as_str().unwrap()
            )))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(
            acc::node(&fresh, "address").unwrap()["attributes"]["value"],
            address.as_str()
        );
    }
);
