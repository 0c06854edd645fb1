//! Rule templates (`{{ print .Subject }}`): parsed once at rule load, rendered per request.
//! The two shapes rules use most (`{{ .Subject }}`, `{{ print .Extra.a.b }}`) skip the
//! interpreter; everything else goes through `nexus_kit::template`, after the Go method calls
//! rules use (`.MatchContext.URL.Query.Get "q"`, `.MatchContext.Header.Get "X"`) are rewritten
//! into functions it has.

mod methods;

use std::sync::OnceLock;

use nexus_kit::template::Template;
use serde_json::Value;

use super::session::AuthenticationSession;
use crate::error::GatewayError;

/// A parsed template with an optional fast path.
#[derive(Debug)]
pub struct RuleTemplate {
    full: Template,
    fast: Fast,
}

#[derive(Debug)]
enum Fast {
    None,
    Const(String),
    /// `.Subject` or `.Extra.…`, optionally wrapped in `print`.
    Field {
        path: Vec<String>,
        print: bool,
    },
}

fn field_re() -> &'static regex::Regex {
    static RE: OnceLock<regex::Regex> = OnceLock::new();
    RE.get_or_init(|| {
        regex::Regex::new(
            r"^\{\{-?\s*(print\s+)?\.((?:Subject|Extra)(?:\.[A-Za-z0-9_]+)*)\s*-?\}\}$",
        )
        .expect("static regex")
    })
}

impl RuleTemplate {
    /// Parses `text`; errors name the template.
    pub fn parse(text: &str) -> Result<Self, String> {
        let full = Template::parse(&methods::rewrite(text))
            .map_err(|e| format!("{e} in template {text:?}"))?;
        let fast = if !text.contains("{{") {
            Fast::Const(text.to_owned())
        } else if let Some(c) = field_re().captures(text) {
            Fast::Field {
                path: c[2].split('.').map(str::to_owned).collect(),
                print: c.get(1).is_some(),
            }
        } else {
            Fast::None
        };
        Ok(Self { full, fast })
    }

    /// Renders against the session.
    pub fn render(&self, session: &AuthenticationSession) -> Result<String, GatewayError> {
        match &self.fast {
            Fast::Const(s) => return Ok(s.clone()),
            Fast::Field { path, print } => {
                if let Some(out) = render_field(session, path, *print) {
                    return Ok(out);
                }
            }
            Fast::None => {}
        }
        self.render_json(&session.to_template_json())
    }

    /// Renders against a prepared template context.
    pub fn render_json(&self, ctx: &Value) -> Result<String, GatewayError> {
        self.full
            .render(ctx)
            .map_err(|e| GatewayError::internal(e.to_string()))
    }
}

/// `None` when the value is not a scalar (the interpreter then formats it like Go).
fn render_field(session: &AuthenticationSession, path: &[String], print: bool) -> Option<String> {
    let missing = || {
        Some(if print {
            String::new()
        } else {
            "<no value>".into()
        })
    };
    let value = match path[0].as_str() {
        "Subject" if path.len() == 1 => return Some(session.subject.clone()),
        "Extra" if path.len() > 1 => {
            let mut cur = session.extra.get(&path[1]);
            for seg in &path[2..] {
                cur = match cur {
                    Some(Value::Object(o)) => o.get(seg),
                    Some(_) => return None,
                    None => return None,
                };
            }
            cur
        }
        _ => return None,
    };
    match value {
        None => missing(),
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Bool(b)) => Some(b.to_string()),
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(Value::Null) => Some(if print { String::new() } else { "<nil>".into() }),
        Some(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_and_full_paths_agree() {
        let mut headers = http::HeaderMap::new();
        headers.insert("x-api-key", http::HeaderValue::from_static("k1"));
        let req = crate::pipeline::RequestContext {
            method: http::Method::GET,
            url: std::sync::Arc::new(crate::pipeline::RequestUrl::new(
                "https",
                "h.example:8443",
                "/p/a",
                "q=hello&q=2&e=a+b",
            )),
            headers: std::sync::Arc::new(headers.into()),
            remote_addr: None,
            body: None,
            received: std::time::Instant::now(),
        };
        let mut s = AuthenticationSession::new(&req, vec![]);
        s.subject = "u1".into();
        std::sync::Arc::make_mut(&mut s.extra).insert(
            "identity".into(),
            serde_json::json!({"traits": {"email": "a@b"}}),
        );
        for (t, want) in [
            ("{{ print .Subject }}", "u1"),
            ("{{ .Subject }}", "u1"),
            ("{{ .Extra.identity.traits.email }}", "a@b"),
            ("{{ print .Extra.nope }}", ""),
            ("static", "static"),
            ("{{ .Subject | upper }}", "U1"),
            (r#"{{ .MatchContext.URL.Query.Get "q" }}"#, "hello"),
            (r#"{{ .MatchContext.URL.Query.Get "nope" }}"#, ""),
            (r#"{{ .MatchContext.URL.Query.Get "q" | upper }}"#, "HELLO"),
            (r#"{{ print (.MatchContext.URL.Query.Get "e") }}"#, "a b"),
            (
                r#"{{ print (index .MatchContext.URL.Query "q") }}"#,
                "[hello 2]",
            ),
            (r#"{{ .MatchContext.Header.Get "x-api-key" }}"#, "k1"),
            (r#"{{ .MatchContext.Header.Get "X-Missing" }}"#, ""),
            (
                "{{ .MatchContext.URL.String }}",
                "https://h.example:8443/p/a?q=hello&q=2&e=a+b",
            ),
            (
                "{{ .MatchContext.URL.Hostname }}:{{ .MatchContext.URL.Port }}",
                "h.example:8443",
            ),
            (
                "{{ .MatchContext.URL.RequestURI }}",
                "/p/a?q=hello&q=2&e=a+b",
            ),
            ("{{ .MatchContext.URL.Path }}", "/p/a"),
        ] {
            let tpl = RuleTemplate::parse(t).unwrap();
            assert_eq!(tpl.render(&s).unwrap(), want, "{t}");
            assert_eq!(
                tpl.render_json(&s.to_template_json()).unwrap(),
                want,
                "{t} (full)"
            );
        }
    }
}
