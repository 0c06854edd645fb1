//! Authenticators.

pub mod bearer_token;
pub mod cookie_session;
pub mod jwt;
pub mod oauth2_client_credentials;
pub mod oauth2_introspection;
pub mod session_cache;
pub mod session_check;
pub mod simple;
pub mod token_from;
