//! Plumbing shared by the identity server and the gateway.

pub mod config;
pub mod signal;
pub mod template;
