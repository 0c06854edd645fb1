//! `PATCH /admin/identities`: up to 1,000 creates in one call, one result per patch. A bad
//! item is reported and skipped; the good ones are stored in bulk.

use futures::future::join_all;
use serde::Serialize;
use uuid::Uuid;

use super::body::{BatchBody, BatchPatch, CreateIdentityBody};
use super::{ops, AdminError};
use crate::domain::error::ErrorBody;
use crate::domain::{ApiError, Identity};
use crate::registry::Registry;

/// Most patches per request (Kratos `BatchPatchIdentitiesLimit`).
pub const MAX_PATCHES: usize = 1000;

/// Most plaintext passwords per request: each costs a hash (Kratos
/// `BatchPatchIdentitiesWithPasswordLimit`).
pub const MAX_PLAINTEXT_PASSWORDS: usize = 200;

/// One entry of `batchPatchIdentitiesResponse.identities` (`identityPatchResponse`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PatchResult {
    /// `create` or `error`.
    pub action: &'static str,
    /// The new identity's id, when created.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity: Option<Uuid>,
    /// The caller's patch id, echoed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub patch_id: Option<Uuid>,
    /// Why it failed (`genericError`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorBody>,
}

impl PatchResult {
    fn failed(patch_id: Option<Uuid>, e: &AdminError) -> Self {
        if let AdminError::Internal(cause) = e {
            tracing::error!(%cause, "batch identity import failed");
        }
        PatchResult {
            action: "error",
            identity: None,
            patch_id,
            error: Some(e.to_api().error),
        }
    }
}

/// Runs the batch. Errors only for a request that is wrong as a whole (too many patches).
pub async fn run(reg: &Registry, body: BatchBody) -> Result<Vec<PatchResult>, ApiError> {
    if body.identities.len() > MAX_PATCHES {
        return Err(ApiError::bad_request(format!(
            "The maximum number of identities per request that can be created or deleted at once is {MAX_PATCHES}."
        )));
    }
    let decoded: Vec<(Option<Uuid>, Result<CreateIdentityBody, AdminError>)> =
        body.identities.into_iter().map(decode).collect();
    let plaintext = decoded
        .iter()
        .filter(|(_, b)| {
            b.as_ref()
                .is_ok_and(|b| super::credentials::has_plaintext(b.credentials.as_ref()))
        })
        .count();
    if plaintext > MAX_PLAINTEXT_PASSWORDS {
        return Err(ApiError::bad_request(format!(
            "The maximum number of identities per request that can be created with a plaintext password is {MAX_PLAINTEXT_PASSWORDS}."
        )));
    }
    // Hashing runs on the hasher's bounded pool, so building them all at once is safe.
    let built: Vec<(Option<Uuid>, Result<Identity, AdminError>)> =
        join_all(decoded.into_iter().map(|(patch_id, body)| async move {
            let identity = match body {
                Ok(b) => ops::build_new(reg, b).await,
                Err(e) => Err(e),
            };
            (patch_id, identity)
        }))
        .await;

    let ready: Vec<Identity> = built
        .iter()
        .filter_map(|(_, r)| r.as_ref().ok().cloned())
        .collect();
    let mut stored = reg.store.create_identities_batch(&ready).await.into_iter();
    Ok(built
        .into_iter()
        .map(|(patch_id, result)| match result {
            Err(e) => PatchResult::failed(patch_id, &e),
            Ok(identity) => match stored.next() {
                Some(Ok(())) => PatchResult {
                    action: "create",
                    identity: Some(identity.id),
                    patch_id,
                    error: None,
                },
                Some(Err(e)) => PatchResult::failed(patch_id, &AdminError::from(e)),
                None => PatchResult::failed(
                    patch_id,
                    &AdminError::Internal("missing batch result".into()),
                ),
            },
        })
        .collect())
}

fn decode(patch: BatchPatch) -> (Option<Uuid>, Result<CreateIdentityBody, AdminError>) {
    let body = match patch.create {
        None => Err(ApiError::bad_request("Only `create` patches are supported.").into()),
        Some(raw) => serde_json::from_value::<CreateIdentityBody>(raw)
            .map_err(|e| ApiError::bad_request(format!("Invalid identity: {e}")).into()),
    };
    (patch.patch_id, body)
}
