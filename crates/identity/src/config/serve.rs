//! `serve.public` and `serve.admin`: listeners, base URLs, CORS.

use serde::{Deserialize, Serialize};
use url::Url;

/// `serve`: the two HTTP listeners.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Serve {
    /// The public API (self-service flows, whoami); port 4433.
    pub public: Endpoint,
    /// The admin API (identities, sessions, courier); port 4434.
    pub admin: Endpoint,
}

impl Default for Serve {
    fn default() -> Self {
        Self {
            public: Endpoint::with_port(4433),
            admin: Endpoint::with_port(4434),
        }
    }
}

/// `serve.<public|admin>`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Endpoint {
    /// The URL this API is reached at from outside; guessed from host and port when unset.
    pub base_url: Option<Url>,
    /// Interface to listen on (`0.0.0.0` = all).
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// Request logging options.
    pub request_log: RequestLog,
    /// CORS (only honoured on the public API, as in Kratos).
    pub cors: Cors,
    /// Nexus extension, `serve.admin.api_keys` only: when non-empty, every admin request but
    /// `/health/*` and `/version` must send `Authorization: Bearer <one of these>`.
    pub api_keys: ApiKeys,
}

impl Default for Endpoint {
    /// Public defaults; the admin port (4434) comes from [`Serve::default`] or the schema.
    fn default() -> Self {
        Self::with_port(4433)
    }
}

impl Endpoint {
    fn with_port(port: u16) -> Self {
        Self {
            base_url: None,
            host: "0.0.0.0".into(),
            port,
            request_log: RequestLog::default(),
            cors: Cors::default(),
            api_keys: ApiKeys::default(),
        }
    }

    /// `host:port` to bind.
    pub fn listen_on(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }

    /// `base_url`, else Kratos' guess: `https://<host>:<port>/` (`http` in dev mode) with
    /// `0.0.0.0`/empty host replaced by `127.0.0.1`.
    pub fn base_url_or_guess(&self, dev: bool) -> Url {
        if let Some(u) = &self.base_url {
            return u.clone();
        }
        let host = match self.host.as_str() {
            "" | "0.0.0.0" => "127.0.0.1",
            h => h,
        };
        let scheme = if dev { "http" } else { "https" };
        Url::parse(&format!("{scheme}://{host}:{}/", self.port))
            .unwrap_or_else(|_| Url::parse("http://127.0.0.1/").expect("static URL"))
    }
}

/// Admin API keys (secrets): `Debug` prints how many, never the values.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ApiKeys(pub Vec<String>);

impl std::fmt::Debug for ApiKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "[{} redacted]", self.0.len())
    }
}

/// `serve.*.request_log`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RequestLog {
    /// Do not log `/health/*` requests.
    pub disable_for_health: bool,
}

/// `serve.public.cors`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Cors {
    /// Whether CORS headers are sent at all.
    pub enabled: bool,
    /// Allowed origins; `*` and one `*` wildcard per entry (`https://*.example.com`).
    pub allowed_origins: Vec<String>,
    /// Allowed request methods.
    pub allowed_methods: Vec<String>,
    /// Allowed request headers.
    pub allowed_headers: Vec<String>,
    /// Response headers exposed to scripts.
    pub exposed_headers: Vec<String>,
    /// Whether credentials (cookies) may be sent; Kratos defaults to true.
    pub allow_credentials: bool,
    /// Pass preflight requests on instead of answering them.
    pub options_passthrough: bool,
    /// Preflight cache lifetime in seconds (0 = not sent).
    pub max_age: u64,
    /// Log CORS decisions.
    pub debug: bool,
}

impl Default for Cors {
    fn default() -> Self {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect();
        Self {
            enabled: false,
            allowed_origins: s(&["*"]),
            allowed_methods: s(&["POST", "GET", "PUT", "PATCH", "DELETE"]),
            allowed_headers: s(&[
                "Authorization",
                "Content-Type",
                "Max-Age",
                "X-Session-Token",
                "X-XSRF-TOKEN",
                "X-CSRF-TOKEN",
            ]),
            exposed_headers: s(&["Content-Type"]),
            allow_credentials: true,
            options_passthrough: false,
            max_age: 0,
            debug: false,
        }
    }
}
