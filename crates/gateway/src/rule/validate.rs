//! Pre-deployment checks for `rules validate`: unparsable documents, bad patterns, invalid
//! handlers, duplicate ids and rules that can match the same request.

use crate::config::MatchingStrategy;

use super::matcher::{split, Matcher};
use super::model::RuleSpec;
use super::set::CompiledRule;

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Rule id(s) concerned.
    pub rule: String,
    /// What is wrong.
    pub message: String,
}

/// Sample strings a pattern matches, used to detect overlaps between rules.
fn samples(pattern: &str, strategy: MatchingStrategy) -> Vec<String> {
    let Ok(parts) = split(pattern) else {
        return vec![];
    };
    let fills: &[&str] = match strategy {
        MatchingStrategy::Glob => &["x", "", "x/y"],
        MatchingStrategy::Regexp => &["x", "", "1", "x/y", "a-b", "1/2", "X"],
    };
    let mut out = Vec::new();
    for fill in fills {
        let s: String = parts
            .iter()
            .map(|(dynamic, text)| if *dynamic { *fill } else { *text })
            .collect();
        out.push(s);
    }
    out
}

/// Checks compiled rules.
pub fn check(rules: &[CompiledRule], strategy: MatchingStrategy, handlers: bool) -> Vec<Finding> {
    let mut findings = Vec::new();
    for r in rules {
        if let Err(e) = &r.matcher {
            findings.push(Finding {
                rule: r.spec.id.clone(),
                message: e.to_string(),
            });
        }
        if let (true, Err(e)) = (handlers, &r.pipeline) {
            findings.push(Finding {
                rule: r.spec.id.clone(),
                message: e.clone(),
            });
        }
        if r.methods.is_empty() {
            findings.push(Finding {
                rule: r.spec.id.clone(),
                message: "match.methods is empty; the rule never matches".into(),
            });
        }
    }
    for (i, a) in rules.iter().enumerate() {
        for b in &rules[i + 1..] {
            if !a.spec.id.is_empty() && a.spec.id == b.spec.id {
                findings.push(Finding {
                    rule: a.spec.id.clone(),
                    message: "duplicate rule id".into(),
                });
            }
            let common: Vec<&String> = a.methods.iter().filter(|m| b.methods.contains(m)).collect();
            if common.is_empty() {
                continue;
            }
            if let Some(url) = overlap(
                &a.spec,
                a.matcher.as_ref().ok(),
                &b.spec,
                b.matcher.as_ref().ok(),
                strategy,
            ) {
                findings.push(Finding {
                    rule: format!("{} / {}", a.spec.id, b.spec.id),
                    message: format!(
                        "rules overlap: {} {url} matches both (requests would fail with 500)",
                        common[0]
                    ),
                });
            }
        }
    }
    findings
}

fn overlap(
    a: &RuleSpec,
    am: Option<&Matcher>,
    b: &RuleSpec,
    bm: Option<&Matcher>,
    strategy: MatchingStrategy,
) -> Option<String> {
    let (am, bm) = (am?, bm?);
    if a.matcher.url == b.matcher.url {
        return Some(a.matcher.url.clone());
    }
    let both = |s: &String| am.is_match(s).unwrap_or(false) && bm.is_match(s).unwrap_or(false);
    samples(&a.matcher.url, strategy)
        .into_iter()
        .chain(samples(&b.matcher.url, strategy))
        .find(both)
}
