//! The session cookie value: the session token, its expiry and a nonce, signed with HMAC-SHA256.
//!
//! The first of `secrets.cookie` signs; every secret verifies (rotation).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::domain::Timestamp;

type HmacSha256 = Hmac<Sha256>;

/// What the cookie carries.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CookieValue {
    /// Session token.
    #[serde(rename = "t")]
    pub session_token: String,
    /// Session expiry when the cookie was issued.
    #[serde(rename = "e")]
    pub expires_at: Timestamp,
    /// Random nonce, renewed on every issue.
    #[serde(rename = "n")]
    pub nonce: String,
}

/// Encodes and signs a cookie value with the first secret.
pub fn encode(value: &CookieValue, secrets: &[Vec<u8>]) -> String {
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).unwrap_or_default());
    let sig = sign(
        payload.as_bytes(),
        secrets.first().map(Vec::as_slice).unwrap_or_default(),
    );
    format!("{payload}.{}", URL_SAFE_NO_PAD.encode(sig))
}

/// Verifies the signature against every secret and decodes the value.
pub fn decode(raw: &str, secrets: &[Vec<u8>]) -> Option<CookieValue> {
    let (payload, sig) = raw.split_once('.')?;
    let sig = URL_SAFE_NO_PAD.decode(sig).ok()?;
    let valid = secrets.iter().any(|secret| {
        let mut mac = HmacSha256::new_from_slice(secret).expect("hmac accepts any key length");
        mac.update(payload.as_bytes());
        mac.verify_slice(&sig).is_ok()
    });
    if !valid {
        return None;
    }
    let bytes = URL_SAFE_NO_PAD.decode(payload).ok()?;
    serde_json::from_slice(&bytes).ok()
}

fn sign(data: &[u8], secret: &[u8]) -> Vec<u8> {
    let mut mac = HmacSha256::new_from_slice(secret).expect("hmac accepts any key length");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value() -> CookieValue {
        CookieValue {
            session_token: "ory_st_abc".into(),
            expires_at: crate::domain::now(),
            nonce: "abcdefgh".into(),
        }
    }

    #[test]
    fn round_trip_and_rotation() {
        let old = b"old-secret-old-secret".to_vec();
        let new = b"new-secret-new-secret".to_vec();
        let v = value();
        let signed_old = encode(&v, std::slice::from_ref(&old));
        assert_eq!(decode(&signed_old, &[new.clone(), old.clone()]), Some(v));
        assert_eq!(decode(&signed_old, std::slice::from_ref(&new)), None);
    }

    #[test]
    fn tampering_is_rejected() {
        let s = vec![b"secret-secret-secret".to_vec()];
        let signed = encode(&value(), &s);
        let (p, sig) = signed.split_once('.').unwrap();
        let mut forged = value();
        forged.session_token = "ory_st_other".into();
        let fp = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&forged).unwrap());
        assert_eq!(decode(&format!("{fp}.{sig}"), &s), None);
        assert_eq!(decode(p, &s), None);
        assert_eq!(decode("garbage", &s), None);
    }
}
