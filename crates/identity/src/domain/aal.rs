//! Authenticator assurance levels.

use serde::{Deserialize, Serialize};

/// Authenticator assurance level, as Kratos names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Aal {
    /// No authentication at all.
    #[default]
    Aal0,
    /// One factor.
    Aal1,
    /// Two factors.
    Aal2,
    /// Only in the spec enum; never assigned.
    Aal3,
}

impl Aal {
    /// The wire name (`aal1`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Aal::Aal0 => "aal0",
            Aal::Aal1 => "aal1",
            Aal::Aal2 => "aal2",
            Aal::Aal3 => "aal3",
        }
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Option<Aal> {
        match s {
            "aal0" => Some(Aal::Aal0),
            "aal1" => Some(Aal::Aal1),
            "aal2" => Some(Aal::Aal2),
            "aal3" => Some(Aal::Aal3),
            _ => None,
        }
    }
}
