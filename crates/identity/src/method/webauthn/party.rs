//! The relying party: registration and authentication ceremonies on webauthn-rs' core, with
//! the policies of Kratos' methods ([`KeyKind`]). Ceremony state is plain JSON, kept in the
//! flow until the browser answers.

use std::time::Duration;

use serde_json::Value;
use url::Url;
use webauthn_rs_core::proto::{
    AttestationConveyancePreference, AuthenticationResult, AuthenticationState,
    CreationChallengeResponse, Credential, CredentialID, PublicKeyCredential,
    RegisterPublicKeyCredential, RegistrationState, RequestChallengeResponse,
    UserVerificationPolicy,
};
use webauthn_rs_core::WebauthnCore;

use crate::config::RelyingParty as RpConfig;

/// How long the browser may take to answer a challenge.
const CEREMONY_TIMEOUT: Duration = Duration::from_secs(300);

/// The kind of key a ceremony is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// A second factor (`webauthn` with `passwordless: false`): no user verification, no
    /// discoverable credential needed.
    SecurityKey,
    /// A first factor (`webauthn` with `passwordless: true`): user verification required.
    Passwordless,
    /// A passkey: discoverable, user verification preferred.
    Passkey,
}

impl KeyKind {
    fn verification(self) -> UserVerificationPolicy {
        match self {
            KeyKind::SecurityKey => UserVerificationPolicy::Discouraged_DO_NOT_USE,
            KeyKind::Passwordless => UserVerificationPolicy::Required,
            KeyKind::Passkey => UserVerificationPolicy::Preferred,
        }
    }

    fn discoverable(self) -> bool {
        matches!(self, KeyKind::Passkey | KeyKind::Passwordless)
    }
}

/// Why a ceremony failed.
#[derive(Debug, thiserror::Error)]
pub enum CeremonyError {
    /// The browser's answer is not a WebAuthn response.
    #[error("malformed WebAuthn response: {0}")]
    Malformed(String),
    /// The answer does not verify (origin, challenge, signature, unknown key, …).
    #[error("WebAuthn response rejected: {0}")]
    Rejected(String),
    /// The flow holds no (or broken) ceremony state.
    #[error("no WebAuthn ceremony in progress: {0}")]
    NoCeremony(String),
}

/// A configured relying party.
#[derive(Debug, Clone)]
pub struct RelyingParty {
    core: WebauthnCore,
}

impl RelyingParty {
    /// From `rp` (`id`, `display_name`, `origins` / `origin`); the id and origin default to
    /// the public base URL's host and origin, the display name to the id.
    pub fn new(rp: &RpConfig, public_url: &Url) -> Result<Self, String> {
        let id = if rp.id.trim().is_empty() {
            public_url.host_str().unwrap_or("localhost").to_string()
        } else {
            rp.id.trim().to_string()
        };
        let mut origins = Vec::new();
        for o in rp.all_origins() {
            origins.push(Url::parse(&o).map_err(|e| format!("rp origin {o:?}: {e}"))?);
        }
        if origins.is_empty() {
            let origin = public_url.origin().ascii_serialization();
            origins.push(Url::parse(&origin).map_err(|e| format!("public origin: {e}"))?);
        }
        let name = if rp.display_name.trim().is_empty() {
            id.clone()
        } else {
            rp.display_name.clone()
        };
        let core = WebauthnCore::new_unsafe_experts_only(
            &name,
            &id,
            origins,
            CEREMONY_TIMEOUT,
            None,
            None,
        );
        Ok(RelyingParty { core })
    }

    /// Starts registering a key for the user `user_handle`, excluding keys it already has.
    /// Returns the options for `navigator.credentials.create` and the state to keep.
    pub fn start_registration(
        &self,
        user_handle: &[u8],
        user_name: &str,
        exclude: Vec<CredentialID>,
        kind: KeyKind,
    ) -> Result<(CreationChallengeResponse, Value), CeremonyError> {
        let name = if user_name.trim().is_empty() {
            "user"
        } else {
            user_name
        };
        let builder = self
            .core
            .new_challenge_register_builder(user_handle, name, name)
            .map_err(|e| CeremonyError::NoCeremony(e.to_string()))?
            .attestation(AttestationConveyancePreference::None)
            .user_verification_policy(kind.verification())
            .require_resident_key(kind.discoverable())
            .exclude_credentials(Some(exclude).filter(|e| !e.is_empty()));
        let (options, state) = self
            .core
            .generate_challenge_register(builder)
            .map_err(|e| CeremonyError::NoCeremony(e.to_string()))?;
        Ok((options, to_json(&state)?))
    }

    /// Verifies the browser's registration answer (JSON) against `state`.
    pub fn finish_registration(
        &self,
        answer: &str,
        state: &Value,
    ) -> Result<Credential, CeremonyError> {
        let answer: RegisterPublicKeyCredential =
            serde_json::from_str(answer).map_err(|e| CeremonyError::Malformed(e.to_string()))?;
        let state: RegistrationState = serde_json::from_value(state.clone())
            .map_err(|e| CeremonyError::NoCeremony(e.to_string()))?;
        self.core
            .register_credential(&answer, &state, None)
            .map_err(|e| CeremonyError::Rejected(e.to_string()))
    }

    /// Starts an authentication with `keys`, or a discoverable one (any key of this relying
    /// party, the user named by the answer) when `keys` is empty.
    pub fn start_authentication(
        &self,
        keys: Vec<Credential>,
        kind: KeyKind,
    ) -> Result<(RequestChallengeResponse, Value), CeremonyError> {
        let builder = self
            .core
            .new_challenge_authenticate_builder(keys, Some(kind.verification()))
            .map_err(|e| CeremonyError::NoCeremony(e.to_string()))?
            .allow_backup_eligible_upgrade(true);
        let (options, state) = self
            .core
            .generate_challenge_authenticate(builder)
            .map_err(|e| CeremonyError::NoCeremony(e.to_string()))?;
        Ok((options, to_json(&state)?))
    }

    /// Verifies an authentication answer against `state`, with the keys of the identity it
    /// is for.
    pub fn finish_authentication(
        &self,
        answer: &PublicKeyCredential,
        state: &Value,
        keys: Vec<Credential>,
    ) -> Result<AuthenticationResult, CeremonyError> {
        let mut state: AuthenticationState = serde_json::from_value(state.clone())
            .map_err(|e| CeremonyError::NoCeremony(e.to_string()))?;
        state.set_allowed_credentials(keys);
        self.core
            .authenticate_credential(answer, &state)
            .map_err(|e| CeremonyError::Rejected(e.to_string()))
    }
}

/// Parses a browser's authentication answer (JSON).
pub fn parse_assertion(answer: &str) -> Result<PublicKeyCredential, CeremonyError> {
    serde_json::from_str(answer).map_err(|e| CeremonyError::Malformed(e.to_string()))
}

fn to_json<T: serde::Serialize>(state: &T) -> Result<Value, CeremonyError> {
    serde_json::to_value(state).map_err(|e| CeremonyError::NoCeremony(e.to_string()))
}
