//! TOTP end to end: pairing in settings (QR code, secret, confirmation code), sign-in at aal2
//! with codes computed here, session AAL and `required_aal`, and bad input: wrong and replayed
//! codes, too many attempts on one flow, unlinking without a privileged session.

mod account_support;
mod common;
mod mfa_support;

use account_support as acc;
use common::Backend;
use mfa_support::{self as mfa, now};
use serde_json::{json, Value};

both!(
    browser_pairing_and_aal2_login,
    |backend: Backend| async move {
        let srv = mfa::server(backend, |_| {}).await;
        let client = common::browser();
        let address = common::email();
        assert_eq!(
            acc::register_browser(&srv, &client, &address)
                .await
                .status(),
            303
        );
        let flow = acc::browser_flow(&srv, &client, "settings").await;
        let names = mfa::names(&flow);
        for expected in [
            ("totp", "totp_secret_key"),
            ("totp", "totp_qr"),
            ("totp", "totp_code"),
            ("totp", "method=totp"),
            ("lookup_secret", "lookup_secret_regenerate"),
        ] {
            assert!(
                names.contains(&(expected.0.into(), expected.1.into())),
                "{expected:?} in {names:?}"
            );
        }
        let totp: Vec<&str> = names
            .iter()
            .filter(|(group, _)| group == "totp")
            .map(|(_, name)| name.as_str())
            .collect();
        assert_eq!(
            totp,
            ["totp_qr", "totp_secret_key", "totp_code", "method=totp"],
            "Kratos' order"
        );
        assert_eq!(
            mfa::node(&flow, "totp_code").unwrap()["attributes"]["autocomplete"],
            "one-time-code"
        );
        let qr = mfa::node(&flow, "totp_qr").unwrap();
        assert_eq!(qr["type"], "img");
        assert_eq!(qr["attributes"]["node_type"], "img");
        assert!(qr["attributes"]["src"]
            .as_str()
            .unwrap()
            .starts_with("data:image/png;base64,iVBOR"));
        assert_eq!(qr["meta"]["label"]["id"], 1050005);
        let secret = mfa::shown_secret(&flow);
        assert_eq!(secret.len(), 32, "160-bit base32 secret");
        let secret_node = mfa::node(&flow, "totp_secret_key").unwrap();
        assert_eq!(secret_node["attributes"]["text"]["id"], 1050006);
        assert_eq!(
            secret_node["attributes"]["text"]["context"]["secret"],
            secret.as_str()
        );
        // The same key on every fetch of the flow.
        let again = acc::fetch(&srv, &client, "settings", flow["id"].as_str().unwrap()).await;
        assert_eq!(mfa::shown_secret(&again), secret);

        let t = mfa::totp(&secret);
        let csrf = common::csrf_of(&flow);
        // A wrong code is refused on the code node.
        let (status, bad) = acc::post_json(
            &client,
            &flow,
            json!({ "csrf_token": csrf, "method": "totp", "totp_code": mfa::wrong_code(&t) }),
            None,
        )
        .await;
        assert_eq!(status, 400, "{bad}");
        assert_eq!(common::node_message_ids(&bad, "totp_code"), vec![4000008]);
        // The right code pairs the app; the session counts the factor.
        let (status, done) = acc::post_json(
            &client,
            &flow,
            json!({ "csrf_token": csrf, "method": "totp", "totp_code": t.generate(now()) }),
            None,
        )
        .await;
        assert_eq!(status, 200, "{done}");
        assert_eq!(done["state"], "success");
        assert!(mfa::node(&done, "totp_unlink").is_some());
        assert!(mfa::node(&done, "totp_qr").is_none());
        let (status, who) = acc::whoami(&srv, &client).await;
        assert_eq!(status, 200);
        assert_eq!(who["authenticator_assurance_level"], "aal2");
        assert!(mfa::methods(&who).contains(&("totp".into(), "aal2".into())));

        // The credential, keyed by the identity id, with the issuer and account name.
        let id = who["identity"]["id"].as_str().unwrap();
        let admin = acc::admin_identity(&srv, id, "totp").await;
        let cred = &admin["credentials"]["totp"];
        assert_eq!(cred["identifiers"], json!([id]));
        let url = cred["config"]["totp_url"].as_str().unwrap();
        assert!(
            url.starts_with(&format!("otpauth://totp/Nexus%20Test:{address}?")),
            "{url}"
        );
        assert!(url.contains(&format!("secret={secret}")), "{url}");

        // A new browser signs in with the password: aal1, and whoami wants the second factor.
        let second = common::browser();
        let login = acc::browser_flow(&srv, &second, "login").await;
        let res = acc::post_password_login(&second, &login, &address, common::PASSWORD).await;
        assert_eq!(res.status(), 303);
        let to = acc::location(&res);
        assert!(
            to.starts_with(&srv.url("/self-service/login/browser?aal=aal2")),
            "an identity with a second factor continues to the aal2 login: {to}"
        );
        let (status, err) = acc::whoami(&srv, &second).await;
        assert_eq!(status, 403);
        assert_eq!(mfa::error_id(&err), "session_aal2_required");
        assert!(err["redirect_browser_to"]
            .as_str()
            .unwrap()
            .contains("/self-service/login/browser?aal=aal2"));

        // The aal2 flow shows only the second factors.
        let res = second
            .get(&to)
            .header("Accept", "text/html")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303);
        let flow2 = acc::fetch(
            &srv,
            &second,
            "login",
            &acc::flow_param(&acc::location(&res)),
        )
        .await;
        assert_eq!(flow2["requested_aal"], "aal2");
        assert_eq!(common::message_ids(&flow2), vec![1010004]);
        assert_eq!(
            mfa::names(&flow2),
            vec![
                ("totp".to_string(), "totp_code".to_string()),
                ("totp".to_string(), "method=totp".to_string())
            ]
        );
        assert_eq!(
            mfa::node(&flow2, "method").unwrap()["meta"]["label"]["id"],
            1010009
        );
        // The code of the next step (the pairing used the current one).
        let res = acc::post_form(
            &second,
            &flow2,
            &[
                ("csrf_token", &common::csrf_of(&flow2)),
                ("method", "totp"),
                ("totp_code", &t.generate(now() + 30)),
            ],
        )
        .await;
        assert_eq!(res.status(), 303);
        assert_eq!(acc::location(&res), "http://127.0.0.1:4455/welcome");
        let (status, who) = acc::whoami(&srv, &second).await;
        assert_eq!(status, 200, "{who}");
        assert_eq!(who["authenticator_assurance_level"], "aal2");
        assert_eq!(
            mfa::methods(&who),
            vec![
                ("password".to_string(), "aal1".to_string()),
                ("totp".to_string(), "aal2".to_string())
            ]
        );
    }
);

both!(
    native_aal2_upgrade_and_replay,
    |backend: Backend| async move {
        let srv = mfa::server(backend, |_| {}).await;
        let app = mfa::app(&srv).await;
        let t = mfa::pair_totp(&srv, &app.token).await;

        // aal2 needs a session first.
        let res = common::plain()
            .get(srv.url("/self-service/login/api?aal=aal2"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 401);
        let body: Value = res.json().await.unwrap();
        assert_eq!(mfa::error_id(&body), "session_aal1_required");

        let aal1 = mfa::password_login(&srv, &app.email).await;
        let (status, who) = mfa::whoami(&srv, &aal1).await;
        assert_eq!(status, 403, "{who}");
        assert_eq!(mfa::error_id(&who), "session_aal2_required");
        let (status, flow) = mfa::aal2_flow(&srv, &aal1).await;
        assert_eq!(status, 200, "{flow}");
        assert_eq!(flow["requested_aal"], "aal2");
        assert!(mfa::node(&flow, "password").is_none());
        let code = t.generate(now() + 30);
        let (status, done) =
            mfa::submit(&flow, json!({ "method": "totp", "totp_code": code }), &aal1).await;
        assert_eq!(status, 200, "{done}");
        assert_eq!(done["session"]["authenticator_assurance_level"], "aal2");
        let upgraded = done["session_token"].as_str().unwrap().to_string();
        assert_ne!(upgraded, aal1, "the token is rotated on step-up");
        assert_eq!(mfa::whoami(&srv, &upgraded).await.0, 200);
        assert_eq!(
            mfa::whoami(&srv, &aal1).await.0,
            401,
            "the old token is gone"
        );
        // An aal2 session has nothing to upgrade.
        let (status, body) = mfa::aal2_flow(&srv, &upgraded).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(mfa::error_id(&body), "session_already_available");

        // The same code again, on another session's aal2 flow: a replay.
        let other = mfa::password_login(&srv, &app.email).await;
        let (_, flow) = mfa::aal2_flow(&srv, &other).await;
        let (status, bad) = mfa::submit(
            &flow,
            json!({ "method": "totp", "totp_code": code }),
            &other,
        )
        .await;
        assert_eq!(status, 400, "{bad}");
        assert_eq!(common::message_ids(&bad), vec![4000008]);
        assert_eq!(mfa::whoami(&srv, &other).await.0, 403, "still aal1");
        // A missing code names the field.
        let (status, bad) = mfa::submit(&flow, json!({ "method": "totp" }), &other).await;
        assert_eq!(status, 400);
        assert_eq!(common::node_message_ids(&bad, "totp_code"), vec![4000002]);
        // An aal2 session of the identity has nothing to upgrade on this flow…
        let next = t.generate(now() + 30);
        let (status, bad) = mfa::submit(
            &flow,
            json!({ "method": "totp", "totp_code": next }),
            &upgraded,
        )
        .await;
        assert_eq!(status, 400, "{bad}");
        assert_eq!(mfa::error_id(&bad), "session_already_available");
        // …and another identity's session cannot use it.
        let stranger = mfa::app(&srv).await;
        let (status, bad) = mfa::submit(
            &flow,
            json!({ "method": "totp", "totp_code": next }),
            &stranger.token,
        )
        .await;
        assert_eq!(status, 401, "{bad}");
        assert_eq!(mfa::error_id(&bad), "session_aal1_required");
    }
);

both!(
    too_many_wrong_codes_restart_the_flow,
    |backend: Backend| async move {
        let srv = mfa::server(backend, |_| {}).await;
        let app = mfa::app(&srv).await;
        let t = mfa::pair_totp(&srv, &app.token).await;
        let aal1 = mfa::password_login(&srv, &app.email).await;
        let (_, flow) = mfa::aal2_flow(&srv, &aal1).await;
        for attempt in 1..=5 {
            let (status, bad) = mfa::submit(
                &flow,
                json!({ "method": "totp", "totp_code": mfa::wrong_code(&t) }),
                &aal1,
            )
            .await;
            assert_eq!(status, 400, "attempt {attempt}: {bad}");
            assert_eq!(common::message_ids(&bad), vec![4000008]);
        }
        // The sixth submission is refused even with the right code: the flow must restart.
        let right = t.generate(now() + 30);
        let (status, err) = mfa::submit(
            &flow,
            json!({ "method": "totp", "totp_code": right }),
            &aal1,
        )
        .await;
        assert_eq!(status, 410, "{err}");
        assert_eq!(mfa::error_id(&err), "self_service_flow_replaced");
        let fresh_id = err["use_flow_id"].as_str().unwrap();
        assert_ne!(fresh_id, flow["id"].as_str().unwrap());
        assert_eq!(mfa::whoami(&srv, &aal1).await.0, 403, "still aal1");
        let fresh: Value = common::plain()
            .get(srv.url(&format!("/self-service/login/flows?id={fresh_id}")))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(fresh["requested_aal"], "aal2");
        assert!(mfa::node(&fresh, "totp_code").is_some());
        let (status, done) = mfa::submit(
            &fresh,
            json!({ "method": "totp", "totp_code": right }),
            &aal1,
        )
        .await;
        assert_eq!(status, 200, "{done}");
        assert_eq!(done["session"]["authenticator_assurance_level"], "aal2");
    }
);

both!(
    unlinking_needs_a_privileged_session,
    |backend: Backend| async move {
        let srv = mfa::server(backend, |cfg| {
            cfg["selfservice"]["flows"]["settings"]["privileged_session_max_age"] = json!("3s");
        })
        .await;
        let app = mfa::app(&srv).await;
        let t = mfa::pair_totp(&srv, &app.token).await;
        tokio::time::sleep(std::time::Duration::from_millis(3500)).await;
        let flow = mfa::settings_api(&srv, &app.token).await;
        assert!(mfa::node(&flow, "totp_unlink").is_some());
        let (status, err) = acc::post_json(
            &common::plain(),
            &flow,
            json!({ "method": "totp", "totp_unlink": true }),
            Some(&app.token),
        )
        .await;
        assert_eq!(status, 403, "{err}");
        assert_eq!(mfa::error_id(&err), "session_refresh_required");
        assert!(err["redirect_browser_to"]
            .as_str()
            .unwrap()
            .contains("refresh=true"));
        // Still paired: the code works on an aal2 login.
        let aal1 = mfa::password_login(&srv, &app.email).await;
        let (_, login) = mfa::aal2_flow(&srv, &aal1).await;
        let (status, done) = mfa::submit(
            &login,
            json!({ "method": "totp", "totp_code": t.generate(now() + 30) }),
            &aal1,
        )
        .await;
        assert_eq!(status, 200, "{done}");
        // A fresh (privileged, aal2) session may unlink; the form only needs `totp_unlink`.
        let fresh = done["session_token"].as_str().unwrap();
        let flow = mfa::settings_api(&srv, fresh).await;
        let (status, done) = acc::post_json(
            &common::plain(),
            &flow,
            json!({ "totp_unlink": "true" }),
            Some(fresh),
        )
        .await;
        assert_eq!(status, 200, "{done}");
        assert!(mfa::node(&done, "totp_unlink").is_none());
        assert!(mfa::node(&done, "totp_qr").is_some(), "a new key to pair");
        // No second factor left: an aal1 session passes whoami again.
        let aal1 = mfa::password_login(&srv, &app.email).await;
        assert_eq!(mfa::whoami(&srv, &aal1).await.0, 200);
    }
);

both!(required_aal_settings, |backend: Backend| async move {
    let srv = mfa::server(backend, |cfg| {
        cfg["session"] = json!({ "whoami": { "required_aal": "aal1" } });
    })
    .await;
    let app = mfa::app(&srv).await;
    mfa::pair_totp(&srv, &app.token).await;
    let aal1 = mfa::password_login(&srv, &app.email).await;
    // whoami is content with aal1 here…
    let (status, who) = mfa::whoami(&srv, &aal1).await;
    assert_eq!(status, 200, "{who}");
    assert_eq!(who["authenticator_assurance_level"], "aal1");
    assert_eq!(
        mfa::methods(&who),
        vec![("password".to_string(), "aal1".to_string())]
    );
    // …settings (highest_available by default) are not.
    let (status, err) = acc::api_flow(&srv, "settings", Some(&aal1)).await;
    assert_eq!(status, 403, "{err}");
    assert_eq!(mfa::error_id(&err), "session_aal2_required");
    assert!(err["redirect_browser_to"]
        .as_str()
        .unwrap()
        .contains("/self-service/login/browser?aal=aal2"));
});
