//! Loading identity schemas from file://, base64:// and http:// URLs, and the load errors.

use base64::Engine as _;
use nexus_identity::schema::{encoded_id, SchemaEntry, SchemaError, SchemaRegistry};

const QUICKSTART: &str = include_str!("fixtures/identity.schema.json");
const SEED: &str = include_str!("fixtures/identity.seed.schema.json");

fn entry(id: &str, url: impl Into<String>) -> SchemaEntry {
    SchemaEntry {
        id: id.into(),
        url: url.into(),
    }
}

fn fixture_path(name: &str) -> String {
    format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// Serves `body` at `/identity.schema.json` (and 404 elsewhere) on 127.0.0.1:0.
async fn serve(body: &'static str) -> String {
    use axum::routing::get;
    let app = axum::Router::new().route("/identity.schema.json", get(move || async move { body }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

#[tokio::test]
async fn loads_from_file_base64_and_http() {
    let http = reqwest::Client::new();
    let base = serve(SEED).await;
    let std_b64 = base64::engine::general_purpose::STANDARD.encode(SEED);
    let url_b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(QUICKSTART);
    let entries = vec![
        entry(
            "default",
            format!("file://{}", fixture_path("identity.schema.json")),
        ),
        entry("seed-b64", format!("base64://{std_b64}")),
        entry("quick-b64", format!("base64://{url_b64}")),
        entry("remote", format!("{base}/identity.schema.json")),
    ];
    let reg = SchemaRegistry::load(&entries, "default", &http)
        .await
        .unwrap();
    assert_eq!(reg.default_schema().id(), "default");
    let ids: Vec<&str> = reg.list().map(|(id, _)| id).collect();
    assert_eq!(ids, ["default", "seed-b64", "quick-b64", "remote"]);
    assert_eq!(reg.get("remote").unwrap().raw()["title"], "User");
    assert_eq!(reg.get("quick-b64").unwrap().raw()["title"], "Person");
    assert!(reg.get("nope").is_none());
    // `/schemas/{id}` accepts the raw id and the base64url one.
    assert_eq!(reg.find(&encoded_id("seed-b64")).unwrap().id(), "seed-b64");
    assert_eq!(reg.find("remote").unwrap().id(), "remote");
    assert_eq!(reg.find("").unwrap().id(), "default");
    assert_eq!(reg.default_schema().encoded_id(), "ZGVmYXVsdA");
}

#[tokio::test]
async fn loads_relative_file_urls_like_kratos() {
    // Cargo runs integration tests in the crate directory.
    let http = reqwest::Client::new();
    let entries = [entry(
        "default",
        "file://./tests/fixtures/identity.schema.json",
    )];
    let reg = SchemaRegistry::load(&entries, "default", &http)
        .await
        .unwrap();
    assert_eq!(
        reg.default_schema().url(),
        "file://./tests/fixtures/identity.schema.json"
    );
}

async fn load_err(entries: &[SchemaEntry], default_id: &str) -> SchemaError {
    let http = reqwest::Client::new();
    SchemaRegistry::load(entries, default_id, &http)
        .await
        .unwrap_err()
}

fn b64(doc: &str) -> String {
    format!(
        "base64://{}",
        base64::engine::general_purpose::STANDARD.encode(doc)
    )
}

#[tokio::test]
async fn load_errors_name_the_schema_and_url() {
    let err = load_err(&[entry("users", "file:///does/not/exist.json")], "users").await;
    assert!(matches!(err, SchemaError::Fetch { .. }));
    let msg = err.to_string();
    assert!(
        msg.contains("\"users\"") && msg.contains("file:///does/not/exist.json"),
        "{msg}"
    );

    let err = load_err(&[entry("a", "ftp://x/schema.json")], "a").await;
    assert!(matches!(err, SchemaError::UnsupportedUrl { .. }), "{err}");
    let err = load_err(&[entry("a", "./schema.json")], "a").await;
    assert!(matches!(err, SchemaError::UnsupportedUrl { .. }), "{err}");

    let err = load_err(&[entry("a", "base64://%%%")], "a").await;
    assert!(matches!(err, SchemaError::Fetch { .. }), "{err}");
    let err = load_err(&[entry("a", b64("{not json"))], "a").await;
    assert!(matches!(err, SchemaError::Parse { .. }), "{err}");
    let err = load_err(&[entry("a", b64("[]"))], "a").await;
    assert!(matches!(err, SchemaError::Parse { .. }), "{err}");
    let err = load_err(&[entry("a", b64(r#"{"type": "strin"}"#))], "a").await;
    assert!(matches!(err, SchemaError::Invalid { .. }), "{err}");
    assert!(err.to_string().contains("\"a\""), "{err}");
    let bad_ext = r#"{"properties": {"traits": {"properties": {"email": {"type": "string",
        "ory.sh/kratos": {"credentials": {"password": {"identifier": "yes"}}}}}}}}"#;
    let err = load_err(&[entry("a", b64(bad_ext))], "a").await;
    assert!(matches!(err, SchemaError::Extension { .. }), "{err}");

    let good = b64(SEED);
    let err = load_err(&[entry("a", good.clone()), entry("a", good.clone())], "a").await;
    assert!(matches!(err, SchemaError::DuplicateId { .. }), "{err}");
    let err = load_err(&[entry("a", good)], "default").await;
    assert!(matches!(err, SchemaError::UnknownDefault { .. }), "{err}");
    let err = load_err(&[], "default").await;
    assert!(matches!(err, SchemaError::NoSchemas), "{err}");
}

#[tokio::test]
async fn http_errors_and_long_urls_are_reported() {
    let base = serve(SEED).await;
    let err = load_err(&[entry("remote", format!("{base}/missing.json"))], "remote").await;
    assert!(matches!(err, SchemaError::Fetch { .. }), "{err}");
    assert!(err.to_string().contains("404"), "{err}");

    // A closed port: connection refused, still a one-line error naming the schema.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let err = load_err(
        &[entry("gone", format!("http://127.0.0.1:{port}/s.json"))],
        "gone",
    )
    .await;
    assert!(matches!(err, SchemaError::Fetch { .. }), "{err}");
    assert!(!err.to_string().contains('\n'), "{err}");

    // Inline documents are shortened in messages.
    let long = b64(&format!(
        r#"{{"type": "strin", "description": "{}"}}"#,
        "x".repeat(500)
    ));
    let err = load_err(&[entry("a", long)], "a").await;
    assert!(err.to_string().contains("chars)"), "{err}");
}
