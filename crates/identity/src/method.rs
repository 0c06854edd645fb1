//! Authentication methods (strategies): password, code, link, totp, lookup_secret, webauthn, passkey, profile.

pub mod code;
pub mod lookup_secret;
pub mod password;
pub mod totp;
pub mod webauthn;
