//! WebAuthn security keys and passkeys: the relying party and its ceremonies ([`party`]),
//! the keys as stored on identities ([`keys`]), the UI nodes ([`nodes`]) and the browser
//! script Kratos serves at `/.well-known/ory/webauthn.js` ([`script`], our own).

pub mod keys;
pub mod nodes;
pub mod party;
pub mod script;

pub use keys::{StoredKey, StoredKeys};
pub use party::{CeremonyError, KeyKind, RelyingParty};

/// Group of the `webauthn` method's nodes.
pub const GROUP: &str = "webauthn";

/// Group of the `passkey` method's nodes.
pub const PASSKEY_GROUP: &str = "passkey";
