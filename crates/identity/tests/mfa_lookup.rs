//! Lookup secrets (backup recovery codes) end to end: regenerate → codes shown once →
//! confirm → reveal → sign in at aal2 with a code; bad input: a used code, a wrong code,
//! confirming without generating, disabling without a privileged session.

mod account_support;
mod common;
mod mfa_support;

use account_support as acc;
use common::Backend;
use mfa_support as mfa;
use serde_json::{json, Value};

/// The codes of a `lookup_secret_codes` node, from its context.
fn shown_codes(flow: &Value) -> Vec<Value> {
    let n = mfa::node(flow, "lookup_secret_codes").expect("lookup_secret_codes node");
    assert_eq!(n["type"], "text");
    assert_eq!(n["meta"]["label"]["id"], 1050010);
    assert_eq!(n["attributes"]["text"]["id"], 1050015);
    n["attributes"]["text"]["context"]["secrets"]
        .as_array()
        .unwrap()
        .clone()
}

/// Regenerates and confirms codes on an API settings flow; returns the codes.
async fn set_up_codes(srv: &common::TestServer, token: &str) -> Vec<String> {
    let flow = mfa::settings_api(srv, token).await;
    let (status, shown) = acc::post_json(
        &common::plain(),
        &flow,
        json!({ "method": "lookup_secret", "lookup_secret_regenerate": true }),
        Some(token),
    )
    .await;
    assert_eq!(status, 200, "{shown}");
    let codes: Vec<String> = shown_codes(&shown)
        .iter()
        .map(|c| c["context"]["secret"].as_str().unwrap().to_string())
        .collect();
    let (status, done) = acc::post_json(
        &common::plain(),
        &shown,
        json!({ "method": "lookup_secret", "lookup_secret_confirm": true }),
        Some(token),
    )
    .await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["state"], "success");
    codes
}

both!(reveal_confirm_use_cycle, |backend: Backend| async move {
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
    let regenerate = mfa::node(&flow, "lookup_secret_regenerate").expect("regenerate node");
    assert_eq!(regenerate["group"], "lookup_secret");
    assert_eq!(regenerate["attributes"]["type"], "submit");
    assert_eq!(regenerate["meta"]["label"]["id"], 1050008);
    assert!(mfa::node(&flow, "lookup_secret_reveal").is_none());
    let csrf = common::csrf_of(&flow);

    // Confirming before generating is refused.
    let (status, err) = acc::post_json(
        &client,
        &flow,
        json!({ "csrf_token": csrf, "method": "lookup_secret", "lookup_secret_confirm": true }),
        None,
    )
    .await;
    assert_eq!(status, 400, "{err}");

    // Regenerate (a browser form: back to the UI, where the flow shows the codes).
    let res = acc::post_form(
        &client,
        &flow,
        &[("csrf_token", &csrf), ("lookup_secret_regenerate", "true")],
    )
    .await;
    assert_eq!(res.status(), 303);
    let id = flow["id"].as_str().unwrap();
    assert_eq!(
        acc::location(&res),
        format!("{}/settings?flow={id}", acc::UI)
    );
    let shown = acc::fetch(&srv, &client, "settings", id).await;
    let items = shown_codes(&shown);
    assert_eq!(items.len(), 12);
    let codes: Vec<String> = items
        .iter()
        .map(|c| {
            assert_eq!(c["id"], 1050009);
            c["context"]["secret"].as_str().unwrap().to_string()
        })
        .collect();
    for c in &codes {
        assert_eq!(c.len(), 8);
        assert!(
            c.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()),
            "{c}"
        );
    }
    let text = mfa::node(&shown, "lookup_secret_codes").unwrap()["attributes"]["text"]["text"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(text, codes.join(", "));
    assert!(mfa::node(&shown, "lookup_secret_confirm").is_some());
    assert!(mfa::node(&shown, "lookup_secret_regenerate").is_none());

    // Confirm: saved, the session counts the factor, the form offers reveal and disable.
    let (status, done) = acc::post_json(
        &client,
        &shown,
        json!({ "csrf_token": csrf, "method": "lookup_secret", "lookup_secret_confirm": true }),
        None,
    )
    .await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["state"], "success");
    assert!(mfa::node(&done, "lookup_secret_reveal").is_some());
    assert!(mfa::node(&done, "lookup_secret_disable").is_some());
    assert!(
        mfa::node(&done, "lookup_secret_codes").is_none(),
        "shown once"
    );
    let (_, who) = acc::whoami(&srv, &client).await;
    assert_eq!(who["authenticator_assurance_level"], "aal2");
    assert!(mfa::methods(&who).contains(&("lookup_secret".into(), "aal2".into())));

    // Stored hashed: no code appears in the credential.
    let identity_id = who["identity"]["id"].as_str().unwrap().to_string();
    let admin = acc::admin_identity(&srv, &identity_id, "lookup_secret").await;
    let cred = &admin["credentials"]["lookup_secret"];
    assert_eq!(cred["identifiers"], json!([identity_id]));
    let stored = cred["config"].to_string();
    assert_eq!(
        cred["config"]["recovery_codes"].as_array().unwrap().len(),
        12
    );
    assert!(stored.contains("$argon2id$"), "{stored}");
    for c in &codes {
        assert!(!stored.contains(c.as_str()), "code {c} stored in clear");
    }

    // Sign in elsewhere with the password, then a code at aal2.
    let second = common::browser();
    let login = acc::browser_flow(&srv, &second, "login").await;
    let res = acc::post_password_login(&second, &login, &address, common::PASSWORD).await;
    assert_eq!(res.status(), 303);
    let res = second
        .get(srv.url("/self-service/login/browser?aal=aal2"))
        .header("Accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let aal2: Value = res.json().await.unwrap();
    assert_eq!(
        mfa::names(&aal2),
        vec![
            ("lookup_secret".to_string(), "lookup_secret".to_string()),
            (
                "lookup_secret".to_string(),
                "method=lookup_secret".to_string()
            )
        ]
    );
    assert_eq!(
        mfa::node(&aal2, "lookup_secret").unwrap()["meta"]["label"]["id"],
        1010007
    );
    let (status, done) = acc::post_json(
        &second,
        &aal2,
        json!({ "csrf_token": common::csrf_of(&aal2), "method": "lookup_secret", "lookup_secret": codes[3] }),
        None,
    )
    .await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["session"]["authenticator_assurance_level"], "aal2");
    assert_eq!(
        mfa::methods(&done["session"]),
        vec![
            ("password".to_string(), "aal1".to_string()),
            ("lookup_secret".to_string(), "aal2".to_string())
        ]
    );
    assert_eq!(acc::whoami(&srv, &second).await.0, 200);

    // Reveal: the used code with its time, the others hidden.
    let flow = acc::browser_flow(&srv, &second, "settings").await;
    let (status, revealed) = acc::post_json(
        &second,
        &flow,
        json!({ "csrf_token": common::csrf_of(&flow), "lookup_secret_reveal": true }),
        None,
    )
    .await;
    assert_eq!(status, 200, "{revealed}");
    let items = shown_codes(&revealed);
    assert_eq!(items.len(), 12);
    assert_eq!(items[3]["id"], 1050014);
    assert!(items[3]["text"]
        .as_str()
        .unwrap()
        .starts_with("Secret was used at "));
    assert!(items
        .iter()
        .enumerate()
        .all(|(i, c)| i == 3 || c["id"] == 1050009));
    let text = revealed.to_string();
    for c in &codes {
        assert!(!text.contains(c.as_str()), "code {c} revealed again");
    }
    assert!(mfa::node(&revealed, "lookup_secret_regenerate").is_some());
    assert!(mfa::node(&revealed, "lookup_secret_disable").is_some());
});

both!(each_code_works_once, |backend: Backend| async move {
    let srv = mfa::server(backend, |_| {}).await;
    let app = mfa::app(&srv).await;
    let codes = set_up_codes(&srv, &app.token).await;

    let aal1 = mfa::password_login(&srv, &app.email).await;
    let (status, flow) = mfa::aal2_flow(&srv, &aal1).await;
    assert_eq!(status, 200, "{flow}");
    let (status, done) = mfa::submit(
        &flow,
        json!({ "method": "lookup_secret", "lookup_secret": codes[0] }),
        &aal1,
    )
    .await;
    assert_eq!(status, 200, "{done}");

    // The same code again on another session: already used.
    let other = mfa::password_login(&srv, &app.email).await;
    let (_, flow) = mfa::aal2_flow(&srv, &other).await;
    let (status, bad) = mfa::submit(
        &flow,
        json!({ "method": "lookup_secret", "lookup_secret": codes[0] }),
        &other,
    )
    .await;
    assert_eq!(status, 400, "{bad}");
    assert_eq!(
        common::node_message_ids(&bad, "lookup_secret"),
        vec![4000012]
    );
    // A wrong code.
    let (status, bad) = mfa::submit(
        &flow,
        json!({ "method": "lookup_secret", "lookup_secret": "zzzzzzzz" }),
        &other,
    )
    .await;
    assert_eq!(status, 400, "{bad}");
    assert_eq!(
        common::node_message_ids(&bad, "lookup_secret"),
        vec![4000016]
    );
    assert_eq!(mfa::whoami(&srv, &other).await.0, 403, "still aal1");
    // An unused code (typed in upper case, with spaces) works.
    let typed = format!(" {} ", codes[1].to_uppercase());
    let (status, done) = mfa::submit(
        &flow,
        json!({ "method": "lookup_secret", "lookup_secret": typed }),
        &other,
    )
    .await;
    assert_eq!(status, 200, "{done}");
    let token = done["session_token"].as_str().unwrap();
    assert_eq!(mfa::whoami(&srv, token).await.0, 200);

    // Regenerating replaces the set: old codes stop working.
    let fresh = set_up_codes(&srv, token).await;
    assert_ne!(fresh, codes);
    let third = mfa::password_login(&srv, &app.email).await;
    let (_, flow) = mfa::aal2_flow(&srv, &third).await;
    let (status, bad) = mfa::submit(
        &flow,
        json!({ "method": "lookup_secret", "lookup_secret": codes[2] }),
        &third,
    )
    .await;
    assert_eq!(status, 400, "{bad}");
    assert_eq!(
        common::node_message_ids(&bad, "lookup_secret"),
        vec![4000016]
    );
    let (status, _) = mfa::submit(
        &flow,
        json!({ "method": "lookup_secret", "lookup_secret": fresh[0] }),
        &third,
    )
    .await;
    assert_eq!(status, 200);
});

both!(
    wrong_codes_count_across_factors,
    |backend: Backend| async move {
        let srv = mfa::server(backend, |_| {}).await;
        let app = mfa::app(&srv).await;
        let t = mfa::pair_totp(&srv, &app.token).await;
        let codes = set_up_codes(&srv, &app.token).await;
        let aal1 = mfa::password_login(&srv, &app.email).await;
        let (_, flow) = mfa::aal2_flow(&srv, &aal1).await;
        let names = mfa::names(&flow);
        assert!(
            names.contains(&("totp".into(), "totp_code".into())),
            "{names:?}"
        );
        assert!(
            names.contains(&("lookup_secret".into(), "lookup_secret".into())),
            "{names:?}"
        );
        for i in 0..5 {
            let body = if i % 2 == 0 {
                json!({ "method": "lookup_secret", "lookup_secret": "zzzzzzzz" })
            } else {
                json!({ "method": "totp", "totp_code": mfa::wrong_code(&t) })
            };
            let (status, _) = mfa::submit(&flow, body, &aal1).await;
            assert_eq!(status, 400);
        }
        let (status, err) = mfa::submit(
            &flow,
            json!({ "method": "lookup_secret", "lookup_secret": codes[0] }),
            &aal1,
        )
        .await;
        assert_eq!(status, 410, "{err}");
        assert_eq!(mfa::error_id(&err), "self_service_flow_replaced");
        assert_eq!(mfa::whoami(&srv, &aal1).await.0, 403);
    }
);

both!(
    disabling_needs_a_privileged_session,
    |backend: Backend| async move {
        let srv = mfa::server(backend, |cfg| {
            cfg["selfservice"]["flows"]["settings"]["privileged_session_max_age"] = json!("3s");
        })
        .await;
        let app = mfa::app(&srv).await;
        let codes = set_up_codes(&srv, &app.token).await;
        tokio::time::sleep(std::time::Duration::from_millis(3500)).await;
        let flow = mfa::settings_api(&srv, &app.token).await;
        for action in [
            "lookup_secret_disable",
            "lookup_secret_regenerate",
            "lookup_secret_reveal",
        ] {
            let (status, err) = acc::post_json(
                &common::plain(),
                &flow,
                json!({ "method": "lookup_secret", action: true }),
                Some(&app.token),
            )
            .await;
            assert_eq!(status, 403, "{action}: {err}");
            assert_eq!(mfa::error_id(&err), "session_refresh_required");
        }
        // Still set up; a fresh aal2 session may disable them.
        let aal1 = mfa::password_login(&srv, &app.email).await;
        let (_, login) = mfa::aal2_flow(&srv, &aal1).await;
        let (status, done) = mfa::submit(
            &login,
            json!({ "method": "lookup_secret", "lookup_secret": codes[5] }),
            &aal1,
        )
        .await;
        assert_eq!(status, 200, "{done}");
        let fresh = done["session_token"].as_str().unwrap();
        let flow = mfa::settings_api(&srv, fresh).await;
        let (status, done) = acc::post_json(
            &common::plain(),
            &flow,
            json!({ "method": "lookup_secret", "lookup_secret_disable": true }),
            Some(fresh),
        )
        .await;
        assert_eq!(status, 200, "{done}");
        assert!(mfa::node(&done, "lookup_secret_regenerate").is_some());
        assert!(mfa::node(&done, "lookup_secret_reveal").is_none());
        let aal1 = mfa::password_login(&srv, &app.email).await;
        assert_eq!(
            mfa::whoami(&srv, &aal1).await.0,
            200,
            "no second factor left"
        );
    }
);
