//! The access rule document as written in rule files (Oathkeeper `rule/rule.go`).

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One access rule. Unknown fields are ignored, as in Oathkeeper.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
#[serde(default)]
pub struct RuleSpec {
    /// Rule id (uniqueness is not enforced, as in Oathkeeper; `rules validate` warns).
    pub id: String,
    /// Semver of the Oathkeeper the rule was written for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Free text.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// What the rule matches.
    #[serde(rename = "match")]
    pub matcher: RuleMatch,
    /// Authenticators, tried in order.
    pub authenticators: Vec<RuleHandler>,
    /// The one authorizer.
    pub authorizer: RuleHandler,
    /// Mutators, applied in order.
    pub mutators: Vec<RuleHandler>,
    /// Error handlers for this rule.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<RuleHandler>,
    /// Where the proxy forwards to.
    pub upstream: Upstream,
}

/// `match`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
#[serde(default)]
pub struct RuleMatch {
    /// Methods (case-insensitive); empty matches none.
    pub methods: Vec<String>,
    /// URL pattern with `<…>` sections.
    pub url: String,
}

/// A handler reference with optional per-rule config.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
#[serde(default)]
pub struct RuleHandler {
    /// Handler id, e.g. `cookie_session`.
    pub handler: String,
    /// Deep-merged over the global config.
    #[serde(skip_serializing_if = "Value::is_null")]
    pub config: Value,
}

/// `upstream`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
#[serde(default)]
pub struct Upstream {
    /// Keep the client's `Host` header.
    pub preserve_host: bool,
    /// Leading path prefix removed before forwarding.
    pub strip_path: String,
    /// Upstream base URL (optional for decisions-only rules).
    pub url: String,
}

/// Parses a rule document: a JSON or YAML array of rules.
pub fn parse_rules(text: &str) -> Result<Vec<RuleSpec>, String> {
    let trimmed = text.trim_start();
    if trimmed.starts_with('[') {
        if let Ok(r) = serde_json::from_str::<Vec<RuleSpec>>(text) {
            return Ok(r);
        }
    }
    let value: Value = serde_yaml::from_str(text).map_err(|e| format!("not JSON or YAML: {e}"))?;
    match value {
        Value::Array(_) => serde_json::from_value(value).map_err(|e| format!("invalid rule: {e}")),
        Value::Null => Ok(Vec::new()),
        _ => Err("expected an array of rules".to_owned()),
    }
}
