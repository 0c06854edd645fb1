//! placeholder
pub mod template;
