//! Go method calls that rules use on `url.Values` and `http.Header`, which the template engine
//! (gtmpl) cannot call: `.MatchContext.URL.Query.Get "q"` and `.MatchContext.Header.Get "X"`.
//! Before parsing, each call is rewritten into functions the engine has, with Go's results:
//! the first value, or `""` when absent; header names are canonicalised as `Header.Get` does.

use std::borrow::Cow;
use std::sync::OnceLock;

use crate::pipeline::session::canonical_header;

fn call_re() -> &'static regex::Regex {
    static RE: OnceLock<regex::Regex> = OnceLock::new();
    RE.get_or_init(|| {
        regex::Regex::new(
            r#"(?P<chain>\$?[A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*\.(?P<kind>Query|Header))\.Get\s+(?P<arg>"(?:[^"\\]|\\.)*"|`[^`]*`|\$?[A-Za-z0-9_.]+)"#,
        )
        .expect("static regex")
    })
}

/// Rewrites the method calls inside `{{ … }}` actions; text outside actions and string
/// literals inside them are left alone. Borrowed when there is nothing to rewrite.
pub fn rewrite(text: &str) -> Cow<'_, str> {
    if !text.contains(".Get") {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 32);
    let mut rest = text;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        let action = &rest[open..];
        let end = action_end(action);
        out.push_str(&rewrite_action(&action[..end]));
        rest = &action[end..];
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// The length of the action starting at `a` (`{{` … `}}`), skipping quoted `}}`.
fn action_end(a: &str) -> usize {
    let b = a.as_bytes();
    let mut i = 2;
    while i < b.len() {
        match b[i] {
            q @ (b'"' | b'\'' | b'`') => i = skip_literal(b, i, q),
            b'}' if b.get(i + 1) == Some(&b'}') => return i + 2,
            _ => i += 1,
        }
    }
    a.len()
}

/// Index just past the literal opened by `q` at `i`.
fn skip_literal(b: &[u8], mut i: usize, q: u8) -> usize {
    i += 1;
    while i < b.len() && b[i] != q {
        if b[i] == b'\\' && q != b'`' {
            i += 1;
        }
        i += 1;
    }
    (i + 1).min(b.len())
}

/// Byte ranges of the string literals in one action.
fn literals(a: &str) -> Vec<(usize, usize)> {
    let b = a.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            q @ (b'"' | b'\'' | b'`') => {
                let end = skip_literal(b, i, q);
                out.push((i, end));
                i = end;
            }
            _ => i += 1,
        }
    }
    out
}

fn rewrite_action(a: &str) -> String {
    let quoted = literals(a);
    let inside = |pos: usize| quoted.iter().any(|&(s, e)| s <= pos && pos < e);
    let mut out = String::with_capacity(a.len() + 32);
    let mut last = 0;
    for c in call_re().captures_iter(a) {
        let whole = c.get(0).expect("group 0");
        if inside(whole.start()) {
            continue;
        }
        let arg = &c["arg"];
        let arg = match (
            &c["kind"],
            arg.strip_prefix('"').and_then(|s| s.strip_suffix('"')),
        ) {
            ("Header", Some(name)) if !name.contains('\\') => {
                format!("\"{}\"", canonical_header(name))
            }
            _ => arg.to_owned(),
        };
        out.push_str(&a[last..whole.start()]);
        out.push_str(&format!(
            "(default \"\" (first (index {} {arg})))",
            &c["chain"]
        ));
        last = whole.end();
    }
    out.push_str(&a[last..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewrites_calls_not_literals() {
        assert_eq!(
            rewrite(r#"{{ .MatchContext.URL.Query.Get "q" }}"#),
            r#"{{ (default "" (first (index .MatchContext.URL.Query "q"))) }}"#
        );
        assert_eq!(
            rewrite(r#"{{ .MatchContext.Header.Get "x-api-key" | upper }}"#),
            r#"{{ (default "" (first (index .MatchContext.Header "X-Api-Key"))) | upper }}"#
        );
        let lit = r#"{{ print ".Query.Get x" }} and .Query.Get "y" outside"#;
        assert_eq!(rewrite(lit), lit);
        assert_eq!(rewrite("{{ .Subject }}"), "{{ .Subject }}");
    }
}
