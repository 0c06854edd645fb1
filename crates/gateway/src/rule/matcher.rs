//! `match.url` patterns: text outside `<…>` is literal; inside is a regexp (ladon) or a glob
//! (gobwas). Compiled once at load: the common shapes to a [`SimplePattern`], others to a
//! `regex` (linear time), and those that need backtracking features such as lookahead to a
//! `fancy-regex` with a backtrack limit.

use crate::config::MatchingStrategy;

use super::glob::glob_to_regex;
use super::simple::SimplePattern;

/// A pattern that cannot be compiled or evaluated.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum MatchError {
    /// `<` without its `>` (or the reverse).
    #[error("unbalanced '<' '>' in pattern {0:?}")]
    Unbalanced(String),
    /// The text inside `<…>` is not a valid regexp or glob.
    #[error("invalid pattern {pattern:?}: {reason}")]
    Invalid {
        /// The whole pattern.
        pattern: String,
        /// Compiler message.
        reason: String,
    },
    /// Evaluation gave up (backtracking limit), like Oathkeeper's 250 ms regexp2 timeout.
    #[error("pattern {0:?} exceeded its evaluation budget")]
    Budget(String),
}

/// A compiled `match.url` pattern.
#[derive(Debug, Clone)]
pub enum Matcher {
    /// Literal text, plain alternatives and class repeats, matched without a regex engine;
    /// with the regex it stands for (rule groups are matched through one `RegexSet`).
    Simple(SimplePattern, String),
    /// Plain RE2-compatible regex.
    Fast(regex::Regex),
    /// Needs lookaround/backreferences.
    Fancy(Box<fancy_regex::Regex>),
}

/// Splits a pattern into literal text and top-level `<…>` sections.
pub fn split(pattern: &str) -> Result<Vec<(bool, &str)>, MatchError> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0usize, 0usize);
    for (i, c) in pattern.char_indices() {
        match c {
            '<' => {
                if depth == 0 {
                    if start < i {
                        parts.push((false, &pattern[start..i]));
                    }
                    start = i + 1;
                }
                depth += 1;
            }
            '>' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    parts.push((true, &pattern[start..i]));
                    start = i + 1;
                }
            }
            _ => {}
        }
    }
    if depth != 0 {
        return Err(MatchError::Unbalanced(pattern.to_owned()));
    }
    if start < pattern.len() {
        parts.push((false, &pattern[start..]));
    }
    Ok(parts)
}

/// The literal text before the first `<`, used to index rules.
pub fn literal_prefix(pattern: &str) -> &str {
    pattern.split('<').next().unwrap_or("")
}

/// Go's `regexp.QuoteMeta`.
fn quote_meta(s: &str) -> String {
    regex::escape(s)
}

/// The anchored regex a pattern stands for.
pub fn regex_source(pattern: &str, strategy: MatchingStrategy) -> Result<String, MatchError> {
    regex_of(pattern, &split(pattern)?, strategy)
}

fn regex_of(
    pattern: &str,
    sections: &[(bool, &str)],
    strategy: MatchingStrategy,
) -> Result<String, MatchError> {
    let mut re = String::from("^");
    for &(dynamic, text) in sections {
        match (dynamic, strategy) {
            (false, _) => re.push_str(&quote_meta(text)),
            (true, MatchingStrategy::Regexp) => {
                re.push('(');
                re.push_str(text);
                re.push(')');
            }
            (true, MatchingStrategy::Glob) => {
                re.push_str("(?:");
                re.push_str(&glob_to_regex(text).map_err(|reason| MatchError::Invalid {
                    pattern: pattern.to_owned(),
                    reason,
                })?);
                re.push(')');
            }
        }
    }
    re.push('$');
    Ok(re)
}

impl Matcher {
    /// Compiles `pattern` under `strategy`.
    pub fn compile(pattern: &str, strategy: MatchingStrategy) -> Result<Self, MatchError> {
        let sections = split(pattern)?;
        let re = regex_of(pattern, &sections, strategy)?;
        if let Some(simple) = SimplePattern::parse(&sections, strategy) {
            return Ok(Matcher::Simple(simple, re));
        }
        let invalid = |reason: String| MatchError::Invalid {
            pattern: pattern.to_owned(),
            reason,
        };
        match regex::Regex::new(&re) {
            Ok(r) => Ok(Matcher::Fast(r)),
            Err(fast_err) => fancy_regex::RegexBuilder::new(&re)
                .backtrack_limit(1_000_000)
                .build()
                .map(|r| Matcher::Fancy(Box::new(r)))
                .map_err(|e| {
                    invalid(match fast_err {
                        regex::Error::Syntax(_) => e.to_string(),
                        other => other.to_string(),
                    })
                }),
        }
    }

    /// Whether the whole string matches.
    pub fn is_match(&self, s: &str) -> Result<bool, MatchError> {
        match self {
            Matcher::Simple(p, _) => Ok(p.is_match(s)),
            Matcher::Fast(r) => Ok(r.is_match(s)),
            Matcher::Fancy(r) => r
                .is_match(s)
                .map_err(|_| MatchError::Budget(r.as_str().to_owned())),
        }
    }

    /// What the capture groups took, when the whole string matches: one search, the capturing
    /// one where there are groups. Empty for globs and patterns without groups, which skip the
    /// slower capturing search.
    pub fn try_match(&self, s: &str) -> Result<Option<Vec<String>>, MatchError> {
        match self {
            Matcher::Simple(p, _) => Ok(p.try_match(s)),
            Matcher::Fast(r) if r.captures_len() == 1 => Ok(r.is_match(s).then(Vec::new)),
            Matcher::Fast(r) => Ok(r
                .captures(s)
                .map(|c| groups(c.iter().map(|m| m.map(|m| m.as_str()))))),
            Matcher::Fancy(r) => r
                .captures(s)
                .map(|c| c.map(|c| groups(c.iter().map(|m| m.map(|m| m.as_str())))))
                .map_err(|_| MatchError::Budget(r.as_str().to_owned())),
        }
    }

    /// Whether the pattern has capture groups.
    fn has_groups(&self) -> bool {
        match self {
            Matcher::Simple(p, _) => p.groups() > 0,
            Matcher::Fast(r) => r.captures_len() > 1,
            Matcher::Fancy(r) => r.captures_len() > 1,
        }
    }

    /// All capture groups (top-level and nested), empty strings for groups that did not take
    /// part; empty for globs, which have none, and when the string does not match.
    pub fn captures(&self, s: &str) -> Vec<String> {
        // Without groups there is nothing to search for (a rule set's `RegexSet` may have
        // matched the string already).
        if !self.has_groups() {
            return Vec::new();
        }
        self.try_match(s).ok().flatten().unwrap_or_default()
    }
}

/// The text of each capture group after the whole match (empty for a group that did not take
/// part), from either regex engine's captures.
fn groups<'a>(all: impl Iterator<Item = Option<&'a str>>) -> Vec<String> {
    all.skip(1)
        .map(|m| m.unwrap_or_default().to_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use MatchingStrategy::*;

    fn m(p: &str, st: MatchingStrategy, s: &str) -> bool {
        Matcher::compile(p, st).unwrap().is_match(s).unwrap()
    }

    #[test]
    fn regexp_strategy_quotes_literals_and_anchors() {
        assert!(m(
            "https://a.com/users/<[0-9]+>",
            Regexp,
            "https://a.com/users/42"
        ));
        assert!(!m(
            "https://a.com/users/<[0-9]+>",
            Regexp,
            "https://a.com/users/42/x"
        ));
        assert!(!m(
            "https://a.com/users/<[0-9]+>",
            Regexp,
            "https://aXcom/users/42"
        ));
        let c = Matcher::compile("http://x/<[a-z]+>/<([0-9])+>", Regexp).unwrap();
        assert_eq!(c.captures("http://x/ab/12"), vec!["ab", "12", "2"]);
    }

    #[test]
    fn regexp_lookahead_uses_backtracking_engine() {
        let p = "http://x/<(?!protected).*>";
        assert!(m(p, Regexp, "http://x/public"));
        assert!(!m(p, Regexp, "http://x/protected/a"));
    }

    #[test]
    fn glob_strategy() {
        assert!(m("http://x/<*>", Glob, "http://x/a"));
        assert!(!m("http://x/<*>", Glob, "http://x/a/b"));
        assert!(m(
            "https://api.example.com/graphql/<**>",
            Glob,
            "https://api.example.com/graphql/"
        ));
        assert!(m("http://<{a,b}>.com/", Glob, "http://b.com/"));
        assert!(Matcher::compile("http://x/<*>", Glob)
            .unwrap()
            .captures("http://x/a")
            .is_empty());
    }

    #[test]
    fn each_pattern_gets_the_cheapest_matcher_that_can_match_it() {
        let compiled = |p, st| Matcher::compile(p, st).unwrap();
        assert!(matches!(
            compiled("http://x/<**>", Glob),
            Matcher::Simple(..)
        ));
        assert!(matches!(
            compiled("<https|http>://x/<[0-9]+>", Regexp),
            Matcher::Simple(..)
        ));
        assert!(matches!(
            compiled("http://x/<[0-9]{2}>", Regexp),
            Matcher::Fast(_)
        ));
        assert!(matches!(
            compiled("http://x/<(?!a).*>", Regexp),
            Matcher::Fancy(_)
        ));
    }

    #[test]
    fn invalid_patterns() {
        assert!(Matcher::compile("http://x/<**>", Regexp).is_err());
        assert!(Matcher::compile("http://x/<[a-z>", Regexp).is_err());
        assert!(matches!(
            Matcher::compile("http://x/<abc", Regexp),
            Err(MatchError::Unbalanced(_))
        ));
    }
}
