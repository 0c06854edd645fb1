//! `/admin/sessions…` and `/admin/identities/{id}/sessions`.

use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch};
use axum::Router;
use http::header::{LINK, LOCATION};
use http::{HeaderValue, StatusCode};
use serde_json::Value;
use uuid::Uuid;

use super::input;
use super::paging::{Page, Paging, Scope};
use super::query::Query;
use super::view::{self, Expand};
use crate::domain::{self, ApiError, Session};
use crate::http::respond;
use crate::manage::AdminError;
use crate::registry::Registry;
use crate::store::ListSessions;

/// Session routes.
pub fn router() -> Router<Registry> {
    Router::new()
        .route("/admin/sessions", get(list))
        .route("/admin/sessions/{id}", get(get_one).delete(disable))
        .route("/admin/sessions/{id}/extend", patch(extend))
        .route(
            "/admin/identities/{id}/sessions",
            get(list_of_identity).delete(delete_of_identity),
        )
}

fn reply(r: Result<Response, AdminError>) -> Response {
    r.unwrap_or_else(|e| respond::admin_error(&e))
}

/// `expand=identity|devices` (repeatable, case-insensitive); nothing when absent.
fn expand(q: &Query) -> Result<Expand, ApiError> {
    let mut e = Expand::default();
    for v in q.all("expand") {
        match v.to_ascii_lowercase().as_str() {
            "identity" => e.identity = true,
            "devices" => e.devices = true,
            _ => {
                return Err(ApiError::bad_request(format!(
                    "Could not parse expand option: {v}"
                )))
            }
        }
    }
    Ok(e)
}

async fn list(State(reg): State<Registry>, RawQuery(raw): RawQuery) -> Response {
    reply(
        async {
            let q = Query::parse(raw.as_deref());
            let expand = expand(&q)?;
            let base = super::admin_url(&reg.options, "admin/sessions");
            page_of_sessions(&reg, &q, None, expand, &base).await
        }
        .await,
    )
}

async fn list_of_identity(
    State(reg): State<Registry>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    reply(
        async {
            let id = input::strict_id(&id)?;
            if reg.store.get_identity(id).await?.is_none() {
                return Err(ApiError::not_found().into());
            }
            let q = Query::parse(raw.as_deref());
            let base = super::admin_url(&reg.options, &format!("admin/identities/{id}/sessions"));
            page_of_sessions(&reg, &q, Some(id), Expand::ALL, &base).await
        }
        .await,
    )
}

/// One page of sessions with the `Link` header. Identities are always loaded so `active`
/// reflects the identity's state too; `expand` only decides what is shown.
async fn page_of_sessions(
    reg: &Registry,
    q: &Query,
    identity_id: Option<Uuid>,
    expand: Expand,
    base: &str,
) -> Result<Response, AdminError> {
    let active = q.active()?;
    let paging = Paging::new(&reg.options.pagination_secrets, Scope::Sessions);
    let page: Page = paging.parse(q)?;
    let query = ListSessions {
        identity_id,
        active,
        page_size: page.fetch(),
        page_token: page.after,
        except: None,
        with_identity: true,
    };
    let mut sessions = reg.store.list_sessions(&query).await?;
    let more = page.take(&mut sessions);
    let next = more.then(|| sessions.last().map(|s| s.id)).flatten();
    let body: Vec<Value> = sessions
        .iter()
        .map(|s| view::session(s, &reg.options, expand))
        .collect();
    let mut res = respond::json(StatusCode::OK, Value::Array(body));
    if let Ok(v) = HeaderValue::from_str(&paging.link(base, q, &page, next)) {
        res.headers_mut().insert(LINK, v);
    }
    Ok(res)
}

async fn get_one(
    State(reg): State<Registry>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    if id == "whoami" {
        // Kratos sends `/admin/sessions/whoami` to the public port.
        let target = match &raw {
            Some(q) => reg.options.public(&format!("sessions/whoami?{q}")),
            None => reg.options.public("sessions/whoami"),
        };
        let mut res = StatusCode::TEMPORARY_REDIRECT.into_response();
        if let Ok(v) = HeaderValue::from_str(&target) {
            res.headers_mut().insert(LOCATION, v);
        }
        return res;
    }
    reply(
        async {
            let id = input::strict_id(&id)?;
            let expand = expand(&Query::parse(raw.as_deref()))?;
            let session = load(&reg, id).await?;
            Ok(respond::json(
                StatusCode::OK,
                view::session(&session, &reg.options, expand),
            ))
        }
        .await,
    )
}

async fn load(reg: &Registry, id: Uuid) -> Result<Session, AdminError> {
    reg.store
        .get_session(id, true)
        .await?
        .ok_or_else(|| AdminError::Api(ApiError::not_found()))
}

async fn disable(State(reg): State<Registry>, Path(id): Path<String>) -> Response {
    reply(
        async {
            let id = input::strict_id(&id)?;
            if !reg.sessions.revoke_by_id(id).await? {
                return Err(ApiError::not_found().into());
            }
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        .await,
    )
}

/// Sets `expires_at = now + session.lifespan` once the session is within
/// `earliest_possible_extend` of its expiry (otherwise unchanged); answers with the session.
async fn extend(State(reg): State<Registry>, Path(id): Path<String>) -> Response {
    reply(
        async {
            let id = input::strict_id(&id)?;
            let mut session = load(&reg, id).await?;
            let now = domain::now();
            let opts = &reg.options.session;
            let window = chrono::Duration::from_std(opts.earliest_possible_extend)
                .unwrap_or(chrono::Duration::weeks(52 * 100));
            if session.can_extend(now, window) {
                let lifespan = chrono::Duration::from_std(opts.lifespan)
                    .map_err(|e| AdminError::Internal(e.to_string()))?;
                session.expires_at = now + lifespan;
                reg.sessions.update(&session, None).await?;
            }
            Ok(respond::json(
                StatusCode::OK,
                view::session(&session, &reg.options, Expand::IDENTITY),
            ))
        }
        .await,
    )
}

async fn delete_of_identity(State(reg): State<Registry>, Path(id): Path<String>) -> Response {
    reply(
        async {
            let id = input::strict_id(&id)?;
            let deleted = reg.store.delete_sessions_of_identity(id).await?;
            reg.sessions.forget_identity(id);
            if deleted == 0 {
                return Err(ApiError::not_found().into());
            }
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        .await,
    )
}
