//! A delimiter pre-check: gtmpl's lexer never returns on an unterminated action or quoted
//! string, so such templates are rejected before they reach it.

/// Checks that every `{{` has its `}}` and every quote inside an action is closed.
pub(super) fn check(text: &str) -> Result<(), String> {
    let b = text.as_bytes();
    let mut i = 0;
    while i + 1 < b.len() {
        if !(b[i] == b'{' && b[i + 1] == b'{') {
            i += 1;
            continue;
        }
        let start = i;
        i += 2;
        let mut closed = false;
        while i < b.len() {
            match b[i] {
                b'"' | b'\'' => {
                    let q = b[i];
                    i += 1;
                    while i < b.len() && b[i] != q {
                        if b[i] == b'\n' {
                            return Err(format!("unterminated quoted string at byte {i}"));
                        }
                        if b[i] == b'\\' {
                            i += 1;
                        }
                        i += 1;
                    }
                    if i >= b.len() {
                        return Err(format!(
                            "unterminated quoted string in action at byte {start}"
                        ));
                    }
                    i += 1;
                }
                b'`' => {
                    i += 1;
                    while i < b.len() && b[i] != b'`' {
                        i += 1;
                    }
                    if i >= b.len() {
                        return Err(format!("unterminated raw string in action at byte {start}"));
                    }
                    i += 1;
                }
                b'/' if b.get(i + 1) == Some(&b'*') => match text[i + 2..].find("*/") {
                    Some(end) => i += 2 + end + 2,
                    None => return Err(format!("unclosed comment at byte {start}")),
                },
                b'}' if b.get(i + 1) == Some(&b'}') => {
                    i += 2;
                    closed = true;
                    break;
                }
                _ => i += 1,
            }
        }
        if !closed {
            return Err(format!("unclosed action at byte {start}"));
        }
    }
    Ok(())
}
