//! Why a password was refused, with what a UI message needs (Kratos `text/message_validation.go`).

use serde_json::{json, Value};

/// A password-policy outcome other than "accepted". The first four are validation messages;
/// [`PolicyViolation::BreachCheckFailed`] is an upstream fault (Kratos answers it with a 502
/// error, "Leaked password server unavailable", rather than a form message).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyViolation {
    /// Shorter than `min_password_length` bytes (4000032).
    #[error("{}", self.text())]
    TooShort {
        /// Configured minimum, in bytes.
        min_length: usize,
        /// Actual length, in bytes.
        actual_length: usize,
    },
    /// Longer than the hasher accepts, e.g. bcrypt's 72 bytes (4000033).
    #[error("{}", self.text())]
    TooLong {
        /// Maximum, in bytes.
        max_length: usize,
        /// Actual length, in bytes.
        actual_length: usize,
    },
    /// Too similar to the identifier (4000031).
    #[error("{}", self.text())]
    TooSimilarToIdentifier,
    /// Found in more than `max_breaches` breaches (4000034).
    #[error("{}", self.text())]
    Breached {
        /// How often the password appears in the breach corpus.
        breaches: u64,
    },
    /// The breach service could not be asked and `ignore_network_errors` is off. Not the
    /// user's fault; mapped to the generic 4000005 message if shown in a form at all.
    #[error("breached-password check failed: {reason}")]
    BreachCheckFailed {
        /// What went wrong (no password material).
        reason: String,
    },
}

impl PolicyViolation {
    /// The Kratos UI message id.
    pub fn message_id(&self) -> u32 {
        match self {
            PolicyViolation::TooShort { .. } => 4_000_032,
            PolicyViolation::TooLong { .. } => 4_000_033,
            PolicyViolation::TooSimilarToIdentifier => 4_000_031,
            PolicyViolation::Breached { .. } => 4_000_034,
            PolicyViolation::BreachCheckFailed { .. } => 4_000_005,
        }
    }

    /// The Kratos UI message text, exactly as Kratos words it.
    pub fn text(&self) -> String {
        match self {
            PolicyViolation::TooShort {
                min_length,
                actual_length,
            } => format!(
                "The password must be at least {min_length} characters long, but got {actual_length}."
            ),
            PolicyViolation::TooLong {
                max_length,
                actual_length,
            } => format!(
                "The password must be at most {max_length} characters long, but got {actual_length}."
            ),
            PolicyViolation::TooSimilarToIdentifier => {
                "The password can not be used because it is too similar to the identifier."
                    .to_owned()
            }
            PolicyViolation::Breached { .. } => {
                "The password has been found in data breaches and must no longer be used."
                    .to_owned()
            }
            PolicyViolation::BreachCheckFailed { .. } => format!(
                "The password can not be used because {}.",
                Self::UNAVAILABLE_REASON
            ),
        }
    }

    /// The Kratos UI message context (`{}` when the message has none).
    pub fn context(&self) -> Value {
        match self {
            PolicyViolation::TooShort {
                min_length,
                actual_length,
            } => json!({ "min_length": min_length, "actual_length": actual_length }),
            PolicyViolation::TooLong {
                max_length,
                actual_length,
            } => json!({ "max_length": max_length, "actual_length": actual_length }),
            PolicyViolation::TooSimilarToIdentifier => json!({}),
            PolicyViolation::Breached { breaches } => json!({ "breaches": breaches }),
            PolicyViolation::BreachCheckFailed { .. } => {
                json!({ "reason": Self::UNAVAILABLE_REASON })
            }
        }
    }

    /// Whether this is an upstream fault rather than a property of the password.
    pub fn is_upstream_error(&self) -> bool {
        matches!(self, PolicyViolation::BreachCheckFailed { .. })
    }

    const UNAVAILABLE_REASON: &'static str =
        "the leaked password service is unavailable, please try again later";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kratos_texts_and_contexts() {
        let v = PolicyViolation::TooShort {
            min_length: 8,
            actual_length: 3,
        };
        assert_eq!(v.message_id(), 4000032);
        assert_eq!(
            v.text(),
            "The password must be at least 8 characters long, but got 3."
        );
        assert_eq!(v.context(), json!({"min_length": 8, "actual_length": 3}));
        let v = PolicyViolation::TooLong {
            max_length: 72,
            actual_length: 80,
        };
        assert_eq!(
            (v.message_id(), v.text().as_str()),
            (
                4000033,
                "The password must be at most 72 characters long, but got 80."
            )
        );
        assert_eq!(v.context(), json!({"max_length": 72, "actual_length": 80}));
        let v = PolicyViolation::TooSimilarToIdentifier;
        assert_eq!(v.message_id(), 4000031);
        assert_eq!(
            v.text(),
            "The password can not be used because it is too similar to the identifier."
        );
        let v = PolicyViolation::Breached { breaches: 12 };
        assert_eq!(v.message_id(), 4000034);
        assert_eq!(
            v.text(),
            "The password has been found in data breaches and must no longer be used."
        );
        assert_eq!(v.context(), json!({"breaches": 12}));
        assert_eq!(v.to_string(), v.text());
    }
}
