//! `/admin/identities…`: list, create, batch, get, replace, JSON-patch, delete, credentials.

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};
use axum::Router;
use http::header::LOCATION;
use http::{HeaderValue, StatusCode};
use serde_json::{json, Value};

use super::input;
use super::paging::{Paging, Scope};
use super::query::Query;
use super::view::{self, Configs};
use crate::domain::ApiError;
use crate::http::respond;
use crate::manage::body::{BatchBody, CreateIdentityBody, UpdateIdentityBody};
use crate::manage::credentials::KNOWN_TYPES;
use crate::manage::{batch, ops, AdminError};
use crate::method::password::normalize_identifier;
use crate::registry::Registry;
use crate::store::ListIdentities;

/// Most ids one `ids` filter may name (Kratos).
const MAX_IDS: usize = 500;

/// Identity routes.
pub fn router() -> Router<Registry> {
    Router::new()
        .route("/admin/identities", get(list).post(create).patch(batch))
        .route(
            "/admin/identities/by/external/{external_id}",
            get(by_external_id),
        )
        .route(
            "/admin/identities/{id}",
            get(get_one).put(replace).patch(patch).delete(remove),
        )
        .route(
            "/admin/identities/{id}/credentials/{kind}",
            delete(delete_credential),
        )
}

/// Turns a handler result into a response (errors through the one mapping).
fn reply(r: Result<Response, AdminError>) -> Response {
    r.unwrap_or_else(|e| respond::admin_error(&e))
}

async fn list(State(reg): State<Registry>, RawQuery(raw): RawQuery) -> Response {
    reply(list_inner(&reg, Query::parse(raw.as_deref())).await)
}

async fn list_inner(reg: &Registry, q: Query) -> Result<Response, AdminError> {
    let mut filters = 0;
    let ids = q
        .all("ids")
        .into_iter()
        .map(|v| {
            uuid::Uuid::parse_str(v).map_err(|_| {
                ApiError::bad_request(format!("Invalid UUID value `{v}` for parameter `ids`."))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    if ids.len() > MAX_IDS {
        return Err(ApiError::bad_request(format!(
            "The number of ids to filter must not exceed {MAX_IDS}."
        ))
        .into());
    }
    filters += usize::from(!ids.is_empty());
    let raw_exact = q.get("credentials_identifier");
    let exact = raw_exact.map(normalize_identifier);
    let similar = q
        .get("preview_credentials_identifier_similar")
        .map(normalize_identifier);
    filters += usize::from(exact.is_some()) + usize::from(similar.is_some());
    if filters > 1 {
        return Err(
            ApiError::bad_request("You cannot combine multiple filters in this API").into(),
        );
    }
    let mut include = include_credential(&q)?;
    // Password hashes never leave the server in lists.
    include.retain(|k| k != "password");
    let paging = Paging::new(&reg.options.pagination_secrets, Scope::Identities);
    let page = paging.parse(&q)?;
    let query = ListIdentities {
        page_size: page.fetch(),
        page_token: page.after,
        ids,
        credentials_identifier: exact,
        identifier_similar: similar,
    };
    let mut identities = reg.store.list_identities(&query).await?;
    // Password identifiers are stored lowercased, social sign-in subjects as given.
    if let Some(raw) = raw_exact
        .filter(|r| identities.is_empty() && Some(*r) != query.credentials_identifier.as_deref())
    {
        let verbatim = ListIdentities {
            credentials_identifier: Some(raw.to_string()),
            ..query
        };
        identities = reg.store.list_identities(&verbatim).await?;
    }
    let more = page.take(&mut identities);
    let next = more.then(|| identities.last().map(|i| i.id)).flatten();
    let body: Vec<Value> = identities
        .iter()
        .map(|i| view::identity(i, &reg.options, Configs::Of(&include)))
        .collect();
    let base = super::admin_url(&reg.options, "admin/identities");
    let mut res = respond::json(StatusCode::OK, Value::Array(body));
    if let Ok(v) = HeaderValue::from_str(&paging.link(&base, &q, &page, next)) {
        res.headers_mut().insert(http::header::LINK, v);
    }
    if page.legacy_page.is_some() {
        let total = reg.store.count_identities().await?;
        res.headers_mut()
            .insert("x-total-count", HeaderValue::from(total));
    }
    Ok(res)
}

/// `include_credential=…` (repeatable), each a known credential type.
fn include_credential(q: &Query) -> Result<Vec<String>, ApiError> {
    q.all("include_credential")
        .into_iter()
        .map(|v| {
            if KNOWN_TYPES.contains(&v) {
                Ok(v.to_string())
            } else {
                Err(ApiError::bad_request(format!(
                    "Invalid value `{v}` for parameter `include_credential`."
                )))
            }
        })
        .collect()
}

async fn create(State(reg): State<Registry>, body: Body) -> Response {
    reply(create_inner(&reg, body).await)
}

async fn create_inner(reg: &Registry, body: Body) -> Result<Response, AdminError> {
    let body: CreateIdentityBody = input::json(body, reg.options.body_limit).await?;
    let identity = ops::create(reg, body).await?;
    let mut res = respond::json(
        StatusCode::CREATED,
        view::identity(&identity, &reg.options, Configs::Hidden),
    );
    let location = super::admin_url(&reg.options, &format!("admin/identities/{}", identity.id));
    if let Ok(v) = HeaderValue::from_str(&location) {
        res.headers_mut().insert(LOCATION, v);
    }
    Ok(res)
}

async fn batch(State(reg): State<Registry>, body: Body) -> Response {
    reply(batch_inner(&reg, body).await)
}

async fn batch_inner(reg: &Registry, body: Body) -> Result<Response, AdminError> {
    let body: BatchBody = input::json(body, reg.options.body_limit).await?;
    let results = batch::run(reg, body).await?;
    Ok(respond::json(
        StatusCode::OK,
        json!({ "identities": results }),
    ))
}

async fn get_one(
    State(reg): State<Registry>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    reply(
        async {
            let id = input::identity_id(&id)?;
            let include = include_credential(&Query::parse(raw.as_deref()))?;
            let identity = ops::get(&reg, id).await?;
            Ok(respond::json(
                StatusCode::OK,
                view::identity(&identity, &reg.options, Configs::Of(&include)),
            ))
        }
        .await,
    )
}

async fn by_external_id(
    State(reg): State<Registry>,
    Path(external_id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    reply(
        async {
            let include = include_credential(&Query::parse(raw.as_deref()))?;
            let identity = ops::get_by_external_id(&reg, &external_id).await?;
            Ok(respond::json(
                StatusCode::OK,
                view::identity(&identity, &reg.options, Configs::Of(&include)),
            ))
        }
        .await,
    )
}

async fn replace(State(reg): State<Registry>, Path(id): Path<String>, body: Body) -> Response {
    reply(
        async {
            let id = input::identity_id(&id)?;
            let body: UpdateIdentityBody = input::json(body, reg.options.body_limit).await?;
            let identity = ops::replace(&reg, id, body).await?;
            Ok(respond::json(
                StatusCode::OK,
                view::identity(&identity, &reg.options, Configs::Hidden),
            ))
        }
        .await,
    )
}

async fn patch(State(reg): State<Registry>, Path(id): Path<String>, body: Body) -> Response {
    reply(
        async {
            let id = input::identity_id(&id)?;
            let patch: Value = input::json(body, reg.options.body_limit).await?;
            let identity = ops::patch(&reg, id, &patch).await?;
            Ok(respond::json(
                StatusCode::OK,
                view::identity(&identity, &reg.options, Configs::Hidden),
            ))
        }
        .await,
    )
}

async fn remove(State(reg): State<Registry>, Path(id): Path<String>) -> Response {
    reply(
        async {
            let id = input::identity_id(&id)?;
            ops::delete(&reg, id).await?;
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        .await,
    )
}

async fn delete_credential(
    State(reg): State<Registry>,
    Path((id, kind)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Response {
    reply(
        async {
            let id = input::identity_id(&id)?;
            let q = Query::parse(raw.as_deref());
            ops::delete_credential(&reg, id, &kind, q.get("identifier")).await?;
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        .await,
    )
}
