//! Typed view of kratos.yml.
