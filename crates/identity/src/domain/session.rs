//! Server-side sessions.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Aal, Identity, Timestamp};

/// One completed authentication step of a session.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct AuthenticationMethod {
    /// Method name (`password`, `totp`, `code_recovery`, …).
    pub method: String,
    /// The AAL this method counts for.
    pub aal: Aal,
    /// When it was completed.
    pub completed_at: Timestamp,
    /// OIDC provider, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
}

/// A device a session was used from.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Device {
    /// Device id.
    pub id: Uuid,
    /// Client IP address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip_address: Option<String>,
    /// User agent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    /// Location from `Cf-Ipcity`/`Cf-Ipcountry`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
}

/// A server-side session.
#[derive(Clone, Serialize, Deserialize, PartialEq)]
pub struct Session {
    /// Session id.
    pub id: Uuid,
    /// Stored flag: false once revoked. On the wire `active` is computed, see [`Session::is_active`].
    pub active: bool,
    /// Expiry.
    pub expires_at: Timestamp,
    /// Last (re-)authentication.
    pub authenticated_at: Timestamp,
    /// Current AAL.
    pub authenticator_assurance_level: Aal,
    /// Completed methods.
    pub authentication_methods: Vec<AuthenticationMethod>,
    /// Creation time.
    pub issued_at: Timestamp,
    /// Owner.
    #[serde(skip)]
    pub identity_id: Uuid,
    /// The identity, when loaded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity: Option<Identity>,
    /// Devices.
    pub devices: Vec<Device>,
    /// Bearer token (secret; never serialised).
    #[serde(skip)]
    pub token: String,
    /// Logout token (secret; never serialised).
    #[serde(skip)]
    pub logout_token: String,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("id", &self.id)
            .field("identity_id", &self.identity_id)
            .field("active", &self.active)
            .field("expires_at", &self.expires_at)
            .field("aal", &self.authenticator_assurance_level)
            .finish_non_exhaustive()
    }
}

impl Session {
    /// A new session for `identity`, valid for `lifespan`.
    pub fn new(identity: &Identity, lifespan: chrono::Duration, device: Device) -> Self {
        let now = super::now();
        Session {
            id: Uuid::new_v4(),
            active: true,
            expires_at: now + lifespan,
            authenticated_at: now,
            authenticator_assurance_level: Aal::Aal0,
            authentication_methods: Vec::new(),
            issued_at: now,
            identity_id: identity.id,
            identity: Some(identity.clone()),
            devices: vec![device],
            token: super::token::session_token(),
            logout_token: super::token::logout_token(),
        }
    }

    /// Active flag ∧ not expired ∧ identity active.
    pub fn is_active(&self, now: Timestamp) -> bool {
        self.active
            && self.expires_at > now
            && self.identity.as_ref().is_none_or(Identity::is_active)
    }

    /// Records a completed method and recomputes the AAL.
    pub fn complete_method(&mut self, method: &str, aal: Aal) {
        let now = super::now();
        self.authentication_methods.push(AuthenticationMethod {
            method: method.to_string(),
            aal,
            completed_at: now,
            provider: None,
        });
        self.authenticated_at = now;
        self.authenticator_assurance_level = Self::aal_of(&self.authentication_methods);
    }

    /// Records a method completed while already signed in (enrolling a second factor counts
    /// as using it, as in Kratos) without changing `authenticated_at`.
    pub fn add_method(&mut self, method: &str, aal: Aal) {
        self.authentication_methods.push(AuthenticationMethod {
            method: method.to_string(),
            aal,
            completed_at: super::now(),
            provider: None,
        });
        self.authenticator_assurance_level = Self::aal_of(&self.authentication_methods);
    }

    /// aal2 iff the methods hold an aal1 and an aal2 entry; aal0 if empty; else aal1.
    pub fn aal_of(methods: &[AuthenticationMethod]) -> Aal {
        if methods.is_empty() {
            return Aal::Aal0;
        }
        let first = methods.iter().any(|m| m.aal == Aal::Aal1);
        let second = methods.iter().any(|m| m.aal == Aal::Aal2);
        if first && second {
            Aal::Aal2
        } else {
            Aal::Aal1
        }
    }

    /// Whether `expires_at` may be extended now (Kratos `earliest_possible_extend` rule).
    pub fn can_extend(&self, now: Timestamp, earliest_possible_extend: chrono::Duration) -> bool {
        self.expires_at - earliest_possible_extend < now
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aal_follows_kratos_rule() {
        let m = |aal| AuthenticationMethod {
            method: "x".into(),
            aal,
            completed_at: crate::domain::now(),
            provider: None,
        };
        assert_eq!(Session::aal_of(&[]), Aal::Aal0);
        assert_eq!(Session::aal_of(&[m(Aal::Aal1)]), Aal::Aal1);
        assert_eq!(Session::aal_of(&[m(Aal::Aal2)]), Aal::Aal1);
        assert_eq!(Session::aal_of(&[m(Aal::Aal1), m(Aal::Aal2)]), Aal::Aal2);
    }
}
