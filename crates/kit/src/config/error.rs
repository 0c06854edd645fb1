//! The one error type of configuration loading.

use std::fmt;

/// Process exit status for a bad configuration (`EX_USAGE` from sysexits.h).
pub const EXIT_CONFIG: u8 = 64;

/// Why a configuration could not be loaded; `Display` is always one line.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A config file could not be read.
    #[error("cannot read {file}: {source}")]
    Read {
        /// The file as given on the command line.
        file: String,
        /// The I/O failure.
        #[source]
        source: std::io::Error,
    },
    /// A config file is not valid YAML or JSON, or its top level is not an object.
    #[error("cannot parse {file}: {message}")]
    Parse {
        /// The file as given on the command line.
        file: String,
        /// The parser's message, folded onto one line.
        message: String,
    },
    /// A value is missing or invalid.
    #[error("config error at {path}: {message}{}", Origin(origin))]
    Invalid {
        /// Dotted key path, e.g. `selfservice.flows.login.lifespan`.
        path: String,
        /// What is wrong with the value.
        message: String,
        /// Where the value came from (`kratos.yml`, `env DSN`), when known.
        origin: Option<String>,
    },
    /// The embedded JSON schema itself is broken (a bug, not a user error).
    #[error("invalid config schema: {0}")]
    Schema(String),
}

struct Origin<'a>(&'a Option<String>);

impl fmt::Display for Origin<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(o) => write!(f, " (from {o})"),
            None => Ok(()),
        }
    }
}

impl ConfigError {
    /// An invalid value at `path` whose origin is unknown.
    pub fn invalid(path: impl Into<String>, message: impl Into<String>) -> Self {
        ConfigError::Invalid {
            path: path.into(),
            message: one_line(&message.into()),
            origin: None,
        }
    }

    /// The dotted key path this error is about, if any.
    pub fn path(&self) -> Option<&str> {
        match self {
            ConfigError::Invalid { path, .. } => Some(path),
            _ => None,
        }
    }

    /// The process exit status to use: always [`EXIT_CONFIG`].
    pub fn exit_code(&self) -> u8 {
        EXIT_CONFIG
    }
}

/// Folds a multi-line message onto one line.
pub(crate) fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_one_line_and_names_key_and_origin() {
        let e = ConfigError::Invalid {
            path: "selfservice.flows.login.lifespan".into(),
            message: "\"1x\" is not a valid duration".into(),
            origin: Some("kratos.yml".into()),
        };
        assert_eq!(
            e.to_string(),
            "config error at selfservice.flows.login.lifespan: \"1x\" is not a valid duration (from kratos.yml)"
        );
        assert_eq!(
            ConfigError::invalid("dsn", "a\nb").to_string(),
            "config error at dsn: a b"
        );
        assert_eq!(e.exit_code(), 64);
    }
}
