//! Ory-style configuration loading, shared by the identity server and the gateway.
//!
//! Layers, later wins (Ory configx order): schema `default`s → each file in order (YAML or
//! JSON, objects deep-merged) → environment overrides → draft-07 validation against the
//! schema. Errors are one line naming the key path and where its value came from.

mod env;
mod error;
mod merge;
mod schema;
mod serde;
mod units;
mod unknown;
mod validate;

pub use self::error::{ConfigError, EXIT_CONFIG};
pub use self::serde::{byte_size, go_duration};
pub use self::units::{format_duration, parse_byte_size, parse_duration, UnitError};
pub use self::unknown::unknown_keys;

use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Where environment overrides come from; tests pass a [`MapEnv`] instead of the process env.
pub trait EnvSource {
    /// All variables as `(name, value)` pairs.
    fn vars(&self) -> Vec<(String, String)>;
}

/// The real process environment (non-UTF-8 variables are skipped).
#[derive(Debug, Clone, Copy, Default)]
pub struct ProcessEnv;

impl EnvSource for ProcessEnv {
    fn vars(&self) -> Vec<(String, String)> {
        std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
            .collect()
    }
}

/// A fixed set of variables, for tests and embedding.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MapEnv(pub BTreeMap<String, String>);

impl MapEnv {
    /// An empty environment.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one variable (builder style).
    pub fn with(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.0.insert(name.into(), value.into());
        self
    }
}

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for MapEnv {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        MapEnv(
            iter.into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )
    }
}

impl EnvSource for MapEnv {
    fn vars(&self) -> Vec<(String, String)> {
        self.0.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
    }
}

/// A loaded configuration, with what the user wrote kept apart from schema defaults.
#[derive(Clone, PartialEq)]
pub struct Loaded {
    /// The final value: defaults, files and env merged, validated against the schema.
    pub value: Value,
    /// Only what the files and env set (for [`unknown_keys`]).
    pub user: Value,
}

impl std::fmt::Debug for Loaded {
    // Config values hold secrets and DSNs; never print them.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Loaded").finish_non_exhaustive()
    }
}

/// Loads and validates a configuration: schema defaults → `files` → `env` → validation.
pub fn load(
    schema_json: &str,
    files: &[PathBuf],
    env: &dyn EnvSource,
) -> Result<Value, ConfigError> {
    load_layered(schema_json, files, env).map(|l| l.value)
}

/// Like [`load`], also returning the user's own keys without defaults.
pub fn load_layered(
    schema_json: &str,
    files: &[PathBuf],
    env: &dyn EnvSource,
) -> Result<Loaded, ConfigError> {
    let schema = schema::prepare(schema_json).map_err(ConfigError::Schema)?;
    let validator = validate::compile(&schema)?;

    let mut user = Value::Object(Map::new());
    let mut layers = Vec::with_capacity(files.len());
    for file in files {
        let layer = merge::read_file(file)?;
        merge::deep_merge(&mut user, layer.clone());
        layers.push((file.display().to_string(), layer));
    }

    let paths = schema::paths(&schema, &user);
    let overrides = env::overrides(&paths, env.vars())?;
    for o in &overrides {
        env::set_path(&mut user, &o.path, o.value.clone());
    }

    let mut value = user.clone();
    for p in &paths {
        let (Some(default), Some(keys)) = (&p.default, plain_keys(&p.segs)) else {
            continue;
        };
        merge::fill_default(&mut value, &keys, default);
    }

    let origin = |path: &[String]| -> Option<String> {
        let related = |a: &[String], b: &[String]| a.iter().zip(b).all(|(x, y)| x == y);
        if let Some(o) = overrides
            .iter()
            .rev()
            .find(|o| related(&env::keys(&o.path), path))
        {
            return Some(format!("env {}", o.var));
        }
        // A missing key is blamed on the file that wrote its parent object.
        let parent = &path[..path.len().saturating_sub(1)];
        [path, parent]
            .into_iter()
            .filter(|p| !p.is_empty())
            .find_map(|p| {
                let layer = layers.iter().rev().find(|(_, v)| merge::has_path(v, p));
                layer.map(|(f, _)| f.clone())
            })
    };
    validate::validate(&validator, &value, &origin)?;
    Ok(Loaded { value, user })
}

/// The keys of a schema path that has no array element in it (defaults are not applied to
/// array items, as in configx).
fn plain_keys(segs: &[schema::Seg]) -> Option<Vec<String>> {
    segs.iter()
        .map(|s| match s {
            schema::Seg::Key(k) => Some(k.clone()),
            schema::Seg::Item => None,
        })
        .collect()
}

#[cfg(test)]
mod tests;
