//! Domain types: identities, credentials, sessions, flows, UI nodes, errors. No HTTP, no SQL.
//!
//! The types serialise to the Kratos wire shapes (openapi.json) so every layer shares one
//! representation; views that hide admin-only fields live in the HTTP layer.

pub mod aal;
pub mod code;
pub mod error;
pub mod flow;
pub mod identity;
pub mod message;
pub mod session;
pub mod text;
pub mod token;
pub mod ui;

pub use aal::Aal;
pub use error::{ApiError, ErrorId};
pub use flow::{Flow, FlowKind, FlowState, FlowType};
pub use identity::{
    Credential, CredentialType, Identity, IdentityState, RecoveryAddress, VerifiableAddress,
    VerificationStatus,
};
pub use session::{AuthenticationMethod, Device, Session};
pub use ui::{UiContainer, UiNode, UiText};

/// Timestamps everywhere are UTC.
pub type Timestamp = chrono::DateTime<chrono::Utc>;

/// The current time, truncated to microseconds so values survive a database round trip.
pub fn now() -> Timestamp {
    use chrono::SubsecRound;
    chrono::Utc::now().trunc_subsecs(6)
}
