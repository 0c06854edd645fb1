//! Security keys (the `webauthn` method) end to end with a software authenticator: adding
//! and removing keys in settings, the aal2 login, the browser script and its integrity, and
//! bad input: a wrong origin, an answer to another flow's challenge, a replayed answer, a
//! cloned key's counter, garbage, and removing a key without a privileged session.

mod account_support;
mod common;
mod mfa_support;
mod webauthn_support;

use account_support as acc;
use base64::Engine as _;
use common::Backend;
use reqwest::header::ACCEPT;
use serde_json::{json, Value};
use sha2::Digest;
use webauthn_support::{self as wa, authenticator::Authenticator};

/// A browser signed in with a password, with one security key added in settings.
async fn with_security_key(srv: &common::TestServer) -> (reqwest::Client, String, Authenticator) {
    let client = common::browser();
    let address = common::email();
    assert_eq!(
        acc::register_browser(srv, &client, &address).await.status(),
        303
    );
    let flow = acc::browser_flow(srv, &client, "settings").await;
    let mut key = Authenticator::new(wa::ORIGIN);
    let answer = key.create(&wa::json_value(&flow, "webauthn_register_trigger"));
    let body = json!({
        "csrf_token": common::csrf_of(&flow),
        "method": "webauthn",
        "webauthn_register": answer,
        "webauthn_register_displayname": "YubiKey 5",
    });
    let (status, done) = acc::post_json(&client, &flow, body, None).await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["state"], "success");
    (client, address, key)
}

/// A new browser signed in with the password, and its aal2 login flow.
async fn aal2_browser(srv: &common::TestServer, address: &str) -> (reqwest::Client, Value) {
    let client = common::browser();
    let login = acc::browser_flow(srv, &client, "login").await;
    let res = acc::post_password_login(&client, &login, address, common::PASSWORD).await;
    assert_eq!(res.status(), 303);
    let res = client
        .get(srv.url("/self-service/login/browser?aal=aal2"))
        .header(ACCEPT, "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    (client, res.json().await.unwrap())
}

fn login_body(flow: &Value, answer: String) -> Value {
    json!({ "csrf_token": common::csrf_of(flow), "method": "webauthn", "webauthn_login": answer })
}

both!(
    add_a_key_then_sign_in_at_aal2,
    |backend: Backend| async move {
        let srv = wa::server(backend, |_| {}).await;
        let client = common::browser();
        let address = common::email();
        assert_eq!(
            acc::register_browser(&srv, &client, &address)
                .await
                .status(),
            303
        );
        let flow = acc::browser_flow(&srv, &client, "settings").await;
        let names: Vec<(String, String)> = mfa_support::names(&flow)
            .into_iter()
            .filter(|(g, _)| g == "webauthn")
            .collect();
        let expected = [
            "webauthn_register_displayname",
            "webauthn_register",
            "webauthn_register_trigger",
            "webauthn_script",
        ];
        assert_eq!(
            names.iter().map(|(_, n)| n.as_str()).collect::<Vec<_>>(),
            expected,
            "Kratos' order"
        );
        let trigger = acc::node(&flow, "webauthn_register_trigger").unwrap();
        assert_eq!(
            trigger["attributes"]["onclickTrigger"],
            "oryWebAuthnRegistration"
        );
        assert_eq!(trigger["meta"]["label"]["id"], 1050012);
        let options = wa::json_value(&flow, "webauthn_register_trigger");
        assert_eq!(options["publicKey"]["rp"]["id"], wa::RP_ID);
        assert_eq!(options["publicKey"]["rp"]["name"], "Nexus Test");
        assert_eq!(options["publicKey"]["user"]["name"], address.as_str());

        // The script the node names is served, and its integrity is its SHA-512.
        let script = wa::script(&flow);
        let src = script["attributes"]["src"].as_str().unwrap();
        assert_eq!(src, srv.url("/.well-known/ory/webauthn.js"));
        let res = common::plain().get(src).send().await.unwrap();
        assert_eq!(res.status(), 200);
        assert!(res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/javascript"));
        let body = res.bytes().await.unwrap();
        let digest = base64::engine::general_purpose::STANDARD.encode(sha2::Sha512::digest(&body));
        assert_eq!(
            script["attributes"]["integrity"],
            format!("sha512-{digest}")
        );

        // Adding the key counts as using it: the session reaches aal2.
        let mut key = Authenticator::new(wa::ORIGIN);
        let body = json!({
            "csrf_token": common::csrf_of(&flow),
            "method": "webauthn",
            "webauthn_register": key.create(&options),
            "webauthn_register_displayname": "YubiKey 5",
        });
        let (status, done) = acc::post_json(&client, &flow, body, None).await;
        assert_eq!(status, 200, "{done}");
        let remove = acc::node(&done, "webauthn_remove").expect("a remove button");
        assert_eq!(remove["meta"]["label"]["id"], 1050018);
        assert_eq!(
            remove["meta"]["label"]["text"],
            "Remove security key \"YubiKey 5\""
        );
        assert_eq!(remove["attributes"]["disabled"], false);
        let (status, who) = acc::whoami(&srv, &client).await;
        assert_eq!(status, 200);
        assert_eq!(who["authenticator_assurance_level"], "aal2");
        assert!(mfa_support::methods(&who).contains(&("webauthn".into(), "aal2".into())));
        let id = who["identity"]["id"].as_str().unwrap();
        let admin = acc::admin_identity(&srv, id, "webauthn").await;
        let cred = &admin["credentials"]["webauthn"];
        assert_eq!(
            cred["config"]["credentials"][0]["display_name"],
            "YubiKey 5"
        );
        assert_eq!(cred["config"]["credentials"][0]["is_passwordless"], false);

        // Another browser: password first, then the key.
        let (second, flow) = aal2_browser(&srv, &address).await;
        let trigger = acc::node(&flow, "webauthn_login_trigger").expect("the key is offered");
        assert_eq!(trigger["attributes"]["onclickTrigger"], "oryWebAuthnLogin");
        assert_eq!(trigger["meta"]["label"]["id"], 1010008);
        let options = wa::json_value(&flow, "webauthn_login_trigger");
        assert_eq!(
            options["publicKey"]["allowCredentials"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
        let (status, done) =
            acc::post_json(&second, &flow, login_body(&flow, key.get(&options)), None).await;
        assert_eq!(status, 200, "{done}");
        let (_, who) = acc::whoami(&srv, &second).await;
        assert_eq!(who["authenticator_assurance_level"], "aal2");
        assert_eq!(
            mfa_support::methods(&who),
            [
                ("password".into(), "aal1".into()),
                ("webauthn".into(), "aal2".into())
            ]
        );
    }
);

both!(hostile_answers_are_refused, |backend: Backend| async move {
    let srv = wa::server(backend, |_| {}).await;
    let (_, address, mut key) = with_security_key(&srv).await;
    let (client, flow) = aal2_browser(&srv, &address).await;
    let options = wa::json_value(&flow, "webauthn_login_trigger");

    // Signed for another origin.
    key.origin = "http://evil.example".into();
    let (status, bad) =
        acc::post_json(&client, &flow, login_body(&flow, key.get(&options)), None).await;
    assert_eq!(status, 400, "{bad}");
    assert_eq!(common::message_ids(&bad), vec![4000043]);
    key.origin = wa::ORIGIN.into();

    // Signed over another flow's challenge.
    let (_, other) = aal2_browser(&srv, &address).await;
    let foreign = key.get(&wa::json_value(&other, "webauthn_login_trigger"));
    let (status, bad) = acc::post_json(&client, &flow, login_body(&flow, foreign), None).await;
    assert_eq!(status, 400, "{bad}");
    assert_eq!(common::message_ids(&bad), vec![4000043]);

    // Garbage and a missing answer: the documented messages, never a 500.
    for answer in ["{\"id\":1}", "not json"] {
        let (status, bad) =
            acc::post_json(&client, &flow, login_body(&flow, answer.into()), None).await;
        assert_eq!(status, 400, "{answer}: {bad}");
        assert_eq!(common::message_ids(&bad), vec![4000043]);
    }

    // The right answer (the fifth attempt) works once; replaying it on the completed flow
    // does not.
    let good = key.get(&options);
    let (status, done) =
        acc::post_json(&client, &flow, login_body(&flow, good.clone()), None).await;
    assert_eq!(status, 200, "{done}");
    let (status, replay) = acc::post_json(&client, &flow, login_body(&flow, good), None).await;
    assert_ne!(status, 200, "{replay}");
});

both!(a_cloned_key_is_refused, |backend: Backend| async move {
    let srv = wa::server(backend, |_| {}).await;
    let (_, address, mut key) = with_security_key(&srv).await;
    for _ in 0..2 {
        let (client, flow) = aal2_browser(&srv, &address).await;
        let options = wa::json_value(&flow, "webauthn_login_trigger");
        let (status, _) =
            acc::post_json(&client, &flow, login_body(&flow, key.get(&options)), None).await;
        assert_eq!(status, 200);
    }
    // A copy of the key whose counter went backwards.
    key.rewind_counters();
    let (client, flow) = aal2_browser(&srv, &address).await;
    let options = wa::json_value(&flow, "webauthn_login_trigger");
    let (status, bad) =
        acc::post_json(&client, &flow, login_body(&flow, key.get(&options)), None).await;
    assert_eq!(status, 400, "{bad}");
    assert_eq!(common::message_ids(&bad), vec![4000043]);
});

both!(removing_a_key, |backend: Backend| async move {
    let srv = wa::server(backend, |cfg| {
        cfg["selfservice"]["flows"]["settings"]["privileged_session_max_age"] = json!("2s");
    })
    .await;
    let (client, _, _) = with_security_key(&srv).await;
    let flow = acc::browser_flow(&srv, &client, "settings").await;
    let hex_id = acc::node(&flow, "webauthn_remove").unwrap()["attributes"]["value"]
        .as_str()
        .unwrap()
        .to_string();
    // An unknown key id is refused with a message.
    let body = json!({ "csrf_token": common::csrf_of(&flow), "webauthn_remove": "00ff" });
    let (status, bad) = acc::post_json(&client, &flow, body, None).await;
    assert_eq!(status, 400, "{bad}");
    assert_eq!(common::message_ids(&bad), vec![4000013]);
    // Without `method`, the field names the method; the key goes, and aal2 is no longer
    // available to the identity.
    let body = json!({ "csrf_token": common::csrf_of(&flow), "webauthn_remove": hex_id });
    let (status, done) = acc::post_json(&client, &flow, body, None).await;
    assert_eq!(status, 200, "{done}");
    assert!(acc::node(&done, "webauthn_remove").is_none());
    let (_, who) = acc::whoami(&srv, &client).await;
    let id = who["identity"]["id"].as_str().unwrap();
    let admin = acc::admin_identity(&srv, id, "webauthn").await;
    assert!(admin["credentials"].get("webauthn").is_none(), "{admin}");

    // Once the session is no longer privileged, changes need a re-authentication.
    let (client, _, _) = with_security_key(&srv).await;
    let flow = acc::browser_flow(&srv, &client, "settings").await;
    let hex_id = acc::node(&flow, "webauthn_remove").unwrap()["attributes"]["value"].clone();
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let body = json!({ "csrf_token": common::csrf_of(&flow), "webauthn_remove": hex_id });
    let (status, err) = acc::post_json(&client, &flow, body, None).await;
    assert_eq!(status, 403, "{err}");
    assert_eq!(mfa_support::error_id(&err), "session_refresh_required");
});

both!(
    api_settings_offer_no_security_keys,
    |backend: Backend| async move {
        // As Kratos: security keys are added in browsers only.
        let srv = wa::server(backend, |_| {}).await;
        let app = mfa_support::app(&srv).await;
        let flow = mfa_support::settings_api(&srv, &app.token).await;
        assert!(acc::node(&flow, "webauthn_register_trigger").is_none());
        assert!(flow["ui"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n["type"] != "script"));
    }
);
