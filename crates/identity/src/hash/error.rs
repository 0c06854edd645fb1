//! The one error type of the hashing layer.

/// Why a password could not be hashed or a stored hash could not be checked.
///
/// Messages name the format and the fault, never the hash or the password.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum HashError {
    /// The stored hash is in no format we (or Kratos) understand; carries the format's name only.
    #[error("unknown hash format: {0}")]
    UnknownFormat(String),
    /// The hash names a known format but is malformed.
    #[error("invalid {format} hash: {reason}")]
    Invalid {
        /// Format name, e.g. `pbkdf2`.
        format: &'static str,
        /// What is wrong, e.g. `bad salt encoding`.
        reason: &'static str,
    },
    /// The hash declares cost parameters beyond the bounds that protect memory and CPU.
    #[error("{format} hash parameters out of bounds: {detail}")]
    ParametersOutOfBounds {
        /// Format name.
        format: &'static str,
        /// Which parameter and its limit.
        detail: String,
    },
    /// The password is longer than the algorithm accepts (bcrypt: 72 bytes).
    #[error("password too long: at most {max} bytes, got {actual}")]
    PasswordTooLong {
        /// Maximum length in bytes.
        max: usize,
        /// Actual length in bytes.
        actual: usize,
    },
    /// The hashing work failed for an internal reason (task panicked, RNG failure, …).
    #[error("internal hashing error: {0}")]
    Internal(String),
}

impl HashError {
    pub(crate) fn invalid(format: &'static str, reason: &'static str) -> Self {
        HashError::Invalid { format, reason }
    }

    pub(crate) fn bounds(format: &'static str, detail: impl Into<String>) -> Self {
        HashError::ParametersOutOfBounds {
            format,
            detail: detail.into(),
        }
    }
}
