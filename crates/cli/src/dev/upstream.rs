//! The demo upstream standing in for the Nexus 5 API (`/api/echo`), the admin-rights check the
//! gateway's `remote_json` authorizer calls, and the static UI server.

use std::path::Path;
use std::sync::Arc;

use axum::extract::State as Extract;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, post};
use axum::{Json, Router};
use nexus_identity::registry::Registry;
use serde_json::{json, Value};
use tower_http::services::{ServeDir, ServeFile};

/// What the demo upstream needs.
#[derive(Clone)]
pub struct State {
    reg: Registry,
    jwks_url: Arc<String>,
    admins: Arc<Vec<String>>,
    http: reqwest::Client,
}

impl State {
    /// `jwks_url`: the gateway's public keys, to verify the `id_token` it adds.
    pub fn new(reg: Registry, jwks_url: String, admins: Vec<String>) -> Self {
        State {
            reg,
            jwks_url: Arc::new(jwks_url),
            admins: Arc::new(admins.into_iter().map(|a| a.to_lowercase()).collect()),
            http: reqwest::Client::new(),
        }
    }
}

/// `/api/echo[/…]` and `/internal/admin-check`.
pub fn app(state: State) -> Router {
    Router::new()
        .route("/api/echo", any(echo))
        .route("/api/echo/{*rest}", any(echo))
        .route("/internal/admin-check", post(admin_check))
        .with_state(state)
}

/// Sends every request to the same path and query on `origin` (308): the stack's loopback IP
/// address leads to its `localhost` origin, where cookies and WebAuthn work.
pub fn redirect_to(origin: String) -> Router {
    let origin = Arc::new(origin);
    Router::new().fallback(move |uri: axum::http::Uri| {
        let origin = origin.clone();
        async move {
            let path = uri.path_and_query().map_or("/", |p| p.as_str());
            let location = format!("{origin}{path}");
            (
                StatusCode::PERMANENT_REDIRECT,
                [(axum::http::header::LOCATION, location)],
            )
        }
    })
}

/// Serves the built UI; unknown paths get the SPA fallback page.
pub fn static_ui(dir: &Path) -> Router {
    let fallback = ["200.html", "index.html"]
        .iter()
        .map(|f| dir.join(f))
        .find(|p| p.exists())
        .unwrap_or_else(|| dir.join("index.html"));
    // The build has .br and .gz twins of every file: sent when the browser takes them.
    Router::new().fallback_service(
        ServeDir::new(dir)
            .append_index_html_on_directories(true)
            .precompressed_br()
            .precompressed_gzip()
            .fallback(
                ServeFile::new(fallback)
                    .precompressed_br()
                    .precompressed_gzip(),
            ),
    )
}

/// Answers with the headers it received and the claims of the verified `id_token`.
async fn echo(Extract(state): Extract<State>, headers: HeaderMap) -> Response {
    let received: serde_json::Map<String, Value> = headers
        .iter()
        .filter(|(k, _)| k.as_str() != "cookie")
        .map(|(k, v)| (k.to_string(), json!(v.to_str().unwrap_or("<binary>"))))
        .collect();
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let claims = match token {
        Some(t) => match verify(&state, t).await {
            Ok(c) => c,
            Err(e) => json!({ "error": e }),
        },
        None => Value::Null,
    };
    Json(json!({
        "service": "nexus-5 demo upstream",
        "user_id": headers.get("x-user-id").and_then(|v| v.to_str().ok()),
        "headers": received,
        "id_token_claims": claims,
    }))
    .into_response()
}

/// Verifies the gateway's JWT against its published keys.
async fn verify(state: &State, token: &str) -> Result<Value, String> {
    let header = jsonwebtoken::decode_header(token).map_err(|e| e.to_string())?;
    let jwks: jsonwebtoken::jwk::JwkSet = state
        .http
        .get(state.jwks_url.as_str())
        .send()
        .await
        .map_err(|e| e.to_string())?
        .json()
        .await
        .map_err(|e| e.to_string())?;
    let jwk = match &header.kid {
        Some(kid) => jwks.find(kid),
        None => jwks.keys.first(),
    }
    .ok_or("no key for the token's kid")?;
    let key = jsonwebtoken::DecodingKey::from_jwk(jwk).map_err(|e| e.to_string())?;
    let mut validation = jsonwebtoken::Validation::new(header.alg);
    validation.validate_aud = false;
    jsonwebtoken::decode::<Value>(token, &key, &validation)
        .map(|d| d.claims)
        .map_err(|e| e.to_string())
}

/// 200 when the subject may administer: `metadata_admin.role == "admin"` or an email in the
/// `--admin` list; 403 otherwise.
async fn admin_check(Extract(state): Extract<State>, Json(body): Json<Value>) -> StatusCode {
    let Some(id) = body
        .get("subject")
        .and_then(Value::as_str)
        .and_then(|s| uuid::Uuid::parse_str(s).ok())
    else {
        return StatusCode::FORBIDDEN;
    };
    let Ok(Some(identity)) = state.reg.store.get_identity(id).await else {
        return StatusCode::FORBIDDEN;
    };
    let role_admin = identity
        .metadata_admin
        .as_ref()
        .and_then(|m| m.get("role"))
        .and_then(Value::as_str)
        == Some("admin");
    let listed = identity
        .traits
        .get("email")
        .and_then(Value::as_str)
        .is_some_and(|e| state.admins.contains(&e.to_lowercase()));
    if role_admin || listed {
        StatusCode::OK
    } else {
        StatusCode::FORBIDDEN
    }
}
