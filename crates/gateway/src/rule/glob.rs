//! gobwas/glob patterns (separators `.` and `/`) compiled to anchored regular expressions.

/// Converts a glob (the part inside `<…>`) to regex syntax without capture groups.
pub fn glob_to_regex(glob: &str) -> Result<String, String> {
    let chars: Vec<char> = glob.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    let mut depth = 0usize;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '*' if chars.get(i + 1) == Some(&'*') => {
                out.push_str(".*");
                i += 1;
            }
            '*' => out.push_str("[^./]*"),
            '?' => out.push_str("[^./]"),
            '[' => {
                let end = chars[i + 1..]
                    .iter()
                    .position(|&c| c == ']')
                    .ok_or_else(|| format!("unclosed '[' in glob {glob:?}"))?
                    + i
                    + 1;
                let mut class: String = chars[i + 1..end].iter().collect();
                if class.is_empty() {
                    return Err(format!("empty character class in glob {glob:?}"));
                }
                if let Some(rest) = class.strip_prefix('!') {
                    class = format!("^{rest}");
                }
                out.push('[');
                out.push_str(&class.replace('\\', "\\\\").replace('[', "\\["));
                out.push(']');
                i = end;
            }
            '{' => {
                depth += 1;
                out.push_str("(?:");
            }
            '}' if depth > 0 => {
                depth -= 1;
                out.push(')');
            }
            ',' if depth > 0 => out.push('|'),
            '\\' => {
                i += 1;
                let next = chars.get(i).ok_or("trailing escape in glob")?;
                out.push_str(&regex::escape(&next.to_string()));
            }
            c => out.push_str(&regex::escape(&c.to_string())),
        }
        i += 1;
    }
    if depth > 0 {
        return Err(format!("unclosed '{{' in glob {glob:?}"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(glob: &str, s: &str) -> bool {
        regex::Regex::new(&format!("^{}$", glob_to_regex(glob).unwrap()))
            .unwrap()
            .is_match(s)
    }

    #[test]
    fn gobwas_semantics() {
        assert!(m("*", "abc"));
        assert!(!m("*", "a/b"));
        assert!(!m("*", "a.b"));
        assert!(m("**", "a/b.c"));
        assert!(m("?", "a"));
        assert!(!m("?", "/"));
        assert!(m("[a-z]", "q"));
        assert!(!m("[!a]", "a"));
        assert!(m("{a,b*}", "bcd"));
        assert!(!m("{a,b*}", "c"));
    }

    #[test]
    fn rejects_broken_globs() {
        assert!(glob_to_regex("[abc").is_err());
        assert!(glob_to_regex("{a,b").is_err());
    }
}
