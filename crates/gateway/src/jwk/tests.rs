use jsonwebtoken::{decode, encode, jwk::Jwk, DecodingKey, Header, Validation};
use serde_json::{json, Value};

use super::*;

fn roundtrip(alg: &str) {
    let set = generate(alg, Some("k1"), None).unwrap();
    let private = &set["keys"][0];
    let (key, algorithm) = signing_key(private).unwrap();
    let mut header = Header::new(algorithm);
    header.kid = Some("k1".into());
    let token = encode(&header, &json!({"sub": "s", "exp": 4102444800u64}), &key).unwrap();
    let decoding = match public_jwk(private) {
        Some(public) => {
            assert!(public.get("d").is_none());
            let jwk: Jwk = serde_json::from_value(public).unwrap();
            DecodingKey::from_jwk(&jwk).unwrap()
        }
        None => {
            let jwk: Jwk = serde_json::from_value(private.clone()).unwrap();
            DecodingKey::from_jwk(&jwk).unwrap()
        }
    };
    let data = decode::<Value>(&token, &decoding, &Validation::new(algorithm)).unwrap();
    assert_eq!(data.claims["sub"], "s");
}

#[test]
fn es256_eddsa_hs256_roundtrip() {
    roundtrip("ES256");
    roundtrip("EdDSA");
    roundtrip("HS256");
}

#[test]
fn rs256_roundtrip() {
    roundtrip("RS256");
}

#[test]
fn symmetric_keys_have_no_public_part() {
    let set = generate("HS256", None, None).unwrap();
    assert!(public_jwk(&set["keys"][0]).is_none());
    assert!(generate("HS256", None, Some(100)).is_err());
    assert!(generate("RS256", None, Some(1024)).is_err());
}
