//! One-time codes and link tokens of the recovery, verification and login flows.
//!
//! Only an HMAC of the secret is kept; the secret itself exists in the email alone.

use uuid::Uuid;

use super::Timestamp;

/// What a code proves and how it travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodePurpose {
    /// A recovery code typed into the flow.
    RecoveryCode,
    /// A recovery link token.
    RecoveryLink,
    /// A verification code typed into the flow.
    VerificationCode,
    /// A verification link token.
    VerificationLink,
    /// A login code (passwordless first factor or second factor).
    LoginCode,
}

impl CodePurpose {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            CodePurpose::RecoveryCode => "recovery_code",
            CodePurpose::RecoveryLink => "recovery_link",
            CodePurpose::VerificationCode => "verification_code",
            CodePurpose::VerificationLink => "verification_link",
            CodePurpose::LoginCode => "login_code",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "recovery_code" => CodePurpose::RecoveryCode,
            "recovery_link" => CodePurpose::RecoveryLink,
            "verification_code" => CodePurpose::VerificationCode,
            "verification_link" => CodePurpose::VerificationLink,
            "login_code" => CodePurpose::LoginCode,
            _ => return None,
        })
    }

    /// Links carry long random tokens; codes are six digits.
    pub fn is_link(self) -> bool {
        matches!(
            self,
            CodePurpose::RecoveryLink | CodePurpose::VerificationLink
        )
    }
}

/// Who asked for the code: the person (self-service, to an address) or an administrator
/// (`POST /admin/recovery/{code,link}`, to no address).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeIssuer {
    /// Sent to an address the person gave.
    SelfService,
    /// Handed to an administrator.
    Admin,
}

impl CodeIssuer {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            CodeIssuer::SelfService => "self_service",
            CodeIssuer::Admin => "admin",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "self_service" => Some(CodeIssuer::SelfService),
            "admin" => Some(CodeIssuer::Admin),
            _ => None,
        }
    }
}

/// A stored one-time code or link token, bound to one flow.
#[derive(Clone, PartialEq)]
pub struct OneTimeCode {
    /// Row id.
    pub id: Uuid,
    /// The flow it belongs to (usable there only).
    pub flow_id: Uuid,
    /// What it is for.
    pub purpose: CodePurpose,
    /// Who asked for it.
    pub issuer: CodeIssuer,
    /// Hex HMAC of the secret (never the secret).
    pub hmac: String,
    /// The identity it recovers or whose address it verifies.
    pub identity_id: Uuid,
    /// The address it was sent to (none for admin codes).
    pub address: Option<String>,
    /// `email` or `sms`, with `address`.
    pub via: Option<String>,
    /// When it stops working.
    pub expires_at: Timestamp,
    /// When it was used, if it was.
    pub used_at: Option<Timestamp>,
    /// Creation time.
    pub created_at: Timestamp,
}

impl std::fmt::Debug for OneTimeCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OneTimeCode")
            .field("id", &self.id)
            .field("flow_id", &self.flow_id)
            .field("purpose", &self.purpose)
            .field("issuer", &self.issuer)
            .field("expires_at", &self.expires_at)
            .field("used_at", &self.used_at)
            .finish_non_exhaustive()
    }
}
