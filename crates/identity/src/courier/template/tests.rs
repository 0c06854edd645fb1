use serde_json::json;

use super::*;
use crate::config::courier::Courier as CourierConfig;

fn config(dir: Option<&Path>, templates: Value) -> CourierConfig {
    CourierConfig {
        template_override_path: dir.map(|d| d.display().to_string()),
        templates: crate::config::Opaque(templates),
        ..CourierConfig::default()
    }
}

fn model() -> Value {
    json!({
        "To": "a@example.com",
        "VerificationCode": "123456",
        "VerificationURL": "https://auth.example.com/self-service/verification?flow=f&code=123456",
        "RecoveryCode": "654321",
        "RecoveryURL": "https://auth.example.com/self-service/recovery?flow=f&token=t",
        "LoginCode": "111111",
        "RegistrationCode": "222222",
        "Identity": {"id": "i-1", "traits": {"email": "a@example.com", "name": {"first": "Ann"}}},
        "ExpiresInMinutes": 15
    })
}

#[test]
fn every_builtin_renders_its_variables() {
    let t = Templates::builtin();
    let m = model();
    for ty in TemplateType::ALL {
        let r = t.render(ty, &m).unwrap();
        assert!(!r.subject.is_empty() && !r.subject.contains('\n'), "{ty}");
        assert!(!r.plaintext.contains("<no value>"), "{ty}: {}", r.plaintext);
        assert!(!r.html.contains("<no value>"), "{ty}: {}", r.html);
        let (secret, in_text) = match ty {
            TemplateType::verification_code_valid => (Some("123456"), true),
            TemplateType::recovery_code_valid => (Some("654321"), true),
            TemplateType::login_code_valid => (Some("111111"), true),
            TemplateType::registration_code_valid => (Some("222222"), true),
            TemplateType::recovery_valid => (Some("token=t"), true),
            TemplateType::verification_valid => (Some("code=123456"), true),
            _ => (None, false),
        };
        if let Some(s) = secret {
            assert_eq!(r.plaintext.contains(s), in_text, "{ty}: {}", r.plaintext);
            assert!(r.html.contains(s), "{ty}: {}", r.html);
        }
        if ty.as_str().ends_with("_valid") {
            assert!(r.plaintext.contains("15 minutes"), "{ty}");
        }
    }
    // Without ExpiresInMinutes the sentence is left out.
    let r = t
        .render(TemplateType::login_code_valid, &json!({"LoginCode": "1"}))
        .unwrap();
    assert!(!r.plaintext.contains("expires"));
}

#[test]
fn html_body_escapes_values() {
    let t = Templates::builtin();
    let r = t
        .render(
            TemplateType::verification_code_valid,
            &json!({"VerificationCode": "<b>", "VerificationURL": "https://x/?a=1&b=\"2\""}),
        )
        .unwrap();
    assert!(r.html.contains("&lt;b&gt;"), "{}", r.html);
    assert!(
        r.html.contains("href=\"https://x/?a=1&amp;b=&#34;2&#34;\""),
        "{}",
        r.html
    );
    assert!(r.plaintext.contains("<b>"));
}

#[test]
fn split_names() {
    assert_eq!(
        TemplateType::verification_code_valid.split(),
        ("verification_code", "valid")
    );
    assert_eq!(
        TemplateType::recovery_invalid.split(),
        ("recovery", "invalid")
    );
    for t in TemplateType::ALL {
        assert_eq!(TemplateType::parse(t.as_str()), Some(t));
    }
    assert_eq!(TemplateType::parse("stub"), None);
}

#[tokio::test]
async fn nested_and_flat_overrides_and_fallback() {
    let dir = tempfile::tempdir().unwrap();
    let nested = dir.path().join("verification_code/valid");
    std::fs::create_dir_all(&nested).unwrap();
    std::fs::write(nested.join("email.subject.gotmpl"), "Code for {{ .To }}").unwrap();
    std::fs::write(
        nested.join("email.body.gotmpl"),
        "{{ template \"greet\" . }} <i>{{ .VerificationCode }}</i>",
    )
    .unwrap();
    std::fs::write(
        nested.join("email.body.html.en_US.gotmpl"),
        "{{ define \"greet\" }}Hi {{ .Identity.traits.name.first }}{{ end }}",
    )
    .unwrap();
    // Flat names, as in the seed's courier-templates/.
    std::fs::write(
        dir.path()
            .join("recovery_code_valid.email.body.plaintext.gotmpl"),
        "Recovery: {{ .RecoveryCode }} for {{ .Identity.traits.email }}",
    )
    .unwrap();
    let t = Templates::load(
        &config(Some(dir.path()), Value::Null),
        &reqwest::Client::new(),
    )
    .await
    .unwrap();
    let r = t
        .render(TemplateType::verification_code_valid, &model())
        .unwrap();
    assert_eq!(r.subject, "Code for a@example.com");
    assert_eq!(r.html, "Hi Ann <i>123456</i>");
    // The plain-text part was not overridden: built-in.
    assert!(r.plaintext.contains("123456") && r.plaintext.starts_with("Hello"));
    let r = t
        .render(TemplateType::recovery_code_valid, &model())
        .unwrap();
    assert_eq!(r.plaintext, "Recovery: 654321 for a@example.com");
    assert_eq!(r.subject, "Your account recovery code");
    let sources = t.sources(TemplateType::verification_code_valid);
    assert!(sources[0].ends_with("verification_code/valid/email.subject.gotmpl"));
    assert!(sources[2].starts_with("built-in"));
}

#[tokio::test]
async fn config_uris_win_over_files() {
    use base64::Engine as _;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("login_code_valid.email.subject.gotmpl"),
        "from file",
    )
    .unwrap();
    let subject_file = dir.path().join("subject.gotmpl");
    std::fs::write(&subject_file, "from uri {{ .LoginCode }}").unwrap();
    let body = base64::engine::general_purpose::STANDARD.encode("b64 {{ .LoginCode }}");
    let templates = json!({"login_code": {"valid": {"email": {
        "subject": format!("file://{}", subject_file.display()),
        "body": {"plaintext": format!("base64://{body}")}
    }}}});
    let t = Templates::load(
        &config(Some(dir.path()), templates),
        &reqwest::Client::new(),
    )
    .await
    .unwrap();
    let r = t.render(TemplateType::login_code_valid, &model()).unwrap();
    assert_eq!(r.subject, "from uri 111111");
    assert_eq!(r.plaintext, "b64 111111");
}

#[tokio::test]
async fn syntax_errors_name_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("recovery_valid.email.body.gotmpl");
    std::fs::write(&file, "line one\nline two\n{{ if .RecoveryURL }}\nno end\n").unwrap();
    let err = Templates::load(
        &config(Some(dir.path()), Value::Null),
        &reqwest::Client::new(),
    )
    .await
    .unwrap_err();
    assert_eq!(err.source_name, file.display().to_string());
    assert!(err.line.is_some(), "{err}");
    let shown = err.to_string();
    assert!(
        shown.contains("recovery_valid.email.body.gotmpl:"),
        "{shown}"
    );

    std::fs::write(&file, "ok\n{{ .RecoveryURL \nmore").unwrap();
    let err = Templates::load(
        &config(Some(dir.path()), Value::Null),
        &reqwest::Client::new(),
    )
    .await
    .unwrap_err();
    assert_eq!(err.line, Some(2), "{err}");

    std::fs::write(&file, "ok\n\n{{ nosuchfunc .RecoveryURL }}").unwrap();
    let err = Templates::load(
        &config(Some(dir.path()), Value::Null),
        &reqwest::Client::new(),
    )
    .await
    .unwrap_err();
    assert_eq!(err.line, Some(3), "{err}");
}

#[tokio::test]
async fn missing_override_directory_is_an_error() {
    let err = Templates::load(
        &config(Some(Path::new("/nonexistent/templates")), Value::Null),
        &reqwest::Client::new(),
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("/nonexistent/templates"), "{err}");
}

#[test]
fn unbalanced_blocks_are_located() {
    assert_eq!(
        unbalanced("a\n{{ if .X }}\nb\n{{ range .Y }}{{ end }}\n"),
        Some((2, "{{if}} is never closed (missing {{end}})".into()))
    );
    assert_eq!(
        unbalanced("a\n\n{{- end }}"),
        Some((3, "{{end}} without an open block".into()))
    );
    assert_eq!(
        unbalanced("{{ if .X }}{{ else }}{{ end }}{{/* if */}}"),
        None
    );
}
