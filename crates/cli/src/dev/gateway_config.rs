//! The gateway's development config and access rules, generated for the ports of this run.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::Context;
use nexus_gateway::OathkeeperConfig;
use serde_json::{json, Value};

/// Where the stack's parts listen.
pub struct Stack<'a> {
    /// The public origin (`http://127.0.0.1:4455`).
    pub origin: &'a str,
    /// Identity server, public API.
    pub identity_public: SocketAddr,
    /// Identity server, admin API.
    pub identity_admin: SocketAddr,
    /// The demo upstream (and the admin-rights check).
    pub upstream: SocketAddr,
    /// The static UI server.
    pub ui: SocketAddr,
    /// Another origin the gateway answers on (the loopback IP address when `origin` is
    /// `localhost`) and the server redirecting it to `origin`.
    pub alias: Option<(String, SocketAddr)>,
    /// The id_token signing keys.
    pub jwks_path: &'a Path,
    /// The admin API key the gateway adds for admins.
    pub admin_key: &'a str,
    /// Where the rules file is written.
    pub rules_path: &'a Path,
}

/// The admin API key of this data dir (made once, kept in `admin-api-key`).
pub fn admin_key(data_dir: &Path) -> anyhow::Result<String> {
    let path = data_dir.join("admin-api-key");
    if let Ok(key) = std::fs::read_to_string(&path) {
        if key.trim().len() >= 32 {
            return Ok(key.trim().to_string());
        }
    }
    let key = format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    write_private(&path, &key)?;
    Ok(key)
}

/// The ES256 keys the `id_token` mutator signs with (made once, kept in `id_token.jwks.json`).
pub fn signing_keys(data_dir: &Path) -> anyhow::Result<PathBuf> {
    let path = data_dir.join("id_token.jwks.json");
    if !path.exists() {
        let jwks = nexus_gateway::jwk::generate("ES256", None, None).map_err(anyhow::Error::msg)?;
        write_private(&path, &serde_json::to_string_pretty(&jwks)?)?;
    }
    Ok(path)
}

fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(())
}

/// Writes the rules and config files and loads them as `gateway serve` would.
pub fn build(s: &Stack<'_>) -> anyhow::Result<OathkeeperConfig> {
    std::fs::write(s.rules_path, serde_json::to_string_pretty(&rules(s))?)?;
    let config_path = s.rules_path.with_file_name("dev-oathkeeper.json");
    std::fs::write(&config_path, serde_json::to_string_pretty(&config(s))?)?;
    OathkeeperConfig::load(&[config_path], &nexus_kit::config::MapEnv::new())
        .map_err(|e| anyhow::anyhow!("{e}"))
}

fn config(s: &Stack<'_>) -> Value {
    let whoami = format!("http://{}/sessions/whoami", s.identity_public);
    json!({
        "serve": { "proxy": { "port": 4455 }, "api": { "port": 4456 } },
        "access_rules": {
            "matching_strategy": "glob",
            "repositories": [format!("file://{}", s.rules_path.display())]
        },
        "authenticators": {
            "noop": { "enabled": true },
            "cookie_session": {
                "enabled": true,
                "config": {
                    "check_session_url": whoami,
                    "preserve_path": true,
                    "extra_from": "@this",
                    "subject_from": "identity.id",
                    "only": ["ory_kratos_session"]
                }
            }
        },
        "authorizers": {
            "allow": { "enabled": true },
            "remote_json": {
                "enabled": true,
                "config": {
                    "remote": format!("http://{}/internal/admin-check", s.upstream),
                    "payload": "{\"subject\": \"{{ print .Subject }}\"}"
                }
            }
        },
        "mutators": {
            "noop": { "enabled": true },
            "header": {
                "enabled": true,
                "config": { "headers": { "X-User-Id": "{{ print .Subject }}" } }
            },
            "id_token": {
                "enabled": true,
                "config": {
                    "issuer_url": format!("{}/", s.origin),
                    "jwks_url": format!("file://{}", s.jwks_path.display()),
                    "claims": "{\"session\": {{ .Extra | toJson }}}"
                }
            }
        },
        "errors": {
            "fallback": ["json"],
            "handlers": {
                "json": { "enabled": true, "config": { "verbose": true } },
                "redirect": {
                    "enabled": true,
                    "config": {
                        "to": format!("{}/login", s.origin),
                        "when": [{ "error": ["unauthorized"], "request": { "header": { "accept": ["text/html"] } } }]
                    }
                }
            }
        }
    })
}

fn rules(s: &Stack<'_>) -> Value {
    let o = s.origin;
    let noop = |id: &str, url: String, upstream: String| {
        json!({
            "id": id,
            "match": { "url": url, "methods": ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] },
            "authenticators": [{ "handler": "noop" }],
            "authorizer": { "handler": "allow" },
            "mutators": [{ "handler": "noop" }],
            "upstream": { "url": upstream, "preserve_host": true }
        })
    };
    let mut list = json!([
        noop(
            "identity:public",
            format!("{o}/<{{self-service/**,sessions,sessions/**,schemas,schemas/**,.well-known/ory/**}}>"),
            format!("http://{}", s.identity_public),
        ),
        {
            "id": "api:echo",
            "match": { "url": format!("{o}/api/echo<{{,/**}}>"), "methods": ["GET", "POST", "PUT", "PATCH", "DELETE"] },
            "authenticators": [{ "handler": "cookie_session" }],
            "authorizer": { "handler": "allow" },
            "mutators": [{ "handler": "header" }, { "handler": "id_token" }],
            "errors": [{ "handler": "json" }],
            "upstream": { "url": format!("http://{}", s.upstream) }
        },
        {
            "id": "api:admin",
            "match": { "url": format!("{o}/api/admin/<**>"), "methods": ["GET", "POST", "PUT", "PATCH", "DELETE"] },
            "authenticators": [{ "handler": "cookie_session" }],
            "authorizer": { "handler": "remote_json" },
            "mutators": [{
                "handler": "header",
                "config": { "headers": { "Authorization": format!("Bearer {}", s.admin_key) } }
            }],
            "errors": [{ "handler": "json" }],
            // The admin server puts back the `/admin` prefix the strip removes.
            "upstream": { "url": format!("http://{}", s.identity_admin), "strip_path": "/api/admin" }
        },
        noop(
            "ui",
            format!("{o}/<{{,login,registration,recovery,verification,settings,error,welcome,admin,admin/**,_app/**,favicon.*,robots.txt}}>"),
            format!("http://{}", s.ui),
        )
    ]);
    if let Some((alias, redirect)) = &s.alias {
        list.as_array_mut().expect("a list").push(noop(
            "alias:redirect",
            format!("{alias}/<**>"),
            format!("http://{redirect}"),
        ));
    }
    list
}
