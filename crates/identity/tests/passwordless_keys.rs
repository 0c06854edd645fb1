//! Security keys as a first factor (`webauthn` with `passwordless: true`) end to end: the
//! identifier step, the challenge for that identity's keys, signing in with the key alone;
//! bad input: an unknown identifier, a wrong answer, a key of another identity.

mod account_support;
mod common;
mod mfa_support;
mod webauthn_support;

use account_support as acc;
use common::Backend;
use serde_json::json;
use webauthn_support::{self as wa, authenticator::Authenticator};

async fn server(backend: Backend) -> common::TestServer {
    wa::server(backend, |cfg| {
        cfg["selfservice"]["methods"]["webauthn"]["config"]["passwordless"] = json!(true);
        cfg["selfservice"]["methods"]["passkey"]["enabled"] = json!(false);
        cfg["selfservice"]["flows"]["registration"]["after"]["webauthn"] =
            json!({ "hooks": [{ "hook": "session" }] });
    })
    .await
}

/// Registers `address` with a password and adds a passwordless key in settings.
async fn with_key(srv: &common::TestServer, address: &str) -> Authenticator {
    let client = common::browser();
    assert_eq!(
        acc::register_browser(srv, &client, address).await.status(),
        303
    );
    let flow = acc::browser_flow(srv, &client, "settings").await;
    let mut key = Authenticator::new(wa::ORIGIN);
    let options = wa::json_value(&flow, "webauthn_register_trigger");
    assert_eq!(
        options["publicKey"]["authenticatorSelection"]["userVerification"],
        "required"
    );
    let body = json!({
        "csrf_token": common::csrf_of(&flow),
        "webauthn_register": key.create(&options),
    });
    let (status, done) = acc::post_json(&client, &flow, body, None).await;
    assert_eq!(status, 200, "{done}");
    key
}

both!(sign_in_with_the_key_alone, |backend: Backend| async move {
    let srv = server(backend).await;
    let address = common::email();
    let mut key = with_key(&srv, &address).await;
    let client = common::browser();
    let flow = wa::login_flow(&srv, &client).await;
    let button = flow["ui"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["group"] == "webauthn" && n["attributes"]["value"] == "webauthn")
        .expect("the security key button");
    assert_eq!(button["meta"]["label"]["id"], 1010008);

    // Step one: the identifier.
    let body = json!({ "csrf_token": common::csrf_of(&flow), "method": "webauthn", "identifier": address });
    let (status, step) = acc::post_json(&client, &flow, body, None).await;
    assert_eq!(status, 400, "the next screen, as a flow: {step}");
    assert_eq!(common::message_ids(&step), vec![1010012]);
    assert_eq!(
        acc::node(&step, "identifier").unwrap()["attributes"]["type"],
        "hidden"
    );
    assert!(acc::node(&step, "password").is_none());
    let options = wa::json_value(&step, "webauthn_login_trigger");
    assert_eq!(
        options["publicKey"]["allowCredentials"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // Step two: the key's answer.
    let body = json!({
        "csrf_token": common::csrf_of(&step),
        "method": "webauthn",
        "identifier": address,
        "webauthn_login": key.get(&options),
    });
    let (status, done) = acc::post_json(&client, &step, body, None).await;
    assert_eq!(status, 200, "{done}");
    let (_, who) = acc::whoami(&srv, &client).await;
    assert_eq!(
        mfa_support::methods(&who),
        [("webauthn".into(), "aal1".into())]
    );
});

both!(
    unknown_people_and_foreign_keys_are_refused,
    |backend: Backend| async move {
        let srv = server(backend).await;
        let alice = common::email();
        let mut alices_key = with_key(&srv, &alice).await;
        let bob = common::email();
        let _ = with_key(&srv, &bob).await;
        let client = common::browser();

        let flow = wa::login_flow(&srv, &client).await;
        let body = json!({ "csrf_token": common::csrf_of(&flow), "method": "webauthn", "identifier": "nobody@example.com" });
        let (status, bad) = acc::post_json(&client, &flow, body, None).await;
        assert_eq!(status, 400, "{bad}");
        assert_eq!(common::message_ids(&bad), vec![4000015]);

        // Bob's challenge answered with Alice's key.
        let body = json!({ "csrf_token": common::csrf_of(&flow), "method": "webauthn", "identifier": bob });
        let (_, step) = acc::post_json(&client, &flow, body, None).await;
        let mut bobs_options = wa::json_value(&step, "webauthn_login_trigger");
        bobs_options["publicKey"]["allowCredentials"] = json!([]);
        let body = json!({
            "csrf_token": common::csrf_of(&step),
            "method": "webauthn",
            "identifier": bob,
            "webauthn_login": alices_key.get(&bobs_options),
        });
        let (status, bad) = acc::post_json(&client, &step, body, None).await;
        assert_eq!(status, 400, "{bad}");
        assert_eq!(common::message_ids(&bad), vec![4000043]);
    }
);

both!(sign_up_with_a_security_key, |backend: Backend| async move {
    let srv = server(backend).await;
    let client = common::browser();
    let flow = acc::browser_flow(&srv, &client, "registration").await;
    let layout: Vec<String> = flow["ui"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["group"] == "webauthn")
        .map(|n| {
            let a = &n["attributes"];
            a["name"].as_str().or(a["id"].as_str()).unwrap().to_string()
        })
        .collect();
    assert_eq!(
        layout,
        [
            "webauthn_register_displayname",
            "webauthn_register",
            "webauthn_register_trigger",
            "webauthn_script"
        ],
        "Kratos' order"
    );
    let trigger = acc::node(&flow, "webauthn_register_trigger").unwrap();
    assert_eq!(trigger["meta"]["label"]["id"], 1040004);
    let mut key = Authenticator::new(wa::ORIGIN);
    let answer = key.create(&wa::json_value(&flow, "webauthn_register_trigger"));
    let address = common::email();
    let body = json!({
        "csrf_token": common::csrf_of(&flow),
        "method": "webauthn",
        "webauthn_register": answer,
        "webauthn_register_displayname": "Desk key",
        "traits": { "email": address },
    });
    let (status, done) = acc::post_json(&client, &flow, body, None).await;
    assert_eq!(status, 200, "{done}");
    let (_, who) = acc::whoami(&srv, &client).await;
    assert_eq!(
        mfa_support::methods(&who),
        [("webauthn".into(), "aal1".into())]
    );

    // The key alone signs in again, found by the email.
    let other = common::browser();
    let flow = wa::login_flow(&srv, &other).await;
    let body = json!({ "csrf_token": common::csrf_of(&flow), "method": "webauthn", "identifier": address });
    let (_, step) = acc::post_json(&other, &flow, body, None).await;
    let body = json!({
        "csrf_token": common::csrf_of(&step),
        "method": "webauthn",
        "identifier": address,
        "webauthn_login": key.get(&wa::json_value(&step, "webauthn_login_trigger")),
    });
    let (status, done) = acc::post_json(&other, &step, body, None).await;
    assert_eq!(status, 200, "{done}");

    // A new email in settings: the key is found by the new one, not the old one.
    let settings = acc::browser_flow(&srv, &other, "settings").await;
    let renamed = common::email();
    let body = json!({ "csrf_token": common::csrf_of(&settings), "method": "profile", "traits": { "email": renamed } });
    let (status, done) = acc::post_json(&other, &settings, body, None).await;
    assert_eq!(status, 200, "{done}");
    let third = common::browser();
    let flow = wa::login_flow(&srv, &third).await;
    let body = json!({ "csrf_token": common::csrf_of(&flow), "method": "webauthn", "identifier": address });
    let (_, refused) = acc::post_json(&third, &flow, body, None).await;
    assert_eq!(common::message_ids(&refused), vec![4000015]);
    let body = json!({ "csrf_token": common::csrf_of(&flow), "method": "webauthn", "identifier": renamed });
    let (status, step) = acc::post_json(&third, &flow, body, None).await;
    assert_eq!(status, 400, "{step}");
    assert!(
        acc::node(&step, "webauthn_login_trigger").is_some(),
        "{step}"
    );
});
