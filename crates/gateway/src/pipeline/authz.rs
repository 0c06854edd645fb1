//! Authorizers.

pub mod keto;
pub mod remote;
pub mod simple;
