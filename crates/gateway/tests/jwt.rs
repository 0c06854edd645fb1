//! End-to-end: `id_token` JWTs verified against `/.well-known/jwks.json`, and the `jwt`
//! authenticator against hostile tokens.

mod common;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use common::*;
use jsonwebtoken::{
    decode, decode_header, encode, jwk::Jwk, DecodingKey, EncodingKey, Header, Validation,
};
use serde_json::{json, Value};

fn write_jwks(dir: &std::path::Path, name: &str, set: &Value) -> String {
    let p = dir.join(name);
    std::fs::write(&p, set.to_string()).unwrap();
    format!("file://{}", p.display())
}

#[tokio::test]
async fn id_token_is_signed_and_verifiable_via_well_known_jwks() {
    for alg in ["RS256", "ES256", "EdDSA"] {
        let (up, who) = (upstream().await, whoami().await);
        let keys_dir = tempfile::tempdir().unwrap();
        let jwks = nexus_gateway::jwk::generate(alg, Some(&format!("kid-{alg}")), None).unwrap();
        let jwks_url = write_jwks(keys_dir.path(), "keys.json", &jwks);
        let cfg = base_config(
            &who.url(),
            json!({"mutators": {"id_token": {"enabled": true, "config": {
                "issuer_url": "https://gw.example/", "jwks_url": jwks_url,
                "claims": "{\"aud\": [\"api\"], \"email\": \"{{ .Extra.identity.traits.email }}\"}"
            }}}}),
        );
        let mut r = rule(
            "t",
            "http://<**>/t",
            &["cookie_session"],
            &format!("http://{up}"),
        );
        r["mutators"] = json!([{"handler": "id_token"}]);
        let t = gateway(cfg, json!([r])).await;
        let c = client();
        let get = || {
            c.get(t.proxy("/t"))
                .header("Cookie", "ory_kratos_session=valid")
                .send()
        };
        let v: Value = get().await.unwrap().json().await.unwrap();
        let token = v["headers"]["authorization"]
            .as_str()
            .unwrap()
            .strip_prefix("Bearer ")
            .unwrap()
            .to_owned();

        let published: Value = c
            .get(t.api("/.well-known/jwks.json"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let key = &published["keys"][0];
        assert!(
            key.get("d").is_none(),
            "{alg}: only public keys are published"
        );
        let header = decode_header(&token).unwrap();
        assert_eq!(header.kid.as_deref(), Some(format!("kid-{alg}").as_str()));
        let jwk: Jwk = serde_json::from_value(key.clone()).unwrap();
        let mut validation = Validation::new(header.alg);
        validation.set_audience(&["api"]);
        validation.set_issuer(&["https://gw.example/"]);
        let data =
            decode::<Value>(&token, &DecodingKey::from_jwk(&jwk).unwrap(), &validation).unwrap();
        assert_eq!(data.claims["sub"], "user-1");
        assert_eq!(data.claims["email"], "user@example.com");

        let v2: Value = get().await.unwrap().json().await.unwrap();
        assert_eq!(
            v2["headers"]["authorization"], v["headers"]["authorization"],
            "{alg}: cached per subject and claims"
        );
    }
}

#[tokio::test]
async fn jwt_authenticator_rejects_hostile_tokens() {
    let (up, who) = (upstream().await, whoami().await);
    let keys_dir = tempfile::tempdir().unwrap();
    let private = nexus_gateway::jwk::generate("ES256", Some("good"), None).unwrap();
    let public = json!({"keys": [nexus_gateway::jwk::public_jwk(&private["keys"][0]).unwrap()]});
    let jwks_url = write_jwks(keys_dir.path(), "public.json", &public);
    let cfg = base_config(
        &who.url(),
        json!({"authenticators": {"jwt": {"enabled": true, "config": {
            "jwks_urls": [jwks_url], "allowed_algorithms": ["ES256"],
            "target_audience": ["api"], "trusted_issuers": ["https://issuer.example"]
        }}}}),
    );
    let t = gateway(
        cfg,
        json!([rule(
            "j",
            "http://<**>/j",
            &["jwt"],
            &format!("http://{up}")
        )]),
    )
    .await;
    let (key, _) = nexus_gateway::jwk::signing_key(&private["keys"][0]).unwrap();
    let now = chrono::Utc::now().timestamp();
    let claims = |exp: i64, aud: &str| json!({"sub": "svc", "aud": [aud], "iss": "https://issuer.example", "exp": exp});
    let sign = |kid: &str, c: Value| {
        let mut h = Header::new(jsonwebtoken::Algorithm::ES256);
        h.kid = Some(kid.into());
        encode(&h, &c, &key).unwrap()
    };
    let call = |token: String| client().get(t.proxy("/j")).bearer_auth(token).send();

    let ok = call(sign("good", claims(now + 600, "api"))).await.unwrap();
    assert_eq!(ok.status(), 200);
    let v: Value = ok.json().await.unwrap();
    assert_eq!(v["headers"]["x-user-id"], "svc");

    assert_eq!(
        call(sign("unknown", claims(now + 600, "api")))
            .await
            .unwrap()
            .status(),
        401,
        "unknown kid"
    );
    assert_eq!(
        call(sign("good", claims(now - 600, "api")))
            .await
            .unwrap()
            .status(),
        401,
        "expired"
    );
    assert_eq!(
        call(sign("good", claims(now + 600, "other")))
            .await
            .unwrap()
            .status(),
        401,
        "wrong audience"
    );

    let none_header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT","kid":"good"}"#);
    let body = URL_SAFE_NO_PAD.encode(claims(now + 600, "api").to_string());
    assert_eq!(
        call(format!("{none_header}.{body}."))
            .await
            .unwrap()
            .status(),
        401,
        "alg none"
    );

    let hs = encode(
        &Header {
            kid: Some("good".into()),
            ..Header::new(jsonwebtoken::Algorithm::HS256)
        },
        &claims(now + 600, "api"),
        &EncodingKey::from_secret(b"guess"),
    )
    .unwrap();
    assert_eq!(
        call(hs).await.unwrap().status(),
        401,
        "algorithm not allowed"
    );
    assert_eq!(
        call("not-a-jwt".into()).await.unwrap().status(),
        401,
        "not responsible: no other authenticator"
    );
}
