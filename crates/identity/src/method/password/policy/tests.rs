//! Policy tests against an in-process mock of the range API on 127.0.0.1:0.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use sha1::{Digest as _, Sha1};

use super::*;

/// Breach counts the mock knows, by password.
const BREACHED: &[(&str, u64)] = &[("password123", 42), ("hunter2hunter2", 1)];

struct Mock {
    hits: AtomicUsize,
    status: StatusCode,
}

fn sha1_upper(s: &str) -> String {
    hex::encode_upper(Sha1::digest(s.as_bytes()))
}

async fn range(State(mock): State<Arc<Mock>>, Path(prefix): Path<String>) -> (StatusCode, String) {
    mock.hits.fetch_add(1, Ordering::SeqCst);
    let mut body = String::from("0018A45C4D1DEF81644B54AB7F969B88D65:3\r\n");
    for (pw, count) in BREACHED {
        let digest = sha1_upper(pw);
        if digest.starts_with(&prefix) {
            body.push_str(&format!("{}:{count}\r\n", &digest[5..]));
        }
    }
    (mock.status, body)
}

/// Serves the mock; returns its base URL and hit counter.
async fn serve(status: StatusCode) -> (String, Arc<Mock>) {
    let mock = Arc::new(Mock {
        hits: AtomicUsize::new(0),
        status,
    });
    let app = Router::new()
        .route("/range/{prefix}", get(range))
        .with_state(Arc::clone(&mock));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}"), mock)
}

fn policy(host: &str, tweak: impl FnOnce(&mut PolicySettings)) -> PasswordPolicy {
    let mut settings = PolicySettings {
        haveibeenpwned_host: host.to_owned(),
        ..PolicySettings::default()
    };
    tweak(&mut settings);
    PasswordPolicy::new(settings, PasswordPolicy::default_http_client())
}

/// A port that refuses connections: bind, note the port, close.
async fn unreachable_host() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}")
}

#[test]
fn defaults_match_kratos() {
    let s = PolicySettings::default();
    assert_eq!(s.min_password_length, 8);
    assert!(s.identifier_similarity_check_enabled);
    assert!(s.haveibeenpwned_enabled);
    assert_eq!(s.haveibeenpwned_host, "api.pwnedpasswords.com");
    assert_eq!(s.max_breaches, 0);
    assert!(s.ignore_network_errors);
}

#[tokio::test]
async fn min_length_is_counted_in_bytes() {
    let p = policy("http://unused", |s| s.haveibeenpwned_enabled = false);
    assert_eq!(
        p.check("", "short").await,
        Err(PolicyViolation::TooShort {
            min_length: 8,
            actual_length: 5
        })
    );
    // Four two-byte characters are eight bytes: accepted, as in Kratos.
    assert_eq!(p.check("", "éééé").await, Ok(()));
}

#[tokio::test]
async fn max_length_when_passed_in() {
    let p = policy("http://unused", |s| s.haveibeenpwned_enabled = false).with_max_length(Some(72));
    let long = "x1".repeat(40);
    assert_eq!(
        p.check("", &long).await,
        Err(PolicyViolation::TooLong {
            max_length: 72,
            actual_length: 80
        })
    );
    let p = policy("http://unused", |s| s.haveibeenpwned_enabled = false);
    assert_eq!(p.check("", &long).await, Ok(()));
}

#[tokio::test]
async fn similarity_check_can_be_disabled() {
    let p = policy("http://unused", |s| s.haveibeenpwned_enabled = false);
    assert_eq!(
        p.check("hello@example.com", "hello@example.com12345").await,
        Err(PolicyViolation::TooSimilarToIdentifier)
    );
    let p = policy("http://unused", |s| {
        s.haveibeenpwned_enabled = false;
        s.identifier_similarity_check_enabled = false;
    });
    assert_eq!(
        p.check("hello@example.com", "hello@example.com12345").await,
        Ok(())
    );
}

#[tokio::test]
async fn breached_passwords_are_refused_and_cached() {
    let (host, mock) = serve(StatusCode::OK).await;
    let p = policy(&host, |_| {});
    assert_eq!(
        p.check("alice", "password123").await,
        Err(PolicyViolation::Breached { breaches: 42 })
    );
    assert_eq!(mock.hits.load(Ordering::SeqCst), 1);
    // Served from the cache the second time.
    assert_eq!(
        p.check("alice", "password123").await,
        Err(PolicyViolation::Breached { breaches: 42 })
    );
    assert_eq!(mock.hits.load(Ordering::SeqCst), 1);
    assert_eq!(p.check("alice", "l3f9toh1uaf81n21").await, Ok(()));
    assert_eq!(mock.hits.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn max_breaches_is_a_threshold() {
    let (host, _mock) = serve(StatusCode::OK).await;
    let p = policy(&host, |s| s.max_breaches = 1);
    assert_eq!(p.check("alice", "hunter2hunter2").await, Ok(()));
    assert_eq!(
        p.check("alice", "password123").await,
        Err(PolicyViolation::Breached { breaches: 42 })
    );
}

#[tokio::test]
async fn network_errors_are_ignored_when_configured() {
    let host = unreachable_host().await;
    let p = policy(&host, |_| {});
    assert_eq!(p.check("alice", "password123").await, Ok(()));
}

#[tokio::test]
async fn network_errors_fail_when_not_ignored() {
    let host = unreachable_host().await;
    let p = policy(&host, |s| s.ignore_network_errors = false);
    let err = p.check("alice", "password123").await.unwrap_err();
    assert!(err.is_upstream_error(), "{err:?}");
    assert_eq!(err.message_id(), 4000005);
    assert!(!err.to_string().contains("password123"));
}

#[tokio::test]
async fn bad_status_is_a_network_error() {
    let (host, _mock) = serve(StatusCode::SERVICE_UNAVAILABLE).await;
    let p = policy(&host, |_| {});
    assert_eq!(p.check("alice", "password123").await, Ok(()));
    let p = policy(&host, |s| s.ignore_network_errors = false);
    assert!(matches!(
        p.check("alice", "password123").await,
        Err(PolicyViolation::BreachCheckFailed { .. })
    ));
}
