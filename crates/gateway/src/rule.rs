//! Access rules: the wire model, pattern matchers, the precompiled rule set and its sources.

pub mod glob;
pub mod index;
pub mod matcher;
pub mod model;
pub mod repository;
pub mod set;
pub mod simple;
pub mod source;
pub mod validate;

pub use matcher::{MatchError, Matcher};
pub use model::{RuleHandler, RuleMatch, RuleSpec, Upstream};
pub use repository::RuleRepository;
pub use set::{CompiledRule, RuleSet};
