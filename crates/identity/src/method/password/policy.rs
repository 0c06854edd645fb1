//! Password policy: minimum length, identifier similarity, breached-password check.
//!
//! Kratos `selfservice/strategy/password/validator.go`, in its order: minimum length in bytes
//! (4000032), optional maximum length (bcrypt's 72 bytes, 4000033), similarity to the
//! identifier (4000031), then Have I Been Pwned (4000034).

mod hibp;
mod similarity;
mod violation;

pub use violation::PolicyViolation;

/// Settings of the policy (`selfservice.methods.password.config.*`), defaults as Kratos.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicySettings {
    /// Minimum length in bytes (`min_password_length`, default 8).
    pub min_password_length: usize,
    /// Refuse passwords similar to the identifier (`identifier_similarity_check_enabled`, true).
    pub identifier_similarity_check_enabled: bool,
    /// Check the breach corpus (`haveibeenpwned_enabled`, true).
    pub haveibeenpwned_enabled: bool,
    /// Range-API host (`haveibeenpwned_host`, `api.pwnedpasswords.com`); may carry an
    /// `http://` or `https://` scheme (tests, mirrors), else https is used.
    pub haveibeenpwned_host: String,
    /// Most breaches a password may appear in (`max_breaches`, 0).
    pub max_breaches: u32,
    /// Accept the password when the breach service cannot be asked (`ignore_network_errors`,
    /// true).
    pub ignore_network_errors: bool,
}

impl Default for PolicySettings {
    fn default() -> Self {
        Self {
            min_password_length: 8,
            identifier_similarity_check_enabled: true,
            haveibeenpwned_enabled: true,
            haveibeenpwned_host: "api.pwnedpasswords.com".to_owned(),
            max_breaches: 0,
            ignore_network_errors: true,
        }
    }
}

/// Checks new passwords against the policy. Share it behind an `Arc`: it holds the breach cache.
pub struct PasswordPolicy {
    settings: PolicySettings,
    max_length: Option<usize>,
    breaches: hibp::BreachClient,
}

impl std::fmt::Debug for PasswordPolicy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordPolicy")
            .field("settings", &self.settings)
            .field("max_length", &self.max_length)
            .finish_non_exhaustive()
    }
}

impl PasswordPolicy {
    /// Builds the policy. `http` should have a 1 s connect timeout (see
    /// [`PasswordPolicy::default_http_client`]); each lookup also has a 5 s overall deadline.
    pub fn new(settings: PolicySettings, http: reqwest::Client) -> Self {
        let breaches = hibp::BreachClient::new(http, &settings.haveibeenpwned_host);
        Self {
            settings,
            max_length: None,
            breaches,
        }
    }

    /// Also refuses passwords longer than `max_bytes` (pass `PasswordHasher::max_password_bytes`:
    /// `Some(72)` for bcrypt).
    pub fn with_max_length(mut self, max_bytes: Option<usize>) -> Self {
        self.max_length = max_bytes;
        self
    }

    /// An HTTP client with the timeouts Kratos uses for the breach lookup (1 s connect, and a
    /// 5 s overall deadline).
    pub fn default_http_client() -> reqwest::Client {
        hibp::default_client()
    }

    /// The settings in force.
    pub fn settings(&self) -> &PolicySettings {
        &self.settings
    }

    /// Checks `password` for `identifier`; `Err` says why it is refused, or that the breach
    /// service failed while `ignore_network_errors` is off.
    pub async fn check(&self, identifier: &str, password: &str) -> Result<(), PolicyViolation> {
        let s = &self.settings;
        if password.len() < s.min_password_length {
            return Err(PolicyViolation::TooShort {
                min_length: s.min_password_length,
                actual_length: password.len(),
            });
        }
        if let Some(max) = self.max_length {
            if password.len() > max {
                return Err(PolicyViolation::TooLong {
                    max_length: max,
                    actual_length: password.len(),
                });
            }
        }
        if s.identifier_similarity_check_enabled && similarity::too_similar(identifier, password) {
            return Err(PolicyViolation::TooSimilarToIdentifier);
        }
        if !s.haveibeenpwned_enabled {
            return Ok(());
        }
        match self.breaches.breaches(password).await {
            Ok(count) if count > u64::from(s.max_breaches) => {
                Err(PolicyViolation::Breached { breaches: count })
            }
            Ok(_) => Ok(()),
            Err(e) if s.ignore_network_errors => {
                tracing::warn!(reason = %e.0, "breached-password check skipped");
                Ok(())
            }
            Err(e) => Err(PolicyViolation::BreachCheckFailed { reason: e.0 }),
        }
    }
}

#[cfg(test)]
mod tests;
