use serde_json::json;

use super::*;

fn ctx() -> serde_json::Value {
    json!({
        "Subject": "user-1",
        "Extra": {"identity": {"traits": {"email": "a@b.c"}}, "n": 3},
        "MatchContext": {"RegexpCaptureGroups": ["42", "x"], "Method": "GET"}
    })
}

#[test]
fn renders_oathkeeper_examples() {
    assert_eq!(render("{{ print .Subject }}", &ctx()).unwrap(), "user-1");
    assert_eq!(
        render("{{ .Extra.identity.traits.email }}", &ctx()).unwrap(),
        "a@b.c"
    );
    assert_eq!(
        render(
            "{{ printIndex .MatchContext.RegexpCaptureGroups 0 }}",
            &ctx()
        )
        .unwrap(),
        "42"
    );
    assert_eq!(
        render(
            "{{ printIndex .MatchContext.RegexpCaptureGroups 9 }}",
            &ctx()
        )
        .unwrap(),
        ""
    );
}

#[test]
fn missing_keys_print_empty_with_print() {
    assert_eq!(render("{{ print .Extra.missing }}", &ctx()).unwrap(), "");
    assert_eq!(
        render("{{ .Extra.missing }}", &ctx()).unwrap(),
        "<no value>"
    );
}

#[test]
fn sprig_functions() {
    let c = ctx();
    assert_eq!(render("{{ .Subject | upper }}", &c).unwrap(), "USER-1");
    assert_eq!(render("{{ \"AB\" | lower }}", &c).unwrap(), "ab");
    assert_eq!(
        render("{{ .Extra.missing | default \"x\" }}", &c).unwrap(),
        "x"
    );
    assert_eq!(
        render("{{ .Subject | default \"x\" }}", &c).unwrap(),
        "user-1"
    );
    assert_eq!(render("{{ .Subject | quote }}", &c).unwrap(), "\"user-1\"");
    assert_eq!(
        render("{{ .Extra.identity | toJson }}", &c).unwrap(),
        r#"{"traits":{"email":"a@b.c"}}"#
    );
    assert_eq!(render("{{ .Extra.n }}", &c).unwrap(), "3");
    assert_eq!(
        render("{{ if eq .MatchContext.Method \"GET\" }}y{{ end }}", &c).unwrap(),
        "y"
    );
}

#[test]
fn parse_errors_are_reported() {
    assert!(matches!(
        Template::parse("{{ .Subject "),
        Err(TemplateError::Parse(_))
    ));
}
