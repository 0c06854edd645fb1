//! Session issuing, lookup (with a revocation-aware cache) and the signed session cookie.

pub mod cookie;
pub mod manager;

pub use manager::{CachedSession, SessionManager};
