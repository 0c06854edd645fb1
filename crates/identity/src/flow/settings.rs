//! The settings flow: the signed-in identity changes its traits (`profile`), its password,
//! its second factors (`totp`, `lookup_secret`, `webauthn`) and its passkeys.
//!
//! Every step needs an active session whose identity owns the flow. Changing the password,
//! or traits that carry credential identifiers or verifiable addresses, also needs a
//! privileged session: one authenticated within `privileged_session_max_age`. Otherwise the
//! caller is sent to re-authenticate (`session_refresh_required`). A re-authentication
//! returns to the flow, where the person submits again: the pending submission is not
//! replayed, so no password is ever parked server-side.

pub mod keys;
pub mod lookup_secret;
pub mod password;
pub mod profile;
pub mod totp;

use std::sync::Arc;

use serde_json::{json, Value};

use super::submit::{self, Loaded};
use super::{create, return_to, traits, FlowError, InitOutcome, RequestInfo, SubmitOutcome};
use crate::domain::{
    self, text, ApiError, Flow, FlowKind, FlowState, FlowType, Identity, Session, UiNode,
};
use crate::method::password as password_method;
use crate::options::append_query;
use crate::registry::Registry;
use crate::schema::{encoded_id, IdentitySchema};

/// Query parameters of a settings init.
#[derive(Debug, Clone, Default)]
pub struct SettingsParams {
    /// `return_to`.
    pub return_to: Option<String>,
}

/// Creates a settings flow for the caller's identity.
pub async fn init(
    reg: &Registry,
    flow_type: FlowType,
    params: SettingsParams,
    req: &RequestInfo,
) -> Result<InitOutcome, FlowError> {
    let opts = &reg.options;
    let session = req
        .session
        .clone()
        .filter(|s| s.is_active(domain::now()))
        .ok_or_else(|| {
            let mut to = opts.browser_init_url(FlowKind::Login);
            if let Some(r) = params.return_to.as_deref().filter(|r| !r.is_empty()) {
                to = append_query(&to, "return_to", r);
            }
            FlowError::Redirect {
                to,
                error: ApiError::session_inactive(),
            }
        })?;
    let return_to = return_to::check(
        params.return_to.as_deref(),
        &opts.public_url,
        &opts.allowed_return_urls,
    )
    .map_err(|u| ApiError::return_to_forbidden(&u))?;
    check_aal(
        reg,
        &session,
        params.return_to.is_some().then_some(&*req.url),
    )?;
    let identity = identity_of(&session)?;
    let mut flow = new_flow(
        reg,
        flow_type,
        &req.url,
        req.csrf_cookie.as_deref(),
        identity,
    );
    flow.return_to = return_to;
    reg.store.create_flow(&flow).await?;
    Ok(InitOutcome::Created(Box::new(flow)))
}

/// A new settings flow for `identity`, rendered (not stored).
pub fn new_flow(
    reg: &Registry,
    flow_type: FlowType,
    request_url: &str,
    csrf_cookie: Option<&str>,
    identity: &Identity,
) -> Flow {
    let mut flow = create::new_flow(reg, FlowKind::Settings, flow_type, request_url, csrf_cookie);
    flow.identity_id = Some(identity.id);
    render(reg, &mut flow, identity, None);
    flow
}

/// Checks a settings flow fetched with `GET /self-service/settings/flows`: the caller's
/// session owns it and meets the required AAL. Refreshes the identity shown in it.
pub fn check_fetch(reg: &Registry, mut flow: Flow, req: &RequestInfo) -> Result<Flow, FlowError> {
    let session = session_for_flow(reg, req)?;
    if flow.identity_id != Some(session.identity_id) {
        return Err(ApiError::identity_mismatch().into());
    }
    let ui = reg.options.ui_url_with_flow(FlowKind::Settings, flow.id);
    check_aal(reg, &session, Some(&ui))?;
    if let Some(identity) = &session.identity {
        flow.internal["identity"] = identity_view(reg, identity);
    }
    Ok(flow)
}

/// Handles `POST /self-service/settings?flow=<id>` (and `GET`, which only shows the flow).
pub async fn submit(
    reg: &Registry,
    flow: Flow,
    body: &Value,
    req: &RequestInfo,
    is_get: bool,
) -> Result<SubmitOutcome, FlowError> {
    if flow.kind != FlowKind::Settings {
        return Err(ApiError::not_found().into());
    }
    let session = session_for_flow(reg, req)?;
    check_aal(reg, &session, Some(&req.url))?;
    if is_get && submit::method(body).is_none() {
        return show(reg, flow, &session);
    }
    let mut flow = match submit::check(flow, FlowKind::Settings, body, req)? {
        Loaded::Ready(f) => *f,
        Loaded::Expired(f) => return Err(replace_expired(reg, &f, req, &session).await?),
        Loaded::Completed(f) => return Ok(SubmitOutcome::Invalid(f)),
    };
    if flow.identity_id != Some(session.identity_id) {
        return Err(ApiError::identity_mismatch().into());
    }
    flow.ui.clear_messages();
    submit::take_transient_payload(&mut flow, body);
    let opts = &reg.options;
    // Kratos' TOTP unlink and lookup buttons submit without a `method`.
    let method = submit::method(body).or_else(|| {
        if submit::flag(body, "totp_unlink") {
            Some("totp")
        } else if lookup_secret::ACTIONS.iter().any(|a| submit::flag(body, a)) {
            Some("lookup_secret")
        } else if let Some(m) = keys::KeyMethod::from_fields(body) {
            Some(m.name())
        } else {
            None
        }
    });
    match method {
        Some("profile") if opts.methods.profile => profile::submit(reg, flow, body, session).await,
        Some("password") if opts.methods.password => {
            password::submit(reg, flow, body, session).await
        }
        Some("totp") if opts.methods.totp => totp::submit(reg, flow, body, session).await,
        Some("lookup_secret") if opts.methods.lookup_secret => {
            lookup_secret::submit(reg, flow, body, session).await
        }
        Some("webauthn") if opts.methods.webauthn.is_some() => {
            keys::submit(reg, flow, body, session, keys::KeyMethod::WebAuthn).await
        }
        Some("passkey") if opts.methods.passkey.is_some() => {
            keys::submit(reg, flow, body, session, keys::KeyMethod::Passkey).await
        }
        _ => {
            flow.ui.messages.push(text::no_strategy(FlowKind::Settings));
            invalid(reg, flow).await
        }
    }
}

/// `GET /self-service/settings?flow=` (where a re-authentication returns to): the flow as
/// it is, after the ownership and expiry checks.
fn show(reg: &Registry, flow: Flow, session: &Session) -> Result<SubmitOutcome, FlowError> {
    if flow.identity_id != Some(session.identity_id) {
        return Err(ApiError::identity_mismatch().into());
    }
    if flow.is_expired(domain::now()) {
        let e = ApiError::flow_expired(flow.expires_at, domain::now()).with_detail(
            "redirect_to",
            reg.options.browser_init_url(FlowKind::Settings),
        );
        return Err(e.into());
    }
    Ok(SubmitOutcome::Updated(Box::new(flow)))
}

/// The caller's active session for an existing flow: browsers without one go to the login
/// UI, JSON clients get 401 (Kratos' `OnUnauthenticated`).
fn session_for_flow(reg: &Registry, req: &RequestInfo) -> Result<Arc<Session>, FlowError> {
    req.session
        .clone()
        .filter(|s| s.is_active(domain::now()))
        .ok_or_else(|| FlowError::Redirect {
            to: reg.options.login.ui_url.clone(),
            error: ApiError::new(401, "The request could not be authorized")
                .with_reason("A valid Ory Session Cookie or Ory Session Token is missing."),
        })
}

/// `required_aal`: an aal1 session of an identity that can reach aal2 must step up first.
fn check_aal(reg: &Registry, session: &Session, return_to: Option<&str>) -> Result<(), FlowError> {
    let available = session
        .identity
        .as_ref()
        .map(|i| crate::method::code::available_aal(&reg.options, i))
        .unwrap_or_default();
    if session.authenticator_assurance_level >= reg.options.settings_aal(available) {
        return Ok(());
    }
    let mut to = append_query(
        &reg.options.browser_init_url(FlowKind::Login),
        "aal",
        "aal2",
    );
    if let Some(r) = return_to {
        to = append_query(&to, "return_to", r);
    }
    Err(FlowError::Redirect {
        error: ApiError::aal2_required(to.clone()),
        to,
    })
}

fn identity_of(session: &Session) -> Result<&Identity, FlowError> {
    session
        .identity
        .as_ref()
        .ok_or_else(|| FlowError::Internal("session loaded without its identity".into()))
}

/// Whether `session` may change credentials and addresses now.
pub fn is_privileged(reg: &Registry, session: &Session) -> bool {
    let max_age = chrono::Duration::from_std(reg.options.settings_flow.privileged_max_age)
        .unwrap_or(chrono::Duration::hours(1));
    session.authenticated_at + max_age > domain::now()
}

/// `session_refresh_required`: browsers re-authenticate and come back to this flow.
pub fn refresh_required(reg: &Registry, flow: &Flow) -> FlowError {
    let back = reg.options.flow_action(FlowKind::Settings, flow.id);
    let login = reg.options.browser_init_url(FlowKind::Login);
    let to = append_query(&append_query(&login, "refresh", "true"), "return_to", &back);
    FlowError::Redirect {
        error: ApiError::refresh_required(to.clone()),
        to,
    }
}

/// The schema of `identity` (the default one if it is gone from the configuration).
pub fn schema_of<'a>(reg: &'a Registry, identity: &Identity) -> &'a IdentitySchema {
    reg.schemas
        .get(&identity.schema_id)
        .unwrap_or_else(|| reg.schemas.default_schema())
}

/// Rebuilds the form from `identity` (traits shown as `values`, when given, else the
/// identity's own) and records the identity the flow shows.
pub fn render(reg: &Registry, flow: &mut Flow, identity: &Identity, values: Option<&Value>) {
    let opts = &reg.options;
    let mut nodes = Vec::new();
    if flow.flow_type == FlowType::Browser {
        nodes.push(UiNode::csrf(&flow.csrf_token));
    }
    if opts.methods.profile {
        let schema = schema_of(reg, identity);
        let shown = values.unwrap_or(&identity.traits);
        nodes.extend(traits::nodes(schema, "profile", Some(shown), false));
        nodes.push(UiNode::submit(
            "profile",
            "method",
            "profile",
            text::label_save(),
        ));
    }
    if opts.methods.password {
        nodes.push(password_method::password_node("new-password"));
        nodes.push(UiNode::submit(
            password_method::GROUP,
            "method",
            "password",
            text::label_save(),
        ));
    }
    if opts.methods.totp {
        nodes.extend(totp::nodes(reg, flow, identity));
    }
    if opts.methods.lookup_secret {
        nodes.extend(lookup_secret::nodes(identity));
    }
    nodes.extend(keys::nodes(reg, flow, identity, keys::KeyMethod::WebAuthn));
    let passkeys = keys::nodes(reg, flow, identity, keys::KeyMethod::Passkey);
    let keys_on = opts.methods.webauthn.is_some() || opts.methods.passkey.is_some();
    if keys_on && flow.flow_type == FlowType::Browser {
        nodes.push(crate::method::webauthn::nodes::script_node(
            &opts.public_url,
        ));
    }
    nodes.extend(passkeys);
    flow.ui.nodes = nodes;
    flow.internal["identity"] = identity_view(reg, identity);
}

/// The identity as the settings flow shows it: the public view (no credentials, no admin
/// metadata) with its `schema_url`.
pub fn identity_view(reg: &Registry, identity: &Identity) -> Value {
    let mut v = serde_json::to_value(identity).unwrap_or(Value::Null);
    if let Some(o) = v.as_object_mut() {
        o.remove("credentials");
        o.remove("metadata_admin");
        o.insert(
            "schema_url".into(),
            json!(reg
                .options
                .public(&format!("schemas/{}", encoded_id(&identity.schema_id)))),
        );
        o.entry("metadata_public").or_insert(Value::Null);
    }
    v
}

/// A replacement for an expired flow, for the caller's identity.
async fn replace_expired(
    reg: &Registry,
    old: &Flow,
    req: &RequestInfo,
    session: &Session,
) -> Result<FlowError, FlowError> {
    let identity = identity_of(session)?;
    let flow = new_flow(
        reg,
        old.flow_type,
        &old.request_url,
        req.csrf_cookie.as_deref(),
        identity,
    );
    create::replace_expired(reg, old, flow).await
}

/// Stores the flow with its messages and answers 400 (browsers: back to the UI).
pub async fn invalid(reg: &Registry, mut flow: Flow) -> Result<SubmitOutcome, FlowError> {
    flow.ui.clear_values(|name| name == "password");
    reg.store.update_flow(&flow).await?;
    Ok(SubmitOutcome::Invalid(Box::new(flow)))
}

/// After `identity` was saved through `method`: the flow shows the saved state, the hooks
/// run, and the browser goes to the method's return URL (else back to the flow).
pub async fn saved(
    reg: &Registry,
    mut flow: Flow,
    identity: &Identity,
    session: Arc<Session>,
    method: &str,
) -> Result<SubmitOutcome, FlowError> {
    reg.sessions.forget_identity(identity.id);
    flow.state = FlowState::Success;
    flow.active = Some(method.to_string());
    render(reg, &mut flow, identity, None);
    flow.ui.messages = vec![text::settings_saved()];
    if let Some(o) = flow.internal.as_object_mut() {
        o.remove("continue_with");
    }
    super::verification::hooks::after_settings(reg, &mut flow, identity, method).await;
    let hooks = reg.options.settings_flow.hooks_of(method);
    if hooks.iter().any(|h| h == "revoke_active_sessions") {
        reg.sessions
            .revoke_all_of(identity.id, Some(session.id))
            .await?;
    }
    reg.store.update_flow(&flow).await?;
    let return_to = flow
        .return_to
        .clone()
        .or_else(|| reg.options.settings_flow.return_urls.get(method).cloned())
        .unwrap_or_else(|| reg.options.ui_url_with_flow(FlowKind::Settings, flow.id));
    Ok(SubmitOutcome::SettingsSaved {
        flow: Box::new(flow),
        session,
        return_to,
    })
}
