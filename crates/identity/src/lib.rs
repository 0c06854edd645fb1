//! The identity server (wire-compatible with Ory Kratos v26) as a library.
//!
//! Layers: `domain` (types, no HTTP/SQL) → `schema`, `hash`, `method`, `flow` (behaviour)
//! → `store` (persistence behind `Arc<dyn Store>`) → `http` (the one mapping to the wire).

pub mod config;
pub mod domain;
pub mod hash;
pub mod method;
pub mod schema;
pub mod store;
