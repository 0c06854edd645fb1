use std::path::PathBuf;

use nexus_kit::config::MapEnv;
use serde_json::json;

use super::*;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

#[test]
fn seed_config_loads() {
    let cfg = OathkeeperConfig::load(&[fixture("seed/oathkeeper.yml")], &MapEnv::new()).unwrap();
    assert_eq!(cfg.serve.proxy.port, 4455);
    assert_eq!(cfg.serve.api.port, 4456);
    assert!(cfg.authorizers["allow"].enabled);
    assert_eq!(
        cfg.authenticators["cookie_session"].config["check_session_url"],
        "http://kratos:4433/sessions/whoami"
    );
    assert_eq!(cfg.errors.fallback, vec!["json"]);
}

#[test]
fn quickstart_config_loads() {
    let cfg =
        OathkeeperConfig::load(&[fixture("quickstart/oathkeeper.yml")], &MapEnv::new()).unwrap();
    assert_eq!(cfg.access_rules.matching_strategy, MatchingStrategy::Glob);
    assert!(cfg.mutators["id_token"].enabled);
    assert!(cfg.errors.handlers["redirect"].enabled);
}

#[test]
fn env_overrides_win() {
    let env = MapEnv::new()
        .with("SERVE_PROXY_PORT", "5555")
        .with("ACCESS_RULES_MATCHING_STRATEGY", "glob")
        .with(
            "AUTHENTICATORS_COOKIE_SESSION_CONFIG_CHECK_SESSION_URL",
            "http://x:1/whoami",
        );
    let cfg = OathkeeperConfig::load(&[fixture("seed/oathkeeper.yml")], &env).unwrap();
    assert_eq!(cfg.serve.proxy.port, 5555);
    assert_eq!(cfg.access_rules.matching_strategy, MatchingStrategy::Glob);
    assert_eq!(
        cfg.authenticators["cookie_session"].config["check_session_url"],
        "http://x:1/whoami"
    );
}

#[test]
fn bad_config_names_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bad.yml");
    std::fs::write(&p, "serve:\n  proxy:\n    port: \"not a port\"\n").unwrap();
    let err = OathkeeperConfig::load(&[p.clone()], &MapEnv::new()).unwrap_err();
    assert!(err.to_string().contains("serve.proxy.port"), "{err}");
    assert_eq!(err.exit_code(), 64);

    std::fs::write(&p, "access_rules:\n  matching_strategy: fuzzy\n").unwrap();
    let err = OathkeeperConfig::load(&[p.clone()], &MapEnv::new()).unwrap_err();
    assert!(
        err.to_string().contains("access_rules.matching_strategy"),
        "{err}"
    );

    std::fs::write(
        &p,
        "authenticators:\n  cookie_session:\n    enabled: true\n",
    )
    .unwrap();
    let err = OathkeeperConfig::load(&[p], &MapEnv::new()).unwrap_err();
    assert!(
        err.to_string().contains("authenticators.cookie_session"),
        "{err}"
    );
}

#[test]
fn repositories_accept_a_single_string() {
    let cfg = OathkeeperConfig::from_value(json!({
        "access_rules": {"repositories": "file:///a.yml,https://x/r.json"}
    }))
    .unwrap();
    assert_eq!(
        cfg.access_rules.repositories,
        vec!["file:///a.yml", "https://x/r.json"]
    );
}

#[test]
fn session_cache_extension_is_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("c.yml");
    std::fs::write(
        &p,
        "authenticators:\n  cookie_session:\n    enabled: true\n    config:\n      check_session_url: http://k/sessions/whoami\n      cache:\n        enabled: true\n        ttl: 10s\n",
    )
    .unwrap();
    let cfg = OathkeeperConfig::load(&[p], &MapEnv::new()).unwrap();
    assert_eq!(
        cfg.authenticators["cookie_session"].config["cache"]["ttl"],
        "10s"
    );
}

#[test]
fn object_store_sources_are_rejected_as_not_supported_yet() {
    for (extra, key) in [
        (
            json!({"access_rules": {"repositories": ["file:///r.json", "s3://bucket/rules.json"]}}),
            "access_rules.repositories.1",
        ),
        (
            json!({"access_rules": {"repositories": ["gs://bucket/rules.json"]}}),
            "access_rules.repositories.0",
        ),
        (
            json!({"access_rules": {"repositories": "azblob://c/rules.json"}}),
            "access_rules.repositories.0",
        ),
        (
            json!({"authenticators": {"jwt": {"enabled": true, "config": {
                "jwks_urls": ["https://x/jwks.json", "s3://b/jwks.json"]}}}}),
            "authenticators.jwt.config.jwks_urls.1",
        ),
        (
            json!({"mutators": {"id_token": {"enabled": true, "config": {
                "issuer_url": "https://x", "jwks_url": "gs://b/jwks.json"}}}}),
            "mutators.id_token.config.jwks_url",
        ),
    ] {
        let err = OathkeeperConfig::from_value(extra).unwrap_err();
        assert_eq!(err.exit_code(), 64);
        let msg = err.to_string();
        assert!(msg.contains(key), "{key}: {msg}");
        assert!(msg.contains("not supported yet"), "{msg}");
    }
}
