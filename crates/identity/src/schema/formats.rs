//! The string formats Kratos validates differently from plain JSON Schema: `email` (ory/jsonschema
//! rules: hostname domain plus an RFC 5322 local part), `tel` (international numbers) and
//! `no-validate` (registered by Kratos so `verification.via: sms` can skip the check).

/// `format: email` as ory/jsonschema checks it.
pub(crate) fn is_email(s: &str) -> bool {
    if s.len() > 254 {
        return false;
    }
    let Some(at) = s.rfind('@') else {
        return false;
    };
    let (local, domain) = (&s[..at], &s[at + 1..]);
    local.len() <= 64 && is_hostname(domain) && !domain.ends_with('.') && is_local_part(local)
}

/// `format: hostname` as ory/jsonschema checks it (RFC 1123 labels).
fn is_hostname(s: &str) -> bool {
    let s = s.strip_suffix('.').unwrap_or(s);
    if s.len() > 253 || s.starts_with('-') {
        return false;
    }
    s.split('.').all(|label| {
        (1..=63).contains(&label.len())
            && !label.ends_with('-')
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    })
}

/// The local part accepted by Go's `net/mail`: a dot-atom or a quoted string, after optional
/// leading white space.
fn is_local_part(local: &str) -> bool {
    let local = local.trim_start_matches([' ', '\t']);
    if let Some(quoted) = local.strip_prefix('"') {
        return is_quoted_string(quoted);
    }
    !local.is_empty()
        && local
            .split('.')
            .all(|atom| !atom.is_empty() && atom.chars().all(is_atext))
}

fn is_atext(c: char) -> bool {
    if !c.is_ascii() {
        return true;
    }
    c.is_ascii_graphic() && !"()<>[]:;@\\,.\"".contains(c)
}

/// Checks `…"` (the opening quote already consumed): qtext, white space and quoted pairs, then
/// the closing quote as the last character.
fn is_quoted_string(rest: &str) -> bool {
    let mut chars = rest.chars();
    let mut len = 0;
    while let Some(c) = chars.next() {
        match c {
            '"' => return len > 0 && chars.next().is_none(),
            '\\' => match chars.next() {
                Some(n) if n == ' ' || n == '\t' || n.is_ascii_graphic() || !n.is_ascii() => {}
                _ => return false,
            },
            c if c == ' ' || c == '\t' || c.is_ascii_graphic() || !c.is_ascii() => {}
            _ => return false,
        }
        len += 1;
    }
    false
}

/// `format: tel`. Kratos uses libphonenumber's `IsValidNumber`; without its metadata we accept
/// international numbers in E.164 shape: `+`, 7 to 15 digits not starting with 0, with the
/// usual separators (space, `-`, `.`, parentheses).
pub(crate) fn is_phone(s: &str) -> bool {
    normalize_phone(s).is_some()
}

/// Formats a phone number as E.164 (`+4917612345678`), or `None` if it is not one.
pub(crate) fn normalize_phone(s: &str) -> Option<String> {
    let rest = s.trim().strip_prefix('+')?;
    let mut digits = String::with_capacity(16);
    for c in rest.chars() {
        match c {
            '0'..='9' => digits.push(c),
            ' ' | '-' | '.' | '(' | ')' => {}
            _ => return None,
        }
    }
    if !(7..=15).contains(&digits.len()) || digits.starts_with('0') {
        return None;
    }
    Some(format!("+{digits}"))
}

/// `format: no-validate` accepts everything.
pub(crate) fn no_validate(_: &str) -> bool {
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_follows_ory_rules() {
        for ok in [
            "foo@bar.com",
            "Foo.Bar+tag@example.co.uk",
            "a@b",
            "\"quoted name\"@example.com",
            "ünïcode@example.com",
            "x@sub-domain.example.com",
        ] {
            assert!(is_email(ok), "{ok}");
        }
        for bad in [
            "foo",
            "foo@",
            "@bar.com",
            "foo@bar..com",
            "foo@-bar.com",
            "foo@bar-.com",
            "foo@bar.com.",
            "foo@bar_baz.com",
            ".foo@bar.com",
            "foo.@bar.com",
            "fo..o@bar.com",
            "foo bar@bar.com",
            "Foo <foo@bar.com>",
            "foo@bar.com ",
            "\"\"@bar.com",
        ] {
            assert!(!is_email(bad), "{bad}");
        }
        assert!(!is_email(&format!("{}@b.com", "a".repeat(65))));
    }

    #[test]
    fn phone_numbers_normalize_to_e164() {
        assert_eq!(
            normalize_phone(" +49 (176) 123-45678 ").as_deref(),
            Some("+4917612345678")
        );
        assert_eq!(
            normalize_phone("+15551234567").as_deref(),
            Some("+15551234567")
        );
        assert!(normalize_phone("017612345678").is_none());
        assert!(normalize_phone("+0123456789").is_none());
        assert!(normalize_phone("+12").is_none());
        assert!(normalize_phone("+1 555 CALL NOW").is_none());
        assert!(is_phone("+4917612345678"));
        assert!(no_validate("anything"));
    }
}
