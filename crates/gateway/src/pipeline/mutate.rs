//! Mutators.

pub mod headers;
pub mod hydrator;
pub mod id_token;
