//! The gateway (Ory Oathkeeper-compatible) as a library: access rules, the authentication
//! pipeline, the reverse proxy, the decisions API and the management API.

pub mod api;
pub mod cli;
pub mod config;
pub mod cors;
pub mod decisions;
pub mod engine;
pub mod error;
mod h1;
pub mod jwk;
pub mod metrics;
pub mod pipeline;
pub mod proxy;
pub mod rule;
pub mod server;
pub mod tls;

pub use config::OathkeeperConfig;
pub use error::GatewayError;
pub use server::{Gateway, GatewayBuilder, RunningGateway};
