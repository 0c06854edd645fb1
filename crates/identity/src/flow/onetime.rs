//! Issuing and consuming one-time codes and link tokens.
//!
//! Secrets come from the OS CSPRNG (six digits for codes, 32 alphanumerics for links) and are
//! stored as hex HMAC-SHA512/256 keyed with the first cookie secret; every configured secret
//! is tried when checking, and candidates are compared in constant time. A code works only on
//! its own flow, once, before it expires; code submissions per flow are capped.

use hmac::{Hmac, Mac};
use sha2::Sha512_256;
use subtle::ConstantTimeEq;
use uuid::Uuid;

use super::FlowError;
use crate::domain::code::{CodeIssuer, CodePurpose, OneTimeCode};
use crate::domain::{self, token, Timestamp};
use crate::registry::Registry;

type HmacSha512_256 = Hmac<Sha512_256>;

/// Digits of a code.
pub const CODE_LENGTH: u64 = 6;

/// Where an issued code goes (absent for codes handed to an administrator).
#[derive(Debug, Clone, Copy)]
pub struct Recipient<'a> {
    /// The address.
    pub address: &'a str,
    /// `email` or `sms`.
    pub via: &'a str,
}

/// Why a submitted code was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejected {
    /// No code of this flow matches.
    NotFound,
    /// It matched but was used already.
    Used,
    /// It matched but expired at the given time.
    Expired(Timestamp),
    /// The flow had more code submissions than allowed; it must restart.
    TooManyAttempts,
}

/// The hex HMAC of `secret` under `key`.
pub fn hmac_hex(key: &[u8], secret: &str) -> String {
    let mut mac = HmacSha512_256::new_from_slice(key).expect("hmac accepts any key length");
    mac.update(secret.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Creates and stores a new code for `flow_id`, valid for `lifespan`; returns the secret
/// (to be sent, never logged) with the stored row.
pub async fn issue(
    reg: &Registry,
    flow_id: Uuid,
    purpose: CodePurpose,
    issuer: CodeIssuer,
    identity_id: Uuid,
    to: Option<Recipient<'_>>,
    lifespan: std::time::Duration,
) -> Result<(String, OneTimeCode), FlowError> {
    let secret = if purpose.is_link() {
        token::alphanumeric(32)
    } else {
        token::numeric_code(CODE_LENGTH as usize)
    };
    let key = reg
        .options
        .cookie_secrets
        .first()
        .ok_or_else(|| FlowError::Internal("no cookie secret to key codes with".into()))?;
    let now = domain::now();
    let lifespan = chrono::Duration::from_std(lifespan).unwrap_or(chrono::Duration::minutes(10));
    let code = OneTimeCode {
        id: Uuid::new_v4(),
        flow_id,
        purpose,
        issuer,
        hmac: hmac_hex(key, &secret),
        identity_id,
        address: to.map(|t| t.address.to_string()),
        via: to.map(|t| t.via.to_string()),
        expires_at: now + lifespan,
        used_at: None,
        created_at: now,
    };
    reg.store.create_code(&code).await?;
    Ok((secret, code))
}

/// Consumes `secret` on `flow_id`. With `count_attempt`, the submission counts towards the
/// flow's limit first (codes typed by people; link tokens are too long to guess).
pub async fn consume(
    reg: &Registry,
    flow_id: Uuid,
    purpose: CodePurpose,
    secret: &str,
    count_attempt: bool,
) -> Result<Result<OneTimeCode, Rejected>, FlowError> {
    if count_attempt {
        let n = reg.store.count_code_submission(flow_id).await?;
        if n > reg.options.codes.max_submissions {
            return Ok(Err(Rejected::TooManyAttempts));
        }
    }
    let codes = reg.store.codes_of_flow(flow_id, purpose).await?;
    let found = reg.options.cookie_secrets.iter().find_map(|key| {
        let candidate = hmac_hex(key, secret.trim());
        codes
            .iter()
            .find(|c| bool::from(c.hmac.as_bytes().ct_eq(candidate.as_bytes())))
    });
    let Some(code) = found else {
        return Ok(Err(Rejected::NotFound));
    };
    let now = domain::now();
    if code.used_at.is_some() {
        return Ok(Err(Rejected::Used));
    }
    if code.expires_at <= now {
        return Ok(Err(Rejected::Expired(code.expires_at)));
    }
    if !reg.store.use_code(code.id, now).await? {
        return Ok(Err(Rejected::Used));
    }
    Ok(Ok(code.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_is_keyed_and_stable() {
        let a = hmac_hex(b"key-one-key-one", "123456");
        assert_eq!(a.len(), 64);
        assert_eq!(a, hmac_hex(b"key-one-key-one", "123456"));
        assert_ne!(a, hmac_hex(b"key-two-key-two", "123456"));
        assert_ne!(a, hmac_hex(b"key-one-key-one", "123457"));
    }
}
