//! The password method.

pub mod policy;
