//! Persistence: the `Store` traits and their SQLite and PostgreSQL implementations.
//!
//! The backend is chosen once, by [`open`], and used behind `Arc<dyn Store>`; no query path
//! ever asks which backend it runs on. Each backend has its own module and migrations folder
//! (`migrations/sqlite`, `migrations/postgres`); they share only the row-to-domain assembly in
//! [`rows`].

mod dsn;
mod error;
mod postgres;
mod rows;
mod sqlite;
pub mod testing;

use std::sync::Arc;

use async_trait::async_trait;
use serde_json::Value;
use uuid::Uuid;

use crate::domain::code::{CodePurpose, OneTimeCode};
use crate::domain::message::{Message, MessageStatus};
use crate::domain::{Flow, Identity, Session, Timestamp};

pub use dsn::Dsn;
pub use error::StoreError;

/// Result of store operations.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Kratos' default page size for admin lists (`oryx/pagination/keysetpagination`).
pub const DEFAULT_PAGE_SIZE: usize = 100;

/// Filters and keyset paging for [`IdentityStore::list_identities`].
///
/// At most one of `ids`, `credentials_identifier`, `identifier_similar` should be set (the
/// HTTP layer enforces Kratos' mutual exclusion); if several are, all apply.
#[derive(Debug, Clone)]
pub struct ListIdentities {
    /// Maximum number of identities returned.
    pub page_size: usize,
    /// Keyset token: only identities with `id > page_token`, ordered by id.
    pub page_token: Option<Uuid>,
    /// Only these identities (empty: no filter).
    pub ids: Vec<Uuid>,
    /// Only the identity owning this exact credential identifier (any credential type).
    pub credentials_identifier: Option<String>,
    /// Only identities with a credential identifier starting with this (case-sensitive).
    pub identifier_similar: Option<String>,
}

impl Default for ListIdentities {
    fn default() -> Self {
        ListIdentities {
            page_size: DEFAULT_PAGE_SIZE,
            page_token: None,
            ids: Vec::new(),
            credentials_identifier: None,
            identifier_similar: None,
        }
    }
}

/// Filters and keyset paging for [`SessionStore::list_sessions`].
#[derive(Debug, Clone)]
pub struct ListSessions {
    /// Only sessions of this identity.
    pub identity_id: Option<Uuid>,
    /// `Some(true)`: active flag set and not expired; `Some(false)`: the others.
    pub active: Option<bool>,
    /// Maximum number of sessions returned.
    pub page_size: usize,
    /// Keyset token: only sessions with `id > page_token`, ordered by id.
    pub page_token: Option<Uuid>,
    /// Leave out this session (the caller's own, for `GET /sessions`).
    pub except: Option<Uuid>,
    /// Fill `Session::identity`.
    pub with_identity: bool,
}

impl Default for ListSessions {
    fn default() -> Self {
        ListSessions {
            identity_id: None,
            active: None,
            page_size: DEFAULT_PAGE_SIZE,
            page_token: None,
            except: None,
            with_identity: false,
        }
    }
}

/// Identities with their credentials and addresses.
#[async_trait]
pub trait IdentityStore: Send + Sync {
    /// Inserts the identity, its credentials, identifiers and addresses in one transaction.
    /// A taken credential identifier, verifiable/recovery address or external id → `Conflict`.
    async fn create_identity(&self, identity: &Identity) -> Result<()>;
    /// Replaces traits, state, metadata, credentials and addresses atomically (`NotFound`,
    /// `Conflict` as for create).
    async fn update_identity(&self, identity: &Identity) -> Result<()>;
    /// The identity with credentials and addresses.
    async fn get_identity(&self, id: Uuid) -> Result<Option<Identity>>;
    /// The identity owning `identifier` for `credential_type` (exact, case-sensitive match).
    async fn find_identity_by_identifier(
        &self,
        credential_type: &str,
        identifier: &str,
    ) -> Result<Option<Identity>>;
    /// The identity with this `external_id`.
    async fn find_identity_by_external_id(&self, external_id: &str) -> Result<Option<Identity>>;
    /// The identity owning the verifiable address `value` reachable `via` (`email`, `sms`).
    async fn find_identity_by_verifiable_address(
        &self,
        via: &str,
        value: &str,
    ) -> Result<Option<Identity>>;
    /// The identity owning the recovery address `value` reachable `via`.
    async fn find_identity_by_recovery_address(
        &self,
        via: &str,
        value: &str,
    ) -> Result<Option<Identity>>;
    /// Deletes the identity with its sessions, credentials and addresses; false if absent.
    async fn delete_identity(&self, id: Uuid) -> Result<bool>;
    /// A keyset page of identities ordered by id, with credentials and addresses.
    async fn list_identities(&self, query: &ListIdentities) -> Result<Vec<Identity>>;
    /// Number of identities.
    async fn count_identities(&self) -> Result<u64>;
    /// Bulk import: many identities per transaction, one result per input, in order.
    async fn create_identities_batch(&self, identities: &[Identity]) -> Vec<Result<()>>;
}

/// Server-side sessions.
#[async_trait]
pub trait SessionStore: Send + Sync {
    /// Inserts a session (`NotFound` if its identity does not exist).
    async fn create_session(&self, session: &Session) -> Result<()>;
    /// The session; `identity` filled when `with_identity`.
    async fn get_session(&self, id: Uuid, with_identity: bool) -> Result<Option<Session>>;
    /// The session holding this bearer token, with its identity (the whoami hot path).
    async fn session_by_token(&self, token: &str) -> Result<Option<Session>>;
    /// The session holding this logout token, with its identity.
    async fn session_by_logout_token(&self, logout_token: &str) -> Result<Option<Session>>;
    /// Stores expiry, AAL, methods, devices, active flag and (rotated) tokens.
    async fn update_session(&self, session: &Session) -> Result<()>;
    /// A keyset page of sessions ordered by id.
    async fn list_sessions(&self, query: &ListSessions) -> Result<Vec<Session>>;
    /// Clears the active flag; false if the session does not exist.
    async fn revoke_session(&self, id: Uuid) -> Result<bool>;
    /// Revokes the identity's active sessions except `except`; returns how many.
    async fn revoke_sessions_of_identity(
        &self,
        identity_id: Uuid,
        except: Option<Uuid>,
    ) -> Result<u64>;
    /// Deletes all sessions of the identity; returns how many.
    async fn delete_sessions_of_identity(&self, identity_id: Uuid) -> Result<u64>;
}

/// Self-service flows.
#[async_trait]
pub trait FlowStore: Send + Sync {
    /// Inserts a flow.
    async fn create_flow(&self, flow: &Flow) -> Result<()>;
    /// The flow, expired or not.
    async fn get_flow(&self, id: Uuid) -> Result<Option<Flow>>;
    /// Replaces the stored flow (`NotFound` if absent).
    async fn update_flow(&self, flow: &Flow) -> Result<()>;
    /// Deletes flows that expired before `before`; returns how many.
    async fn delete_expired_flows(&self, before: Timestamp) -> Result<u64>;
}

/// Self-service errors shown at `/self-service/errors?id=`.
#[async_trait]
pub trait ErrorStore: Send + Sync {
    /// Stores an error body under `id`.
    async fn create_error(&self, id: Uuid, error: &Value) -> Result<()>;
    /// The error body and when it was stored.
    async fn get_error(&self, id: Uuid) -> Result<Option<(Value, Timestamp)>>;
}

/// Filters and keyset paging for [`CourierStore::list_messages`] (newest first).
#[derive(Debug, Clone)]
pub struct ListMessages {
    /// Maximum number of messages returned.
    pub page_size: usize,
    /// Keyset token: only messages listed after this one (older, or same time and lower id).
    pub page_token: Option<Uuid>,
    /// Only messages in this status.
    pub status: Option<MessageStatus>,
    /// Only messages to this exact recipient.
    pub recipient: Option<String>,
}

impl Default for ListMessages {
    fn default() -> Self {
        ListMessages {
            page_size: DEFAULT_PAGE_SIZE,
            page_token: None,
            status: None,
            recipient: None,
        }
    }
}

/// The courier's persistent message queue.
///
/// A watcher claims due messages with a lease ([`CourierStore::claim_messages`]); only the
/// lease owner can settle them, so two watchers never send the same message, and a message
/// whose watcher died is due again once its lease runs out.
#[async_trait]
pub trait CourierStore: Send + Sync {
    /// Inserts a message as given (normally `queued`, due at `next_attempt_at`).
    async fn enqueue_message(&self, message: &Message) -> Result<()>;
    /// Claims up to `limit` due messages for `worker`, oldest first: queued ones whose
    /// `next_attempt_at <= now`, and processing ones whose lease ended before `now`. They
    /// become `processing`, leased to `worker` until `now + lease`.
    async fn claim_messages(
        &self,
        worker: Uuid,
        now: Timestamp,
        lease: std::time::Duration,
        limit: usize,
    ) -> Result<Vec<Message>>;
    /// Records a delivery: `sent`, one more attempt, a `success` dispatch. False (and no
    /// change) if `worker` no longer holds the lease.
    async fn message_sent(&self, id: Uuid, worker: Uuid) -> Result<bool>;
    /// Records a failed attempt: one more attempt, a `failed` dispatch with `error`, then
    /// `queued` until `retry_at`, or `abandoned` when `retry_at` is `None`. False (and no
    /// change) if `worker` no longer holds the lease.
    async fn message_failed(
        &self,
        id: Uuid,
        worker: Uuid,
        error: &Value,
        retry_at: Option<Timestamp>,
    ) -> Result<bool>;
    /// Hands claimed messages back as `queued`, due at `retry_at`, without counting an
    /// attempt (the transport was down, the message not at fault). Returns how many.
    async fn release_messages(
        &self,
        ids: &[Uuid],
        worker: Uuid,
        retry_at: Timestamp,
    ) -> Result<u64>;
    /// A keyset page of messages, newest first, without dispatches.
    async fn list_messages(&self, query: &ListMessages) -> Result<Vec<Message>>;
    /// The message with its dispatches.
    async fn get_message(&self, id: Uuid) -> Result<Option<Message>>;
}

/// One-time codes and link tokens of recovery and verification flows (stored as HMACs).
#[async_trait]
pub trait CodeStore: Send + Sync {
    /// Inserts a code (`NotFound` if its flow or identity does not exist).
    async fn create_code(&self, code: &OneTimeCode) -> Result<()>;
    /// The codes of `flow_id` for `purpose`, used or not, expired or not.
    async fn codes_of_flow(&self, flow_id: Uuid, purpose: CodePurpose) -> Result<Vec<OneTimeCode>>;
    /// Marks the code used at `at`; false if it was used already (a concurrent submission won).
    async fn use_code(&self, id: Uuid, at: Timestamp) -> Result<bool>;
    /// Deletes the codes of `flow_id` for `purpose` (before another one is sent); how many.
    async fn delete_codes_of_flow(&self, flow_id: Uuid, purpose: CodePurpose) -> Result<u64>;
    /// Counts one more code submission on `flow_id`, atomically; returns the new count.
    async fn count_code_submission(&self, flow_id: Uuid) -> Result<u32>;
    /// Records that `identity_id` used the `credential_type` secret `key` (a TOTP time step,
    /// a lookup secret's hash) at `at`; false if it was recorded before (a replay, or a
    /// concurrent submission won).
    async fn use_second_factor(
        &self,
        identity_id: Uuid,
        credential_type: &str,
        key: &str,
        at: Timestamp,
    ) -> Result<bool>;
    /// Forgets the recorded uses of `identity_id`'s `credential_type` secrets made before
    /// `before`; how many.
    async fn forget_second_factor_uses(
        &self,
        identity_id: Uuid,
        credential_type: &str,
        before: Timestamp,
    ) -> Result<u64>;
}

/// Everything the identity server persists, plus schema management.
#[async_trait]
pub trait Store:
    IdentityStore + SessionStore + FlowStore + ErrorStore + CourierStore + CodeStore + Send + Sync
{
    /// Applies pending migrations (idempotent).
    async fn migrate(&self) -> Result<()>;
    /// How many embedded migrations are not applied yet.
    async fn pending_migrations(&self) -> Result<usize>;
    /// Checks the database answers.
    async fn ping(&self) -> Result<()>;
    /// Which backend this is (`sqlite`, `postgres`), for logs.
    fn backend(&self) -> &'static str;
}

/// Opens the store named by a Kratos-style DSN (see [`Dsn`]). `memory` is migrated at once;
/// other databases are not (check [`Store::pending_migrations`]).
pub async fn open(dsn: &str) -> Result<Arc<dyn Store>> {
    match Dsn::parse(dsn)? {
        Dsn::Sqlite(options) => {
            let memory = options.memory;
            let store = sqlite::SqliteStore::connect(options).await?;
            if memory {
                store.migrate().await?;
            }
            Ok(Arc::new(store))
        }
        Dsn::Postgres(options) => postgres::connect(options).await,
    }
}
