//! Builders for fully populated domain values.

use nexus_identity::domain::identity::{credential_type, new_credential};
use nexus_identity::domain::{
    now, Aal, Device, Identity, IdentityState, RecoveryAddress, Session, VerifiableAddress,
    VerificationStatus,
};
use serde_json::json;
use uuid::Uuid;

/// An identity using every field: password + TOTP credentials, two verifiable addresses, a
/// recovery address, metadata, external id, inactive state.
pub fn identity(email: &str) -> Identity {
    let mut identity = Identity::new(
        "default",
        json!({"email": email, "name": {"first": "Ada", "last": "L"}}),
    );
    identity.state = IdentityState::Inactive;
    identity.metadata_public = Some(json!({"plan": "pro", "n": 3}));
    identity.metadata_admin = Some(json!({"note": "vip", "tags": ["a", "b"]}));
    identity.external_id = Some(format!("ext-{email}"));
    identity.set_credential(new_credential(
        credential_type::PASSWORD,
        vec![email.to_string()],
        json!({"hashed_password": "$2a$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW"}),
    ));
    identity.set_credential(new_credential(
        credential_type::TOTP,
        vec![Uuid::new_v4().to_string()],
        json!({"totp_url": "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP"}),
    ));
    let t = now();
    identity.verifiable_addresses = vec![
        VerifiableAddress {
            id: Uuid::new_v4(),
            value: email.to_string(),
            verified: true,
            via: "email".into(),
            status: VerificationStatus::Completed,
            verified_at: Some(t),
            created_at: t,
            updated_at: t,
        },
        VerifiableAddress {
            id: Uuid::new_v4(),
            value: format!("+1555{}", &Uuid::new_v4().simple().to_string()[..7]),
            verified: false,
            via: "sms".into(),
            status: VerificationStatus::Sent,
            verified_at: None,
            created_at: t,
            updated_at: t,
        },
    ];
    identity.recovery_addresses = vec![RecoveryAddress {
        id: Uuid::new_v4(),
        value: email.to_string(),
        via: "email".into(),
        created_at: t,
        updated_at: t,
    }];
    identity
}

/// A minimal identity with one password identifier.
pub fn simple(email: &str) -> Identity {
    let mut identity = Identity::new("default", json!({"email": email}));
    identity.set_credential(new_credential(
        credential_type::PASSWORD,
        vec![email.to_string()],
        json!({"hashed_password": "$2a$04$abc"}),
    ));
    identity
}

/// A session of `identity` with a device and two methods.
pub fn session(identity: &Identity) -> Session {
    let device = Device {
        id: Uuid::new_v4(),
        ip_address: Some("203.0.113.7".into()),
        user_agent: Some("Mozilla/5.0".into()),
        location: Some("Berlin, DE".into()),
    };
    let mut session = Session::new(identity, chrono::Duration::hours(24), device);
    session.complete_method("password", Aal::Aal1);
    session.complete_method("totp", Aal::Aal2);
    session
}
