//! Identity JSON schemas with the `ory.sh/kratos` extension.
