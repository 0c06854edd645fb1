//! Self-service flow endpoints: init (browser/api), fetch, submit — for login and registration.

use std::collections::HashMap;
use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use http::{HeaderMap, StatusCode, Uri};
use serde_json::json;
use uuid::Uuid;

use super::context::Peer;
use super::respond::{self, Client};
use super::{body, context, cookies, negotiate, render};
use crate::domain::{self, ApiError, Flow, FlowKind, FlowType};
use crate::flow::login::LoginParams;
use crate::flow::registration::RegistrationParams;
use crate::flow::{login, registration, FlowError, InitOutcome, SubmitOutcome};
use crate::registry::Registry;

/// Routes of the login and registration flows.
pub fn router() -> Router<Registry> {
    Router::new()
        .route("/self-service/login/browser", get(login_browser))
        .route("/self-service/login/api", get(login_api))
        .route("/self-service/login/flows", get(login_fetch))
        .route("/self-service/login", get(login_submit).post(login_submit))
        .route(
            "/self-service/registration/browser",
            get(registration_browser),
        )
        .route("/self-service/registration/api", get(registration_api))
        .route("/self-service/registration/flows", get(registration_fetch))
        .route(
            "/self-service/registration",
            axum::routing::post(registration_submit),
        )
}

/// Query parameters as a map (lenient: malformed pairs are skipped).
pub fn query_map(raw: &Option<String>) -> HashMap<String, String> {
    raw.as_deref()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .into_owned()
                .collect()
        })
        .unwrap_or_default()
}

fn request_url(reg: &Registry, uri: &Uri) -> String {
    reg.options
        .public(uri.path_and_query().map(|p| p.as_str()).unwrap_or("/"))
}

fn peer(ci: Peer) -> Option<SocketAddr> {
    ci.0
}

async fn login_browser(
    State(reg): State<Registry>,
    uri: Uri,
    q: RawQuery,
    headers: HeaderMap,
    ci: Peer,
) -> Response {
    flow_init(
        reg,
        FlowKind::Login,
        FlowType::Browser,
        uri,
        q,
        headers,
        peer(ci),
    )
    .await
}

async fn login_api(
    State(reg): State<Registry>,
    uri: Uri,
    q: RawQuery,
    headers: HeaderMap,
    ci: Peer,
) -> Response {
    flow_init(
        reg,
        FlowKind::Login,
        FlowType::Api,
        uri,
        q,
        headers,
        peer(ci),
    )
    .await
}

async fn registration_browser(
    State(reg): State<Registry>,
    uri: Uri,
    q: RawQuery,
    headers: HeaderMap,
    ci: Peer,
) -> Response {
    flow_init(
        reg,
        FlowKind::Registration,
        FlowType::Browser,
        uri,
        q,
        headers,
        peer(ci),
    )
    .await
}

async fn registration_api(
    State(reg): State<Registry>,
    uri: Uri,
    q: RawQuery,
    headers: HeaderMap,
    ci: Peer,
) -> Response {
    flow_init(
        reg,
        FlowKind::Registration,
        FlowType::Api,
        uri,
        q,
        headers,
        peer(ci),
    )
    .await
}

/// Creates a login or registration flow from the init query.
async fn flow_init(
    reg: Registry,
    kind: FlowKind,
    flow_type: FlowType,
    uri: Uri,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    peer: Option<SocketAddr>,
) -> Response {
    let client = Client::of(flow_type, negotiate::wants_json(&headers));
    let params = query_map(&q);
    let outcome = match context::request_info(&reg, request_url(&reg, &uri), &headers, peer).await {
        Ok(req) if kind == FlowKind::Login => {
            let params = LoginParams {
                refresh: params.get("refresh").is_some_and(|v| v == "true"),
                aal: params.get("aal").cloned(),
                return_to: params.get("return_to").cloned(),
                identity_schema: params.get("identity_schema").cloned(),
            };
            login::init(&reg, flow_type, params, &req).await
        }
        Ok(req) => {
            let params = RegistrationParams {
                return_to: params.get("return_to").cloned(),
                identity_schema: params.get("identity_schema").cloned(),
            };
            registration::init(&reg, flow_type, params, &req).await
        }
        Err(e) => Err(e.into()),
    };
    init_response(&reg, outcome, client).await
}

async fn init_response(
    reg: &Registry,
    outcome: Result<InitOutcome, FlowError>,
    client: Client,
) -> Response {
    match outcome {
        Ok(InitOutcome::Created(flow)) => {
            let mut headers = HeaderMap::new();
            if flow.flow_type == FlowType::Browser {
                cookies::set_csrf(&mut headers, &reg.options, &flow.csrf_token);
            }
            match client {
                Client::BrowserPage => {
                    respond::see_other(&reg.options.ui_url_with_flow(flow.kind, flow.id), headers)
                }
                Client::Json => respond::flow(StatusCode::OK, &flow, headers),
            }
        }
        Ok(InitOutcome::AlreadySignedIn { return_to }) => match client {
            Client::BrowserPage => respond::see_other(&return_to, HeaderMap::new()),
            Client::Json => respond::api_error(&ApiError::session_already_available()),
        },
        Err(e) => respond::error(reg, e, client).await,
    }
}

async fn login_fetch(State(reg): State<Registry>, q: RawQuery, headers: HeaderMap) -> Response {
    fetch(reg, FlowKind::Login, q, headers).await
}

async fn registration_fetch(
    State(reg): State<Registry>,
    q: RawQuery,
    headers: HeaderMap,
) -> Response {
    fetch(reg, FlowKind::Registration, q, headers).await
}

/// Parses a flow id; malformed ids are treated as unknown (404), as Kratos does.
pub fn flow_id(q: &Option<String>, key: &str) -> Result<Uuid, ApiError> {
    query_map(q)
        .get(key)
        .and_then(|id| Uuid::parse_str(id).ok())
        .ok_or_else(ApiError::not_found)
}

/// `GET /self-service/<kind>/flows?id=`.
pub async fn fetch(
    reg: Registry,
    kind: FlowKind,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Response {
    let result: Result<Flow, ApiError> = async {
        let id = flow_id(&q, "id")?;
        let flow = reg
            .store
            .get_flow(id)
            .await
            .map_err(|e| {
                tracing::error!(error = %e, "flow lookup failed");
                ApiError::internal()
            })?
            .filter(|f| f.kind == kind)
            .ok_or_else(ApiError::not_found)?;
        if flow.flow_type == FlowType::Browser {
            let jar = cookies::parse(&headers);
            let cookie = cookies::get(&jar, &cookies::csrf_cookie_name(&reg.options));
            let ok = cookie.is_some_and(|c| {
                subtle::ConstantTimeEq::ct_eq(c.as_bytes(), flow.csrf_token.as_bytes()).into()
            });
            if !ok {
                return Err(ApiError::csrf_violation(
                    "The anti-CSRF cookie of this browser flow is missing or does not match: fetch the flow with the cookies set when it was created.",
                ));
            }
        }
        if flow.is_expired(domain::now()) {
            let init = match flow.flow_type {
                FlowType::Browser => reg.options.browser_init_url(kind),
                FlowType::Api => reg.options.public(&format!("self-service/{}/api", kind.as_str())),
            };
            return Err(ApiError::flow_expired(flow.expires_at, domain::now()).with_detail("redirect_to", init));
        }
        Ok(flow)
    }
    .await;
    match result {
        Ok(flow) => respond::json(StatusCode::OK, render::flow(&flow)),
        Err(e) => respond::api_error(&e),
    }
}

async fn login_submit(
    State(reg): State<Registry>,
    uri: Uri,
    q: RawQuery,
    headers: HeaderMap,
    ci: Peer,
    body: Body,
) -> Response {
    submit(reg, FlowKind::Login, uri, q, headers, peer(ci), body).await
}

async fn registration_submit(
    State(reg): State<Registry>,
    uri: Uri,
    q: RawQuery,
    headers: HeaderMap,
    ci: Peer,
    body: Body,
) -> Response {
    submit(reg, FlowKind::Registration, uri, q, headers, peer(ci), body).await
}

async fn submit(
    reg: Registry,
    kind: FlowKind,
    uri: Uri,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    peer: Option<SocketAddr>,
    raw_body: Body,
) -> Response {
    let wants_json = negotiate::wants_json(&headers);
    let fallback_client = if wants_json {
        Client::Json
    } else {
        Client::BrowserPage
    };
    let id = match flow_id(&q, "flow") {
        Ok(id) => id,
        Err(e) => return respond::error(&reg, e.into(), Client::Json).await,
    };
    // The client kind depends on the flow type; an unknown flow is reported as JSON.
    let flow = match reg.store.get_flow(id).await {
        Ok(Some(f)) => f,
        Ok(None) => return respond::api_error(&ApiError::not_found()),
        Err(e) => return respond::error(&reg, FlowError::from(e), fallback_client).await,
    };
    let client = Client::of(flow.flow_type, wants_json);
    let body = match body::decode(&headers, raw_body, reg.options.body_limit).await {
        Ok(b) => b,
        Err(e) => return respond::api_error(&e),
    };
    let req = match context::request_info(&reg, request_url(&reg, &uri), &headers, peer).await {
        Ok(r) => r,
        Err(e) => return respond::error(&reg, e.into(), client).await,
    };
    let outcome = match kind {
        FlowKind::Login => login::submit(&reg, flow, &body, &req).await,
        _ => registration::submit(&reg, flow, &body, &req).await,
    };
    match outcome {
        Ok(o) => submit_response(&reg, o, client),
        Err(FlowError::Api(e))
            if e.id() == Some("session_already_available") && client == Client::BrowserPage =>
        {
            respond::see_other(&reg.options.default_return_url, HeaderMap::new())
        }
        Err(e) => respond::error(&reg, e, client).await,
    }
}

fn submit_response(reg: &Registry, outcome: SubmitOutcome, client: Client) -> Response {
    let opts = &reg.options;
    match outcome {
        SubmitOutcome::Invalid(flow) | SubmitOutcome::NextScreen(flow) => match client {
            Client::BrowserPage => {
                respond::see_other(&opts.ui_url_with_flow(flow.kind, flow.id), HeaderMap::new())
            }
            Client::Json => respond::flow(StatusCode::BAD_REQUEST, &flow, HeaderMap::new()),
        },
        SubmitOutcome::LoggedIn {
            flow,
            session,
            return_to,
        } => {
            let mut headers = HeaderMap::new();
            if flow.flow_type == FlowType::Browser {
                cookies::set_session(&mut headers, opts, &session);
            }
            match client {
                Client::BrowserPage => respond::see_other(&return_to, headers),
                Client::Json => {
                    let mut body = json!({ "session": render::session(&session, opts) });
                    if flow.flow_type == FlowType::Api {
                        body["session_token"] = json!(session.token);
                        body["continue_with"] = json!([{ "action": "set_ory_session_token", "ory_session_token": session.token }]);
                    } else {
                        body["continue_with"] = json!([{ "action": "redirect_browser_to", "redirect_browser_to": return_to }]);
                    }
                    let mut res = respond::json(StatusCode::OK, body);
                    res.headers_mut().extend(headers);
                    res
                }
            }
        }
        SubmitOutcome::Registered {
            flow,
            identity,
            session,
            return_to,
        } => {
            let mut headers = HeaderMap::new();
            if let (Some(s), FlowType::Browser) = (&session, flow.flow_type) {
                cookies::set_session(&mut headers, opts, s);
            }
            match client {
                Client::BrowserPage => respond::see_other(&return_to, headers),
                Client::Json => {
                    let mut body = json!({ "identity": render::identity_public(&identity, opts), "continue_with": [] });
                    let mut continue_with = Vec::new();
                    if let Some(s) = &session {
                        body["session"] = render::session(s, opts);
                        if flow.flow_type == FlowType::Api {
                            body["session_token"] = json!(s.token);
                            continue_with.push(json!({ "action": "set_ory_session_token", "ory_session_token": s.token }));
                        }
                    }
                    if flow.flow_type == FlowType::Browser {
                        continue_with.push(json!({ "action": "redirect_browser_to", "redirect_browser_to": return_to }));
                    }
                    body["continue_with"] = json!(continue_with);
                    let mut res = respond::json(StatusCode::OK, body);
                    res.headers_mut().extend(headers);
                    res
                }
            }
        }
    }
}
