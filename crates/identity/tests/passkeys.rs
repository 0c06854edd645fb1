//! Passkeys end to end with a software authenticator: sign-up with a passkey, signing in
//! with it (discoverable: the key names its user), adding one in settings and signing in
//! through the API, and bad input: an unknown key, garbage, an answer replayed on a new flow,
//! and removing the last way to sign in.

mod account_support;
mod common;
mod mfa_support;
mod webauthn_support;

use account_support as acc;
use common::Backend;
use serde_json::{json, Value};
use webauthn_support::{self as wa, authenticator::Authenticator};

/// Signs up `address` with a passkey in a browser; the browser is signed in.
async fn sign_up(srv: &common::TestServer, address: &str) -> (reqwest::Client, Authenticator) {
    let client = common::browser();
    let flow = acc::browser_flow(srv, &client, "registration").await;
    let mut key = Authenticator::new(wa::ORIGIN);
    let answer = key.create(&wa::json_value(&flow, "passkey_create_data"));
    let res = acc::post_form(
        &client,
        &flow,
        &[
            ("csrf_token", &common::csrf_of(&flow)),
            ("method", "passkey"),
            ("passkey_register", &answer),
            ("traits.email", address),
        ],
    )
    .await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    (client, key)
}

fn login_body(flow: &Value, answer: &str) -> Value {
    json!({ "csrf_token": common::csrf_of(flow), "method": "passkey", "passkey_login": answer })
}

both!(
    sign_up_and_sign_in_with_a_passkey,
    |backend: Backend| async move {
        let srv = wa::server(backend, |_| {}).await;
        let client = common::browser();
        let flow = acc::browser_flow(&srv, &client, "registration").await;
        let data = wa::json_value(&flow, "passkey_create_data");
        assert_eq!(data["displayNameFieldName"], "traits.email");
        assert_eq!(
            data["credentialOptions"]["publicKey"]["rp"]["id"],
            wa::RP_ID
        );
        assert_eq!(
            data["credentialOptions"]["publicKey"]["authenticatorSelection"]["requireResidentKey"],
            true
        );
        let trigger = acc::node(&flow, "passkey_register_trigger").unwrap();
        assert_eq!(
            trigger["attributes"]["onclickTrigger"],
            "oryPasskeyRegistration"
        );
        assert_eq!(
            trigger["attributes"]["onclick"],
            "window.oryPasskeyRegistration()"
        );
        assert_eq!(trigger["meta"]["label"]["id"], 1040007);

        let address = common::email();
        let (signed_up, mut key) = sign_up(&srv, &address).await;
        let (status, who) = acc::whoami(&srv, &signed_up).await;
        assert_eq!(status, 200);
        assert_eq!(
            mfa_support::methods(&who),
            [("passkey".into(), "aal1".into())]
        );
        assert_eq!(who["identity"]["traits"]["email"], address.as_str());
        assert_eq!(
            who["identity"]["verifiable_addresses"][0]["value"],
            address.as_str()
        );

        // A new browser: the login flow offers a discoverable challenge.
        let client = common::browser();
        let flow = wa::login_flow(&srv, &client).await;
        let challenge = wa::json_value(&flow, "passkey_challenge");
        assert_eq!(challenge["publicKey"]["rpId"], wa::RP_ID);
        assert!(challenge["publicKey"]["allowCredentials"]
            .as_array()
            .is_none_or(|a| a.is_empty()));
        let answer = acc::node(&flow, "passkey_login").unwrap();
        assert_eq!(
            answer["attributes"]["onloadTrigger"],
            "oryPasskeyLoginAutocompleteInit"
        );
        let trigger = acc::node(&flow, "passkey_login_trigger").unwrap();
        assert_eq!(trigger["attributes"]["onclickTrigger"], "oryPasskeyLogin");
        assert_eq!(trigger["meta"]["label"]["id"], 1010021);
        let (status, done) = acc::post_json(
            &client,
            &flow,
            login_body(&flow, &key.get(&challenge)),
            None,
        )
        .await;
        assert_eq!(status, 200, "{done}");
        assert_eq!(
            done["session"]["identity"]["traits"]["email"],
            address.as_str()
        );
        let (_, who) = acc::whoami(&srv, &client).await;
        assert_eq!(
            mfa_support::methods(&who),
            [("passkey".into(), "aal1".into())]
        );
    }
);

both!(
    add_a_passkey_in_settings_then_sign_in_natively,
    |backend: Backend| async move {
        let srv = wa::server(backend, |_| {}).await;
        let app = mfa_support::app(&srv).await;
        let flow = mfa_support::settings_api(&srv, &app.token).await;
        let trigger =
            acc::node(&flow, "passkey_register_trigger").expect("passkeys in API settings");
        assert_eq!(
            trigger["attributes"]["onclickTrigger"],
            "oryPasskeySettingsRegistration"
        );
        assert!(
            trigger["attributes"].get("onclick").is_none(),
            "no inline script for apps"
        );
        let mut key = Authenticator::new(wa::ORIGIN);
        let answer = key.create(&wa::json_value(&flow, "passkey_create_data"));
        let body = json!({ "method": "passkey", "passkey_settings_register": answer });
        let (status, done) = acc::post_json(&common::plain(), &flow, body, Some(&app.token)).await;
        assert_eq!(status, 200, "{done}");
        let remove = acc::node(&done, "passkey_remove").expect("a remove button");
        assert_eq!(remove["meta"]["label"]["id"], 1050020);
        assert_eq!(
            remove["meta"]["label"]["context"]["display_name"],
            app.email.as_str(),
            "named after the identity's display name trait"
        );
        assert_eq!(
            remove["attributes"]["disabled"], false,
            "the password is left"
        );

        // Signing in through the API with the passkey.
        let (_, flow) = acc::api_flow(&srv, "login", None).await;
        let challenge = wa::json_value(&flow, "passkey_challenge");
        let body = json!({ "method": "passkey", "passkey_login": key.get(&challenge) });
        let (status, done) = acc::post_json(&common::plain(), &flow, body, None).await;
        assert_eq!(status, 200, "{done}");
        let token = done["session_token"].as_str().unwrap();
        let (_, who) = mfa_support::whoami(&srv, token).await;
        assert_eq!(who["identity"]["traits"]["email"], app.email.as_str());
    }
);

both!(
    hostile_passkey_answers_are_refused,
    |backend: Backend| async move {
        let srv = wa::server(backend, |_| {}).await;
        let (_, mut key) = sign_up(&srv, &common::email()).await;
        let client = common::browser();

        // A key nobody registered.
        let flow = wa::login_flow(&srv, &client).await;
        let challenge = wa::json_value(&flow, "passkey_challenge");
        let mut stranger = Authenticator::new(wa::ORIGIN);
        stranger.create(&json!({ "publicKey": {
            "rp": { "id": wa::RP_ID }, "user": { "id": "c3RyYW5nZXI" }, "challenge": "AAAA"
        }}));
        let (status, bad) = acc::post_json(
            &client,
            &flow,
            login_body(&flow, &stranger.get(&challenge)),
            None,
        )
        .await;
        assert_eq!(status, 400, "{bad}");
        assert_eq!(common::message_ids(&bad), vec![4000015]);

        // Garbage: the documented message, never a 500.
        for answer in [
            "{",
            "[]",
            "{\"id\":\"x\",\"rawId\":\"x\",\"type\":\"public-key\"}",
        ] {
            let (status, bad) =
                acc::post_json(&client, &flow, login_body(&flow, answer), None).await;
            assert_eq!(status, 400, "{answer}: {bad}");
            assert_eq!(common::message_ids(&bad), vec![4000043]);
        }

        // A wrong origin.
        key.origin = "http://localhost:9999".into();
        let (status, bad) = acc::post_json(
            &client,
            &flow,
            login_body(&flow, &key.get(&challenge)),
            None,
        )
        .await;
        assert_eq!(status, 400, "{bad}");
        key.origin = wa::ORIGIN.into();

        // A good answer replayed on a new flow: the challenge differs.
        let good = key.get(&challenge);
        let (status, _) = acc::post_json(&client, &flow, login_body(&flow, &good), None).await;
        assert_eq!(status, 200);
        let other = common::browser();
        let fresh = wa::login_flow(&srv, &other).await;
        let (status, bad) = acc::post_json(&other, &fresh, login_body(&fresh, &good), None).await;
        assert_eq!(status, 400, "{bad}");
        assert_eq!(common::message_ids(&bad), vec![4000043]);
    }
);

both!(the_last_passkey_stays, |backend: Backend| async move {
    let srv = wa::server(backend, |_| {}).await;
    let (client, _) = sign_up(&srv, &common::email()).await;
    let flow = acc::browser_flow(&srv, &client, "settings").await;
    let remove = acc::node(&flow, "passkey_remove").expect("a remove button");
    assert_eq!(remove["attributes"]["disabled"], true, "the only way in");
    let body = json!({
        "csrf_token": common::csrf_of(&flow),
        "method": "passkey",
        "passkey_remove": remove["attributes"]["value"],
    });
    let (status, bad) = acc::post_json(&client, &flow, body, None).await;
    assert_eq!(status, 400, "{bad}");
    assert_eq!(
        common::node_message_ids(&bad, "passkey_remove"),
        vec![4000001]
    );
});

both!(
    passkey_sign_up_validates_traits_and_the_answer,
    |backend: Backend| async move {
        let srv = wa::server(backend, |_| {}).await;
        let client = common::browser();
        let flow = acc::browser_flow(&srv, &client, "registration").await;
        let mut key = Authenticator::new(wa::ORIGIN);
        let answer = key.create(&wa::json_value(&flow, "passkey_create_data"));
        // Missing email: the trait error, and nothing is created.
        let body = json!({ "csrf_token": common::csrf_of(&flow), "method": "passkey", "passkey_register": answer, "traits": {} });
        let (status, bad) = acc::post_json(&client, &flow, body, None).await;
        assert_eq!(status, 400, "{bad}");
        assert!(
            !common::node_message_ids(&bad, "traits.email").is_empty(),
            "{bad}"
        );
        // A broken answer.
        let body = json!({ "csrf_token": common::csrf_of(&flow), "method": "passkey", "passkey_register": "{}", "traits": { "email": common::email() } });
        let (status, bad) = acc::post_json(&client, &flow, body, None).await;
        assert_eq!(status, 400, "{bad}");
        assert_eq!(common::message_ids(&bad), vec![4000043]);
    }
);

both!(
    profile_first_offers_the_passkey_after_the_profile,
    |backend: Backend| async move {
        let srv = wa::server(backend, |cfg| {
            cfg["selfservice"]["flows"]["registration"]["style"] = json!("profile_first");
        })
        .await;
        let client = common::browser();
        let flow = acc::browser_flow(&srv, &client, "registration").await;
        assert!(
            acc::node(&flow, "passkey_create_data").is_none(),
            "profile first"
        );
        let address = common::email();
        let body = json!({ "csrf_token": common::csrf_of(&flow), "method": "profile", "traits": { "email": address } });
        let (status, chosen) = acc::post_json(&client, &flow, body, None).await;
        // The credential screen comes back as Kratos sends it: 400 with the flow.
        assert_eq!(status, 400, "{chosen}");
        assert_eq!(common::message_ids(&chosen), vec![1040009]);
        let mut key = Authenticator::new(wa::ORIGIN);
        let answer = key.create(&wa::json_value(&chosen, "passkey_create_data"));
        let body = json!({
            "csrf_token": common::csrf_of(&chosen),
            "method": "passkey",
            "passkey_register": answer,
            "traits": { "email": address },
        });
        let (status, done) = acc::post_json(&client, &chosen, body, None).await;
        assert_eq!(status, 200, "{done}");
        assert_eq!(done["identity"]["traits"]["email"], address.as_str());
    }
);
