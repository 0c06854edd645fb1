//! Identifiers and addresses extracted through the `ory.sh/kratos` annotations.

use nexus_identity::schema::{IdentitySchema, TraitsInfo, Via};
use serde_json::json;

fn schema(doc: &str) -> IdentitySchema {
    IdentitySchema::compile(
        "test",
        "file://test.json",
        serde_json::from_str(doc).unwrap(),
    )
    .unwrap()
}

#[test]
fn quickstart_email_is_identifier_and_address() {
    let s = schema(include_str!("fixtures/identity.schema.json"));
    let info = s.extract(&json!({"email": "  Foo@Example.COM ", "name": {"first": "Foo"}}));
    assert_eq!(
        info,
        TraitsInfo {
            // The extension lowercases, the persister also trims: values as stored.
            password_identifiers: vec!["foo@example.com".into()],
            verifiable_addresses: vec![("foo@example.com".into(), Via::Email)],
            recovery_addresses: vec![("foo@example.com".into(), Via::Email)],
            ..TraitsInfo::default()
        }
    );
}

#[test]
fn seed_schema_has_no_annotations() {
    let s = schema(include_str!("fixtures/identity.seed.schema.json"));
    assert_eq!(
        s.extract(&json!({"email": "a@b.co"})),
        TraitsInfo::default()
    );
}

#[test]
fn full_schema_extracts_everything() {
    let s = schema(include_str!("fixtures/identity.full.schema.json"));
    let traits = json!({
        "email": "Alice@Example.com",
        "username": "Alice_1",
        "phone": "+49 176 1234 5678",
        "backup_emails": ["ALICE@example.com", "Other@Example.com", "other@example.com"],
        "profile": {"age": 30}
    });
    let info = s.extract(&traits);
    assert_eq!(info.password_identifiers, ["alice@example.com", "alice_1"]);
    assert_eq!(info.webauthn_identifiers, ["alice@example.com"]);
    assert_eq!(
        info.code_identifiers,
        [
            ("+4917612345678".to_string(), Via::Sms),
            ("alice@example.com".to_string(), Via::Email)
        ]
    );
    assert_eq!(info.totp_account_name.as_deref(), Some("Alice@Example.com"));
    assert_eq!(info.passkey_display_name.as_deref(), Some("Alice_1"));
    assert_eq!(
        info.verifiable_addresses,
        [
            ("alice@example.com".to_string(), Via::Email),
            // format: tel keeps the number as typed (trimmed), like Kratos.
            ("+49 176 1234 5678".to_string(), Via::Sms),
            ("other@example.com".to_string(), Via::Email),
        ]
    );
    assert_eq!(
        info.recovery_addresses,
        [
            ("alice@example.com".to_string(), Via::Email),
            ("+49 176 1234 5678".to_string(), Via::Sms),
            ("other@example.com".to_string(), Via::Email),
        ]
    );
}

#[test]
fn passkey_display_name_falls_back_to_webauthn_identifier() {
    let s = schema(
        r#"{"properties": {"traits": {"properties": {"email": {"type": "string",
            "ory.sh/kratos": {"credentials": {"webauthn": {"identifier": true}}}}}}}}"#,
    );
    let info = s.extract(&json!({"email": "Bob@Example.com"}));
    assert_eq!(
        info.passkey_display_name.as_deref(),
        Some("bob@example.com")
    );
    assert_eq!(info.totp_account_name, None);
}

#[test]
fn arrays_of_strings_and_nested_objects() {
    let s = schema(
        r#"{"properties": {"traits": {"properties": {
            "emails": {"type": "array", "items": {"type": "string"},
                "ory.sh/kratos": {"credentials": {"password": {"identifier": true}},
                                  "recovery": {"via": "email"}}},
            "contact": {"type": "object", "properties": {"mail": {"type": "string",
                "ory.sh/kratos": {"credentials": {"code": {"identifier": true, "via": "email"}},
                                  "verification": {"via": "email"}}}}}}}}}"#,
    );
    let info = s.extract(&json!({
        "emails": ["A@x.io", "a@X.io", 7, null],
        "contact": {"mail": " Z@x.io"}
    }));
    assert_eq!(info.password_identifiers, ["a@x.io", "7"]);
    assert_eq!(
        info.recovery_addresses,
        [
            ("a@x.io".to_string(), Via::Email),
            ("7".to_string(), Via::Email)
        ]
    );
    assert_eq!(info.code_identifiers, [("z@x.io".to_string(), Via::Email)]);
    assert_eq!(
        info.verifiable_addresses,
        [("z@x.io".to_string(), Via::Email)]
    );
}

#[test]
fn missing_or_odd_values_are_skipped() {
    let s = schema(include_str!("fixtures/identity.full.schema.json"));
    // Values of the wrong type are ignored, as Kratos skips extensions on type mismatches.
    let info = s.extract(&json!({"email": 5, "username": {"x": 1}, "phone": "12"}));
    assert!(info.password_identifiers.is_empty());
    assert!(info
        .code_identifiers
        .iter()
        .all(|(_, via)| *via == Via::Email));
    assert_eq!(s.extract(&json!("not an object")), TraitsInfo::default());
    assert_eq!(Via::Sms.as_str(), "sms");
    assert_eq!(serde_json::to_value(Via::Email).unwrap(), json!("email"));
}
