//! Typed Oathkeeper configuration: loaded through `nexus_kit::config` (schema defaults → files →
//! env → schema validation) and then checked once more in [`OathkeeperConfig::validate`].

mod schema;

pub use schema::{gateway_schema, gateway_schema_value};

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use nexus_kit::config::{ConfigError, EnvSource};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// The whole gateway configuration (`oathkeeper.yml`).
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default)]
pub struct OathkeeperConfig {
    /// Listeners.
    pub serve: ServeConfig,
    /// Where rules come from and how they match.
    pub access_rules: AccessRulesConfig,
    /// Authenticator switches and global configs, by handler id.
    pub authenticators: BTreeMap<String, HandlerSwitch>,
    /// Authorizer switches and global configs.
    pub authorizers: BTreeMap<String, HandlerSwitch>,
    /// Mutator switches and global configs.
    pub mutators: BTreeMap<String, HandlerSwitch>,
    /// Error handlers.
    pub errors: ErrorsConfig,
}

/// `serve.*`.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct ServeConfig {
    /// The reverse proxy listener.
    pub proxy: ListenConfig,
    /// The API listener (rules, decisions, health, jwks, metrics).
    pub api: ListenConfig,
}

impl Default for ServeConfig {
    fn default() -> Self {
        Self {
            proxy: ListenConfig::with_port(4455),
            api: ListenConfig::with_port(4456),
        }
    }
}

/// One listener (`serve.proxy` or `serve.api`).
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct ListenConfig {
    /// Interface to bind; empty = all.
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// Server timeouts.
    pub timeout: TimeoutConfig,
    /// Trust `X-Forwarded-Proto/Host/For` from clients (proxy only).
    pub trust_forwarded_headers: bool,
    /// CORS settings (raw, applied by the listener).
    pub cors: Option<Value>,
    /// HTTPS: certificate and key (none → plain HTTP).
    pub tls: Option<TlsConfig>,
}

/// `serve.*.tls`: the PEM certificate chain and private key.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default)]
pub struct TlsConfig {
    /// The private key.
    pub key: TlsSource,
    /// The certificate chain.
    pub cert: TlsSource,
}

/// Where PEM data comes from: a file, or inline base64 (which wins when both are set).
#[derive(Clone, Deserialize, Default)]
#[serde(default)]
pub struct TlsSource {
    /// Path to a PEM file.
    pub path: String,
    /// The base64 of the PEM file's content.
    pub base64: String,
}

impl TlsSource {
    /// Whether either form is set.
    pub fn is_set(&self) -> bool {
        !self.path.trim().is_empty() || !self.base64.trim().is_empty()
    }
}

/// Inline key material never reaches logs or debug output.
impl std::fmt::Debug for TlsSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsSource")
            .field("path", &self.path)
            .field(
                "base64",
                &format_args!("<{} bytes redacted>", self.base64.len()),
            )
            .finish()
    }
}

impl ListenConfig {
    fn with_port(port: u16) -> Self {
        Self {
            host: String::new(),
            port,
            timeout: TimeoutConfig::default(),
            trust_forwarded_headers: false,
            cors: None,
            tls: None,
        }
    }

    /// `host:port` to bind (all interfaces when `host` is empty).
    pub fn bind_addr(&self) -> String {
        let host = if self.host.is_empty() {
            "0.0.0.0"
        } else {
            &self.host
        };
        format!("{host}:{}", self.port)
    }
}

impl Default for ListenConfig {
    fn default() -> Self {
        Self::with_port(0)
    }
}

/// `serve.*.timeout`.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct TimeoutConfig {
    /// Reading the request head.
    #[serde(deserialize_with = "de_duration")]
    pub read: Duration,
    /// Whole response, including the upstream call.
    #[serde(deserialize_with = "de_duration")]
    pub write: Duration,
    /// Keep-alive idle time.
    #[serde(deserialize_with = "de_duration")]
    pub idle: Duration,
}

impl Default for TimeoutConfig {
    fn default() -> Self {
        Self {
            read: Duration::from_secs(5),
            write: Duration::from_secs(120),
            idle: Duration::from_secs(120),
        }
    }
}

/// `access_rules`.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default)]
pub struct AccessRulesConfig {
    /// Rule sources (`file://`, plain path, `inline://`, `http(s)://`).
    #[serde(deserialize_with = "de_string_or_list")]
    pub repositories: Vec<String>,
    /// `regexp` (default) or `glob`.
    pub matching_strategy: MatchingStrategy,
}

/// How `match.url` patterns are interpreted.
#[derive(Debug, Clone, Copy, Deserialize, Default, PartialEq, Eq, Hash)]
#[serde(rename_all = "lowercase")]
pub enum MatchingStrategy {
    /// ladon-style regular expressions inside `<…>`.
    #[default]
    #[serde(alias = "")]
    Regexp,
    /// gobwas globs inside `<…>`.
    Glob,
}

/// `<kind>.<id>`: `enabled` plus the handler's global `config`.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default)]
pub struct HandlerSwitch {
    /// Disabled handlers fail every rule that uses them with 500.
    pub enabled: bool,
    /// Global config; rules deep-merge their own config over it.
    pub config: Value,
}

/// `errors`.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct ErrorsConfig {
    /// Handlers tried when no rule-level `when` clause matches.
    pub fallback: Vec<String>,
    /// Error handler switches.
    pub handlers: BTreeMap<String, HandlerSwitch>,
}

impl Default for ErrorsConfig {
    fn default() -> Self {
        let mut handlers = BTreeMap::new();
        handlers.insert(
            "json".to_owned(),
            HandlerSwitch {
                enabled: true,
                config: Value::Object(Default::default()),
            },
        );
        Self {
            fallback: vec!["json".to_owned()],
            handlers,
        }
    }
}

impl OathkeeperConfig {
    /// Loads `files` (later wins) with env overrides and validates everything.
    pub fn load(files: &[PathBuf], env: &dyn EnvSource) -> Result<Self, ConfigError> {
        let value = nexus_kit::config::load(&gateway_schema(), files, env)?;
        Self::from_value(value)
    }

    /// Deserializes an already merged config value (tests, embedding) and validates it.
    pub fn from_value(value: Value) -> Result<Self, ConfigError> {
        let cfg: Self = serde_json::from_value(value)
            .map_err(|e| ConfigError::invalid(error_path(&e.to_string()), e.to_string()))?;
        cfg.validate()
    }

    /// Checks what the schema cannot: rule source schemes, enabled handlers having a config,
    /// TLS material that loads.
    pub fn validate(self) -> Result<Self, ConfigError> {
        crate::tls::acceptor(self.serve.proxy.tls.as_ref(), "serve.proxy")?;
        crate::tls::acceptor(self.serve.api.tls.as_ref(), "serve.api")?;
        for (i, repo) in self.access_rules.repositories.iter().enumerate() {
            let scheme = repo.split_once("://").map(|(s, _)| s).unwrap_or("file");
            if crate::jwk::UNSUPPORTED_SCHEMES.contains(&scheme) {
                return Err(ConfigError::invalid(
                    format!("access_rules.repositories.{i}"),
                    format!(
                        "{scheme}:// rule sources are not supported yet; \
                         use file://, inline:// or http(s)://"
                    ),
                ));
            }
            if !matches!(scheme, "file" | "inline" | "http" | "https") {
                return Err(ConfigError::invalid(
                    format!("access_rules.repositories.{i}"),
                    format!(
                        "unsupported rule source scheme {scheme:?} (file, inline, http, https)"
                    ),
                ));
            }
        }
        for (kind, map) in [
            ("authenticators", &self.authenticators),
            ("authorizers", &self.authorizers),
            ("mutators", &self.mutators),
        ] {
            for (id, sw) in map {
                if !crate::pipeline::registry::is_known(kind, id) {
                    return Err(ConfigError::invalid(
                        format!("{kind}.{id}"),
                        format!("unknown {kind} handler {id:?}"),
                    ));
                }
                let needs = crate::pipeline::registry::needs_config(kind, id);
                if sw.enabled && needs && !sw.config.is_object() {
                    return Err(ConfigError::invalid(
                        format!("{kind}.{id}.config"),
                        "is required when the handler is enabled",
                    ));
                }
            }
        }
        let jwks = [
            (
                "authenticators.jwt.config.jwks_urls",
                self.authenticators.get("jwt"),
            ),
            (
                "mutators.id_token.config.jwks_url",
                self.mutators.get("id_token"),
            ),
        ];
        for (key, sw) in jwks {
            let urls = match sw.map(|s| s.config.get(key.rsplit('.').next().unwrap_or(""))) {
                Some(Some(Value::String(u))) => vec![(key.to_owned(), u.as_str())],
                Some(Some(Value::Array(a))) => a
                    .iter()
                    .enumerate()
                    .filter_map(|(i, u)| Some((format!("{key}.{i}"), u.as_str()?)))
                    .collect(),
                _ => Vec::new(),
            };
            for (k, url) in urls {
                crate::jwk::check_source(url).map_err(|e| ConfigError::invalid(k, e))?;
            }
        }
        for (i, id) in self.errors.fallback.iter().enumerate() {
            if !matches!(id.as_str(), "json" | "redirect" | "www_authenticate") {
                return Err(ConfigError::invalid(
                    format!("errors.fallback.{i}"),
                    format!("unknown error handler {id:?}"),
                ));
            }
        }
        Ok(self)
    }

    /// The switch of handler `id` of `kind` (`authenticators`, `authorizers`, `mutators`,
    /// `errors`).
    pub fn handler(&self, kind: &str, id: &str) -> Option<&HandlerSwitch> {
        match kind {
            "authenticators" => self.authenticators.get(id),
            "authorizers" => self.authorizers.get(id),
            "mutators" => self.mutators.get(id),
            "errors" => self.errors.handlers.get(id),
            _ => None,
        }
    }
}

fn error_path(msg: &str) -> String {
    msg.split('`').nth(1).unwrap_or("config").to_owned()
}

/// Parses a Go duration (`5s`, `100ms`, `1h30m`).
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    nexus_kit::config::parse_duration(s).map_err(|e| e.to_string())
}

fn de_duration<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    let raw = String::deserialize(d)?;
    parse_duration(&raw).map_err(serde::de::Error::custom)
}

fn de_string_or_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(s) => s
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        OneOrMany::Many(v) => v,
    })
}

#[cfg(test)]
mod tests;
