//! Trait validation errors mapped to Kratos message ids, texts, contexts and nodes.

use nexus_identity::schema::{IdentitySchema, TraitError};
use serde_json::{json, Value};

fn schema(doc: &str) -> IdentitySchema {
    IdentitySchema::compile(
        "test",
        "file://test.json",
        serde_json::from_str(doc).unwrap(),
    )
    .unwrap()
}

fn quickstart() -> IdentitySchema {
    schema(include_str!("fixtures/identity.schema.json"))
}

fn full() -> IdentitySchema {
    schema(include_str!("fixtures/identity.full.schema.json"))
}

fn errors(s: &IdentitySchema, traits: Value) -> Vec<TraitError> {
    s.validate_traits(&traits)
        .expect_err("traits should be invalid")
}

/// The single error on `node`.
fn on(errs: &[TraitError], node: &str) -> TraitError {
    let found: Vec<&TraitError> = errs
        .iter()
        .filter(|e| e.node.as_deref() == Some(node))
        .collect();
    assert_eq!(
        found.len(),
        1,
        "expected one error on {node}, got {errs:#?}"
    );
    found[0].clone()
}

fn full_traits() -> Value {
    json!({"email": "a@example.com", "username": "alice", "profile": {"age": 30}})
}

fn with_profile(key: &str, value: Value) -> Value {
    let mut t = full_traits();
    t["profile"][key] = value;
    t
}

#[test]
fn valid_traits_pass() {
    assert_eq!(
        quickstart().validate_traits(&json!({"email": "foo@bar.com"})),
        Ok(())
    );
    let t = json!({"email": "foo@bar.com", "name": {"first": "Foo", "last": "Bar"}});
    assert_eq!(quickstart().validate_traits(&t), Ok(()));
    let seed = schema(include_str!("fixtures/identity.seed.schema.json"));
    assert_eq!(
        seed.validate_traits(&json!({"email": "x@y.z", "name": {"first": "X"}})),
        Ok(())
    );
    let mut t = full_traits();
    t["phone"] = json!("+4917612345678");
    t["backup_emails"] = json!(["b@example.com"]);
    t["profile"] = json!({"age": 20, "tags": ["a", "b"], "role": "user", "tos": true,
        "plan": "free", "score": 9.5, "birthday": "2000-01-31", "nickname": null});
    assert_eq!(full().validate_traits(&t), Ok(()));
}

#[test]
fn required_is_4000002_on_the_missing_node() {
    let errs = errors(&quickstart(), json!({}));
    assert_eq!(
        errs,
        vec![TraitError {
            node: Some("traits.email".into()),
            id: 4000002,
            text: "Property email is missing.".into(),
            context: json!({"property": "email"}),
        }]
    );
    let errs = errors(&full(), json!({"email": "a@b.co", "profile": {}}));
    assert_eq!(
        on(&errs, "traits.username").text,
        "Property username is missing."
    );
    assert_eq!(
        on(&errs, "traits.profile.age").context,
        json!({"property": "age"})
    );
}

#[test]
fn email_format_is_4000040() {
    // Kratos v26.2.0 maps `format: email` failures to ErrorValidationEmail (4000040).
    let errs = errors(&quickstart(), json!({"email": "foo"}));
    let e = on(&errs, "traits.email");
    assert_eq!(
        (e.id, e.text.as_str()),
        (4000040, "Enter a valid email address")
    );
    assert_eq!(e.context, json!({"value": "foo"}));
}

#[test]
fn other_formats_are_generic_with_the_ory_text() {
    let e = on(
        &errors(&full(), with_profile("birthday", json!("31.01.2000"))),
        "traits.profile.birthday",
    );
    assert_eq!(
        (e.id, e.text.as_str()),
        (4000001, "\"31.01.2000\" is not valid \"date\"")
    );
    assert_eq!(
        e.context,
        json!({"reason": "\"31.01.2000\" is not valid \"date\""})
    );
    let mut t = full_traits();
    t["phone"] = json!("0176 1234");
    let errs = errors(&full(), t);
    // format: tel and recovery.via sms agree (one message); code.via sms adds its own.
    let tel: Vec<_> = errs.iter().filter(|e| e.id == 4000041).collect();
    assert_eq!(tel.len(), 1, "{errs:#?}");
    assert_eq!(tel[0].node.as_deref(), Some("traits.phone"));
    assert_eq!(tel[0].text, "Enter a valid phone number");
    assert_eq!(tel[0].context, json!({"value": "0176 1234"}));
}

#[test]
fn lengths_are_4000003_and_4000017() {
    let errs = errors(&quickstart(), json!({"email": "a@"}));
    assert!(errs.iter().any(|e| e.id == 4000040), "{errs:#?}");
    let min = errs
        .iter()
        .find(|e| e.id == 4000003)
        .expect("minLength error");
    assert_eq!(min.node.as_deref(), Some("traits.email"));
    assert_eq!(min.text, "length must be >= 3, but got 2");
    assert_eq!(min.context, json!({"min_length": 3, "actual_length": 2}));

    let mut t = full_traits();
    t["username"] = json!("u".repeat(33));
    let e = on(&errors(&full(), t), "traits.username");
    assert_eq!(
        (e.id, e.text.as_str()),
        (4000017, "length must be <= 32, but got 33")
    );
    assert_eq!(e.context, json!({"max_length": 32, "actual_length": 33}));
}

#[test]
fn pattern_is_4000004() {
    let mut t = full_traits();
    t["username"] = json!("not ok!");
    let e = on(&errors(&full(), t), "traits.username");
    assert_eq!(e.id, 4000004);
    assert_eq!(e.text, "does not match pattern \"^[a-zA-Z0-9_]+$\"");
    assert_eq!(e.context, json!({"pattern": "^[a-zA-Z0-9_]+$"}));
}

#[test]
fn numeric_bounds_are_4000018_to_4000022() {
    let e = on(
        &errors(&full(), with_profile("age", json!(12))),
        "traits.profile.age",
    );
    assert_eq!(
        (e.id, e.text.as_str()),
        (4000018, "must be >= 13 but found 12")
    );
    assert_eq!(e.context, json!({"minimum": 13, "actual": 12}));
    let e = on(
        &errors(&full(), with_profile("age", json!(151))),
        "traits.profile.age",
    );
    assert_eq!(
        (e.id, e.text.as_str()),
        (4000020, "must be <= 150 but found 151")
    );
    assert_eq!(e.context, json!({"maximum": 150, "actual": 151}));
    let e = on(
        &errors(&full(), with_profile("score", json!(10))),
        "traits.profile.score",
    );
    assert_eq!(
        (e.id, e.text.as_str()),
        (4000021, "must be < 10 but found 10")
    );
    let e = on(
        &errors(&full(), with_profile("score", json!(1.25))),
        "traits.profile.score",
    );
    assert_eq!(
        (e.id, e.text.as_str()),
        (4000022, "1.25 not multipleOf 0.5")
    );
    assert_eq!(e.context, json!({"base": 0.5, "actual": 1.25}));
    let s = schema(r#"{"properties": {"traits": {"properties": {"n": {"exclusiveMinimum": 0}}}}}"#);
    let e = on(&errors(&s, json!({"n": 0})), "traits.n");
    assert_eq!(
        (e.id, e.text.as_str()),
        (4000019, "must be > 0 but found 0")
    );
}

#[test]
fn items_are_4000023_to_4000025() {
    let e = on(
        &errors(&full(), with_profile("tags", json!([]))),
        "traits.profile.tags",
    );
    assert_eq!(
        (e.id, e.text.as_str()),
        (4000024, "minimum 1 items allowed, but found 0 items")
    );
    assert_eq!(e.context, json!({"min_items": 1, "actual_items": 0}));
    let e = on(
        &errors(&full(), with_profile("tags", json!(["a", "b", "c", "d"]))),
        "traits.profile.tags",
    );
    assert_eq!(
        (e.id, e.text.as_str()),
        (4000023, "maximum 3 items allowed, but found 4 items")
    );
    let e = on(
        &errors(&full(), with_profile("tags", json!(["a", "b", "a"]))),
        "traits.profile.tags",
    );
    assert_eq!(
        (e.id, e.text.as_str()),
        (4000025, "items at index 0 and 2 are equal")
    );
    assert_eq!(e.context, json!({"index_a": 0, "index_b": 2}));
}

#[test]
fn wrong_type_is_4000026() {
    let e = on(&errors(&quickstart(), json!({"email": 5})), "traits.email");
    assert_eq!(
        (e.id, e.text.as_str()),
        (4000026, "expected string, but got number")
    );
    assert_eq!(
        e.context,
        json!({"allowed_types": ["string"], "actual_type": "number"})
    );
    let e = on(
        &errors(&full(), with_profile("nickname", json!(1))),
        "traits.profile.nickname",
    );
    assert_eq!(e.text, "expected string or null, but got number");
    let e = on(
        &errors(&full(), with_profile("age", json!("x"))),
        "traits.profile.age",
    );
    assert_eq!(e.text, "expected integer, but got string");
    let mut t = full_traits();
    t["phone"] = json!(true);
    let e = on(&errors(&full(), t), "traits.phone");
    assert_eq!(e.text, "expected string, but got boolean");
}

#[test]
fn non_object_traits_are_a_flow_error() {
    for (traits, actual) in [
        (json!("x"), "string"),
        (json!([]), "array"),
        (json!(null), "null"),
        (json!(1), "number"),
    ] {
        let errs = errors(&quickstart(), traits);
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].node, None);
        assert_eq!(errs[0].id, 4000026);
        assert_eq!(errs[0].text, format!("expected object, but got {actual}"));
    }
}

#[test]
fn const_is_4000029_and_enum_is_generic() {
    let e = on(
        &errors(&full(), with_profile("plan", json!("pro"))),
        "traits.profile.plan",
    );
    assert_eq!(
        (e.id, e.text.as_str()),
        (4000029, "must be equal to constant \"free\"")
    );
    assert_eq!(e.context, json!({"expected": "\"free\""}));
    let e = on(
        &errors(&full(), with_profile("tos", json!(false))),
        "traits.profile.tos",
    );
    assert_eq!(
        (e.id, e.text.as_str()),
        (4000029, "must be equal to constant true")
    );
    let e = on(
        &errors(&full(), with_profile("role", json!("root"))),
        "traits.profile.role",
    );
    assert_eq!(
        (e.id, e.text.as_str()),
        (4000001, "value must be one of \"admin\", \"user\"")
    );
}

#[test]
fn additional_properties_are_generic_on_the_object() {
    let errs = errors(&quickstart(), json!({"email": "a@b.co", "nick": "x"}));
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert_eq!(errs[0].node, None);
    assert_eq!(
        (errs[0].id, errs[0].text.as_str()),
        (4000001, "additionalProperties \"nick\" not allowed")
    );
}

#[test]
fn extension_checks_run_like_kratos() {
    // recovery.via email checks the address on every array element.
    let mut t = full_traits();
    t["backup_emails"] = json!(["ok@example.com", "nope"]);
    let errs = errors(&full(), t);
    let e = on(&errs, "traits.backup_emails.1");
    assert_eq!(e.id, 4000040);
    // verification.via email without a format still requires an e-mail address.
    let s = schema(
        r#"{"properties": {"traits": {"properties": {"contact": {"type": "string",
            "ory.sh/kratos": {"verification": {"via": "email"}}}}}}}"#,
    );
    let e = on(&errors(&s, json!({"contact": "nope"})), "traits.contact");
    assert_eq!(
        (e.id, e.context.clone()),
        (4000040, json!({"value": "nope"}))
    );
    assert_eq!(s.validate_traits(&json!({"contact": "x@y.co"})), Ok(()));
    // verification.via sms without a format is a configuration error Kratos reports per value.
    let s = schema(
        r#"{"properties": {"traits": {"properties": {"phone": {"type": "string",
            "ory.sh/kratos": {"verification": {"via": "sms"}}}}}}}"#,
    );
    let e = on(
        &errors(&s, json!({"phone": "+4917612345678"})),
        "traits.phone",
    );
    assert_eq!(e.id, 4000001);
    assert!(e.text.starts_with("no format specified."), "{}", e.text);
    // code.via sms needs a number that normalises to E.164.
    let s = schema(
        r#"{"properties": {"traits": {"properties": {"phone": {"type": "string",
            "ory.sh/kratos": {"credentials": {"code": {"identifier": true, "via": "sms"}}}}}}}}"#,
    );
    let e = on(&errors(&s, json!({"phone": "12345"})), "traits.phone");
    assert_eq!((e.id, e.text.as_str()), (4000001, "invalid country code"));
    assert_eq!(
        s.validate_traits(&json!({"phone": "+1 555 123 4567"})),
        Ok(())
    );
}

#[test]
fn duplicate_messages_collapse() {
    // format: email fails and recovery.via email fails on the same value: one message.
    let errs = errors(&quickstart(), json!({"email": "foo"}));
    assert_eq!(
        errs.iter().filter(|e| e.id == 4000040).count(),
        1,
        "{errs:#?}"
    );
}

#[test]
fn nested_and_escaped_node_names() {
    let s = schema(
        r#"{"properties": {"traits": {"type": "object", "properties": {
            "name": {"type": "object", "properties": {"first": {"type": "string", "minLength": 2}},
                     "required": ["first"]},
            "a.b": {"type": "string"}}}}}"#,
    );
    let e = on(
        &errors(&s, json!({"name": {"first": "x"}})),
        "traits.name.first",
    );
    assert_eq!(e.id, 4000003);
    let e = on(&errors(&s, json!({"name": {}})), "traits.name.first");
    assert_eq!(e.id, 4000002);
    let e = on(&errors(&s, json!({"a.b": 1})), "traits.a\\.b");
    assert_eq!(e.id, 4000026);
    let e = on(&errors(&s, json!({"name": "x"})), "traits.name");
    assert_eq!(e.text, "expected object, but got string");
}

#[test]
fn hostile_inputs_do_not_panic() {
    let s = full();
    let mut deep = json!("x");
    for _ in 0..200 {
        deep = json!({ "a": deep });
    }
    for traits in [
        json!({}),
        json!({"email": {"x": [1, 2, {"y": null}]}, "username": [], "profile": "x"}),
        json!({"email": "\u{0}@\u{202e}.com", "username": "\u{1F600}".repeat(40), "phone": "+"}),
        json!({"email": "a@b.co", "username": "u", "profile": {"age": 1e308, "score": -0.0}}),
        json!({"email": "a@b.co", "username": "u", "profile": {"age": 18446744073709551615u64}}),
        json!({"email": "a@b.co", "username": "u", "backup_emails": [1, null, true, "x"]}),
        json!({"email": "a@b.co", "username": "u", "profile": deep}),
    ] {
        let _ = s.validate_traits(&traits);
        let _ = s.extract(&traits);
        let _ = quickstart().validate_traits(&traits);
    }
}

#[test]
fn failed_combinators_report_their_branches() {
    // The common "email or phone" schema: Kratos shows both missing properties.
    let s = schema(
        r##"{"definitions": {"contact": {"type": "string", "minLength": 3}},
            "properties": {"traits": {"type": "object",
              "properties": {"email": {"$ref": "#/definitions/contact"}, "phone": {"type": "string"}},
              "anyOf": [{"required": ["email"]}, {"required": ["phone"]}]}}}"##,
    );
    let errs = errors(&s, json!({}));
    assert_eq!(
        errs.iter()
            .map(|e| (e.node.as_deref(), e.id, e.text.as_str()))
            .collect::<Vec<_>>(),
        [
            (Some("traits.email"), 4000002, "Property email is missing."),
            (Some("traits.phone"), 4000002, "Property phone is missing."),
        ]
    );
    assert_eq!(s.validate_traits(&json!({"phone": "123"})), Ok(()));
    // Errors of a $ref inside a branch keep their Kratos mapping and node.
    let s = schema(
        r##"{"definitions": {"nick": {"type": ["string", "null"], "minLength": 2}},
            "properties": {"traits": {"type": "object", "properties": {"n": {
              "oneOf": [{"$ref": "#/definitions/nick"}, {"type": "integer", "minimum": 10}]}}}}}"##,
    );
    let errs = errors(&s, json!({"n": 5}));
    let texts: Vec<&str> = errs.iter().map(|e| e.text.as_str()).collect();
    assert_eq!(
        texts,
        [
            "expected string or null, but got number",
            "must be >= 10 but found 5"
        ]
    );
    assert!(errs.iter().all(|e| e.node.as_deref() == Some("traits.n")));
    // Valid against two oneOf branches.
    let s = schema(
        r#"{"properties": {"traits": {"properties": {"n": {"oneOf": [{"type": "integer"}, {"minimum": 1}]}}}}}"#,
    );
    let e = on(&errors(&s, json!({"n": 5})), "traits.n");
    assert_eq!(
        (e.id, e.text.as_str()),
        (4000001, "valid against schemas at indexes 0 and 1")
    );
}
