//! The identity admin API end to end: create, read, list (paging, filters), replace, JSON
//! Patch, delete, bad input, and the optional API key (imports: `admin_import.rs`).

mod admin_support;
mod common;

use admin_support::{admin, admin_sdk, call, create, login, person, person_with_password};
use common::{email, Backend, TestServer, PASSWORD};
use ory_kratos_client::apis::identity_api as ida;
use ory_kratos_client::models::{CreateIdentityBody, Identity, JsonPatch};
use serde_json::{json, Value};

both!(create_get_list_delete, |backend: Backend| async move {
    let srv = TestServer::start(backend).await;
    let cfg = admin_sdk(&srv);
    let address = email();
    let mut body = CreateIdentityBody::new("default".into(), json!({ "email": address }));
    body.metadata_public = Some(Some(json!({ "plan": "pro" })));
    body.metadata_admin = Some(Some(json!({ "note": "vip" })));
    body.external_id = Some(format!("ext-{address}"));
    let created = ida::create_identity(&cfg, Some(body))
        .await
        .expect("create");
    assert_eq!(created.traits.as_ref().unwrap()["email"], address.as_str());
    assert_eq!(created.metadata_admin, Some(Some(json!({ "note": "vip" }))));
    assert!(
        created.schema_url.ends_with("/schemas/ZGVmYXVsdA"),
        "{}",
        created.schema_url
    );
    // The schema's identifier is reserved by a password credential without config.
    let creds = created
        .credentials
        .as_ref()
        .expect("credentials on admin responses");
    assert_eq!(creds["password"].identifiers, Some(vec![address.clone()]));
    assert_eq!(creds["password"].config, None);
    let addresses = created.verifiable_addresses.as_ref().unwrap();
    assert_eq!(addresses[0].value, address);
    assert!(!addresses[0].verified);

    // 201 with a Location.
    let raw = call(
        "POST",
        &admin(&srv, "/admin/identities"),
        Some(person(&email())),
    )
    .await;
    assert_eq!(raw.status, 201);
    let location = raw.headers["location"].to_str().unwrap();
    assert!(location.ends_with(&format!(
        "/admin/identities/{}",
        raw.body["id"].as_str().unwrap()
    )));

    let got = ida::get_identity(&cfg, &created.id, None)
        .await
        .expect("get");
    assert_eq!(got.id, created.id);
    assert_eq!(
        got.external_id.as_deref(),
        Some(format!("ext-{address}").as_str())
    );
    let by_ext = ida::get_identity_by_external_id(&cfg, &format!("ext-{address}"), None)
        .await
        .expect("by external id");
    assert_eq!(by_ext.id, created.id);

    let list = ida::list_identities(
        &cfg, None, None, None, None, None, None, None, None, None, None,
    )
    .await
    .expect("list");
    assert_eq!(list.len(), 2);

    ida::delete_identity(&cfg, &created.id)
        .await
        .expect("delete");
    let gone = call(
        "GET",
        &admin(&srv, &format!("/admin/identities/{}", created.id)),
        None,
    )
    .await;
    assert_eq!(gone.status, 404);
    assert_eq!(gone.body["error"]["code"], 404);
    let again = call(
        "DELETE",
        &admin(&srv, &format!("/admin/identities/{}", created.id)),
        None,
    )
    .await;
    assert_eq!(again.status, 404);
    // Without the /admin prefix, as Kratos' admin port allows.
    let unprefixed = call("GET", &format!("{}/identities", srv.admin), None).await;
    assert_eq!(unprefixed.status, 200);
    assert_eq!(unprefixed.body.as_array().unwrap().len(), 1);
    // On the public port: 307 to the admin port.
    let public = call("GET", &srv.url("/admin/identities"), None).await;
    assert_eq!(public.status, 307);
});

both!(
    credentials_are_shown_only_when_included,
    |backend: Backend| async move {
        let srv = TestServer::start(backend).await;
        let address = email();
        let mut body = person_with_password(&address, PASSWORD);
        body["credentials"]["oidc"] =
            json!({ "config": { "providers": [{ "provider": "github", "subject": "12345" }] } });
        let created = create(&srv, body).await;
        let id = created["id"].as_str().unwrap();
        assert!(
            created["credentials"]["password"].get("config").is_none(),
            "{created}"
        );
        assert_eq!(
            created["credentials"]["oidc"]["identifiers"],
            json!(["github:12345"])
        );

        let plain = call(
            "GET",
            &admin(&srv, &format!("/admin/identities/{id}")),
            None,
        )
        .await;
        assert!(plain.body["credentials"]["password"]
            .get("config")
            .is_none());
        let with = call(
            "GET",
            &admin(
                &srv,
                &format!(
                    "/admin/identities/{id}?include_credential=password&include_credential=oidc"
                ),
            ),
            None,
        )
        .await;
        let hash = with.body["credentials"]["password"]["config"]["hashed_password"]
            .as_str()
            .unwrap();
        assert!(hash.starts_with("$2b$04$"), "{hash}");
        assert_eq!(
            with.body["credentials"]["oidc"]["config"]["providers"][0]["subject"],
            "12345"
        );
        let _: Identity = serde_json::from_value(with.body.clone()).expect("SDK decodes");

        // Lists never carry password hashes, even when asked.
        let list = call(
            "GET",
            &admin(
                &srv,
                "/admin/identities?include_credential=password&include_credential=oidc",
            ),
            None,
        )
        .await;
        assert_eq!(list.status, 200);
        let listed = &list.body[0]["credentials"];
        assert!(listed["password"].get("config").is_none(), "{listed}");
        assert_eq!(
            listed["oidc"]["config"]["providers"][0]["provider"],
            "github"
        );
        assert!(!list.body.to_string().contains("$2b$"));

        let bad = call(
            "GET",
            &admin(
                &srv,
                &format!("/admin/identities/{id}?include_credential=XYZ"),
            ),
            None,
        )
        .await;
        assert_eq!(bad.status, 400);
        assert!(bad.reason().contains("include_credential"), "{}", bad.body);
    }
);

both!(bad_input_is_refused, |backend: Backend| async move {
    let srv = TestServer::start(backend).await;
    let url = admin(&srv, "/admin/identities");
    let address = email();
    create(&srv, person(&address)).await;

    let dup = call("POST", &url, Some(person(&address.to_uppercase()))).await;
    assert_eq!(dup.status, 409, "{}", dup.body);
    assert_eq!(dup.body["error"]["status"], "Conflict");

    let invalid = call(
        "POST",
        &url,
        Some(json!({ "schema_id": "default", "traits": { "email": 42 } })),
    )
    .await;
    assert_eq!(invalid.status, 400, "{}", invalid.body);
    assert!(
        invalid.reason().contains("#/traits/email"),
        "{}",
        invalid.body
    );
    assert!(invalid.body["error"]["details"]["messages"][0]["id"].is_number());

    let missing = call(
        "POST",
        &url,
        Some(json!({ "schema_id": "default", "traits": { "name": { "first": "A" } } })),
    )
    .await;
    assert_eq!(missing.status, 400);
    assert!(missing.reason().contains("email"), "{}", missing.body);

    let schema = call(
        "POST",
        &url,
        Some(json!({ "schema_id": "nope", "traits": {} })),
    )
    .await;
    assert_eq!(schema.status, 400);
    assert!(
        schema
            .reason()
            .contains("Unable to find JSON Schema ID: nope"),
        "{}",
        schema.body
    );

    let mut unknown_hash = person(&email());
    unknown_hash["credentials"] =
        json!({ "password": { "config": { "hashed_password": "$whirlpool$abcdef" } } });
    let r = call("POST", &url, Some(unknown_hash)).await;
    assert_eq!(r.status, 400);
    assert!(r.reason().contains("\"whirlpool\""), "{}", r.body);
    assert!(
        !r.body.to_string().contains("abcdef"),
        "the hash is never echoed"
    );

    let mut bad_state = person(&email());
    bad_state["state"] = json!("sleeping");
    assert_eq!(call("POST", &url, Some(bad_state)).await.status, 400);

    let extra = call(
        "POST",
        &url,
        Some(json!({ "schema_id": "default", "traits": {}, "schema_url": "x" })),
    )
    .await;
    assert_eq!(extra.status, 400);
    assert!(
        extra.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("schema_url"),
        "{}",
        extra.body
    );

    let syntax = common::plain()
        .post(&url)
        .header("content-type", "application/json")
        .body("{\"traits\": nope}")
        .send()
        .await
        .unwrap();
    assert_eq!(syntax.status().as_u16(), 400);

    let big = "x".repeat(6 * 1024 * 1024);
    let huge = call(
        "POST",
        &url,
        Some(json!({ "schema_id": "default", "traits": { "email": big } })),
    )
    .await;
    assert_eq!(huge.status, 413);

    assert_eq!(
        call("GET", &admin(&srv, "/admin/identities/not-a-uuid"), None)
            .await
            .status,
        404
    );
    assert_eq!(
        call(
            "GET",
            &admin(&srv, &format!("/admin/identities/{}", uuid::Uuid::new_v4())),
            None
        )
        .await
        .status,
        404
    );
    let put_missing = call(
        "PUT",
        &admin(&srv, &format!("/admin/identities/{}", uuid::Uuid::new_v4())),
        Some(person(&email())),
    )
    .await;
    assert_eq!(put_missing.status, 404);
});

both!(
    paging_follows_the_link_header,
    |backend: Backend| async move {
        let srv = TestServer::start(backend).await;
        let mut ids = Vec::new();
        for _ in 0..5 {
            ids.push(
                create(&srv, person(&email())).await["id"]
                    .as_str()
                    .unwrap()
                    .to_string(),
            );
        }
        ids.sort();
        let mut seen = Vec::new();
        let mut url = admin(&srv, "/admin/identities?page_size=2");
        let mut pages = 0;
        loop {
            let r = call("GET", &url, None).await;
            assert_eq!(r.status, 200, "{}", r.body);
            pages += 1;
            let first = admin_support::link(&r.headers, "first").expect("rel=first");
            assert!(
                first.starts_with(&srv.admin) && first.contains("page_size=2"),
                "{first}"
            );
            seen.extend(
                r.body
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|i| i["id"].as_str().unwrap().to_string()),
            );
            match r.next_link() {
                Some(next) => {
                    assert!(
                        next.contains("/admin/identities?") && next.contains("page_token="),
                        "{next}"
                    );
                    url = next;
                }
                None => break,
            }
            assert!(pages < 10, "paging does not end");
        }
        assert_eq!(pages, 3);
        assert_eq!(seen, ids, "every identity once, in id order");

        // Tokens are opaque and signed: a bare id, garbage or a tampered token is a 400.
        for forged in [ids[0].clone(), "garbage".into(), "AQ".into()] {
            let r = call(
                "GET",
                &admin(&srv, &format!("/admin/identities?page_token={forged}")),
                None,
            )
            .await;
            assert_eq!(r.status, 400, "{forged}: {}", r.body);
            assert_eq!(r.body["error"]["status"], "Bad Request");
        }
        let bad_size = call("GET", &admin(&srv, "/admin/identities?page_size=two"), None).await;
        assert_eq!(bad_size.status, 400);

        // Legacy page/per_page.
        let legacy = call(
            "GET",
            &admin(&srv, "/admin/identities?page=1&per_page=2"),
            None,
        )
        .await;
        assert_eq!(legacy.status, 200);
        let legacy_ids: Vec<&str> = legacy
            .body
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap())
            .collect();
        assert_eq!(legacy_ids, vec![ids[2].as_str(), ids[3].as_str()]);
        assert_eq!(legacy.headers["x-total-count"], "5");
    }
);

both!(list_filters, |backend: Backend| async move {
    let srv = TestServer::start(backend).await;
    let a = format!("alpha-{}", email());
    let b = format!("beta-{}", email());
    let id_a = create(&srv, person(&a)).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let id_b = create(&srv, person(&b)).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    create(&srv, person(&email())).await;
    let cfg = admin_sdk(&srv);

    let exact = ida::list_identities(
        &cfg,
        None,
        None,
        None,
        None,
        None,
        None,
        Some(&a.to_uppercase()),
        None,
        None,
        None,
    )
    .await
    .unwrap();
    assert_eq!(
        exact.iter().map(|i| i.id.clone()).collect::<Vec<_>>(),
        vec![id_a.clone()]
    );
    let similar = ida::list_identities(
        &cfg,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        Some("beta-"),
        None,
        None,
    )
    .await
    .unwrap();
    assert_eq!(
        similar.iter().map(|i| i.id.clone()).collect::<Vec<_>>(),
        vec![id_b.clone()]
    );
    let mut social = person(&email());
    social["credentials"] = json!({ "oidc": { "config": { "providers": [{ "provider": "github", "subject": "AbC" }] } } });
    let id_social = create(&srv, social).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let by_subject = call(
        "GET",
        &admin(&srv, "/admin/identities?credentials_identifier=github:AbC"),
        None,
    )
    .await;
    assert_eq!(
        by_subject.body[0]["id"],
        id_social.as_str(),
        "{}",
        by_subject.body
    );
    let by_ids = call(
        "GET",
        &admin(&srv, &format!("/admin/identities?ids={id_a}&ids={id_b}")),
        None,
    )
    .await;
    assert_eq!(by_ids.body.as_array().unwrap().len(), 2);

    let both = call(
        "GET",
        &admin(
            &srv,
            &format!("/admin/identities?ids={id_a}&credentials_identifier={a}"),
        ),
        None,
    )
    .await;
    assert_eq!(both.status, 400);
    assert!(both.reason().contains("cannot combine"), "{}", both.body);
    let bad_id = call(
        "GET",
        &admin(&srv, "/admin/identities?ids=not-a-uuid"),
        None,
    )
    .await;
    assert_eq!(bad_id.status, 400);
    assert!(bad_id
        .reason()
        .contains("Invalid UUID value `not-a-uuid` for parameter `ids`."));
});

both!(
    replace_keeps_addresses_in_step,
    |backend: Backend| async move {
        let srv = TestServer::start(backend).await;
        let old = email();
        let mut body = person_with_password(&old, PASSWORD);
        body["verifiable_addresses"] = json!([
            { "value": old.to_uppercase(), "via": "email", "verified": true, "status": "completed" },
            { "value": "not-in-traits@example.com", "via": "email", "verified": true }
        ]);
        body["recovery_addresses"] = json!([{ "value": "elsewhere@example.com", "via": "email" }]);
        let created = create(&srv, body).await;
        let id = created["id"].as_str().unwrap();
        let verifiable = created["verifiable_addresses"].as_array().unwrap();
        assert_eq!(
            verifiable.len(),
            1,
            "only addresses the traits carry: {created}"
        );
        assert_eq!(verifiable[0]["value"], old.as_str());
        assert_eq!(verifiable[0]["verified"], true);
        assert_eq!(verifiable[0]["status"], "completed");
        assert_eq!(created["recovery_addresses"][0]["value"], old.as_str());

        // PUT: new e-mail → new unverified address, identifiers follow, password kept.
        let new = email();
        let cfg = admin_sdk(&srv);
        let mut update = ory_kratos_client::models::UpdateIdentityBody::new(
            "default".into(),
            ory_kratos_client::models::update_identity_body::StateEnum::Active,
            json!({ "email": new }),
        );
        update.metadata_public = Some(Some(json!({ "tier": 2 })));
        update.external_id = Some("crm-7".into());
        let updated = ida::update_identity(&cfg, id, Some(update))
            .await
            .expect("update");
        let v = updated.verifiable_addresses.unwrap();
        assert_eq!(
            (v.len(), v[0].value.as_str(), v[0].verified),
            (1, new.as_str(), false)
        );
        assert_eq!(
            updated.credentials.unwrap()["password"].identifiers,
            Some(vec![new.clone()])
        );
        assert_eq!(updated.metadata_public, Some(Some(json!({ "tier": 2 }))));
        assert!(
            login(&srv, &old, PASSWORD).await.is_err(),
            "the old identifier is gone"
        );
        login(&srv, &new, PASSWORD)
            .await
            .expect("the new identifier signs in");
        // The old address is free again.
        create(&srv, person(&old)).await;
        // Taking someone else's identifier → 409.
        let clash = call(
            "PUT",
            &admin(&srv, &format!("/admin/identities/{id}")),
            Some(json!({ "schema_id": "default", "state": "active", "traits": { "email": old } })),
        )
        .await;
        assert_eq!(clash.status, 409, "{}", clash.body);
        // Invalid traits → 400, nothing changed.
        let invalid = call("PUT", &admin(&srv, &format!("/admin/identities/{id}")), Some(json!({ "schema_id": "default", "state": "active", "traits": { "email": "x", "extra": 1 } }))).await;
        assert_eq!(invalid.status, 400, "{}", invalid.body);
        let after = ida::get_identity_by_external_id(&cfg, "crm-7", None)
            .await
            .unwrap();
        assert_eq!(after.traits.unwrap()["email"], new.as_str());
    }
);

both!(json_patch, |backend: Backend| async move {
    let srv = TestServer::start(backend).await;
    let cfg = admin_sdk(&srv);
    let address = email();
    let id = create(&srv, person_with_password(&address, PASSWORD)).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let op = |op: &str, path: &str, value: Value| {
        let mut p = JsonPatch::new(op.to_string(), path.to_string());
        p.value = Some(Some(value));
        p
    };
    let patched = ida::patch_identity(
        &cfg,
        &id,
        Some(vec![
            op("replace", "/traits/name/first", json!("Grace")),
            op("add", "/metadata_admin", json!({ "flag": true })),
            op("replace", "/verifiable_addresses/0/verified", json!(true)),
            op(
                "replace",
                "/verifiable_addresses/0/status",
                json!("completed"),
            ),
        ]),
    )
    .await
    .expect("patch");
    assert_eq!(patched.traits.unwrap()["name"]["first"], "Grace");
    assert_eq!(patched.metadata_admin, Some(Some(json!({ "flag": true }))));
    assert!(patched.verifiable_addresses.unwrap()[0].verified);
    login(&srv, &address, PASSWORD)
        .await
        .expect("credentials untouched by a patch");

    let url = admin(&srv, &format!("/admin/identities/{id}"));
    for path in [
        "/id",
        "/credentials",
        "/credentials/password/config/hashed_password",
        "/state_changed_at",
    ] {
        let r = call(
            "PATCH",
            &url,
            Some(json!([{ "op": "replace", "path": path, "value": "x" }])),
        )
        .await;
        assert_eq!(r.status, 400, "{path}: {}", r.body);
        assert!(
            r.body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("denied path"),
            "{}",
            r.body
        );
    }
    let moved = call(
        "PATCH",
        &url,
        Some(json!([{ "op": "move", "from": "/traits", "path": "/x" }])),
    )
    .await;
    assert_eq!(moved.status, 400);
    let state = call(
        "PATCH",
        &url,
        Some(json!([{ "op": "replace", "path": "/state", "value": "paused" }])),
    )
    .await;
    assert_eq!(state.status, 400);
    assert!(
        state.reason().contains("('paused') was not valid"),
        "{}",
        state.body
    );
    let traits = call(
        "PATCH",
        &url,
        Some(json!([{ "op": "remove", "path": "/traits/email" }])),
    )
    .await;
    assert_eq!(traits.status, 400, "schema still applies: {}", traits.body);
    let not_array = call("PATCH", &url, Some(json!({ "op": "add" }))).await;
    assert_eq!(not_array.status, 400);
    assert_eq!(
        call(
            "PATCH",
            &admin(&srv, "/admin/identities/nope"),
            Some(json!([]))
        )
        .await
        .status,
        404
    );
});

both!(
    api_key_required_when_configured,
    |backend: Backend| async move {
        let key = "admin-key-0123456789abcdef";
        let srv = TestServer::start_with(backend, |c| {
            c["serve"]["admin"]["api_keys"] = json!(["old-key-0123456789abcdef", key]);
        })
        .await;
        let url = admin(&srv, "/admin/identities");
        let none = call("GET", &url, None).await;
        assert_eq!(none.status, 401);
        assert_eq!(none.body["error"]["code"], 401);
        assert!(none.headers["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Bearer"));
        let wrong =
            admin_support::call_with("GET", &url, None, Some("admin-key-0123456789abcdeX")).await;
        assert_eq!(wrong.status, 401);
        let unprefixed =
            admin_support::call_with("GET", &format!("{}/identities", srv.admin), None, None).await;
        assert_eq!(unprefixed.status, 401);
        let ok = admin_support::call_with("GET", &url, None, Some(key)).await;
        assert_eq!(ok.status, 200);
        let sdk = admin_support::admin_sdk_with_key(&srv, "old-key-0123456789abcdef");
        ida::create_identity(
            &sdk,
            Some(CreateIdentityBody::new(
                "default".into(),
                json!({ "email": email() }),
            )),
        )
        .await
        .expect("any configured key works");
        assert!(ida::list_identities(
            &admin_sdk(&srv),
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None
        )
        .await
        .is_err());
        for open in ["/health/alive", "/health/ready", "/version"] {
            assert_eq!(
                call("GET", &admin(&srv, open), None).await.status,
                200,
                "{open}"
            );
        }
        // The public API is not affected.
        assert_eq!(
            call("GET", &srv.url("/self-service/login/api"), None)
                .await
                .status,
            200
        );
    }
);

#[test]
fn api_keys_come_from_file_or_env_and_never_print() {
    use nexus_identity::config::{self, MapEnv};
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/kratos-quickstart.yml");
    let env = MapEnv::new().with(
        "SERVE_ADMIN_API_KEYS",
        "first-admin-key-0123456789,second-admin-key-0123456789",
    );
    let c = config::load(&[fixture.clone()], &env, true).expect("loads");
    assert_eq!(
        c.serve.admin.api_keys.0,
        vec!["first-admin-key-0123456789", "second-admin-key-0123456789"]
    );
    let shown = format!("{c:?}");
    assert!(
        !shown.contains("first-admin-key"),
        "keys never reach Debug output"
    );
    let short = MapEnv::new().with("SERVE_ADMIN_API_KEYS", "short");
    let e = config::load(&[fixture], &short, true)
        .unwrap_err()
        .to_string();
    assert!(e.contains("serve.admin.api_keys"), "{e}");
}

both!(
    an_oversized_body_is_read_before_the_413,
    |backend: Backend| async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let srv = TestServer::start(backend).await;
        let url = reqwest::Url::parse(&admin(&srv, "/admin/identities")).unwrap();
        let mut stream =
            tokio::net::TcpStream::connect((url.host_str().unwrap(), url.port().unwrap()))
                .await
                .unwrap();
        // A client that sends the whole body before reading: it must get the 413, not a
        // connection closed under its writes. 40 MB is more than the socket buffers hold, and
        // less than the server drains.
        let body = format!(
            "{{\"traits\": {{\"email\": \"{}\"}}}}",
            "x".repeat(40 << 20)
        );
        let head = format!(
            "POST /admin/identities HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        stream
            .write_all(body.as_bytes())
            .await
            .expect("the body is read");
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).await.unwrap();
        let answer = String::from_utf8_lossy(&answer);
        assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    }
);
