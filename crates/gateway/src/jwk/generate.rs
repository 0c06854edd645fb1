//! Key generation for `credentials generate` (Oathkeeper `jwksx/generator.go`).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use serde_json::{json, Value};

/// A JWKS with one private signing key for `alg`.
pub fn generate(alg: &str, kid: Option<&str>, bits: Option<usize>) -> Result<Value, String> {
    let kid = kid
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let mut key = match alg {
        "RS256" | "RS384" | "RS512" | "PS256" | "PS384" | "PS512" => rsa_key(bits.unwrap_or(2048))?,
        "ES256" => {
            let sk = p256::SecretKey::random(&mut rand::rngs::OsRng);
            serde_json::from_str(&sk.to_jwk_string()).map_err(|e| e.to_string())?
        }
        "EdDSA" => {
            let mut seed = [0u8; 32];
            rand::rngs::OsRng.fill_bytes(&mut seed);
            let pair = ring::signature::Ed25519KeyPair::from_seed_unchecked(&seed)
                .map_err(|e| e.to_string())?;
            use ring::signature::KeyPair;
            json!({
                "kty": "OKP", "crv": "Ed25519",
                "x": URL_SAFE_NO_PAD.encode(pair.public_key().as_ref()),
                "d": URL_SAFE_NO_PAD.encode(seed),
            })
        }
        "HS256" | "HS384" | "HS512" => {
            let (default, min) = match alg {
                "HS256" => (256, 256),
                "HS384" => (384, 384),
                _ => (1024, 512),
            };
            let bits = bits.unwrap_or(default);
            if bits < min || bits % 8 != 0 {
                return Err(format!("{alg} needs at least {min} bits, a multiple of 8"));
            }
            let mut k = vec![0u8; bits / 8];
            rand::rngs::OsRng.fill_bytes(&mut k);
            json!({"kty": "oct", "k": URL_SAFE_NO_PAD.encode(k)})
        }
        other => return Err(format!("unsupported algorithm {other:?}")),
    };
    let obj = key.as_object_mut().ok_or("key is not an object")?;
    obj.insert("use".into(), json!("sig"));
    obj.insert("alg".into(), json!(alg));
    obj.insert("kid".into(), json!(kid));
    Ok(json!({ "keys": [key] }))
}

fn rsa_key(bits: usize) -> Result<Value, String> {
    use rsa::traits::{PrivateKeyParts, PublicKeyParts};
    if bits < 2048 {
        return Err("RSA keys need at least 2048 bits".into());
    }
    let key = rsa::RsaPrivateKey::new(&mut rand::rngs::OsRng, bits).map_err(|e| e.to_string())?;
    let enc = |n: &rsa::BigUint| URL_SAFE_NO_PAD.encode(n.to_bytes_be());
    let primes = key.primes();
    let dp = key.dp().ok_or("missing dp")?;
    let dq = key.dq().ok_or("missing dq")?;
    let qi = key.crt_coefficient().ok_or("missing qi")?;
    Ok(json!({
        "kty": "RSA",
        "n": enc(key.n()), "e": enc(key.e()), "d": enc(key.d()),
        "p": enc(&primes[0]), "q": enc(&primes[1]),
        "dp": enc(dp), "dq": enc(dq), "qi": enc(&qi),
    }))
}
