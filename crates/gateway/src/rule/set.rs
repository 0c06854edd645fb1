//! An immutable, precompiled rule set with a literal-prefix index; swapped atomically on
//! reload so request matching never takes a lock.

use std::sync::Arc;

use crate::config::MatchingStrategy;
use crate::error::GatewayError;
use crate::pipeline::registry::Registry;
use crate::pipeline::{ErrorHandler, Pipeline};

use super::index::PrefixIndex;
use super::matcher::{MatchError, Matcher};
use super::model::RuleSpec;

/// One rule, compiled.
pub struct CompiledRule {
    /// The rule as written.
    pub spec: RuleSpec,
    /// Upper-cased methods.
    pub methods: Vec<String>,
    /// The compiled pattern, or why it does not compile.
    pub matcher: Result<Matcher, MatchError>,
    /// The handlers, or why the rule is invalid (it still matches and fails with 500).
    pub pipeline: Result<Pipeline, String>,
    /// Parsed `upstream.url`, if any.
    pub upstream: Option<UpstreamTarget>,
    /// How `match.url` was compiled.
    pub strategy: MatchingStrategy,
}

/// `upstream.url` split once into what the proxy needs per request.
#[derive(Debug, Clone)]
pub struct UpstreamTarget {
    /// The URL as parsed.
    pub url: url::Url,
    /// Its scheme.
    pub scheme: http::uri::Scheme,
    /// `host[:port]`, also the `Host` header when `preserve_host` is off.
    pub authority: http::uri::Authority,
    /// `authority` as a header value.
    pub host_header: http::HeaderValue,
}

impl UpstreamTarget {
    /// Splits `url`; fails for URLs without a host.
    pub fn new(url: url::Url) -> Result<Self, String> {
        let host = url
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or("upstream.url: has no host")?;
        let authority = match url.port() {
            Some(p) => format!("{host}:{p}"),
            None => host.to_owned(),
        };
        let authority = http::uri::Authority::try_from(authority.as_str())
            .map_err(|e| format!("upstream.url: {e}"))?;
        let scheme =
            http::uri::Scheme::try_from(url.scheme()).map_err(|e| format!("upstream.url: {e}"))?;
        let host_header = http::HeaderValue::from_str(authority.as_str())
            .map_err(|e| format!("upstream.url: {e}"))?;
        Ok(Self {
            url,
            scheme,
            authority,
            host_header,
        })
    }

    /// The upstream URL's path (`/` for none).
    pub fn base_path(&self) -> &str {
        self.url.path()
    }
}

impl CompiledRule {
    /// Compiles `spec`; never fails, invalid parts are recorded.
    pub fn compile(spec: RuleSpec, strategy: MatchingStrategy, registry: &Registry) -> Self {
        let matcher = if spec.matcher.url.is_empty() {
            Err(MatchError::Invalid {
                pattern: String::new(),
                reason: "match.url is empty".into(),
            })
        } else {
            Matcher::compile(&spec.matcher.url, strategy)
        };
        let upstream = if spec.upstream.url.is_empty() {
            Ok(None)
        } else {
            url::Url::parse(&spec.upstream.url)
                .map_err(|e| format!("upstream.url: {e}"))
                .and_then(UpstreamTarget::new)
                .map(Some)
        };
        let pipeline = match &upstream {
            Err(e) => Err(e.clone()),
            Ok(_) => registry.pipeline(&spec),
        };
        if let Err(e) = &pipeline {
            tracing::warn!(rule = %spec.id, error = %e, "access rule is invalid and will answer 500");
        }
        Self {
            methods: spec
                .matcher
                .methods
                .iter()
                .map(|m| m.to_ascii_uppercase())
                .collect(),
            upstream: upstream.ok().flatten(),
            strategy,
            matcher,
            pipeline,
            spec,
        }
    }

    /// Whether the rule can serve requests.
    pub fn is_valid(&self) -> bool {
        self.matcher.is_ok() && self.pipeline.is_ok()
    }
}

/// A matched rule with its capture groups.
pub struct Matched {
    /// The rule.
    pub rule: Arc<CompiledRule>,
    /// Regexp capture groups.
    pub captures: Vec<String>,
}

/// All rules, indexed.
#[derive(Default)]
pub struct RuleSet {
    rules: Vec<Arc<CompiledRule>>,
    index: PrefixIndex,
    /// Error handlers used when no rule matched or the rule has none.
    pub fallback_errors: Vec<Arc<dyn ErrorHandler>>,
}

impl RuleSet {
    /// Indexes compiled rules.
    pub fn new(rules: Vec<Arc<CompiledRule>>, fallback_errors: Vec<Arc<dyn ErrorHandler>>) -> Self {
        Self {
            index: PrefixIndex::new(&rules),
            rules,
            fallback_errors,
        }
    }

    /// Every rule, in load order.
    pub fn rules(&self) -> &[Arc<CompiledRule>] {
        &self.rules
    }

    /// Number of valid rules (readiness).
    pub fn valid_count(&self) -> usize {
        self.rules.iter().filter(|r| r.is_valid()).count()
    }

    /// Rule by id.
    pub fn get(&self, id: &str) -> Option<&Arc<CompiledRule>> {
        self.rules.iter().find(|r| r.spec.id == id)
    }

    /// The one rule matching `method` and `url` (`<scheme>://<host><path>`): 404 for none,
    /// 500 for several or for a pattern that cannot be evaluated.
    pub fn find(&self, method: &str, url: &str) -> Result<Matched, GatewayError> {
        let mut found: Option<(&Arc<CompiledRule>, Vec<String>)> = None;
        self.index.candidates(url, |i, known_match| {
            let rule = &self.rules[i];
            if !rule.methods.iter().any(|m| m.eq_ignore_ascii_case(method)) {
                return Ok(());
            }
            let matcher = rule
                .matcher
                .as_ref()
                .map_err(|e| GatewayError::internal(e.to_string()))?;
            let hit = if known_match {
                Some(matcher.captures(url))
            } else {
                matcher
                    .try_match(url)
                    .map_err(|e| GatewayError::internal(e.to_string()))?
            };
            if let Some(captures) = hit {
                if found.is_some() {
                    return Err(GatewayError::multiple_rules());
                }
                found = Some((rule, captures));
            }
            Ok(())
        })?;
        let (rule, captures) = found.ok_or_else(GatewayError::no_rule)?;
        Ok(Matched {
            rule: rule.clone(),
            captures,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::MatchingStrategy;

    fn set(urls: &[&str], strategy: MatchingStrategy) -> RuleSet {
        let registry = Registry::new(Default::default(), Default::default());
        let rules = urls
            .iter()
            .enumerate()
            .map(|(i, u)| {
                let spec: RuleSpec = serde_json::from_value(serde_json::json!({
                    "id": format!("r{i}"), "match": {"url": u, "methods": ["GET"]},
                }))
                .unwrap();
                Arc::new(CompiledRule::compile(spec, strategy, &registry))
            })
            .collect();
        RuleSet::new(rules, vec![])
    }

    fn found(s: &RuleSet, url: &str) -> Result<String, u16> {
        s.find("GET", url)
            .map(|m| m.rule.spec.id.clone())
            .map_err(|e| e.status.as_u16())
    }

    #[test]
    fn large_groups_match_through_the_regex_set_like_rule_by_rule() {
        // No literal prefix: all 50 rules share one group (and one RegexSet).
        let urls: Vec<String> = (0..50)
            .map(|i| format!("<https|http>://api.example.com/s{i}/<[a-z]+>"))
            .collect();
        let refs: Vec<&str> = urls.iter().map(String::as_str).collect();
        let s = set(&refs, MatchingStrategy::Regexp);
        assert_eq!(found(&s, "https://api.example.com/s7/abc"), Ok("r7".into()));
        assert_eq!(found(&s, "http://api.example.com/s49/x"), Ok("r49".into()));
        assert_eq!(found(&s, "http://api.example.com/s7/ABC"), Err(404));
        assert_eq!(found(&s, "ftp://api.example.com/s7/abc"), Err(404));
        let m = s.find("GET", "https://api.example.com/s3/xyz").unwrap();
        assert_eq!(m.captures, vec!["https", "xyz"]);
        assert!(s.find("POST", "https://api.example.com/s3/xyz").is_err());
    }

    #[test]
    fn overlaps_invalid_and_backtracking_rules_in_a_large_group() {
        let mut urls: Vec<String> = (0..10)
            .map(|i| format!("http://h/<(a|b)>{i}/<.*>"))
            .collect();
        urls.push("http://h/<a>1/<.*>".into()); // overlaps r1
        urls.push("http://h/<(?!z).*>x9".into()); // lookahead: checked one by one
        urls.push("http://h/<[bad>".into()); // invalid: 500 when its group is reached
        let refs: Vec<&str> = urls.iter().map(String::as_str).collect();
        let s = set(&refs, MatchingStrategy::Regexp);
        assert_eq!(
            found(&s, "http://h/b2/y"),
            Err(500),
            "the invalid rule's group is reached"
        );
        assert_eq!(found(&s, "http://other/"), Err(404));
        let valid: Vec<&str> = refs[..12].to_vec();
        let s = set(&valid, MatchingStrategy::Regexp);
        assert_eq!(found(&s, "http://h/a1/x"), Err(500), "r1 and r10 overlap");
        assert_eq!(found(&s, "http://h/b2/y"), Ok("r2".into()));
        assert_eq!(found(&s, "http://h/qx9"), Ok("r11".into()));
        assert_eq!(
            found(&s, "http://h/b9/x9"),
            Err(500),
            "r9 and the lookahead rule"
        );
    }

    #[test]
    fn scheme_alternatives_are_indexed_after_the_scheme() {
        let urls: Vec<String> = (0..30)
            .map(|i| format!("<https|http>://h{i}.example.com/<.*>"))
            .chain([
                "<https?>://h3.example.com/special".to_owned(),
                "<.*>://h3.example.com/any".to_owned(), // not indexable: evaluated for every URL
            ])
            .collect();
        let refs: Vec<&str> = urls.iter().map(String::as_str).collect();
        let s = set(&refs, MatchingStrategy::Regexp);
        assert_eq!(found(&s, "https://h12.example.com/a"), Ok("r12".into()));
        assert_eq!(found(&s, "ftp://h12.example.com/a"), Err(404));
        assert_eq!(
            found(&s, "http://h3.example.com/special"),
            Err(500),
            "r3 and r30"
        );
        assert_eq!(
            found(&s, "http://h3.example.com/any"),
            Err(500),
            "r3 and r31"
        );
        assert_eq!(
            found(&s, "http://x/?u=://h3.example.com/any"),
            Ok("r31".into())
        );
        let m = s.find("GET", "http://h1.example.com/p").unwrap();
        assert_eq!(m.captures, vec!["http", "p"]);
    }

    #[test]
    fn captures_come_from_each_kind_of_matcher() {
        let s = set(
            &[
                "http://h/users/<[0-9]{1,3}>/<[a-z]+>", // regex engine
                "http://h/items/<[0-9]+>",              // walked
                "http://h/<(?!users|items)[a-z]+>",     // backtracking engine
            ],
            MatchingStrategy::Regexp,
        );
        let captures = |url| s.find("GET", url).unwrap().captures;
        assert_eq!(captures("http://h/users/42/ab"), vec!["42", "ab"]);
        assert_eq!(captures("http://h/items/7"), vec!["7"]);
        assert_eq!(captures("http://h/other"), vec!["other"]);
        assert_eq!(found(&s, "http://h/users/4242/ab"), Err(404));
    }

    #[test]
    fn glob_groups() {
        let urls: Vec<String> = (0..20)
            .map(|i| format!("https://api.example.com/v{i}/<**>"))
            .chain(std::iter::once(
                "https://api.example.com/<*>/health".to_owned(),
            ))
            .collect();
        let refs: Vec<&str> = urls.iter().map(String::as_str).collect();
        let s = set(&refs, MatchingStrategy::Glob);
        assert_eq!(found(&s, "https://api.example.com/v3/a/b"), Ok("r3".into()));
        assert_eq!(
            found(&s, "https://api.example.com/x/health"),
            Ok("r20".into())
        );
        assert_eq!(found(&s, "https://api.example.com/v3/health"), Err(500));
    }
}
