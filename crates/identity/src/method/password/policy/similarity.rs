//! Identifier similarity (Kratos: Levenshtein distance < 5 or longest common substring over
//! password length > 0.5, both lowercased).

/// Operands longer than this (bytes) skip the O(n·m) check, as in Kratos, to bound its cost.
const MAX_OPERAND_BYTES: usize = 256;
const MIN_DISTANCE: usize = 5;
const MAX_SUBSTRING_RATIO: f64 = 0.5;

/// Whether `password` is too similar to `identifier`.
pub(crate) fn too_similar(identifier: &str, password: &str) -> bool {
    if identifier.is_empty()
        || identifier.len() > MAX_OPERAND_BYTES
        || password.len() > MAX_OPERAND_BYTES
    {
        return false;
    }
    let (identifier, password) = (identifier.to_lowercase(), password.to_lowercase());
    // Lowercasing can grow a string (e.g. 'İ'); re-check the bound.
    if identifier.len() > MAX_OPERAND_BYTES || password.len() > MAX_OPERAND_BYTES {
        return false;
    }
    if strsim::levenshtein(&identifier, &password) < MIN_DISTANCE {
        return true;
    }
    let password_chars = password.chars().count();
    password_chars > 0
        && longest_common_substring(&identifier, &password) as f64 / password_chars as f64
            > MAX_SUBSTRING_RATIO
}

/// Length in characters of the longest common substring (dynamic programming, one row).
fn longest_common_substring(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev = vec![0usize; b.len() + 1];
    let mut best = 0;
    for x in a.chars() {
        let mut row = vec![0usize; b.len() + 1];
        for (j, &y) in b.iter().enumerate() {
            if x == y {
                row[j + 1] = prev[j] + 1;
                best = best.max(row[j + 1]);
            }
        }
        prev = row;
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lcs() {
        assert_eq!(longest_common_substring("abcdef", "zcdez"), 3);
        assert_eq!(longest_common_substring("", "abc"), 0);
        assert_eq!(longest_common_substring("ab", "ba"), 1);
    }

    #[test]
    fn kratos_cases() {
        // Cases from kratos selfservice/strategy/password/validator_test.go.
        let similar = [
            ("l3f9toh1uaf81n21", "l3f9toh1uaf81n21"),
            ("hello@example.com", "hello@example.com12345"),
            ("hello@example.com", "123hello@example.com123"),
            ("hello@example.com", "hello@exam"),
            ("hello@example.com", "HELLO@EXAMPLE.COM"),
            ("hello@example.com", "HELLO@example.com"),
            ("hello@exam", "hello@example.com"),
            ("hello@example.com", "h3ll0@example"),
            ("bosqwfaxee", "bosqwfaxee"),
        ];
        for (id, pw) in similar {
            assert!(too_similar(id, pw), "{id} / {pw}");
        }
        let fine = [
            ("abcd", "9d3c8a1b"),
            ("a", "kjOklafe"),
            ("ab", "0000ab0000123"),
            ("d4f6090b-5a84", "d4f6090b-5a84-2184-4404-8d1b-8da3eb00ebbe"),
            ("asdflasdflasdf", "asdflasdflpiuhefnciluaksdzuföfhg"),
            ("", "l3f9toh1"),
        ];
        for (id, pw) in fine {
            assert!(!too_similar(id, pw), "{id} / {pw}");
        }
    }

    #[test]
    fn oversized_operands_are_skipped() {
        let long = "a".repeat(300);
        assert!(!too_similar(&long, &long));
    }
}
