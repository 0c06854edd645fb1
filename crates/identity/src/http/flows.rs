//! Self-service flow endpoints: init (browser/api), fetch and submit, for every flow kind.

mod submit;

use std::collections::HashMap;
use std::net::SocketAddr;

use axum::extract::{RawQuery, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use http::{HeaderMap, StatusCode, Uri};
use uuid::Uuid;

use super::context::Peer;
use super::respond::{self, Client};
use super::{context, cookies, negotiate, render};
use crate::domain::{self, ApiError, Flow, FlowKind, FlowType};
use crate::flow::login::LoginParams;
use crate::flow::recovery::RecoveryParams;
use crate::flow::registration::RegistrationParams;
use crate::flow::settings::SettingsParams;
use crate::flow::verification::VerificationParams;
use crate::flow::{
    login, recovery, registration, settings, verification, FlowError, InitOutcome, RequestInfo,
};
use crate::registry::Registry;

/// Routes of the self-service flows.
pub fn router() -> Router<Registry> {
    use submit::submit_handler as s;
    Router::new()
        .route("/self-service/login/browser", get(login_browser))
        .route("/self-service/login/api", get(login_api))
        .route("/self-service/login/flows", get(login_fetch))
        .route("/self-service/login", get(s::login).post(s::login))
        .route(
            "/self-service/registration/browser",
            get(registration_browser),
        )
        .route("/self-service/registration/api", get(registration_api))
        .route("/self-service/registration/flows", get(registration_fetch))
        .route(
            "/self-service/registration",
            axum::routing::post(s::registration),
        )
        .route("/self-service/settings/browser", get(settings_browser))
        .route("/self-service/settings/api", get(settings_api))
        .route("/self-service/settings/flows", get(settings_fetch))
        .route("/self-service/settings", get(s::settings).post(s::settings))
        .route("/self-service/recovery/browser", get(recovery_browser))
        .route("/self-service/recovery/api", get(recovery_api))
        .route("/self-service/recovery/flows", get(recovery_fetch))
        .route("/self-service/recovery", get(s::recovery).post(s::recovery))
        .route(
            "/self-service/verification/browser",
            get(verification_browser),
        )
        .route("/self-service/verification/api", get(verification_api))
        .route("/self-service/verification/flows", get(verification_fetch))
        .route(
            "/self-service/verification",
            get(s::verification).post(s::verification),
        )
}

/// Generates the thin per-route handlers of one flow kind (axum needs a function per route).
macro_rules! kind_handlers {
    ($kind:expr, $browser:ident, $api:ident, $fetch:ident) => {
        async fn $browser(
            State(reg): State<Registry>,
            uri: Uri,
            q: RawQuery,
            headers: HeaderMap,
            ci: Peer,
        ) -> Response {
            flow_init(reg, $kind, FlowType::Browser, uri, q, headers, ci.0).await
        }

        async fn $api(
            State(reg): State<Registry>,
            uri: Uri,
            q: RawQuery,
            headers: HeaderMap,
            ci: Peer,
        ) -> Response {
            flow_init(reg, $kind, FlowType::Api, uri, q, headers, ci.0).await
        }

        async fn $fetch(
            State(reg): State<Registry>,
            uri: Uri,
            q: RawQuery,
            headers: HeaderMap,
            ci: Peer,
        ) -> Response {
            fetch(reg, $kind, uri, q, headers, ci.0).await
        }
    };
}

kind_handlers!(FlowKind::Login, login_browser, login_api, login_fetch);
kind_handlers!(
    FlowKind::Registration,
    registration_browser,
    registration_api,
    registration_fetch
);
kind_handlers!(
    FlowKind::Settings,
    settings_browser,
    settings_api,
    settings_fetch
);
kind_handlers!(
    FlowKind::Recovery,
    recovery_browser,
    recovery_api,
    recovery_fetch
);
kind_handlers!(
    FlowKind::Verification,
    verification_browser,
    verification_api,
    verification_fetch
);

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

/// Creates a flow of `kind` from the init query.
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
    let return_to = params.get("return_to").cloned();
    let outcome = match context::request_info(&reg, request_url(&reg, &uri), &headers, peer).await {
        Ok(req) => match kind {
            FlowKind::Login => {
                let params = LoginParams {
                    refresh: params.get("refresh").is_some_and(|v| v == "true"),
                    aal: params.get("aal").cloned(),
                    return_to,
                    identity_schema: params.get("identity_schema").cloned(),
                };
                login::init(&reg, flow_type, params, &req).await
            }
            FlowKind::Registration => {
                let params = RegistrationParams {
                    return_to,
                    identity_schema: params.get("identity_schema").cloned(),
                };
                registration::init(&reg, flow_type, params, &req).await
            }
            FlowKind::Settings => {
                settings::init(&reg, flow_type, SettingsParams { return_to }, &req).await
            }
            FlowKind::Verification => {
                let params = VerificationParams { return_to };
                verification::init(&reg, flow_type, params, &req).await
            }
            FlowKind::Recovery => {
                let params = RecoveryParams { return_to };
                recovery::init(&reg, flow_type, params, &req).await
            }
        },
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
    uri: Uri,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    peer: Option<SocketAddr>,
) -> Response {
    let result: Result<Flow, FlowError> = async {
        let id = flow_id(&q, "id")?;
        let flow = reg
            .store
            .get_flow(id)
            .await?
            .filter(|f| f.kind == kind)
            .ok_or_else(ApiError::not_found)?;
        match kind {
            FlowKind::Verification => verification::ensure_enabled(&reg)?,
            FlowKind::Recovery => recovery::ensure_enabled(&reg)?,
            _ => {}
        }
        let flow = if kind == FlowKind::Settings {
            // Settings flows belong to a session, which authenticates the request.
            let req = context::request_info(&reg, request_url(&reg, &uri), &headers, peer).await?;
            settings::check_fetch(&reg, flow, &req)?
        } else {
            check_fetch_csrf(&reg, &flow, &headers)?;
            flow
        };
        if flow.is_expired(domain::now()) {
            let init = match flow.flow_type {
                FlowType::Browser => reg.options.browser_init_url(kind),
                FlowType::Api => reg
                    .options
                    .public(&format!("self-service/{}/api", kind.as_str())),
            };
            return Err(ApiError::flow_expired(flow.expires_at, domain::now())
                .with_detail("redirect_to", init)
                .into());
        }
        Ok(flow)
    }
    .await;
    match result {
        Ok(flow) => respond::json(StatusCode::OK, render::flow(&flow)),
        Err(e) => respond::error(&reg, e, Client::Json).await,
    }
}

/// Browser flows are only shown to the browser holding their CSRF cookie (flows an admin
/// created for someone else's browser are exempt).
fn check_fetch_csrf(reg: &Registry, flow: &Flow, headers: &HeaderMap) -> Result<(), ApiError> {
    if flow.flow_type != FlowType::Browser || skips_csrf(flow) {
        return Ok(());
    }
    let jar = cookies::parse(headers);
    let cookie = cookies::get(&jar, &cookies::csrf_cookie_name(&reg.options));
    let ok = cookie.is_some_and(|c| {
        subtle::ConstantTimeEq::ct_eq(c.as_bytes(), flow.csrf_token.as_bytes()).into()
    });
    if ok {
        Ok(())
    } else {
        Err(ApiError::csrf_violation(
            "The anti-CSRF cookie of this browser flow is missing or does not match: fetch the flow with the cookies set when it was created.",
        ))
    }
}

/// Whether the flow was created for a browser that never saw it (admin recovery codes and
/// links), so no CSRF cookie can match it.
pub fn skips_csrf(flow: &Flow) -> bool {
    flow.internal
        .get("skip_csrf")
        .and_then(serde_json::Value::as_bool)
        .unwrap_or(false)
}

/// The CSRF cookie a browser flow needs, when the request does not carry it already.
pub fn csrf_cookie_for(reg: &Registry, flow: &Flow, req: &RequestInfo) -> HeaderMap {
    let mut headers = HeaderMap::new();
    if flow.flow_type == FlowType::Browser
        && !skips_csrf(flow)
        && req.csrf_cookie.as_deref() != Some(flow.csrf_token.as_str())
    {
        cookies::set_csrf(&mut headers, &reg.options, &flow.csrf_token);
    }
    headers
}
