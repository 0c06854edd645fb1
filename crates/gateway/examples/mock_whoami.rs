//! A Kratos-like `/sessions/whoami` for benchmarks: cookie `ory_kratos_session=valid` → 200.
//! Usage: `mock_whoami 127.0.0.1:18090`.

use axum::extract::Request;
use axum::response::IntoResponse;
use axum::routing::any;

#[tokio::main]
async fn main() {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:18090".into());
    let body = serde_json::json!({
        "id": "session-1", "active": true,
        "expires_at": "2099-01-01T00:00:00Z",
        "identity": {"id": "user-1", "traits": {"email": "user@example.com"}}
    })
    .to_string();
    let handler = move |req: Request| {
        let body = body.clone();
        async move {
            let ok = req
                .headers()
                .get("cookie")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|c| c.contains("ory_kratos_session=valid"));
            if ok {
                ([("content-type", "application/json")], body).into_response()
            } else {
                http::StatusCode::UNAUTHORIZED.into_response()
            }
        }
    };
    let app = axum::Router::new().route("/sessions/whoami", any(handler));
    let listener = tokio::net::TcpListener::bind(&addr).await.unwrap();
    axum::serve(listener, app).await.unwrap();
}
