//! Trait validation with errors mapped to Kratos UI messages on the nodes they belong to
//! (kratos v26.2.0 `ui/container/container.go` `ParseError`).

use jsonschema::error::ValidationErrorKind;
use jsonschema::ValidationError;
use serde::Serialize;
use serde_json::{json, Value};

use super::branches;
use super::extension;
use super::extension_checks::extension_error;
use super::identity_schema::IdentitySchema;
use super::messages::{self, Message};
use super::pointer;
use super::translate;

/// How deep `anyOf`/`oneOf` failures are unfolded into their branches' errors.
const MAX_NESTING: usize = 8;

/// One validation failure, shaped as a Kratos UI message on the node it belongs to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TraitError {
    /// Node name such as `traits.email` or `traits.name.first`; `None` for a flow-level message
    /// (the traits document itself is wrong).
    pub node: Option<String>,
    /// Kratos message id (e.g. 4000002).
    pub id: u32,
    /// Kratos message text.
    pub text: String,
    /// Kratos message context; `Null` when Kratos sends none.
    pub context: Value,
}

impl IdentitySchema {
    /// Validates `{"traits": traits}` against the whole schema. Errors come in schema
    /// evaluation order, deduplicated; a failed `anyOf`/`oneOf` yields the errors of its
    /// branches, as in Kratos. Never panics, whatever the input.
    pub fn validate_traits(&self, traits: &Value) -> Result<(), Vec<TraitError>> {
        if !traits.is_object() {
            // ory/jsonschema stops at the first type mismatch; Kratos shows it on the form.
            let m = messages::wrong_type(&["object".into()], messages::json_type(traits));
            return Err(vec![attach(None, m)]);
        }
        let document = json!({ "traits": traits });
        let mut collector = Collector {
            schema: self,
            out: Vec::new(),
        };
        for e in self.validator.iter_errors(&document) {
            collector.push(&e, &[], None, 0);
        }
        let mut errors = collector.out;
        extension::walk(self.raw(), &document, &mut |a| {
            errors.extend(extension_error(&a))
        });
        let mut unique: Vec<TraitError> = Vec::with_capacity(errors.len());
        for e in errors {
            if !unique
                .iter()
                .any(|u| u.node == e.node && u.id == e.id && u.text == e.text)
            {
                unique.push(e);
            }
        }
        if unique.is_empty() {
            Ok(())
        } else {
            Err(unique)
        }
    }
}

/// A message on a node.
pub(crate) fn attach(node: Option<String>, m: Message) -> TraitError {
    TraitError {
        node,
        id: m.id,
        text: m.text,
        context: m.context,
    }
}

/// The node a pointer belongs to; the document root and `traits` itself are flow-level.
pub(crate) fn node_for(segments: &[String]) -> Option<String> {
    match segments {
        [] => None,
        [only] if only == "traits" => None,
        _ => Some(pointer::dotted(segments)),
    }
}

struct Collector<'s> {
    schema: &'s IdentitySchema,
    out: Vec<TraitError>,
}

impl Collector<'_> {
    /// Maps one error. `prefix` is the instance path of the value a branch validator saw, and
    /// `base` the pointer of that branch (its errors' schema paths start with `/$ref`).
    fn push(
        &mut self,
        e: &ValidationError<'_>,
        prefix: &[String],
        base: Option<&str>,
        depth: usize,
    ) {
        let root = self.schema.raw();
        let mut segments = prefix.to_vec();
        segments.extend(pointer::segments(e.instance_path().as_str()));
        let schema_path = match base {
            None => e.evaluation_path().as_str().to_owned(),
            Some(b) => {
                let path = e.evaluation_path().as_str();
                format!("{b}{}", path.strip_prefix("/$ref").unwrap_or(path))
            }
        };
        let error = match e.kind() {
            ValidationErrorKind::Required { property } => {
                let name = property
                    .as_str()
                    .map_or_else(|| property.to_string(), str::to_owned);
                let m = messages::required(&pointer::escape(&name));
                segments.push(name);
                attach(Some(pointer::dotted(&segments)), m)
            }
            ValidationErrorKind::PropertyNames { error } => {
                segments.push(error.instance().as_str().unwrap_or_default().to_owned());
                attach(
                    node_for(&segments),
                    translate::message(error, root, &schema_path),
                )
            }
            ValidationErrorKind::AnyOf { .. } | ValidationErrorKind::OneOfNotValid { .. }
                if depth < MAX_NESTING
                    && self.unfold(e.instance(), &segments, &schema_path, depth) =>
            {
                return;
            }
            ValidationErrorKind::OneOfMultipleValid { .. } => {
                let m = match self.valid_branches(e.instance(), &schema_path) {
                    Some((a, b)) => {
                        messages::generic(format!("valid against schemas at indexes {a} and {b}"))
                    }
                    None => messages::generic("oneOf failed"),
                };
                attach(node_for(&segments), m)
            }
            _ => attach(
                node_for(&segments),
                translate::message(e, root, &schema_path),
            ),
        };
        self.out.push(error);
    }

    /// Reports the errors of every branch of a failed combinator; `false` if a branch has no
    /// compiled validator (the caller then reports the combinator itself).
    fn unfold(
        &mut self,
        instance: &Value,
        segments: &[String],
        schema_path: &str,
        depth: usize,
    ) -> bool {
        let schema = self.schema;
        let Some(branches) = branch_pointers(schema, schema_path) else {
            return false;
        };
        let validators: Option<Vec<_>> = branches.iter().map(|p| schema.branches.get(p)).collect();
        let Some(validators) = validators else {
            return false;
        };
        let before = self.out.len();
        for (pointer, validator) in branches.iter().zip(validators) {
            for sub in validator.iter_errors(instance) {
                self.push(&sub, segments, Some(pointer), depth + 1);
            }
        }
        self.out.len() > before
    }

    /// The first two branches of a `oneOf` that accept the value.
    fn valid_branches(&self, instance: &Value, schema_path: &str) -> Option<(usize, usize)> {
        let pointers = branch_pointers(self.schema, schema_path)?;
        let mut valid = pointers.iter().enumerate().filter_map(|(i, p)| {
            self.schema
                .branches
                .get(p)
                .filter(|v| v.is_valid(instance))
                .map(|_| i)
        });
        Some((valid.next()?, valid.next()?))
    }
}

/// Pointers of the branches of the combinator at `schema_path`.
fn branch_pointers(schema: &IdentitySchema, schema_path: &str) -> Option<Vec<String>> {
    let (pointer, node) = branches::resolve(schema.raw(), schema_path)?;
    let count = node.as_array()?.len();
    Some((0..count).map(|i| format!("{pointer}/{i}")).collect())
}
