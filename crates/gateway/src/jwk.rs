//! JSON Web Keys: fetching and caching key sets, turning private JWKs into signing keys,
//! stripping private parts for `/.well-known/jwks.json`, and generating keys for the CLI.

mod cache;
mod generate;

pub use cache::{check_source, JwksCache, UNSUPPORTED_SCHEMES};
pub use generate::generate;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey};
use serde_json::Value;

/// Private JWK members (RFC 7518 §6).
const PRIVATE_MEMBERS: &[&str] = &["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/// The public part of a key; `None` for symmetric keys, which have none.
pub fn public_jwk(jwk: &Value) -> Option<Value> {
    if jwk.get("kty").and_then(Value::as_str) == Some("oct") {
        return None;
    }
    let mut out = jwk.as_object()?.clone();
    for m in PRIVATE_MEMBERS {
        out.remove(*m);
    }
    Some(Value::Object(out))
}

/// Whether the JWK carries private material.
pub fn is_private(jwk: &Value) -> bool {
    jwk.get("d").is_some() || jwk.get("kty").and_then(Value::as_str) == Some("oct")
}

fn b64(jwk: &Value, member: &str) -> Result<Vec<u8>, String> {
    let s = jwk
        .get(member)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("JWK lacks {member:?}"))?;
    URL_SAFE_NO_PAD
        .decode(s.trim_end_matches('='))
        .map_err(|e| format!("JWK member {member:?}: {e}"))
}

/// The algorithm a key signs with: its `alg`, else the key type's default.
pub fn key_algorithm(jwk: &Value) -> Result<Algorithm, String> {
    if let Some(alg) = jwk.get("alg").and_then(Value::as_str) {
        return alg
            .parse()
            .map_err(|_| format!("unsupported JWK alg {alg:?}"));
    }
    match (
        jwk.get("kty").and_then(Value::as_str),
        jwk.get("crv").and_then(Value::as_str),
    ) {
        (Some("RSA"), _) => Ok(Algorithm::RS256),
        (Some("EC"), Some("P-256")) => Ok(Algorithm::ES256),
        (Some("EC"), Some("P-384")) => Ok(Algorithm::ES384),
        (Some("OKP"), Some("Ed25519")) => Ok(Algorithm::EdDSA),
        (Some("oct"), _) => Ok(Algorithm::HS256),
        (kty, crv) => Err(format!("unsupported key type {kty:?}/{crv:?}")),
    }
}

/// A private JWK as a `jsonwebtoken` signing key with its algorithm.
pub fn signing_key(jwk: &Value) -> Result<(EncodingKey, Algorithm), String> {
    use rsa::pkcs1::EncodeRsaPrivateKey;
    let alg = key_algorithm(jwk)?;
    let key = match jwk.get("kty").and_then(Value::as_str) {
        Some("RSA") => {
            let n = rsa::BigUint::from_bytes_be(&b64(jwk, "n")?);
            let e = rsa::BigUint::from_bytes_be(&b64(jwk, "e")?);
            let d = rsa::BigUint::from_bytes_be(&b64(jwk, "d")?);
            let primes = vec![
                rsa::BigUint::from_bytes_be(&b64(jwk, "p")?),
                rsa::BigUint::from_bytes_be(&b64(jwk, "q")?),
            ];
            let key = rsa::RsaPrivateKey::from_components(n, e, d, primes)
                .map_err(|e| format!("RSA JWK: {e}"))?;
            let der = key.to_pkcs1_der().map_err(|e| format!("RSA JWK: {e}"))?;
            EncodingKey::from_rsa_der(der.as_bytes())
        }
        Some("EC") => {
            use p256::pkcs8::EncodePrivateKey;
            if jwk.get("crv").and_then(Value::as_str) != Some("P-256") {
                return Err("EC JWK: only P-256 keys can sign".into());
            }
            let key =
                p256::SecretKey::from_slice(&b64(jwk, "d")?).map_err(|e| format!("EC JWK: {e}"))?;
            let der = key.to_pkcs8_der().map_err(|e| format!("EC JWK: {e}"))?;
            EncodingKey::from_ec_der(der.as_bytes())
        }
        Some("OKP") => {
            let seed = b64(jwk, "d")?;
            if seed.len() != 32 {
                return Err("Ed25519 JWK: d must be 32 bytes".into());
            }
            EncodingKey::from_ed_der(&ed25519_pkcs8(&seed))
        }
        Some("oct") => EncodingKey::from_secret(&b64(jwk, "k")?),
        other => return Err(format!("unsupported key type {other:?}")),
    };
    Ok((key, alg))
}

/// PKCS#8 v1 wrapping of an Ed25519 seed (RFC 8410).
fn ed25519_pkcs8(seed: &[u8]) -> Vec<u8> {
    let mut der = vec![
        0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04,
        0x20,
    ];
    der.extend_from_slice(seed);
    der
}

/// The first key of a set usable for signing (`use` absent or `sig`, private material).
pub fn first_signing_jwk(keys: &[Value]) -> Option<&Value> {
    keys.iter().find(|k| {
        is_private(k)
            && k.get("use")
                .and_then(Value::as_str)
                .is_none_or(|u| u == "sig")
    })
}

#[cfg(test)]
mod tests;
