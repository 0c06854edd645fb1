//! The recovery flow's bad input answered with the Kratos error: expired, used and
//! brute-forced codes, malformed submissions, a disabled flow, unknown addresses timed like
//! known ones.

mod account_support;
mod common;
mod recovery_support;

use account_support::{self as acc, location, UI};
use common::{email, Backend, TestServer};
use recovery_support::{account, server};
use reqwest::header::ACCEPT;
use serde_json::{json, Value};

both!(
    bad_input_gets_kratos_errors,
    |backend: Backend| async move {
        let srv = server(backend, "code", |cfg| {
            cfg["selfservice"]["flows"]["recovery"]["lifespan"] = json!("2s");
        })
        .await;
        let client = common::browser();
        let flow = acc::address_step_bad_input(&srv, &client, "recovery", 4010005, "%20").await;
        let csrf = common::csrf_of(&flow);
        let res = client
            .get(srv.url(&format!(
                "/self-service/recovery/flows?id={}",
                uuid::Uuid::new_v4()
            )))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 404);
        // Fetching a browser flow needs its CSRF cookie.
        let res = common::plain()
            .get(srv.url(&format!(
                "/self-service/recovery/flows?id={}",
                flow["id"].as_str().unwrap()
            )))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403);

        // Signed in: no recovery.
        let address = email();
        let done = acc::register_api(&srv, &address).await;
        let token = done["session_token"].as_str().unwrap();
        let res = common::plain()
            .get(srv.url("/self-service/recovery/api"))
            .header("X-Session-Token", token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 400);
        let e: Value = res.json().await.unwrap();
        assert_eq!(e["error"]["id"], "session_already_available");
        let signed_in = common::browser();
        acc::register_browser(&srv, &signed_in, &email()).await;
        let res = signed_in
            .get(srv.url("/self-service/recovery/browser"))
            .header(ACCEPT, "text/html")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303);
        assert_eq!(location(&res), format!("{UI}/welcome"));

        // An expired flow: 410 with a replacement that says so.
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
        let fresh = acc::fetch(
            &srv,
            &client,
            "recovery",
            e["use_flow_id"].as_str().unwrap(),
        )
        .await;
        assert_eq!(common::message_ids(&fresh), vec![4060005]);
    }
);

both!(
    disabled_recovery_is_refused,
    |backend: Backend| async move {
        let srv = TestServer::start_with(backend, acc::ui_urls).await;
        let (status, e) = acc::api_flow(&srv, "recovery", None).await;
        assert_eq!(status, 400);
        assert_eq!(e["error"]["id"], "self_service_flow_disabled");
        let res = common::browser()
            .get(srv.url("/self-service/recovery/browser"))
            .header(ACCEPT, "text/html")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303);
        assert!(location(&res).starts_with(&format!("{UI}/error?id=")));
    }
);

both!(
    unknown_addresses_answer_as_fast,
    |backend: Backend| async move {
        // The lookup, the code and the email happen after the answer, so its time does not depend
        // on the address. Samples alternate and wait for the background work in between; the
        // bound is loose (shared CI machines), the point is that nothing address-dependent (a
        // hash, a database write, a template) sits on the answer's path.
        let srv = server(backend, "code", |_| {}).await;
        let known = email();
        account(&srv, &known).await;
        let plain = common::plain();
        let mut times: [Vec<std::time::Duration>; 2] = [Vec::new(), Vec::new()];
        for i in 0..16 {
            let which = i % 2;
            let address = if which == 0 { known.clone() } else { email() };
            let (_, flow) = acc::api_flow(&srv, "recovery", None).await;
            let started = std::time::Instant::now();
            let (status, _) = acc::post_json(
                &plain,
                &flow,
                json!({ "method": "code", "email": address }),
                None,
            )
            .await;
            times[which].push(started.elapsed());
            assert_eq!(status, 200);
            tokio::time::sleep(std::time::Duration::from_millis(150)).await;
        }
        let median = |v: &mut Vec<std::time::Duration>| {
            v.sort();
            v[v.len() / 2]
        };
        let (k, u) = (median(&mut times[0]), median(&mut times[1]));
        let diff = k.abs_diff(u);
        assert!(
            diff < std::time::Duration::from_millis(50),
            "known {k:?} vs unknown {u:?}"
        );
        assert_eq!(acc::mails(&srv, &known).await.len(), 8);
    }
);
