//! The one error type of the store layer.

/// What went wrong in the store. The HTTP layer maps `Conflict` to 409 / message 4000007 and
/// everything internal to a 500 whose cause only goes to the log.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The row to update or reference does not exist.
    #[error("not found")]
    NotFound,
    /// A unique constraint was violated (e.g. a credential identifier is already taken).
    #[error("conflict: {0}")]
    Conflict(String),
    /// The DSN names a backend this build cannot use.
    #[error("{0}")]
    UnsupportedDsn(String),
    /// The database schema is behind this binary.
    #[error("{0} database migration(s) pending")]
    PendingMigrations(usize),
    /// A stored row could not be turned into a domain value.
    #[error("corrupt row: {0}")]
    Corrupt(String),
    /// Any other database failure (internal).
    #[error("database error: {}", describe(.0))]
    Database(#[source] sqlx::Error),
}

impl StoreError {
    /// Whether this is an internal failure (log it, answer "internal error").
    pub fn is_internal(&self) -> bool {
        matches!(self, Self::Database(_) | Self::Corrupt(_))
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(err: sqlx::Error) -> Self {
        use sqlx::error::ErrorKind;
        match &err {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::Database(db) => match db.kind() {
                ErrorKind::UniqueViolation => StoreError::Conflict(conflict_subject(db.as_ref())),
                // Only references to identities are enforced: the identity is gone.
                ErrorKind::ForeignKeyViolation => StoreError::NotFound,
                _ => StoreError::Database(err),
            },
            _ => StoreError::Database(err),
        }
    }
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(err: sqlx::migrate::MigrateError) -> Self {
        match err {
            sqlx::migrate::MigrateError::Execute(e) => e.into(),
            other => StoreError::Database(sqlx::Error::Migrate(Box::new(other))),
        }
    }
}

/// Names what was duplicated, from the constraint (PostgreSQL) or message (SQLite), without
/// repeating the value itself (identifiers are personal data).
fn conflict_subject(db: &dyn sqlx::error::DatabaseError) -> String {
    let hint = db.constraint().unwrap_or_else(|| db.message());
    let what = if hint.contains("identifiers") || hint.contains("identifier") {
        "an identity with this credential identifier already exists"
    } else if hint.contains("verifiable") {
        "an identity with this verifiable address already exists"
    } else if hint.contains("recovery") {
        "an identity with this recovery address already exists"
    } else if hint.contains("external_id") {
        "an identity with this external id already exists"
    } else if hint.contains("credentials") {
        "the identity already has a credential of this type"
    } else if hint.contains("token") {
        "session token already in use"
    } else {
        "a row with this id already exists"
    };
    what.to_string()
}

/// A description of a database error that never contains connection strings or passwords:
/// server messages are kept (they name relations, not credentials), configuration and
/// TLS errors are summarised.
fn describe(err: &sqlx::Error) -> String {
    match err {
        sqlx::Error::Configuration(_) => "invalid database configuration".into(),
        sqlx::Error::Tls(_) => "TLS error".into(),
        sqlx::Error::Database(db) => db.message().to_string(),
        sqlx::Error::Io(e) => format!("I/O error: {}", e.kind()),
        sqlx::Error::PoolTimedOut => "timed out waiting for a database connection".into(),
        sqlx::Error::PoolClosed => "database pool closed".into(),
        sqlx::Error::Protocol(m) => format!("protocol error: {m}"),
        sqlx::Error::ColumnDecode { index, .. } => format!("cannot decode column {index}"),
        sqlx::Error::Migrate(e) => format!("migration failed: {e}"),
        other => format!("{other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_error_display_hides_configuration() {
        let err = StoreError::Database(sqlx::Error::Configuration(
            "postgres://u:hunter2@host/db".into(),
        ));
        assert!(!err.to_string().contains("hunter2"));
    }
}
