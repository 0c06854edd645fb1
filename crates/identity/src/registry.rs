//! The dependencies the flows and handlers share, built once at start-up.

use std::sync::Arc;

use crate::courier::Courier;
use crate::hash::PasswordHasher;
use crate::method::password::policy::PasswordPolicy;
use crate::options::Options;
use crate::schema::SchemaRegistry;
use crate::session::SessionManager;
use crate::store::Store;

/// Shared dependencies (cheap to clone).
#[derive(Clone)]
pub struct Registry {
    /// Resolved options.
    pub options: Arc<Options>,
    /// Persistence.
    pub store: Arc<dyn Store>,
    /// Identity schemas.
    pub schemas: Arc<SchemaRegistry>,
    /// Password hashing on the bounded blocking pool.
    pub hasher: PasswordHasher,
    /// Password policy.
    pub policy: Arc<PasswordPolicy>,
    /// Sessions.
    pub sessions: SessionManager,
    /// Outgoing email queue.
    pub courier: Courier,
}
