//! Courier end to end: messages queued through `Courier::send_email`, delivered by a watcher
//! to a real SMTP receiver running in the test, read back from the delivered mail and through
//! the admin API. SQLite and PostgreSQL.

mod account_support;
mod common;
mod courier_support;

use std::time::Duration;

use common::{email, plain, Backend, TestServer};
use courier_support::smtp::{Answer, SmtpReceiver};
use courier_support::{courier_config, digits, message, wait_status, Watcher};
use nexus_identity::courier::TemplateType;
use serde_json::{json, Value};

const WAIT: Duration = Duration::from_secs(20);

fn smtp_tweak(uri: String) -> impl FnOnce(&mut Value) {
    move |cfg: &mut Value| {
        cfg["courier"] = json!({
            "smtp": {
                "connection_uri": uri,
                "from_address": "accounts@nexus.test",
                "from_name": "Nexus Accounts",
                "headers": {"X-Nexus-Env": "test"}
            }
        });
    }
}

fn verification_model(code: &str, to: &str) -> Value {
    json!({
        "VerificationCode": code,
        "VerificationURL": format!("http://127.0.0.1:4433/self-service/verification?flow=f1&code={code}"),
        "Identity": {"id": "5f1c0d7e-0000-4000-8000-000000000001", "traits": {"email": to}},
        "ExpiresInMinutes": 15,
    })
}

both!(delivers_the_code_over_smtp, |backend: Backend| async move {
    let smtp = SmtpReceiver::start().await;
    let srv = TestServer::start_with(backend, smtp_tweak(smtp.uri())).await;
    let mut cfg = courier_config(&smtp.uri());
    cfg.smtp.from_address = "accounts@nexus.test".into();
    cfg.smtp.from_name = Some("Nexus Accounts".into());
    cfg.smtp.headers.insert("X-Nexus-Env".into(), "test".into());
    let watcher = Watcher::start(&srv.reg, &cfg);

    let to = email();
    let id = srv
        .reg
        .courier
        .send_email(
            TemplateType::verification_code_valid,
            &to,
            verification_model("482913", &to),
        )
        .await
        .unwrap();
    let mail = smtp.mail_to(&to, WAIT).await;
    assert_eq!(mail.from, "accounts@nexus.test");
    assert_eq!(
        digits(&mail.text(), 6).as_deref(),
        Some("482913"),
        "{}",
        mail.text()
    );
    assert!(mail.text().contains("flow=f1&code=482913"));
    assert!(mail.text().contains("15 minutes"));
    let html = mail.html().expect("an HTML alternative");
    assert!(
        html.contains("482913") && html.contains("flow=f1&amp;code=482913"),
        "{html}"
    );
    let from = mail.header("From").unwrap();
    assert!(
        from.contains("Nexus Accounts") && from.contains("<accounts@nexus.test>"),
        "{from}"
    );
    assert_eq!(mail.header("X-Nexus-Env").as_deref(), Some("test"));
    assert_eq!(
        mail.header("Subject").as_deref(),
        Some("Your verification code")
    );

    let m = wait_status(&srv.admin, id, "sent", WAIT).await;
    assert_eq!(m["id"], id.to_string());
    assert_eq!(m["type"], "email");
    assert_eq!(m["recipient"], to);
    assert_eq!(m["template_type"], "verification_code_valid");
    assert_eq!(m["send_count"], 1);
    assert_eq!(m["dispatches"][0]["status"], "success");
    assert_eq!(m["dispatches"][0]["message_id"], id.to_string());
    // The test server runs in dev mode, where Kratos shows bodies.
    assert!(m["body"].as_str().unwrap().contains("482913"));
    watcher.stop().await;
    assert_eq!(smtp.mails().len(), 1, "delivered once");
});

both!(
    verification_code_from_the_mail_verifies,
    |backend: Backend| async move {
        // The whole path: the verification flow queues the mail, the watcher delivers it over
        // SMTP, the code is read from the delivered mail and completes the flow.
        let smtp = SmtpReceiver::start().await;
        let srv = TestServer::start_with(backend, |cfg| {
            account_support::ui_urls(cfg);
            account_support::verification(cfg, "code");
        })
        .await;
        let watcher = Watcher::start(&srv.reg, &courier_config(&smtp.uri()));
        let address = email();
        let done = account_support::register_api(&srv, &address).await;
        let identity = done["identity"]["id"].as_str().unwrap().to_string();
        let first = smtp.mail_to(&address, WAIT).await;
        assert!(digits(&first.text(), 6).is_some(), "{}", first.text());

        let http = plain();
        let (status, flow) = account_support::api_flow(&srv, "verification", None).await;
        assert_eq!(status, 200);
        let (status, sent) = account_support::post_json(
            &http,
            &flow,
            json!({ "method": "code", "email": address }),
            None,
        )
        .await;
        assert_eq!(
            (status, sent["state"].as_str()),
            (200, Some("sent_email")),
            "{sent}"
        );
        let mails = smtp.wait_for(2, WAIT).await;
        let code = digits(&mails[1].text(), 6).expect("a six-digit code in the mail");
        assert!(mails[1].html().unwrap().contains(&code));
        let (status, ok) = account_support::post_json(
            &http,
            &flow,
            json!({ "method": "code", "code": code }),
            None,
        )
        .await;
        assert_eq!(
            (status, ok["state"].as_str()),
            (200, Some("passed_challenge")),
            "{ok}"
        );
        let id: Value = http
            .get(format!("{}/admin/identities/{identity}", srv.admin))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(id["verifiable_addresses"][0]["verified"], true, "{id}");
        watcher.stop().await;
    }
);

both!(
    admin_lists_filters_and_pages,
    |backend: Backend| async move {
        let srv = TestServer::start(backend).await;
        let (a, b) = (email(), email());
        let mut ids = Vec::new();
        for i in 0..5 {
            let to = if i < 3 { &a } else { &b };
            let id = srv
                .reg
                .courier
                .send_email(
                    TemplateType::recovery_code_valid,
                    to,
                    json!({"RecoveryCode": "111111"}),
                )
                .await
                .unwrap();
            ids.push(id.to_string());
        }
        let http = plain();
        let list = |q: &str| {
            let url = format!("{}/admin/courier/messages{q}", srv.admin);
            let http = http.clone();
            async move { http.get(url).send().await.unwrap() }
        };
        let res = list("").await;
        assert_eq!(res.status(), 200);
        let all: Vec<Value> = res.json().await.unwrap();
        let listed: Vec<String> = all
            .iter()
            .map(|m| m["id"].as_str().unwrap().to_string())
            .collect();
        let mut newest_first = ids.clone();
        newest_first.reverse();
        assert_eq!(listed, newest_first);
        assert!(all
            .iter()
            .all(|m| m["status"] == "queued" && m["send_count"] == 0));
        assert!(all.iter().all(|m| m.get("dispatches").is_none()));

        let of_a: Vec<Value> = list(&format!("?recipient={a}")).await.json().await.unwrap();
        assert_eq!(of_a.len(), 3);
        let sent: Vec<Value> = list("?status=sent").await.json().await.unwrap();
        assert!(sent.is_empty());
        let queued_b: Vec<Value> = list(&format!("?status=queued&recipient={b}"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(queued_b.len(), 2);
        assert_eq!(list("?status=delivered").await.status(), 400);
        assert_eq!(list("?page_size=0").await.status(), 400);
        assert_eq!(list("?page_token=forged").await.status(), 400);

        // Keyset pages of two, following Link: rel="next".
        let mut url = format!("{}/admin/courier/messages?page_size=2", srv.admin);
        let mut seen = Vec::new();
        for _ in 0..10 {
            let res = http.get(&url).send().await.unwrap();
            let link = res.headers()["link"].to_str().unwrap().to_string();
            let page: Vec<Value> = res.json().await.unwrap();
            assert!(page.len() <= 2);
            seen.extend(page.iter().map(|m| m["id"].as_str().unwrap().to_string()));
            let next = link
                .split(',')
                .find(|l| l.contains("rel=\"next\""))
                .map(|l| {
                    l.trim()
                        .trim_start_matches('<')
                        .split('>')
                        .next()
                        .unwrap()
                        .to_string()
                });
            match next {
                Some(n) => url = n,
                None => break,
            }
        }
        assert_eq!(seen, newest_first);

        let one = http
            .get(format!("{}/admin/courier/messages/{}", srv.admin, ids[0]))
            .send()
            .await
            .unwrap();
        assert_eq!(one.status(), 200);
        let one: Value = one.json().await.unwrap();
        assert_eq!(one["recipient"], a);
        assert_eq!(one["subject"], "Your account recovery code");
        let missing = format!(
            "{}/admin/courier/messages/{}",
            srv.admin,
            uuid::Uuid::new_v4()
        );
        assert_eq!(http.get(missing).send().await.unwrap().status(), 404);
        let bad = format!("{}/admin/courier/messages/not-a-uuid", srv.admin);
        assert_eq!(http.get(bad).send().await.unwrap().status(), 400);
        // Kratos sends admin routes called on the public port to the admin port.
        let public = http
            .get(srv.url("/admin/courier/messages"))
            .send()
            .await
            .unwrap();
        assert_eq!(public.status(), 307);
    }
);

both!(smtp_outage_loses_nothing, |backend: Backend| async move {
    // Nothing listens on the port until the receiver starts below.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let uri = format!("smtp://127.0.0.1:{port}/?disable_starttls=true");
    let srv = TestServer::start(backend).await;
    let watcher = Watcher::start(&srv.reg, &courier_config(&uri));
    let mut sent = Vec::new();
    for _ in 0..3 {
        let to = email();
        let id = srv
            .reg
            .courier
            .send_email(
                TemplateType::login_code_valid,
                &to,
                json!({"LoginCode": "246810"}),
            )
            .await
            .unwrap();
        sent.push((id, to));
    }
    // Several polls against the dead port: still queued, no attempt counted.
    tokio::time::sleep(Duration::from_millis(800)).await;
    for (id, _) in &sent {
        let m = message(&srv.admin, *id).await;
        assert_eq!(m["status"], "queued", "{m}");
        assert_eq!(m["send_count"], 0, "{m}");
        assert!(m.get("dispatches").is_none(), "{m}");
    }
    let smtp = SmtpReceiver::start_on(port).await;
    for (id, to) in &sent {
        let mail = smtp.mail_to(to, WAIT).await;
        assert_eq!(digits(&mail.text(), 6).as_deref(), Some("246810"));
        let m = wait_status(&srv.admin, *id, "sent", WAIT).await;
        assert_eq!(m["send_count"], 1);
    }
    watcher.stop().await;
});

both!(
    rejections_retry_then_abandon,
    |backend: Backend| async move {
        let smtp = SmtpReceiver::start().await;
        smtp.answer("busy-", Answer::Transient);
        smtp.answer("nobody-", Answer::Permanent);
        let srv = TestServer::start(backend).await;
        let mut cfg = courier_config(&smtp.uri());
        cfg.message_retries = 2;
        let watcher = Watcher::start(&srv.reg, &cfg);
        let send = |to: String| {
            let courier = srv.reg.courier.clone();
            async move {
                courier
                    .send_email(
                        TemplateType::recovery_code_valid,
                        &to,
                        json!({"RecoveryCode": "135790"}),
                    )
                    .await
                    .unwrap()
            }
        };
        let busy = send(format!("busy-{}", email())).await;
        let nobody = send(format!("nobody-{}", email())).await;
        let fine_to = email();
        let fine = send(fine_to.clone()).await;

        smtp.mail_to(&fine_to, WAIT).await;
        wait_status(&srv.admin, fine, "sent", WAIT).await;
        // 5xx: abandoned after the one attempt.
        let m = wait_status(&srv.admin, nobody, "abandoned", WAIT).await;
        assert_eq!(m["send_count"], 1);
        assert_eq!(m["dispatches"].as_array().unwrap().len(), 1);
        assert_eq!(m["dispatches"][0]["status"], "failed");
        assert!(
            m["dispatches"][0]["error"]["message"]
                .as_str()
                .unwrap()
                .contains("550"),
            "{m}"
        );
        // 4xx: the first attempt and message_retries (2) retries, with backoff, then abandoned.
        let m = wait_status(&srv.admin, busy, "abandoned", WAIT).await;
        assert_eq!(m["send_count"], 3, "{m}");
        let d = m["dispatches"].as_array().unwrap();
        assert_eq!(d.len(), 3);
        assert!(d.iter().all(|x| x["status"] == "failed"));
        let at = |i: usize| {
            chrono::DateTime::parse_from_rfc3339(d[i]["created_at"].as_str().unwrap()).unwrap()
        };
        // Backoff from pull_wait (50 ms), doubling: retries wait at least 50 ms, then 100 ms.
        assert!(at(1) - at(0) >= chrono::Duration::milliseconds(50), "{d:?}");
        assert!(
            at(2) - at(1) >= chrono::Duration::milliseconds(100),
            "{d:?}"
        );
        watcher.stop().await;
        assert_eq!(smtp.mails().len(), 1);
    }
);

both!(
    two_watchers_never_send_twice,
    |backend: Backend| async move {
        let smtp = SmtpReceiver::start().await;
        let srv = TestServer::start(backend).await;
        let cfg = courier_config(&smtp.uri());
        let n = 150;
        for i in 0..n {
            srv.reg
                .courier
                .send_email(
                    TemplateType::login_code_valid,
                    &format!("w{i}@example.com"),
                    json!({"LoginCode": "000000"}),
                )
                .await
                .unwrap();
        }
        let (w1, w2) = (
            Watcher::start(&srv.reg, &cfg),
            Watcher::start(&srv.reg, &cfg),
        );
        let mails = smtp.wait_for(n, WAIT).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let mails = if smtp.mails().len() > mails.len() {
            smtp.mails()
        } else {
            mails
        };
        let unique: std::collections::HashSet<_> = mails.iter().map(|m| m.to[0].clone()).collect();
        assert_eq!(unique.len(), n);
        assert_eq!(mails.len(), n, "no message was sent twice");
        w1.stop().await;
        w2.stop().await;
    }
);

both!(
    smtp_login_and_mandatory_starttls,
    |backend: Backend| async move {
        let smtp = SmtpReceiver::start().await;
        smtp.require_auth("mailer", "s3cret p@ss");
        let srv = TestServer::start(backend).await;
        // Wrong password: the server is "unavailable", the message waits.
        let bad = format!(
            "smtp://mailer:wrong@127.0.0.1:{}/?disable_starttls=true",
            smtp.port
        );
        let to = email();
        let id = srv
            .reg
            .courier
            .send_email(
                TemplateType::verification_valid,
                &to,
                json!({"VerificationURL": "http://x/v?token=abc"}),
            )
            .await
            .unwrap();
        let watcher = Watcher::start(&srv.reg, &courier_config(&bad));
        tokio::time::sleep(Duration::from_millis(500)).await;
        watcher.stop().await;
        let m = message(&srv.admin, id).await;
        assert_eq!(
            (m["status"].as_str(), m["send_count"].as_i64()),
            (Some("queued"), Some(0)),
            "{m}"
        );
        // smtp:// without disable_starttls insists on STARTTLS, which this receiver lacks.
        let plain_uri = format!("smtp://mailer:s3cret%20p%40ss@127.0.0.1:{}/", smtp.port);
        let watcher = Watcher::start(&srv.reg, &courier_config(&plain_uri));
        tokio::time::sleep(Duration::from_millis(500)).await;
        watcher.stop().await;
        assert_eq!(message(&srv.admin, id).await["status"], "queued");
        assert!(smtp.mails().is_empty());
        // Right password (percent-encoded in the URI).
        let good = format!(
            "smtp://mailer:s3cret%20p%40ss@127.0.0.1:{}/?disable_starttls=true",
            smtp.port
        );
        let watcher = Watcher::start(&srv.reg, &courier_config(&good));
        let mail = smtp.mail_to(&to, WAIT).await;
        assert_eq!(mail.auth, Some(("mailer".into(), "s3cret p@ss".into())));
        assert!(mail.text().contains("http://x/v?token=abc"));
        wait_status(&srv.admin, id, "sent", WAIT).await;
        watcher.stop().await;
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queue_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let dsn = format!(
        "sqlite://{}?_fk=true&mode=rwc",
        dir.path().join("kratos.sqlite").display()
    );
    let store = nexus_identity::store::open(&dsn).await.unwrap();
    store.migrate().await.unwrap();
    drop(store);
    let file_dsn = dsn.clone();
    let first = TestServer::start_with(Backend::Sqlite, move |c| c["dsn"] = json!(file_dsn)).await;
    let to = email();
    let id = first
        .reg
        .courier
        .send_email(
            TemplateType::recovery_code_valid,
            &to,
            json!({"RecoveryCode": "975310"}),
        )
        .await
        .unwrap();
    drop(first);

    let smtp = SmtpReceiver::start().await;
    let second = TestServer::start_with(Backend::Sqlite, move |c| c["dsn"] = json!(dsn)).await;
    let watcher = Watcher::start(&second.reg, &courier_config(&smtp.uri()));
    let mail = smtp.mail_to(&to, WAIT).await;
    assert_eq!(digits(&mail.text(), 6).as_deref(), Some("975310"));
    wait_status(&second.admin, id, "sent", WAIT).await;
    watcher.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seed_flat_override_files_are_used() {
    let templates = tempfile::tempdir().unwrap();
    std::fs::write(
        templates
            .path()
            .join("verification_code_valid.email.subject.gotmpl"),
        "Verify {{ .Identity.traits.email }}",
    )
    .unwrap();
    std::fs::write(
        templates
            .path()
            .join("verification_code_valid.email.body.plaintext.gotmpl"),
        "Nexus code: {{ .VerificationCode }}\nLink: {{ .VerificationURL }}\n",
    )
    .unwrap();
    std::fs::write(
        templates
            .path()
            .join("verification_code_valid.email.body.gotmpl"),
        "<p>Nexus code: <b>{{ .VerificationCode }}</b></p>",
    )
    .unwrap();
    let smtp = SmtpReceiver::start().await;
    let path = templates.path().display().to_string();
    let srv = TestServer::start_with(Backend::Sqlite, move |c| {
        c["courier"] = json!({"template_override_path": path});
    })
    .await;
    let watcher = Watcher::start(&srv.reg, &courier_config(&smtp.uri()));
    let to = email();
    srv.reg
        .courier
        .send_email(
            TemplateType::verification_code_valid,
            &to,
            verification_model("112358", &to),
        )
        .await
        .unwrap();
    let mail = smtp.mail_to(&to, WAIT).await;
    assert_eq!(mail.header("Subject").unwrap(), format!("Verify {to}"));
    assert!(
        mail.text().starts_with("Nexus code: 112358\n"),
        "{}",
        mail.text()
    );
    assert_eq!(
        mail.html().unwrap().trim(),
        "<p>Nexus code: <b>112358</b></p>"
    );
    watcher.stop().await;
}

#[tokio::test]
async fn broken_template_stops_start_up_naming_file_and_line() {
    let templates = tempfile::tempdir().unwrap();
    let nested = templates.path().join("recovery_code/valid");
    std::fs::create_dir_all(&nested).unwrap();
    let file = nested.join("email.body.gotmpl");
    std::fs::write(
        &file,
        "<p>Hello</p>\n<p>\n{{ if .RecoveryCode }}{{ .RecoveryCode }}\n</p>\n",
    )
    .unwrap();
    let mut cfg = common::base_config("memory");
    cfg["courier"] = json!({"template_override_path": templates.path().display().to_string()});
    let cfg_file = templates.path().join("kratos.json");
    std::fs::write(&cfg_file, serde_json::to_vec(&cfg).unwrap()).unwrap();
    let config =
        nexus_identity::config::load(&[cfg_file], &nexus_kit::config::MapEnv::new(), true).unwrap();
    let addr = "127.0.0.1:0".parse().unwrap();
    let err = nexus_identity::server::registry(&config, addr, addr)
        .await
        .err()
        .expect("start-up fails");
    assert_eq!(err.exit_code(), 64);
    let msg = err.to_string();
    assert!(msg.contains(&format!("{}:", file.display())), "{msg}");
    assert!(
        msg.contains("recovery_code/valid/email.body.gotmpl:3: {{if}} is never closed"),
        "line named: {msg}"
    );
}

#[tokio::test]
async fn bodies_are_redacted_outside_dev_mode() {
    use tower::ServiceExt as _;
    let srv = TestServer::start(Backend::Sqlite).await;
    let id = srv
        .reg
        .courier
        .send_email(
            TemplateType::login_code_valid,
            &email(),
            json!({"LoginCode": "999999"}),
        )
        .await
        .unwrap();
    let mut reg = srv.reg.clone();
    let mut options = (*reg.options).clone();
    options.dev = false;
    reg.options = std::sync::Arc::new(options);
    let app = nexus_identity::http::admin_app(reg);
    for uri in [
        format!("/admin/courier/messages/{id}"),
        "/admin/courier/messages".to_string(),
    ] {
        let res = app
            .clone()
            .oneshot(
                http::Request::get(&uri)
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let body = http_body_util::BodyExt::collect(res.into_body())
            .await
            .unwrap()
            .to_bytes();
        let text = String::from_utf8_lossy(&body);
        assert!(!text.contains("999999"), "{text}");
        assert!(text.contains("<redacted-unless-dev-mode>"), "{text}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smtps_and_starttls_transports() {
    use courier_support::smtp::{self_signed, Security};
    let srv = TestServer::start(Backend::Sqlite).await;
    let send = |to: String| {
        let courier = srv.reg.courier.clone();
        async move {
            courier
                .send_email(
                    TemplateType::login_code_valid,
                    &to,
                    json!({"LoginCode": "864200"}),
                )
                .await
                .unwrap()
        }
    };

    // smtps:// (implicit TLS): a self-signed certificate is refused unless skip_ssl_verify.
    let implicit = SmtpReceiver::start_with(0, Security::Implicit(self_signed())).await;
    let to = email();
    let id = send(to.clone()).await;
    let strict = format!("smtps://127.0.0.1:{}/", implicit.port);
    let watcher = Watcher::start(&srv.reg, &courier_config(&strict));
    tokio::time::sleep(Duration::from_millis(500)).await;
    watcher.stop().await;
    let m = message(&srv.admin, id).await;
    assert_eq!(
        (m["status"].as_str(), m["send_count"].as_i64()),
        (Some("queued"), Some(0)),
        "{m}"
    );
    assert!(implicit.mails().is_empty());
    let lenient = format!("smtps://127.0.0.1:{}/?skip_ssl_verify=true", implicit.port);
    let watcher = Watcher::start(&srv.reg, &courier_config(&lenient));
    let mail = implicit.mail_to(&to, WAIT).await;
    assert!(mail.tls);
    assert_eq!(digits(&mail.text(), 6).as_deref(), Some("864200"));
    wait_status(&srv.admin, id, "sent", WAIT).await;
    watcher.stop().await;

    // smtp:// upgrades with STARTTLS (mandatory unless disable_starttls).
    let starttls = SmtpReceiver::start_with(0, Security::StartTls(self_signed())).await;
    let to = email();
    send(to.clone()).await;
    let uri = format!("smtp://127.0.0.1:{}/?skip_ssl_verify=true", starttls.port);
    let watcher = Watcher::start(&srv.reg, &courier_config(&uri));
    assert!(starttls.mail_to(&to, WAIT).await.tls);
    watcher.stop().await;
    let to = email();
    send(to.clone()).await;
    let uri = format!("smtp://127.0.0.1:{}/?disable_starttls=true", starttls.port);
    let watcher = Watcher::start(&srv.reg, &courier_config(&uri));
    assert!(!starttls.mail_to(&to, WAIT).await.tls);
    watcher.stop().await;
}
