//! Registration/settings form fields generated from the schema.

use nexus_identity::schema::{FieldLabel, IdentitySchema, TraitField};
use serde_json::json;

fn schema(doc: &str) -> IdentitySchema {
    IdentitySchema::compile(
        "test",
        "file://test.json",
        serde_json::from_str(doc).unwrap(),
    )
    .unwrap()
}

fn summary(fields: &[TraitField]) -> Vec<(&str, &str, bool)> {
    fields
        .iter()
        .map(|f| (f.name.as_str(), f.input_type, f.required))
        .collect()
}

#[test]
fn quickstart_fields_in_schema_order() {
    let s = schema(include_str!("fixtures/identity.schema.json"));
    let fields = s.form_fields();
    assert_eq!(
        summary(&fields),
        [
            ("traits.email", "email", true),
            ("traits.name.first", "text", false),
            ("traits.name.last", "text", false),
        ]
    );
    let email = &fields[0];
    assert_eq!(email.autocomplete, Some("email"));
    assert_eq!(email.minlength, Some(3));
    assert_eq!(email.title.as_deref(), Some("E-Mail"));
    assert_eq!(
        email.label(),
        Some(FieldLabel {
            id: 1070002,
            text: "E-Mail".into(),
            context: json!({"title": "E-Mail", "name": "traits.email"}),
        })
    );
    assert!(
        email
            .extension
            .as_ref()
            .unwrap()
            .credentials
            .password
            .identifier
    );
    assert_eq!(fields[1].label().unwrap().text, "First Name");
    // Serialises with the attribute names the lead maps to UI nodes.
    let v = serde_json::to_value(email).unwrap();
    assert_eq!(v["type"], "email");
    assert_eq!(v["name"], "traits.email");
}

#[test]
fn seed_schema_fields() {
    let s = schema(include_str!("fixtures/identity.seed.schema.json"));
    let fields = s.form_fields();
    assert_eq!(
        summary(&fields),
        [
            ("traits.email", "email", true),
            ("traits.name.first", "text", false),
            ("traits.name.last", "text", false),
        ]
    );
    assert!(fields[1].label().is_none());
}

#[test]
fn input_types_follow_kratos() {
    let s = schema(include_str!("fixtures/identity.full.schema.json"));
    let fields = s.form_fields();
    assert_eq!(
        summary(&fields),
        [
            ("traits.email", "email", true),
            ("traits.username", "text", true),
            ("traits.phone", "tel", false),
            ("traits.backup_emails", "text", false),
            ("traits.profile.age", "number", true),
            ("traits.profile.newsletter", "checkbox", false),
            ("traits.profile.birthday", "date", false),
            ("traits.profile.website", "url", false),
            ("traits.profile.meeting", "datetime-local", false),
            ("traits.profile.secret", "password", false),
            ("traits.profile.score", "number", false),
            ("traits.profile.tags", "text", false),
            ("traits.profile.role", "text", false),
            ("traits.profile.tos", "checkbox", false),
            ("traits.profile.plan", "text", false),
            // `nickname` has two types and no default: no input, as in Kratos.
            ("traits.profile.address.city", "text", false),
        ]
    );
    let by = |n: &str| fields.iter().find(|f| f.name == n).unwrap().clone();
    let username = by("traits.username");
    assert_eq!(username.pattern.as_deref(), Some("^[a-zA-Z0-9_]+$"));
    assert_eq!(username.maxlength, Some(32));
    assert_eq!(username.autocomplete, None);
    assert_eq!(by("traits.phone").autocomplete, Some("tel"));
    assert_eq!(by("traits.phone").title.as_deref(), Some("Phone"));
    assert_eq!(by("traits.profile.website").autocomplete, Some("url"));
    let age = by("traits.profile.age");
    assert_eq!((age.minimum, age.maximum), (Some(13.0), Some(150.0)));
    assert_eq!(by("traits.profile.score").multiple_of, Some(0.5));
    assert!(by("traits.profile.tags").array);
    assert_eq!(
        by("traits.profile.role").enum_values,
        Some(vec![json!("admin"), json!("user")])
    );
    assert_eq!(by("traits.profile.tos").const_value, Some(json!(true)));
}

#[test]
fn defaults_and_refs() {
    let s = schema(
        r##"{"definitions": {"n": {"type": "integer", "title": "N"}},
            "properties": {"traits": {"type": "object", "required": ["n"], "properties": {
              "n": {"$ref": "#/definitions/n"},
              "x": {"type": ["string", "null"], "default": "d"},
              "objs": {"type": "array", "items": {"type": "object"}},
              "free": {},
              "loop": {"$ref": "#/properties/traits/properties/loop"}}}}}"##,
    );
    let fields = s.form_fields();
    assert_eq!(
        summary(&fields),
        [("traits.n", "number", false), ("traits.x", "text", false)]
    );
    assert_eq!(fields[0].title.as_deref(), Some("N"));
    assert_eq!(fields[1].default, Some(json!("d")));
}

#[test]
fn identifier_label_matches_kratos_login() {
    let quick = schema(include_str!("fixtures/identity.schema.json"));
    assert_eq!(quick.identifier_label().unwrap().text, "E-Mail");
    // Two identifier traits: Kratos falls back to 1070004 "ID".
    let full = schema(include_str!("fixtures/identity.full.schema.json"));
    assert!(full.identifier_label().is_none());
    let seed = schema(include_str!("fixtures/identity.seed.schema.json"));
    assert!(seed.identifier_label().is_none());
}
