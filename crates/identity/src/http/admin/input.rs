//! Admin request input: JSON bodies (5 MB cap → 413) and ids in paths.

use axum::body::Body;
use serde::de::DeserializeOwned;
use uuid::Uuid;

use crate::domain::ApiError;
use crate::http::body::read_limited;

/// Reads the body and decodes it as `T`; a bad body is a 400 naming the decode error. An
/// oversized body is drained before the 413 ([`read_limited`]): a client still sending it
/// then reads the 413 instead of a broken pipe.
pub async fn json<T: DeserializeOwned>(body: Body, limit: usize) -> Result<T, ApiError> {
    let bytes = read_limited(body, limit).await?;
    if bytes.is_empty() {
        return Err(ApiError::bad_request(
            "The request body is empty: send a JSON document.",
        ));
    }
    serde_json::from_slice(&bytes).map_err(|e| {
        ApiError::new(400, format!("Unable to decode the JSON body: {e}"))
            .with_reason("The request was malformed or contained invalid parameters")
    })
}

/// An identity id from a path: anything that is not a UUID cannot exist → 404, as in Kratos.
pub fn identity_id(raw: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(raw).map_err(|_| ApiError::not_found())
}

/// A session or identity id where Kratos parses strictly → 400.
pub fn strict_id(raw: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(raw).map_err(|e| {
        ApiError::new(400, format!("could not parse UUID {raw:?}: {e}"))
            .with_reason("The id in the path is not a UUID.")
    })
}
