//! `/admin/courier/messages[/{id}]` (listCourierMessages, getCourierMessage).
//!
//! As in Kratos, message bodies are shown only in dev mode: they hold codes and links that
//! would let an admin API reader take over accounts.

use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use http::header::LINK;
use http::{HeaderValue, StatusCode};
use uuid::Uuid;

use super::input;
use super::paging::{Page, Paging, Scope};
use super::query::Query;
use crate::domain::message::{Message, MessageStatus};
use crate::domain::ApiError;
use crate::http::respond;
use crate::manage::AdminError;
use crate::registry::Registry;
use crate::store::ListMessages;

/// Kratos' stand-in for bodies outside dev mode.
pub const REDACTED_BODY: &str = "<redacted-unless-dev-mode>";
/// `page_size` default and maximum (openapi.json listCourierMessages).
const DEFAULT_SIZE: usize = 250;
const MAX_SIZE: usize = 1000;

/// Courier routes.
pub fn router() -> Router<Registry> {
    Router::new()
        .route("/admin/courier/messages", get(list))
        .route("/admin/courier/messages/{id}", get(get_one))
}

fn reply(r: Result<Response, AdminError>) -> Response {
    r.unwrap_or_else(|e| respond::admin_error(&e))
}

fn shown(reg: &Registry, mut m: Message) -> serde_json::Value {
    if !reg.options.dev {
        m.body = REDACTED_BODY.to_string();
    }
    serde_json::to_value(&m).unwrap_or_default()
}

fn page_size(q: &Query) -> Result<usize, ApiError> {
    match q.get("page_size") {
        None | Some("") => Ok(DEFAULT_SIZE),
        Some(s) => match s.parse::<i64>() {
            Ok(n) if (1..=MAX_SIZE as i64).contains(&n) => Ok(n as usize),
            _ => Err(ApiError::bad_request(format!(
                "The page_size parameter must be a number between 1 and {MAX_SIZE}, got {s:?}."
            ))),
        },
    }
}

async fn list(State(reg): State<Registry>, RawQuery(raw): RawQuery) -> Response {
    reply(
        async {
            let q = Query::parse(raw.as_deref());
            let status = match q.get("status") {
                None | Some("") => None,
                Some(s) => Some(MessageStatus::parse(s).ok_or_else(|| {
                    ApiError::bad_request(format!(
                        "The status parameter must be one of queued, processing, sent, abandoned; got {s:?}."
                    ))
                })?),
            };
            let recipient = q.get("recipient").filter(|r| !r.is_empty());
            let paging = Paging::new(&reg.options.pagination_secrets, Scope::Messages);
            let after = match q.get("page_token").filter(|t| !t.is_empty()) {
                None => None,
                Some(t) => Some(paging.decode(t).ok_or_else(|| {
                    ApiError::bad_request(
                        "The page_token is invalid: pass a token from a Link header of this list.",
                    )
                })?),
            }
            .filter(|id: &Uuid| !id.is_nil());
            let page = Page {
                size: page_size(&q)?,
                after,
                skip: 0,
                legacy_page: None,
            };
            let query = ListMessages {
                page_size: page.fetch(),
                page_token: page.after,
                status,
                recipient: recipient.map(str::to_string),
            };
            let mut messages = reg.store.list_messages(&query).await?;
            let more = page.take(&mut messages);
            let next = more.then(|| messages.last().map(|m| m.id)).flatten();
            let body: Vec<_> = messages.into_iter().map(|m| shown(&reg, m)).collect();
            let mut res = respond::json(StatusCode::OK, serde_json::Value::Array(body));
            let base = super::admin_url(&reg.options, "admin/courier/messages");
            if let Ok(v) = HeaderValue::from_str(&paging.link(&base, &q, &page, next)) {
                res.headers_mut().insert(LINK, v);
            }
            Ok(res)
        }
        .await,
    )
}

async fn get_one(State(reg): State<Registry>, Path(id): Path<String>) -> Response {
    reply(
        async {
            let id = input::strict_id(&id)?;
            let m = reg
                .store
                .get_message(id)
                .await?
                .ok_or_else(ApiError::not_found)?;
            Ok(respond::json(StatusCode::OK, shown(&reg, m)))
        }
        .await,
    )
}
