//! Identity administration: what the admin API does to identities and their credentials,
//! without HTTP. Handlers decode requests into the types of [`body`], call the operations of
//! [`ops`] and [`batch`], and render what comes back.
//!
//! Addresses and credential identifiers always follow the identity schema (as registration
//! does): whatever a caller sends is validated and then kept in step with the traits.

pub mod batch;
pub mod body;
pub mod build;
pub mod credentials;
pub mod json_patch;
pub mod ops;

use crate::domain::ApiError;
use crate::store::StoreError;

/// Why an admin operation failed.
#[derive(Debug)]
pub enum AdminError {
    /// A Kratos API error for the caller (bad input, not found, conflict).
    Api(ApiError),
    /// Something broke; the cause goes to the log only.
    Internal(String),
}

impl AdminError {
    /// The error as the client sees it (internal causes become a bare 500).
    pub fn to_api(&self) -> ApiError {
        match self {
            AdminError::Api(e) => e.clone(),
            AdminError::Internal(_) => ApiError::internal(),
        }
    }
}

impl From<ApiError> for AdminError {
    fn from(e: ApiError) -> Self {
        AdminError::Api(e)
    }
}

impl From<StoreError> for AdminError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AdminError::Api(ApiError::not_found()),
            StoreError::Conflict(what) => AdminError::Api(conflict(&what)),
            other => AdminError::Internal(other.to_string()),
        }
    }
}

/// 409 with Kratos' reason, naming what collided (never the value).
pub fn conflict(what: &str) -> ApiError {
    ApiError::conflict("This identity conflicts with another identity that already exists.")
        .with_detail("conflict", what.to_string())
}
