//! An immutable, precompiled rule set with a literal-prefix index; swapped atomically on
//! reload so request matching never takes a lock.

use std::collections::HashMap;
use std::sync::Arc;

use crate::config::MatchingStrategy;
use crate::error::GatewayError;
use crate::pipeline::registry::Registry;
use crate::pipeline::{ErrorHandler, Pipeline};

use super::matcher::{literal_prefix, MatchError, Matcher};
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
    pub upstream: Option<url::Url>,
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
                .map(Some)
                .map_err(|e| format!("upstream.url: {e}"))
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
    by_prefix: HashMap<String, Vec<usize>>,
    prefix_lengths: Vec<usize>,
    /// Error handlers used when no rule matched or the rule has none.
    pub fallback_errors: Vec<Arc<dyn ErrorHandler>>,
}

impl RuleSet {
    /// Indexes compiled rules.
    pub fn new(rules: Vec<Arc<CompiledRule>>, fallback_errors: Vec<Arc<dyn ErrorHandler>>) -> Self {
        let mut by_prefix: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, r) in rules.iter().enumerate() {
            by_prefix
                .entry(literal_prefix(&r.spec.matcher.url).to_owned())
                .or_default()
                .push(i);
        }
        let mut prefix_lengths: Vec<usize> = by_prefix.keys().map(String::len).collect();
        prefix_lengths.sort_unstable();
        prefix_lengths.dedup();
        Self {
            rules,
            by_prefix,
            prefix_lengths,
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
        let mut found: Option<&Arc<CompiledRule>> = None;
        for &len in &self.prefix_lengths {
            if len > url.len() {
                break;
            }
            if !url.is_char_boundary(len) {
                continue;
            }
            let Some(candidates) = self.by_prefix.get(&url[..len]) else {
                continue;
            };
            for &i in candidates {
                let rule = &self.rules[i];
                if !rule.methods.iter().any(|m| m.eq_ignore_ascii_case(method)) {
                    continue;
                }
                let matcher = rule
                    .matcher
                    .as_ref()
                    .map_err(|e| GatewayError::internal(e.to_string()))?;
                if matcher
                    .is_match(url)
                    .map_err(|e| GatewayError::internal(e.to_string()))?
                {
                    if found.is_some() {
                        return Err(GatewayError::multiple_rules());
                    }
                    found = Some(rule);
                }
            }
        }
        let rule = found.ok_or_else(GatewayError::no_rule)?.clone();
        let captures = match &rule.matcher {
            Ok(m) => m.captures(url),
            Err(_) => Vec::new(),
        };
        Ok(Matched { rule, captures })
    }
}
