//! Random tokens (session tokens, logout tokens, CSRF tokens, codes).

use rand::distributions::{Alphanumeric, DistString};
use rand::Rng;

/// Prefix of session tokens.
pub const SESSION_TOKEN_PREFIX: &str = "ory_st_";
/// Prefix of logout tokens.
pub const LOGOUT_TOKEN_PREFIX: &str = "ory_lo_";

/// `n` random alphanumerics from the OS-seeded CSPRNG.
pub fn alphanumeric(n: usize) -> String {
    Alphanumeric.sample_string(&mut rand::thread_rng(), n)
}

/// `n` characters from `a-z0-9` (Kratos' `randx.AlphaLowerNum`), e.g. lookup secrets.
pub fn lower_alphanumeric(n: usize) -> String {
    const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::thread_rng();
    (0..n)
        .map(|_| CHARS[rng.gen_range(0..CHARS.len())] as char)
        .collect()
}

/// A new session token: `ory_st_` + 32 alphanumerics (≈190 bits).
pub fn session_token() -> String {
    format!("{SESSION_TOKEN_PREFIX}{}", alphanumeric(32))
}

/// A new logout token: `ory_lo_` + 32 alphanumerics.
pub fn logout_token() -> String {
    format!("{LOGOUT_TOKEN_PREFIX}{}", alphanumeric(32))
}

/// A CSRF token: 64 alphanumerics.
pub fn csrf_token() -> String {
    alphanumeric(64)
}

/// A numeric one-time code of `digits` digits.
pub fn numeric_code(digits: usize) -> String {
    let mut rng = rand::thread_rng();
    (0..digits)
        .map(|_| char::from(b'0' + rng.gen_range(0..10u8)))
        .collect()
}

/// Letters only (cookie nonces).
pub fn letters(n: usize) -> String {
    let mut rng = rand::thread_rng();
    (0..n)
        .map(|_| char::from(b'a' + rng.gen_range(0..26u8)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_have_prefix_and_length() {
        let t = session_token();
        assert!(t.starts_with("ory_st_"));
        assert_eq!(t.len(), 7 + 32);
        assert_ne!(session_token(), session_token());
        assert_eq!(numeric_code(6).len(), 6);
        assert!(numeric_code(6).chars().all(|c| c.is_ascii_digit()));
    }
}
