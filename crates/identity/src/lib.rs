//! The identity server (wire-compatible with Ory Kratos v26) as a library.
//!
//! Layers: `domain` (types, no HTTP/SQL) → `schema`, `hash`, `method`, `flow` (behaviour)
//! → `store` (persistence behind `Arc<dyn Store>`) → `http` (the one mapping to the wire).

pub mod cli;
pub mod config;
pub mod courier;
pub mod domain;
pub mod flow;
pub mod hash;
pub mod http;
pub mod manage;
pub mod method;
pub mod options;
pub mod registry;
pub mod schema;
pub mod server;
pub mod session;
pub mod store;
