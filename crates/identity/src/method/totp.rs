//! The TOTP method: keys and their `otpauth://` URLs (stored as Kratos stores them, in the
//! credential's `config.totp_url`), QR codes, code checks and the UI nodes.
//!
//! Keys are 160 random bits, six digits, 30-second steps, SHA-1 (Kratos' defaults). A code
//! is accepted for the current step or one step either side; the caller records the matched
//! step so that it works only once.

use base64::Engine as _;
use percent_encoding::percent_decode_str;
use rand::RngCore as _;
use serde_json::{json, Value};
use subtle::ConstantTimeEq;
use totp_rs::{Algorithm, Secret, TOTP};
use url::Url;
use uuid::Uuid;

use crate::domain::identity::{credential_type, new_credential};
use crate::domain::ui::InputAttributes;
use crate::domain::{text, Credential, Identity, UiNode};

/// Group of the TOTP nodes.
pub const GROUP: &str = "totp";

/// Random bytes of a new secret (RFC 4226 recommends 160 bits).
const SECRET_BYTES: usize = 20;

/// Steps accepted either side of the current one.
const SKEW: u64 = 1;

/// A parsed key.
pub struct TotpKey {
    totp: TOTP,
}

impl std::fmt::Debug for TotpKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TotpKey").finish_non_exhaustive()
    }
}

/// A new key's URL: `otpauth://totp/<issuer>:<account>?algorithm=SHA1&digits=6&issuer=…&period=30&secret=…`
/// (the layout Kratos' `pquerna/otp` produces).
pub fn new_key_url(issuer: &str, account_name: &str) -> String {
    let mut secret = vec![0u8; SECRET_BYTES];
    rand::rngs::OsRng.fill_bytes(&mut secret);
    let encoded = match Secret::Raw(secret).to_encoded() {
        Secret::Encoded(s) => s,
        Secret::Raw(_) => unreachable!("to_encoded returns an encoded secret"),
    };
    let mut url = Url::parse("otpauth://totp/").expect("static URL parses");
    url.set_path(&format!("/{issuer}:{account_name}"));
    url.query_pairs_mut()
        .append_pair("algorithm", "SHA1")
        .append_pair("digits", "6")
        .append_pair("issuer", issuer)
        .append_pair("period", "30")
        .append_pair("secret", &encoded);
    url.to_string()
}

impl TotpKey {
    /// Parses an `otpauth://totp/` URL (algorithm, digits and period as given, else the
    /// defaults); `None` if it carries no usable secret.
    pub fn parse(url: &str) -> Option<TotpKey> {
        let url = Url::parse(url).ok()?;
        if url.scheme() != "otpauth" {
            return None;
        }
        let (mut algorithm, mut digits, mut step, mut secret, mut issuer) =
            (Algorithm::SHA1, 6usize, 30u64, None, None);
        for (k, v) in url.query_pairs() {
            match k.as_ref() {
                "algorithm" => {
                    algorithm = match v.to_ascii_uppercase().as_str() {
                        "SHA1" => Algorithm::SHA1,
                        "SHA256" => Algorithm::SHA256,
                        "SHA512" => Algorithm::SHA512,
                        _ => return None,
                    }
                }
                "digits" => digits = v.parse().ok().filter(|d| (6..=8).contains(d))?,
                "period" => step = v.parse().ok().filter(|p| *p > 0)?,
                "secret" => {
                    secret = Secret::Encoded(v.trim_end_matches('=').to_uppercase())
                        .to_bytes()
                        .ok()
                }
                "issuer" => issuer = Some(v.into_owned()),
                _ => {}
            }
        }
        let secret = secret.filter(|s| !s.is_empty())?;
        let label = percent_decode_str(url.path().trim_start_matches('/'))
            .decode_utf8_lossy()
            .into_owned();
        let account_name = match label.split_once(':') {
            Some((label_issuer, account)) => {
                issuer.get_or_insert_with(|| label_issuer.to_string());
                account.to_string()
            }
            None => label,
        };
        let totp = TOTP::new_unchecked(
            algorithm,
            digits,
            SKEW as u8,
            step,
            secret,
            issuer.map(|i| i.replace(':', "")),
            account_name.replace(':', ""),
        );
        Some(TotpKey { totp })
    }

    /// The secret in base32, for people who cannot scan the QR code.
    pub fn secret_base32(&self) -> String {
        self.totp.get_secret_base32()
    }

    /// The key's QR code as a `data:image/png;base64,…` URL.
    pub fn qr_data_url(&self) -> Result<String, String> {
        let png = self.totp.get_qr_png()?;
        Ok(format!(
            "data:image/png;base64,{}",
            base64::engine::general_purpose::STANDARD.encode(png)
        ))
    }

    /// The time step `code` is valid for at `now_unix` (the current step or one either
    /// side), compared in constant time; `None` for a wrong code.
    pub fn matching_step(&self, code: &str, now_unix: u64) -> Option<u64> {
        let code = code.trim();
        if code.len() != self.totp.digits || !code.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let current = now_unix / self.totp.step;
        let mut found = None;
        for step in current.saturating_sub(SKEW)..=current + SKEW {
            let expected = self.totp.generate(step * self.totp.step);
            if bool::from(expected.as_bytes().ct_eq(code.as_bytes())) && found.is_none() {
                found = Some(step);
            }
        }
        found
    }

    /// The code for `unix` (tests and tools).
    pub fn code_at(&self, unix: u64) -> String {
        self.totp.generate(unix)
    }
}

/// The account name shown in authenticator apps: the trait marked
/// `credentials.totp.account_name`, else the identity id (as Kratos).
pub fn account_name(identity: &Identity, from_schema: Option<String>) -> String {
    from_schema
        .filter(|a| !a.trim().is_empty())
        .unwrap_or_else(|| identity.id.to_string())
}

/// The TOTP credential for `identity_id` holding `url` (identifier: the identity id).
pub fn credential(identity_id: Uuid, url: &str) -> Credential {
    new_credential(
        credential_type::TOTP,
        vec![identity_id.to_string()],
        json!({ "totp_url": url }),
    )
}

/// The stored key URL of an identity's TOTP credential.
pub fn stored_url(identity: &Identity) -> Option<&str> {
    identity
        .credential(credential_type::TOTP)
        .and_then(|c| c.config.get("totp_url"))
        .and_then(Value::as_str)
}

fn code_input(label: crate::domain::UiText) -> UiNode {
    UiNode::input(
        GROUP,
        InputAttributes {
            name: "totp_code".into(),
            input_type: "text".into(),
            required: true,
            autocomplete: Some("one-time-code".into()),
            ..Default::default()
        },
        Some(label),
    )
}

/// Login (aal2) nodes: `totp_code` and the submit button.
pub fn login_nodes() -> Vec<UiNode> {
    vec![
        code_input(text::label_totp_code()),
        UiNode::submit(GROUP, "method", "totp", text::login_with_totp()),
    ]
}

/// Settings nodes for enrolling `key`, in Kratos' order: its QR code, the secret, `totp_code`
/// and save.
pub fn enrol_nodes(key: &TotpKey) -> Vec<UiNode> {
    let mut nodes = Vec::with_capacity(4);
    match key.qr_data_url() {
        Ok(src) => nodes.push(UiNode::image(GROUP, "totp_qr", src, 256, text::totp_qr())),
        Err(e) => tracing::warn!(error = %e, "could not draw the TOTP QR code"),
    }
    nodes.push(UiNode::text(
        GROUP,
        "totp_secret_key",
        text::totp_secret(&key.secret_base32()),
        text::totp_secret_label(),
    ));
    nodes.push(code_input(text::label_verify_otp()));
    nodes.push(UiNode::submit(GROUP, "method", "totp", text::label_save()));
    nodes
}

/// The settings node removing the TOTP credential.
pub fn unlink_node() -> UiNode {
    UiNode::input(
        GROUP,
        InputAttributes {
            name: "totp_unlink".into(),
            input_type: "submit".into(),
            value: Some(Value::String("true".into())),
            required: true,
            ..Default::default()
        },
        Some(text::totp_unlink()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_keys_round_trip_and_match_their_step() {
        let url = new_key_url("Nexus", "ada@example.com");
        assert!(url.starts_with("otpauth://totp/Nexus:ada@example.com?algorithm=SHA1&digits=6&issuer=Nexus&period=30&secret="), "{url}");
        let key = TotpKey::parse(&url).unwrap();
        assert_eq!(key.secret_base32().len(), 32);
        let now = 1_700_000_000;
        let code = key.code_at(now);
        assert_eq!(key.matching_step(&code, now), Some(now / 30));
        assert_eq!(key.matching_step(&code, now + 30), Some(now / 30));
        assert_eq!(key.matching_step(&code, now + 90), None);
        assert_eq!(key.matching_step("12345", now), None);
        assert!(key
            .qr_data_url()
            .unwrap()
            .starts_with("data:image/png;base64,iVBOR"));
    }

    #[test]
    fn kratos_urls_parse() {
        let key = TotpKey::parse("otpauth://totp/kratos:a@b.c?algorithm=SHA1&digits=6&issuer=kratos&period=30&secret=JBSWY3DPEHPK3PXP").unwrap();
        // RFC 6238 style check against a known secret: the code is six digits and stable.
        assert_eq!(key.code_at(59).len(), 6);
        assert_eq!(key.code_at(59), key.code_at(31));
        assert!(TotpKey::parse("otpauth://totp/x?digits=6").is_none());
        assert!(TotpKey::parse("https://example.com/?secret=JBSWY3DPEHPK3PXP").is_none());
    }
}
