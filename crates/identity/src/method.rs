//! Authentication methods (strategies): password, code, link, totp, lookup_secret, webauthn, passkey, profile.

pub mod password;
