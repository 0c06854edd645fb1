//! The match index. Rules are grouped by literal text their URL must start with, so a request
//! only evaluates the rules of the groups its URL is in:
//!
//! - by the literal prefix before the first `<` (`https://api.example.com/users/<…>`);
//! - for the Oathkeeper idiom `<https|http>://host/…`, by the literal from `://` on, looked up
//!   at the request URL's own `://` (only when the scheme part cannot match `:`, so it cannot
//!   reach past the URL's first `://`);
//! - everything else in one group.
//!
//! Within a large group, one `RegexSet` pass replaces a regex per rule.

use std::collections::HashMap;
use std::sync::Arc;

use crate::config::MatchingStrategy;

use super::matcher::{literal_prefix, split, Matcher};
use super::set::CompiledRule;

/// Groups at least this large get a `RegexSet`; smaller ones are checked rule by rule.
const SET_MIN: usize = 4;

/// One group of rules.
#[derive(Default)]
struct Bucket {
    /// The group's plain-regex rules as one set, with the rule index of each member.
    set: Option<(regex::RegexSet, Vec<usize>)>,
    /// Rules checked one by one (small groups, backtracking patterns, invalid patterns).
    each: Vec<usize>,
}

/// Groups keyed by literal text, looked up by every distinct key length (with foldhash:
/// requests only look keys up, and the keys come from the rules).
#[derive(Default)]
struct Level {
    buckets: HashMap<String, Bucket, foldhash::fast::RandomState>,
    lengths: Vec<usize>,
}

/// Where a rule is indexed.
enum Key {
    Start(String),
    AfterScheme(String),
    None,
}

/// Rules by the literal text their URL starts with.
#[derive(Default)]
pub struct PrefixIndex {
    start: Level,
    after_scheme: Level,
    rest: Bucket,
}

impl PrefixIndex {
    /// Indexes `rules`; groups keep load order.
    pub fn new(rules: &[Arc<CompiledRule>]) -> Self {
        let mut start: HashMap<String, Vec<usize>> = HashMap::new();
        let mut after: HashMap<String, Vec<usize>> = HashMap::new();
        let mut rest = Vec::new();
        for (i, r) in rules.iter().enumerate() {
            match key(&r.spec.matcher.url, r.strategy) {
                Key::Start(k) => start.entry(k).or_default().push(i),
                Key::AfterScheme(k) => after.entry(k).or_default().push(i),
                Key::None => rest.push(i),
            }
        }
        Self {
            start: Level::new(rules, start),
            after_scheme: Level::new(rules, after),
            rest: Bucket::new(rules, rest, "(none)"),
        }
    }

    /// Calls `visit` with the index of every rule that may match `url`, and whether it is
    /// already known to match (set members are only visited when the set matched them; others
    /// are for the caller to evaluate). Stops at the first error `visit` returns.
    pub fn candidates<E>(
        &self,
        url: &str,
        mut visit: impl FnMut(usize, bool) -> Result<(), E>,
    ) -> Result<(), E> {
        self.start.visit(url, url, &mut visit)?;
        if let Some(at) = scheme_end(url) {
            self.after_scheme.visit(&url[at..], url, &mut visit)?;
        }
        self.rest.visit(url, &mut visit)
    }
}

/// Where the first `://` of `url` starts. The first `:` of a match URL is its scheme's, so one
/// byte search usually answers; a substring search costs more to set up than it saves here.
fn scheme_end(url: &str) -> Option<usize> {
    let colon = url.find(':')?;
    if url[colon..].starts_with("://") {
        Some(colon)
    } else {
        url[colon + 1..].find("://").map(|at| colon + 1 + at)
    }
}

/// The index key of a `match.url` pattern.
fn key(pattern: &str, strategy: MatchingStrategy) -> Key {
    let prefix = literal_prefix(pattern);
    if !prefix.is_empty() {
        return Key::Start(prefix.to_owned());
    }
    match split(pattern).as_deref() {
        Ok([(true, scheme), (false, lit), ..])
            if lit.starts_with("://") && cannot_match_colon(scheme, strategy) =>
        {
            Key::AfterScheme((*lit).to_owned())
        }
        _ => Key::None,
    }
}

/// Conservative: only letters, digits and alternation/optional syntax (`https?`,
/// `https|http`, `{http,https}`), which can never match `:`.
fn cannot_match_colon(part: &str, strategy: MatchingStrategy) -> bool {
    let allowed: &[char] = match strategy {
        MatchingStrategy::Regexp => &['|', '(', ')', '?', '+', '*'],
        MatchingStrategy::Glob => &['{', '}', ','],
    };
    !part.is_empty()
        && part
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || allowed.contains(&c))
}

impl Level {
    fn new(rules: &[Arc<CompiledRule>], groups: HashMap<String, Vec<usize>>) -> Self {
        let mut lengths: Vec<usize> = groups.keys().map(String::len).collect();
        lengths.sort_unstable();
        lengths.dedup();
        let buckets = groups
            .into_iter()
            .map(|(k, members)| {
                let b = Bucket::new(rules, members, &k);
                (k, b)
            })
            .collect();
        Self { buckets, lengths }
    }

    /// Visits the groups whose key is a prefix of `text` (a suffix of `url`).
    fn visit<E>(
        &self,
        text: &str,
        url: &str,
        visit: &mut impl FnMut(usize, bool) -> Result<(), E>,
    ) -> Result<(), E> {
        for &len in &self.lengths {
            if len > text.len() {
                break;
            }
            if !text.is_char_boundary(len) {
                continue;
            }
            if let Some(bucket) = self.buckets.get(&text[..len]) {
                bucket.visit(url, visit)?;
            }
        }
        Ok(())
    }
}

impl Bucket {
    fn new(rules: &[Arc<CompiledRule>], members: Vec<usize>, key: &str) -> Self {
        let plain: Vec<usize> = members
            .iter()
            .copied()
            .filter(|&i| matches!(rules[i].matcher, Ok(Matcher::Fast(_) | Matcher::Simple(..))))
            .collect();
        if plain.len() < SET_MIN {
            return Self {
                set: None,
                each: members,
            };
        }
        let patterns = plain.iter().map(|&i| match &rules[i].matcher {
            Ok(Matcher::Fast(r)) => r.as_str().to_owned(),
            Ok(Matcher::Simple(_, re)) => re.clone(),
            _ => unreachable!("filtered to plain regexes"),
        });
        match regex::RegexSetBuilder::new(patterns)
            .size_limit(256 << 20)
            .dfa_size_limit(64 << 20)
            .build()
        {
            Ok(set) => {
                let mut in_set = vec![false; rules.len()];
                for &i in &plain {
                    in_set[i] = true;
                }
                Self {
                    set: Some((set, plain)),
                    each: members.into_iter().filter(|&i| !in_set[i]).collect(),
                }
            }
            Err(e) => {
                tracing::warn!(key, error = %e, "rules matched one by one: regex set too large");
                Self {
                    set: None,
                    each: members,
                }
            }
        }
    }

    fn visit<E>(
        &self,
        url: &str,
        visit: &mut impl FnMut(usize, bool) -> Result<(), E>,
    ) -> Result<(), E> {
        if let Some((set, members)) = &self.set {
            for hit in set.matches(url).iter() {
                visit(members[hit], true)?;
            }
        }
        for &i in &self.each {
            visit(i, false)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use MatchingStrategy::*;

    #[test]
    fn scheme_end_is_the_first_separator() {
        for url in [
            "http://a.com/x",
            "https://a.com:8080/x",
            "http:/a/b://c",
            "a:b:c://d",
            "no-separator",
            "",
            "://x",
        ] {
            assert_eq!(scheme_end(url), url.find("://"), "{url:?}");
        }
    }

    #[test]
    fn keys() {
        assert!(
            matches!(key("https://a.com/<.*>", Regexp), Key::Start(k) if k == "https://a.com/")
        );
        assert!(
            matches!(key("<https|http>://a.com/x/<.*>", Regexp), Key::AfterScheme(k) if k == "://a.com/x/")
        );
        assert!(matches!(
            key("<{http,https}>://a.com/<**>", Glob),
            Key::AfterScheme(_)
        ));
        // These could match past the URL's first `://`.
        assert!(matches!(key("<.*>://a.com/<.*>", Regexp), Key::None));
        assert!(matches!(key("<*>://a.com/<**>", Glob), Key::None));
        assert!(matches!(key("<[a-z:]+>://a.com/", Regexp), Key::None));
        assert!(matches!(key("<https>.a.com/", Regexp), Key::None));
    }
}
