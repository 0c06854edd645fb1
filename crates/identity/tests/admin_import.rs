//! Importing credentials through the admin API: every hash format Kratos accepts signs in
//! with the original password and is upgraded to the configured hasher on that first login;
//! plaintext imports; batch imports with mixed items; removing credentials.

mod admin_support;
mod common;

use admin_support::{
    admin, admin_sdk, call, create, login, person, person_with_password, stored_hash,
};
use common::{email, Backend, TestServer, PASSWORD};
use ory_kratos_client::apis::identity_api as ida;
use serde_json::{json, Value};

/// (format, password, hash): one known-good vector per importable format (kratos-compat §11;
/// the same vectors the hash module's unit tests verify).
const VECTORS: &[(&str, &str, &str)] = &[
    ("bcrypt", "test", "$2a$04$5SXC7hy/BgmF9xR5lgwYYef7jtwG7KmbsaEZzCIgosM9FYIH7PyUq"),
    ("argon2id", "test", "$argon2id$v=19$m=32,t=2,p=4$cm94YnRVOW5jZzFzcVE4bQ$MNzk5BtR2vUhrp6qQEjRNw"),
    ("argon2i", "test", "$argon2i$v=19$m=65536,t=3,p=4$kk51rW/vxIVCYn+EG4kTSg$NyT88uraJ6im6dyha/M5jhXvpqlEdlS/9fEm7ScMb8c"),
    ("pbkdf2-sha1", "Nexus-pw 1", "$pbkdf2-sha1$i=1000,l=20$c2FsdHNhbHRzYWx0MTIzNA$c+DON4h22Z09V+Pu7wKP6a0TEdk"),
    ("pbkdf2-sha256", "Nexus-pw 1", "$pbkdf2-sha256$i=1000,l=32$c2FsdHNhbHRzYWx0MTIzNA$ItnZt+2y6Ivaww2azeDPaBOgcDtgZcrSUHoZMHDvhZY"),
    ("pbkdf2-sha512", "Nexus-pw 1", "$pbkdf2-sha512$i=1000,l=64$c2FsdHNhbHRzYWx0MTIzNA$uDVSAsJC4jXCCJDRNppygqPcMLByr7piqU38GdFHsNXqnAeVmKNqrSmtMvEaDI5CbEQwBzaxM9KY/BOZHOwA6g"),
    ("scrypt", "Nexus-pw 1", "$scrypt$ln=1024,r=8,p=1$c2FsdHNhbHRzYWx0MTIzNA==$vBSt64noV4Ehp0hwqoRWPMc4CFGvykzIflK+sMXcP6A="),
    ("firescrypt", "8x4WjoDbSxJZdR", "$firescrypt$ln=14,r=8,p=1$sPtDhWcd1MfdAw==$xbSou7FOl6mChCyzpCPIQ7tku7nsQMTFtyOZSXXd7tjBa4NtimOx7v42Gv2SfzPQu1oxM2/k4SsbOu73wlKe1A==$Bw==$YE0dO4bwD4JnJafh6lZZfkp1MtKzuKAXQcDCJNJNyeCHairWHKENOkbh3dzwaCdizzOspwr/FITUVlnOAwPKyw=="),
    ("SSHA", "test123", "{SSHA}JFZFs0oHzxbMwkSJmYVeI8MnTDy/276a"),
    ("SSHA256", "test123", "{SSHA256}czO44OTV17PcF1cRxWrLZLy9xHd7CWyVYplr1rOhuMlx/7IK"),
    ("SSHA512", "test123", "{SSHA512}xPUl/px+1cG55rUH4rzcwxdOIPSB2TingLpiJJumN2xyDWN4Ix1WQG3ihnvHaWUE8MYNkvMi5rf0C9NYixHsE6Yh59M="),
    ("salted sha1", "test", "$sha1$pf=e1NBTFR9e1BBU1NXT1JEfQ==$NW9wbWtnejAzcg==$2qU2SGWP8viTM1md3FiI3+rjWXQ="),
    ("salted sha256", "test", "$sha256$pf=e1NBTFR9e1BBU1NXT1JEfQ==$NW9wbWtnejAzcg==$0gfRVLCvtBCk20udLDEY5vNhujWx7RGjwRIS1ebMsLY="),
    ("salted sha512", "test", "$sha512$pf=e1NBTFR9e1BBU1NXT1JEfQ==$NW9wbWtnejAzcg==$6ctpVuApMNp0CgBXcdHw/GC562eFEFGr4gpgANX8ZYsX+j5B19IkdmOY2Fytsz3QUwSWdGcUjbqwgJGTH0UYvw=="),
    ("md5", "test", "$md5$CY9rzUYh03PK3k6DJie09g=="),
    ("salted md5", "test", "$md5$pf=e1NBTFR9e1BBU1NXT1JEfQ==$MTIz$q+RdKCgc+ipCAcm5ChQwlQ=="),
    ("md5-crypt", "ory", "$md5-crypt$xWMlm2eL$GGTOpgZu4p2k6ORprAu3b."),
    ("sha256-crypt", "Nexus-pw 1", "$sha256-crypt$abcdefghijklmnop$zect1BKP9yvuq1mHd.9m2zgt0.TvomDgNHbcokj0nU8"),
    ("sha512-crypt", "Nexus-pw 1", "$sha512-crypt$rounds=1000$abcdefghijklmnop$LP1/d208PRGi7MyBmPbSBdyA8zOD8zOislpurpW0gD7HD3JyEqVYEu6idf0iSfl1UVgP3uQF7AaKPVGuM8r6h0"),
    ("hmac-md4", "test", "$hmac-md4$MWQ5ZTI4Nzc2Zjg4YmE2MTQ5YjQ0OTMyOGE4NWU4YjA=$MTIzNDU="),
    ("hmac-sha512", "test", "$hmac-sha512$OTFmODY0ZTI1NmU0ZjVhYjhiMDViZGFmNGVmNGZmMGVlNTY4ODYwNWJhYTk4MTk2OTgyMzc3NzI1YTc4MzcxMTMzNzZmY2YxYTk5MGMxM2RiZDk2MGFmMmQ1YzRmODdlMGMwYTNkYjcyNjY0NjM4NGE4YzQ2MjNhZDZkN2UxZTE=$MTIzNDU="),
];

/// A create body importing `hash`.
fn with_hash(address: &str, hash: &str) -> Value {
    let mut b = person(address);
    b["credentials"] = json!({ "password": { "config": { "hashed_password": hash } } });
    b
}

both!(
    every_import_format_signs_in_and_is_upgraded,
    |backend: Backend| async move {
        // The configured hasher is bcrypt, cost 4 (test config).
        let srv = TestServer::start(backend).await;
        for (format, password, hash) in VECTORS {
            let address = email();
            let id = create(&srv, with_hash(&address, hash)).await["id"]
                .as_str()
                .unwrap()
                .to_string();
            assert_eq!(
                stored_hash(&srv, &id).await,
                *hash,
                "{format}: stored as given"
            );
            let refused = login(&srv, &address, "not the password").await;
            assert!(
                matches!(refused, Err((400, _))),
                "{format}: a wrong password is refused"
            );
            assert_eq!(
                stored_hash(&srv, &id).await,
                *hash,
                "{format}: no upgrade on a failed login"
            );

            let token = login(&srv, &address, password)
                .await
                .unwrap_or_else(|e| panic!("{format}: {e:?}"));
            assert!(token.starts_with("ory_st_"));
            let upgraded = stored_hash(&srv, &id).await;
            if *format == "bcrypt" {
                assert_eq!(upgraded, *hash, "bcrypt at the configured cost is kept");
            } else {
                assert!(
                    upgraded.starts_with("$2b$04$"),
                    "{format}: upgraded to the configured hasher, got {upgraded}"
                );
            }
            login(&srv, &address, password)
                .await
                .unwrap_or_else(|e| panic!("{format} after upgrade: {e:?}"));
        }
    }
);

both!(
    upgrade_follows_the_configured_hasher,
    |backend: Backend| async move {
        let srv = TestServer::start_with(backend, |c| {
        c["hashers"] = json!({ "algorithm": "argon2", "argon2": { "memory": "1MB", "iterations": 1, "parallelism": 1 } });
    })
    .await;
        for (format, password, hash) in VECTORS
            .iter()
            .filter(|v| ["bcrypt", "md5", "pbkdf2-sha256", "argon2id"].contains(&v.0))
        {
            let address = email();
            let id = create(&srv, with_hash(&address, hash)).await["id"]
                .as_str()
                .unwrap()
                .to_string();
            login(&srv, &address, password)
                .await
                .unwrap_or_else(|e| panic!("{format}: {e:?}"));
            let upgraded = stored_hash(&srv, &id).await;
            assert!(
                upgraded.starts_with("$argon2id$v=19$m=1024,t=1,p=1$"),
                "{format} → {upgraded}"
            );
        }
        // A plaintext import is hashed with the configured hasher at once.
        let address = email();
        let id = create(&srv, person_with_password(&address, PASSWORD)).await["id"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(stored_hash(&srv, &id).await.starts_with("$argon2id$"));
        login(&srv, &address, PASSWORD)
            .await
            .expect("plaintext import signs in");
    }
);

both!(bad_imports_are_named, |backend: Backend| async move {
    let srv = TestServer::start(backend).await;
    let url = admin(&srv, "/admin/identities");
    for (hash, named) in [
        ("$whirlpool$abc$def", "\"whirlpool\""),
        ("{CRYPT}xyz", "\"CRYPT\""),
        ("plaintext-looking", "\"unrecognised\""),
    ] {
        let r = call("POST", &url, Some(with_hash(&email(), hash))).await;
        assert_eq!(r.status, 400, "{hash}: {}", r.body);
        assert!(r.reason().contains(named), "{hash}: {}", r.body);
    }
    let malformed = call(
        "POST",
        &url,
        Some(with_hash(&email(), "$pbkdf2-sha256$i=1000,l=32$!!$!!")),
    )
    .await;
    assert_eq!(malformed.status, 400);
    assert!(malformed.reason().contains("pbkdf2"), "{}", malformed.body);
    let costly = call(
        "POST",
        &url,
        Some(with_hash(
            &email(),
            "$scrypt$ln=1048576,r=8,p=1$c2FsdA==$c2FsdA==",
        )),
    )
    .await;
    assert_eq!(
        costly.status, 400,
        "cost bounds protect the server: {}",
        costly.body
    );
    let mut hook = person(&email());
    hook["credentials"] =
        json!({ "password": { "config": { "use_password_migration_hook": true } } });
    assert_eq!(call("POST", &url, Some(hook)).await.status, 400);
    let long = call(
        "POST",
        &url,
        Some(person_with_password(&email(), &"a".repeat(80))),
    )
    .await;
    assert_eq!(long.status, 400, "bcrypt cannot take it: {}", long.body);
    // Nothing half-created.
    let list = call("GET", &url, None).await;
    assert_eq!(list.body, json!([]));
});

both!(batch_reports_each_item, |backend: Backend| async move {
    let srv = TestServer::start(backend).await;
    let taken = email();
    create(&srv, person(&taken)).await;
    let dup = email();
    let ids: Vec<String> = (0..8).map(|_| uuid::Uuid::new_v4().to_string()).collect();
    let mut hashed = person(&email());
    hashed["credentials"] = json!({ "password": { "config": { "hashed_password": "$2a$04$5SXC7hy/BgmF9xR5lgwYYef7jtwG7KmbsaEZzCIgosM9FYIH7PyUq" } } });
    let mut bad_hash = person(&email());
    bad_hash["credentials"] =
        json!({ "password": { "config": { "hashed_password": "{CRYPT}zzz" } } });
    let body = json!({ "identities": [
        { "create": person_with_password(&email(), PASSWORD), "patch_id": ids[0] },
        { "create": person(&dup), "patch_id": ids[1] },
        { "create": person(&dup), "patch_id": ids[2] },
        { "create": { "schema_id": "default", "traits": { "email": 7 } }, "patch_id": ids[3] },
        { "create": hashed, "patch_id": ids[4] },
        { "create": bad_hash, "patch_id": ids[5] },
        { "create": person(&taken), "patch_id": ids[6] },
        { "create": { "schema_id": "default", "traits": {}, "bogus": 1 }, "patch_id": ids[7] }
    ]});
    let r = call(
        "PATCH",
        &admin(&srv, "/admin/identities"),
        Some(body.clone()),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let _: ory_kratos_client::models::BatchPatchIdentitiesResponse =
        serde_json::from_value(r.body.clone()).expect("SDK decodes");
    let items = r.body["identities"].as_array().unwrap();
    let actions: Vec<&str> = items
        .iter()
        .map(|i| i["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["create", "create", "error", "error", "create", "error", "error", "error"]
    );
    for (item, id) in items.iter().zip(&ids) {
        assert_eq!(item["patch_id"], id.as_str());
    }
    assert_eq!(items[2]["error"]["code"], 409);
    assert_eq!(items[3]["error"]["code"], 400);
    assert!(items[3]["error"]["reason"]
        .as_str()
        .unwrap()
        .contains("#/traits/email"));
    assert!(
        items[5]["error"]["reason"]
            .as_str()
            .unwrap()
            .contains("\"CRYPT\""),
        "{}",
        items[5]
    );
    assert_eq!(items[6]["error"]["code"], 409);
    assert_eq!(items[7]["error"]["code"], 400);
    // The created ones exist and the imported hash signs in.
    let created: Vec<&str> = items
        .iter()
        .filter_map(|i| i["identity"].as_str())
        .collect();
    assert_eq!(created.len(), 3);
    for id in &created {
        assert_eq!(
            call(
                "GET",
                &admin(&srv, &format!("/admin/identities/{id}")),
                None
            )
            .await
            .status,
            200
        );
    }
    let email4 = body["identities"][4]["create"]["traits"]["email"]
        .as_str()
        .unwrap();
    login(&srv, email4, "test")
        .await
        .expect("imported bcrypt hash signs in");

    let too_many: Vec<Value> = (0..1001)
        .map(|_| json!({ "create": person(&email()) }))
        .collect();
    let r = call(
        "PATCH",
        &admin(&srv, "/admin/identities"),
        Some(json!({ "identities": too_many })),
    )
    .await;
    assert_eq!(r.status, 400);
    assert!(r.reason().contains("1000"), "{}", r.body);
});

both!(delete_credentials, |backend: Backend| async move {
    let srv = TestServer::start(backend).await;
    let cfg = admin_sdk(&srv);
    let only_password = create(&srv, person_with_password(&email(), PASSWORD)).await;
    let id = only_password["id"].as_str().unwrap();
    let last = call(
        "DELETE",
        &admin(
            &srv,
            &format!("/admin/identities/{id}/credentials/password"),
        ),
        None,
    )
    .await;
    assert_eq!(last.status, 400);
    assert!(last.reason().contains("last first factor"), "{}", last.body);
    let none = call(
        "DELETE",
        &admin(&srv, &format!("/admin/identities/{id}/credentials/totp")),
        None,
    )
    .await;
    assert_eq!(none.status, 404);

    let address = email();
    let mut body = person_with_password(&address, PASSWORD);
    body["credentials"]["oidc"] = json!({ "config": { "providers": [
        { "provider": "github", "subject": "1" }, { "provider": "google", "subject": "2" }
    ] } });
    let id = create(&srv, body).await["id"].as_str().unwrap().to_string();
    ida::delete_identity_credentials(&cfg, &id, "oidc", Some("github:1"))
        .await
        .expect("unlink github");
    ida::delete_identity_credentials(&cfg, &id, "password", None)
        .await
        .expect("drop password");
    let left = ida::get_identity(&cfg, &id, Some(vec!["oidc".into()]))
        .await
        .unwrap();
    let creds = left.credentials.unwrap();
    assert_eq!(
        creds["oidc"].identifiers,
        Some(vec!["google:2".to_string()])
    );
    assert_eq!(
        creds["password"].identifiers,
        Some(vec![address.clone()]),
        "identifier stays reserved"
    );
    assert!(
        login(&srv, &address, PASSWORD).await.is_err(),
        "password removed"
    );
    let last = call(
        "DELETE",
        &admin(
            &srv,
            &format!("/admin/identities/{id}/credentials/oidc?identifier=google:2"),
        ),
        None,
    )
    .await;
    assert_eq!(last.status, 400, "{}", last.body);
});
