//! A software WebAuthn authenticator written for these tests, independent of the server's
//! WebAuthn library: P-256 keys, "none" attestation, discoverable credentials (it answers
//! with the user handle), a signature counter, and a settable origin for hostile answers.

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use base64::Engine as _;
use ciborium::Value as Cbor;
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use rand::RngCore;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// User presence, user verification, attested credential data.
const FLAGS_UP_UV: u8 = 0x01 | 0x04;
const FLAG_AT: u8 = 0x40;

struct SoftKey {
    signing: SigningKey,
    cred_id: Vec<u8>,
    rp_id: String,
    user_handle: Vec<u8>,
    counter: u32,
}

/// The authenticator and the origin its answers claim.
pub struct Authenticator {
    keys: Vec<SoftKey>,
    /// `origin` written into client data.
    pub origin: String,
}

/// `publicKey` of an options object (`{publicKey}`, `{credentialOptions: {publicKey}}` or
/// the bare options).
fn public_key(options: &Value) -> &Value {
    let o = options.get("credentialOptions").unwrap_or(options);
    o.get("publicKey").unwrap_or(o)
}

fn decode(s: &Value) -> Vec<u8> {
    B64URL
        .decode(s.as_str().expect("base64url string"))
        .expect("base64url")
}

fn client_data(kind: &str, challenge: &Value, origin: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "type": kind,
        "challenge": challenge.as_str().expect("challenge"),
        "origin": origin,
        "crossOrigin": false,
    }))
    .unwrap()
}

fn cbor(value: &Cbor) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::into_writer(value, &mut out).unwrap();
    out
}

fn int(i: i64) -> Cbor {
    Cbor::Integer(i.into())
}

impl Authenticator {
    /// An authenticator with no keys whose answers claim `origin`.
    pub fn new(origin: &str) -> Self {
        Authenticator {
            keys: Vec::new(),
            origin: origin.to_string(),
        }
    }

    /// Answers `navigator.credentials.create(options)`: a new key, as the JSON the browser
    /// script submits.
    pub fn create(&mut self, options: &Value) -> String {
        let pk = public_key(options);
        let rp_id = pk["rp"]["id"].as_str().expect("rp.id").to_string();
        let mut cred_id = vec![0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut cred_id);
        let signing = SigningKey::random(&mut rand::rngs::OsRng);
        let point = signing.verifying_key().to_encoded_point(false);
        let cose = cbor(&Cbor::Map(vec![
            (int(1), int(2)),
            (int(3), int(-7)),
            (int(-1), int(1)),
            (int(-2), Cbor::Bytes(point.x().unwrap().to_vec())),
            (int(-3), Cbor::Bytes(point.y().unwrap().to_vec())),
        ]));
        let mut auth_data = Sha256::digest(rp_id.as_bytes()).to_vec();
        auth_data.push(FLAGS_UP_UV | FLAG_AT);
        auth_data.extend_from_slice(&0u32.to_be_bytes());
        auth_data.extend_from_slice(&[0u8; 16]);
        auth_data.extend_from_slice(&(cred_id.len() as u16).to_be_bytes());
        auth_data.extend_from_slice(&cred_id);
        auth_data.extend_from_slice(&cose);
        let attestation = cbor(&Cbor::Map(vec![
            (Cbor::Text("fmt".into()), Cbor::Text("none".into())),
            (Cbor::Text("attStmt".into()), Cbor::Map(Vec::new())),
            (Cbor::Text("authData".into()), Cbor::Bytes(auth_data)),
        ]));
        let client = client_data("webauthn.create", &pk["challenge"], &self.origin);
        self.keys.push(SoftKey {
            signing,
            cred_id: cred_id.clone(),
            rp_id,
            user_handle: decode(&pk["user"]["id"]),
            counter: 0,
        });
        json!({
            "id": B64URL.encode(&cred_id),
            "rawId": B64URL.encode(&cred_id),
            "type": "public-key",
            "response": {
                "attestationObject": B64URL.encode(attestation),
                "clientDataJSON": B64URL.encode(client),
            }
        })
        .to_string()
    }

    /// Answers `navigator.credentials.get(options)` with the newest key allowed (any key
    /// of the relying party when the list is empty: a discoverable login).
    pub fn get(&mut self, options: &Value) -> String {
        let pk = public_key(options).clone();
        let rp_id = pk["rpId"].as_str().expect("rpId").to_string();
        let allowed: Vec<Vec<u8>> = pk["allowCredentials"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| decode(&c["id"]))
            .collect();
        let key = self
            .keys
            .iter_mut()
            .rev()
            .find(|k| k.rp_id == rp_id && (allowed.is_empty() || allowed.contains(&k.cred_id)))
            .expect("a key for this relying party");
        key.counter += 1;
        let mut auth_data = Sha256::digest(rp_id.as_bytes()).to_vec();
        auth_data.push(FLAGS_UP_UV);
        auth_data.extend_from_slice(&key.counter.to_be_bytes());
        let client = client_data("webauthn.get", &pk["challenge"], &self.origin);
        let mut signed = auth_data.clone();
        signed.extend_from_slice(&Sha256::digest(&client));
        let signature: Signature = key.signing.sign(&signed);
        json!({
            "id": B64URL.encode(&key.cred_id),
            "rawId": B64URL.encode(&key.cred_id),
            "type": "public-key",
            "response": {
                "authenticatorData": B64URL.encode(auth_data),
                "clientDataJSON": B64URL.encode(client),
                "signature": B64URL.encode(signature.to_der().as_bytes()),
                "userHandle": B64URL.encode(&key.user_handle),
            }
        })
        .to_string()
    }

    /// Forgets the stored user handles' keys' counters (a cloned key replaying old
    /// counters).
    pub fn rewind_counters(&mut self) {
        for k in &mut self.keys {
            k.counter = 0;
        }
    }
}
