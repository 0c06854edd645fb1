//! End-to-end: rule sources (file hot reload, inline, http polling) and `rules validate`.

mod common;

use base64::Engine;
use common::*;
use serde_json::{json, Value};

async fn status(t: &TestGateway, path: &str) -> u16 {
    client()
        .get(t.proxy(path))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// A gateway whose rule file has one `noop` rule for `/one`, and its upstream's URL.
async fn one_rule_gateway() -> (TestGateway, String) {
    let (up, who) = (upstream().await, whoami().await);
    let u = format!("http://{up}");
    let t = gateway(
        base_config(&who.url(), json!({})),
        json!([rule("one", "http://<**>/one", &["noop"], &u)]),
    )
    .await;
    (t, u)
}

#[tokio::test]
async fn file_rules_hot_reload_and_keep_last_good_on_error() {
    let (t, u) = one_rule_gateway().await;
    assert_eq!(status(&t, "/one").await, 200);
    assert_eq!(status(&t, "/two").await, 404);

    let next = json!([rule("two", "http://<**>/two", &["noop"], &u)]);
    std::fs::write(&t.rules_path, next.to_string()).unwrap();
    assert!(
        eventually(|| async { status(&t, "/two").await == 200 }).await,
        "reloaded"
    );
    assert_eq!(status(&t, "/one").await, 404);

    // A truncated file whose content has not been written yet (an editor or `fs::write`
    // caught between its two steps) is not "no rules".
    std::fs::write(&t.rules_path, "").unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(
        status(&t, "/two").await,
        200,
        "an empty file keeps the rules"
    );

    std::fs::write(&t.rules_path, "[{ this is not json").unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(
        status(&t, "/two").await,
        200,
        "broken file keeps the last good rules"
    );
}

#[tokio::test]
async fn inline_and_http_sources() {
    let (up, who) = (upstream().await, whoami().await);
    let u = format!("http://{up}");
    let inline = json!([rule("inline", "http://<**>/inline", &["noop"], &u)]);
    let remote_rules = std::sync::Arc::new(parking_lot::Mutex::new(json!([rule(
        "remote",
        "http://<**>/remote",
        &["noop"],
        &u
    )])));
    let rr = remote_rules.clone();
    let rules_server = serve(axum::Router::new().route(
        "/rules.json",
        axum::routing::get(move || {
            let v = rr.lock().clone();
            async move { axum::Json(v) }
        }),
    ))
    .await;
    let b64 = base64::engine::general_purpose::STANDARD.encode(inline.to_string());
    let cfg = base_config(
        &who.url(),
        json!({"access_rules": {"repositories": [
            format!("inline://{b64}"), format!("http://{rules_server}/rules.json")
        ]}}),
    );
    let t = gateway(cfg, json!([])).await;
    assert_eq!(status(&t, "/inline").await, 200);
    assert_eq!(status(&t, "/remote").await, 200);

    *remote_rules.lock() = json!([rule("remote2", "http://<**>/remote2", &["noop"], &u)]);
    assert!(
        eventually(|| async { status(&t, "/remote2").await == 200 }).await,
        "http source is polled"
    );
    assert_eq!(status(&t, "/inline").await, 200);
}

#[test]
fn validate_reports_bad_patterns_and_overlaps() {
    use nexus_gateway::config::MatchingStrategy;
    use nexus_gateway::pipeline::registry::Registry;
    use nexus_gateway::rule::{set::CompiledRule, validate, RuleSpec};
    let registry = Registry::new(Default::default(), Default::default());
    let specs: Vec<RuleSpec> = serde_json::from_value(json!([
        {"id": "a", "match": {"url": "http://x/api/<.*>", "methods": ["GET"]}},
        {"id": "b", "match": {"url": "http://x/api/<[a-z]+>", "methods": ["GET", "POST"]}},
        {"id": "c", "match": {"url": "http://x/other/<**>", "methods": ["GET"]}},
        {"id": "d", "match": {"url": "http://x/api/<[0-9]+>", "methods": ["DELETE"]}}
    ]))
    .unwrap();
    let compiled: Vec<_> = specs
        .into_iter()
        .map(|s| CompiledRule::compile(s, MatchingStrategy::Regexp, &registry))
        .collect();
    let findings = validate::check(&compiled, MatchingStrategy::Regexp, false);
    let text: Vec<String> = findings
        .iter()
        .map(|f| format!("{}: {}", f.rule, f.message))
        .collect();
    assert!(
        text.iter().any(|f| f.starts_with("a / b: rules overlap")),
        "{text:?}"
    );
    assert!(
        text.iter().any(|f| f.starts_with("c: invalid pattern")),
        "{text:?}"
    );
    assert!(
        !findings.iter().any(|f| f.rule.contains('d')),
        "different methods do not overlap: {text:?}"
    );
}

#[tokio::test]
async fn seed_and_quickstart_rules_behave_as_documented() {
    let (up, who) = (upstream().await, whoami().await);
    let u = format!("http://{up}");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut rules: Vec<Value> = serde_yaml::from_str(
        &std::fs::read_to_string(dir.join("quickstart/access-rules.yml")).unwrap(),
    )
    .unwrap();
    for r in &mut rules {
        r["upstream"]["url"] = json!(u);
        r["match"]["url"] = json!(r["match"]["url"]
            .as_str()
            .unwrap()
            .replace("127.0.0.1:4455", "gw.test"));
    }
    let jwks = nexus_gateway::jwk::generate("ES256", Some("qs"), None).unwrap();
    let jwks_path = std::env::temp_dir().join(format!("qs-{}.json", uuid::Uuid::new_v4()));
    std::fs::write(&jwks_path, jwks.to_string()).unwrap();
    let cfg = base_config(
        &who.url(),
        json!({
            "authenticators": {"cookie_session": {"config": {"only": ["ory_kratos_session"]}}},
            "mutators": {"id_token": {"enabled": true, "config": {
                "issuer_url": "http://gw.test/", "jwks_url": format!("file://{}", jwks_path.display()),
                "claims": "{\"session\": {{ .Extra | toJson }}}"
            }}},
            "errors": {"handlers": {"redirect": {"enabled": true, "config": {"to": "http://gw.test/login"}}}}
        }),
    );
    let t = gateway(cfg, Value::Array(rules)).await;
    let get = |path: &'static str, cookie: Option<&'static str>| {
        let mut r = client().get(t.proxy(path)).header("Host", "gw.test");
        if let Some(c) = cookie {
            r = r.header("Cookie", c);
        }
        r.send()
    };
    assert_eq!(get("/login", None).await.unwrap().status(), 200);
    assert_eq!(get("/app.css", None).await.unwrap().status(), 200);
    let r = get("/.ory/kratos/public/self-service/login/browser", None)
        .await
        .unwrap();
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["path"], "/self-service/login/browser");
    assert_eq!(v["headers"]["host"], "gw.test");
    let denied = get("/dashboard", None).await.unwrap();
    assert_eq!(denied.status(), 302);
    assert_eq!(
        denied.headers()["location"],
        "http://127.0.0.1:4455/login",
        "the rule's redirect config wins over the global one"
    );
    let ok = get("/dashboard", Some("ory_kratos_session=valid"))
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    let v: Value = ok.json().await.unwrap();
    assert!(v["headers"]["authorization"]
        .as_str()
        .unwrap()
        .starts_with("Bearer ey"));
}

#[tokio::test]
async fn a_quiet_rule_file_is_not_read_again() {
    let (t, _) = one_rule_gateway().await;
    let rules = &t.gw.engine.rules;
    let before = rules.reads();
    std::fs::write(&t.rules_path, std::fs::read(&t.rules_path).unwrap()).unwrap();
    assert!(
        eventually(|| async { rules.reads() > before }).await,
        "a write is read"
    );
    // Reading the file raises open/close events on it; the watcher must not take those for
    // changes (that re-read the file every 50 ms, for ever).
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let settled = rules.reads();
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    assert_eq!(rules.reads(), settled, "re-read without a change");
}
