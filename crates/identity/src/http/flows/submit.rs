//! `POST /self-service/<kind>?flow=<id>`: decode, hand the flow to its kind, render the outcome.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::response::Response;
use http::{HeaderMap, Method, StatusCode, Uri};
use serde_json::{json, Value};

use super::super::context::Peer;
use super::super::respond::{self, Client};
use super::super::{body, context, cookies, negotiate, render};
use super::{csrf_cookie_for, flow_id, query_map, request_url};
use crate::domain::{ApiError, Flow, FlowKind, FlowType};
use crate::flow::{
    login, recovery, registration, settings, verification, FlowError, RequestInfo, SubmitOutcome,
};
use crate::registry::Registry;

/// One handler per submit route.
pub mod submit_handler {
    use super::*;

    macro_rules! handler {
        ($name:ident, $kind:expr) => {
            /// Submits a flow of this kind.
            pub async fn $name(
                State(reg): State<Registry>,
                method: Method,
                uri: Uri,
                q: RawQuery,
                headers: HeaderMap,
                ci: Peer,
                body: Body,
            ) -> Response {
                submit(reg, $kind, method, uri, q, headers, ci.0, body).await
            }
        };
    }

    handler!(login, FlowKind::Login);
    handler!(registration, FlowKind::Registration);
    handler!(settings, FlowKind::Settings);
    handler!(verification, FlowKind::Verification);
    handler!(recovery, FlowKind::Recovery);
}

#[allow(clippy::too_many_arguments)]
async fn submit(
    reg: Registry,
    kind: FlowKind,
    method: Method,
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
    let mut body = match body::decode(&headers, raw_body, reg.options.body_limit).await {
        Ok(b) => b,
        Err(e) => return respond::api_error(&e),
    };
    // Links in emails carry their secret in the query (`?flow=&token=` or `&code=`).
    if let Some(o) = body.as_object_mut() {
        for (k, v) in query_map(&q) {
            if matches!(k.as_str(), "token" | "code") && !o.contains_key(&k) {
                o.insert(k, Value::String(v));
            }
        }
    }
    let req = match context::request_info(&reg, request_url(&reg, &uri), &headers, peer).await {
        Ok(r) => r,
        Err(e) => return respond::error(&reg, e.into(), client).await,
    };
    let is_get = method == Method::GET;
    let outcome = match kind {
        FlowKind::Login => login::submit(&reg, flow, &body, &req).await,
        FlowKind::Registration => registration::submit(&reg, flow, &body, &req).await,
        FlowKind::Settings => settings::submit(&reg, flow, &body, &req, is_get).await,
        FlowKind::Verification => verification::submit(&reg, flow, &body, &req, is_get).await,
        FlowKind::Recovery => recovery::submit(&reg, flow, &body, &req).await,
    };
    match outcome {
        Ok(o) => outcome_response(&reg, o, client, &req),
        Err(FlowError::Api(e))
            if e.id() == Some("session_already_available") && client == Client::BrowserPage =>
        {
            respond::see_other(&reg.options.default_return_url, HeaderMap::new())
        }
        Err(e) => {
            let csrf = match &e {
                FlowError::Expired { replacement, .. }
                | FlowError::Replaced { replacement, .. } => {
                    csrf_cookie_for(&reg, replacement, &req)
                }
                _ => HeaderMap::new(),
            };
            let mut res = respond::error(&reg, e, client).await;
            res.headers_mut().extend(csrf);
            res
        }
    }
}

/// The flow itself: 200/400 JSON, or back to its UI for browsers.
fn show_flow(
    reg: &Registry,
    flow: &Flow,
    status: StatusCode,
    client: Client,
    req: &RequestInfo,
) -> Response {
    let headers = csrf_cookie_for(reg, flow, req);
    match client {
        Client::BrowserPage => {
            respond::see_other(&reg.options.ui_url_with_flow(flow.kind, flow.id), headers)
        }
        Client::Json => respond::flow(status, flow, headers),
    }
}

fn with_headers(mut res: Response, headers: HeaderMap) -> Response {
    res.headers_mut().extend(headers);
    res
}

fn outcome_response(
    reg: &Registry,
    outcome: SubmitOutcome,
    client: Client,
    req: &RequestInfo,
) -> Response {
    let opts = &reg.options;
    match outcome {
        SubmitOutcome::Invalid(flow) | SubmitOutcome::NextScreen(flow) => {
            show_flow(reg, &flow, StatusCode::BAD_REQUEST, client, req)
        }
        SubmitOutcome::Updated(flow) => show_flow(reg, &flow, StatusCode::OK, client, req),
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
                Client::BrowserPage => {
                    respond::see_other(browser_target(&flow, &return_to), headers)
                }
                Client::Json => {
                    let mut body = json!({ "session": render::session(&session, opts) });
                    let mut continue_with = Vec::new();
                    if flow.flow_type == FlowType::Api {
                        body["session_token"] = json!(session.token);
                        continue_with.push(json!({ "action": "set_ory_session_token", "ory_session_token": session.token }));
                    }
                    continue_with.extend(internal_continue_with(&flow));
                    if flow.flow_type == FlowType::Browser {
                        continue_with.push(json!({ "action": "redirect_browser_to", "redirect_browser_to": return_to }));
                    }
                    body["continue_with"] = json!(continue_with);
                    with_headers(respond::json(StatusCode::OK, body), headers)
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
                Client::BrowserPage => {
                    respond::see_other(browser_target(&flow, &return_to), headers)
                }
                Client::Json => {
                    let mut body = json!({ "identity": render::identity_public(&identity, opts) });
                    let mut continue_with = Vec::new();
                    if let Some(s) = &session {
                        body["session"] = render::session(s, opts);
                        if flow.flow_type == FlowType::Api {
                            body["session_token"] = json!(s.token);
                            continue_with.push(json!({ "action": "set_ory_session_token", "ory_session_token": s.token }));
                        }
                    }
                    continue_with.extend(internal_continue_with(&flow));
                    if flow.flow_type == FlowType::Browser {
                        continue_with.push(json!({ "action": "redirect_browser_to", "redirect_browser_to": return_to }));
                    }
                    body["continue_with"] = json!(continue_with);
                    with_headers(respond::json(StatusCode::OK, body), headers)
                }
            }
        }
        SubmitOutcome::SettingsSaved {
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
                    let mut body = render::flow(&flow);
                    if flow.flow_type == FlowType::Browser {
                        push_continue_with(
                            &mut body,
                            json!({ "action": "redirect_browser_to", "redirect_browser_to": return_to }),
                        );
                    }
                    with_headers(respond::json(StatusCode::OK, body), headers)
                }
            }
        }
        SubmitOutcome::Recovered {
            flow,
            session,
            settings_flow,
        } => {
            let mut headers = csrf_cookie_for(reg, &settings_flow, req);
            if flow.flow_type == FlowType::Browser {
                cookies::set_session(&mut headers, opts, &session);
            }
            let settings_ui = opts.ui_url_with_flow(FlowKind::Settings, settings_flow.id);
            match client {
                Client::BrowserPage => respond::see_other(&settings_ui, headers),
                Client::Json if opts.flags.continue_with_transitions => {
                    with_headers(respond::json(StatusCode::OK, render::flow(&flow)), headers)
                }
                Client::Json => with_headers(
                    respond::api_error(&ApiError::location_change_required(settings_ui)),
                    headers,
                ),
            }
        }
    }
}

/// `continue_with` items a flow recorded (e.g. `show_verification_ui`).
fn internal_continue_with(flow: &Flow) -> Vec<Value> {
    flow.internal
        .get("continue_with")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

/// Where a navigating browser goes after sign-up or sign-in: the verification UI when a
/// `show_verification_ui` hook asked for it, else the return URL.
fn browser_target<'a>(flow: &'a Flow, return_to: &'a str) -> &'a str {
    flow.internal
        .get("return_to_verification")
        .and_then(Value::as_str)
        .unwrap_or(return_to)
}

/// Appends an item to a rendered flow's `continue_with`.
fn push_continue_with(body: &mut Value, item: Value) {
    match body.get_mut("continue_with").and_then(Value::as_array_mut) {
        Some(items) => items.push(item),
        None => body["continue_with"] = json!([item]),
    }
}
