//! The login flow: init and submission. `aal=aal1` flows sign in with the password or an
//! emailed code ([`code`]);
//! `aal=aal2` flows upgrade the caller's session with a second factor (see
//! [`second_factor`]), showing only the factors the identity has.

pub mod code;
pub mod keys;
pub mod passwordless_key;
pub mod second_factor;

use std::sync::Arc;

use serde_json::Value;

use super::submit::{self, Loaded};
use super::{create, return_to, FlowError, InitOutcome, RequestInfo, SubmitOutcome};
use crate::domain::identity::credential_type;
use crate::domain::{
    self, text, Aal, ApiError, Flow, FlowKind, FlowState, FlowType, Identity, Session, UiNode,
};
use crate::method::code as method_code;
use crate::method::password;
use crate::options::append_query;
use crate::registry::Registry;

/// Query parameters of a login init.
#[derive(Debug, Clone, Default)]
pub struct LoginParams {
    /// `refresh=true`: re-authenticate.
    pub refresh: bool,
    /// `aal=aal2`.
    pub aal: Option<String>,
    /// `return_to`.
    pub return_to: Option<String>,
    /// `identity_schema`.
    pub identity_schema: Option<String>,
}

/// Creates a login flow, or reports that the caller is already signed in.
pub async fn init(
    reg: &Registry,
    flow_type: FlowType,
    params: LoginParams,
    req: &RequestInfo,
) -> Result<InitOutcome, FlowError> {
    let opts = &reg.options;
    let return_to = return_to::check(
        params.return_to.as_deref(),
        &opts.public_url,
        &opts.allowed_return_urls,
    )
    .map_err(|u| ApiError::return_to_forbidden(&u))?;
    let requested_aal = match params.aal.as_deref().filter(|a| !a.is_empty()) {
        None => Aal::Aal1,
        Some(a) => Aal::parse(a).filter(|a| *a >= Aal::Aal1).ok_or_else(|| {
            ApiError::bad_request(format!(
                "Unable to parse AuthenticationMethod Assurance Level (AAL): \"{a}\""
            ))
        })?,
    };
    let session = req.session.as_ref().filter(|s| s.is_active(domain::now()));
    if requested_aal > Aal::Aal1 && session.is_none() {
        return Err(ApiError::aal1_required(opts.browser_init_url(FlowKind::Login)).into());
    }
    if let Some(s) = session {
        if !params.refresh && requested_aal <= s.authenticator_assurance_level {
            let to = return_to.unwrap_or_else(|| after_return_url(reg));
            return Ok(InitOutcome::AlreadySignedIn { return_to: to });
        }
    }
    let mut flow = new_flow(reg, flow_type, &req.url, req.csrf_cookie.as_deref());
    flow.return_to = return_to;
    flow.refresh = params.refresh;
    flow.requested_aal = requested_aal;
    flow.identity_schema = params.identity_schema;
    // Re-authentication and second factors are for the session's identity only.
    let bound = session.filter(|_| params.refresh || requested_aal >= Aal::Aal2);
    let identity = match bound {
        Some(s) => Some(
            reg.store
                .get_identity(s.identity_id)
                .await?
                .ok_or_else(ApiError::session_inactive)?,
        ),
        None => None,
    };
    if let (Some(s), Some(identity)) = (bound, &identity) {
        flow.identity_id = Some(identity.id);
        flow.session_id = Some(s.id);
        // As Kratos: the re-authentication hint, then the second-factor one.
        if params.refresh {
            flow.ui.messages.push(text::login_reauth());
        }
        if requested_aal >= Aal::Aal2 && s.authenticator_assurance_level < requested_aal {
            flow.ui.messages.push(text::login_mfa());
        }
    }
    render_methods(reg, &mut flow, identity.as_ref());
    reg.store.create_flow(&flow).await?;
    Ok(InitOutcome::Created(Box::new(flow)))
}

/// A fresh login flow with its CSRF node.
fn new_flow(
    reg: &Registry,
    flow_type: FlowType,
    request_url: &str,
    csrf_cookie: Option<&str>,
) -> Flow {
    let mut flow = create::new_flow(reg, FlowKind::Login, flow_type, request_url, csrf_cookie);
    if flow_type == FlowType::Browser {
        flow.ui.nodes.push(UiNode::csrf(&flow.csrf_token));
    }
    flow
}

/// Adds the method nodes: the password for aal1 flows (for re-authentication, with the
/// identity's identifier), the identity's second factors for aal2 flows.
fn render_methods(reg: &Registry, flow: &mut Flow, identity: Option<&Identity>) {
    if flow.requested_aal >= Aal::Aal2 {
        if let Some(identity) = identity {
            flow.ui
                .nodes
                .extend(second_factor::login_nodes(reg, identity));
            let key_nodes = keys::second_factor_nodes(reg, flow, identity);
            flow.ui.nodes.extend(key_nodes);
        }
        return;
    }
    let schema = reg.schemas.default_schema();
    let refresh_identity = identity.filter(|_| flow.refresh);
    let refresh = refresh_identity.is_some();
    if reg.options.methods.password {
        let identifier = refresh_identity
            .and_then(|i| i.credential(credential_type::PASSWORD))
            .and_then(|c| c.identifiers.first())
            .cloned();
        flow.ui.nodes.extend(password::login_nodes(
            schema,
            identifier.as_deref(),
            refresh,
        ));
    }
    if reg.options.codes.passwordless {
        // The identifier input is shared with the password method when both are on.
        if flow.ui.node_mut("identifier").is_none() {
            let address =
                refresh_identity.and_then(|i| method_code::addresses(i).into_iter().next());
            flow.ui.nodes.push(method_code::identifier_node(
                schema,
                address.as_deref(),
                refresh,
            ));
        }
        flow.ui.nodes.push(UiNode::submit(
            method_code::GROUP,
            "method",
            method_code::GROUP,
            text::login_send_code(),
        ));
    }
    if passwordless_key::enabled(reg) {
        if flow.ui.node_mut("identifier").is_none() {
            flow.ui
                .nodes
                .push(method_code::identifier_node(schema, None, false));
        }
        flow.ui.nodes.extend(passwordless_key::first_step_nodes());
    }
    let passkey_nodes = keys::passkey_nodes(reg, flow);
    flow.ui.nodes.extend(passkey_nodes);
}

fn after_return_url(reg: &Registry) -> String {
    create::after_return_url(reg, FlowKind::Login)
}

/// A replacement for an expired flow, carrying the expiry message.
async fn replace_expired(
    reg: &Registry,
    old: &Flow,
    req: &RequestInfo,
) -> Result<FlowError, FlowError> {
    let mut flow = new_flow(
        reg,
        old.flow_type,
        &old.request_url,
        req.csrf_cookie.as_deref(),
    );
    flow.requested_aal = old.requested_aal;
    flow.refresh = old.refresh;
    let identity = match (old.identity_id, &req.session) {
        (Some(id), Some(s)) if s.identity_id == id => reg.store.get_identity(id).await?,
        _ => None,
    };
    if let Some(identity) = &identity {
        flow.identity_id = Some(identity.id);
        flow.session_id = old.session_id;
    }
    render_methods(reg, &mut flow, identity.as_ref());
    create::replace_expired(reg, old, flow).await
}

/// A fresh flow like `old` (same requested AAL, refresh and identity) carrying `message`, in
/// place of `old`, which cannot go on.
pub(crate) async fn restart(
    reg: &Registry,
    old: &Flow,
    identity: Option<&Identity>,
    req: &RequestInfo,
    message: crate::domain::UiText,
) -> Result<FlowError, FlowError> {
    let mut flow = new_flow(
        reg,
        old.flow_type,
        &old.request_url,
        req.csrf_cookie.as_deref(),
    );
    flow.requested_aal = old.requested_aal;
    flow.refresh = old.refresh;
    flow.identity_id = old.identity_id;
    flow.session_id = old.session_id;
    render_methods(reg, &mut flow, identity);
    super::address::restart_with(reg, old, flow, message).await
}

/// Handles `POST /self-service/login?flow=<id>`.
pub async fn submit(
    reg: &Registry,
    flow: Flow,
    body: &Value,
    req: &RequestInfo,
) -> Result<SubmitOutcome, FlowError> {
    let mut flow = match submit::check(flow, FlowKind::Login, body, req)? {
        Loaded::Ready(f) => *f,
        Loaded::Expired(f) => return Err(replace_expired(reg, &f, req).await?),
        Loaded::Completed(f) => return Ok(SubmitOutcome::Invalid(f)),
    };
    let current = req.session.as_ref().filter(|s| s.is_active(domain::now()));
    if current.is_some() && !flow.refresh && flow.requested_aal <= Aal::Aal1 {
        return Err(ApiError::session_already_available().into());
    }
    flow.ui.clear_messages();
    submit::take_transient_payload(&mut flow, body);
    // An aal2 "Send code to …" button submits only `address`.
    let method = submit::method(body)
        .or_else(|| submit::string(body, "address").map(|_| "code"))
        .or_else(|| submit::string(body, "passkey_login").map(|_| "passkey"))
        .or_else(|| submit::string(body, "webauthn_login").map(|_| "webauthn"));
    if flow.requested_aal >= Aal::Aal2 {
        let session = second_factor::session_for(reg, &flow, current)?;
        if method == Some("code") && reg.options.codes.mfa {
            return code::second_factor(reg, flow, body, req, session).await;
        }
        if let Some(m) = method.filter(|m| second_factor::enabled(reg, m)) {
            let m = m.to_string();
            return second_factor::submit(reg, flow, body, req, session, &m).await;
        }
    }
    match method {
        Some("password") if reg.options.methods.password && flow.requested_aal <= Aal::Aal1 => {
            password_login(reg, flow, body, req, current).await
        }
        Some("code") if reg.options.codes.passwordless && flow.requested_aal <= Aal::Aal1 => {
            code::passwordless(reg, flow, body, req, current).await
        }
        Some("webauthn") if passwordless_key::enabled(reg) && flow.requested_aal <= Aal::Aal1 => {
            passwordless_key::submit(reg, flow, body, req, current).await
        }
        Some("passkey")
            if reg.options.methods.passkey.is_some() && flow.requested_aal <= Aal::Aal1 =>
        {
            keys::passkey_login(reg, flow, body, req, current).await
        }
        _ => {
            flow.ui.messages.push(text::no_strategy(FlowKind::Login));
            reg.store.update_flow(&flow).await?;
            Ok(SubmitOutcome::Invalid(Box::new(flow)))
        }
    }
}

async fn password_login(
    reg: &Registry,
    mut flow: Flow,
    body: &Value,
    req: &RequestInfo,
    current: Option<&Arc<Session>>,
) -> Result<SubmitOutcome, FlowError> {
    flow.active = Some("password".into());
    let identifier =
        submit::string(body, "identifier").or_else(|| submit::string(body, "password_identifier"));
    let secret = submit::string(body, "password");
    if let Some(i) = identifier {
        flow.ui
            .set_value("identifier", Value::String(i.to_string()));
    }
    if identifier.is_none() || secret.is_none() {
        if identifier.is_none() {
            flow.ui
                .add_message(Some("identifier"), text::required("identifier"));
        }
        if secret.is_none() {
            flow.ui
                .add_message(Some("password"), text::required("password"));
        }
        return invalid(reg, flow).await;
    }
    let (identifier, secret) = (identifier.unwrap_or_default(), secret.unwrap_or_default());
    let normalized = password::normalize_identifier(identifier);
    let found = reg
        .store
        .find_identity_by_identifier(credential_type::PASSWORD, &normalized)
        .await?;
    let verified = password::verify(&reg.hasher, found.as_ref(), secret).await;
    let identity = match found {
        Some(i) if verified && flow.identity_id.is_none_or(|id| id == i.id) => i,
        _ => {
            flow.ui.messages.push(text::invalid_credentials());
            return invalid(reg, flow).await;
        }
    };
    if !identity.is_active() {
        return Err(ApiError::identity_disabled().into());
    }
    let hooks = &reg.options.login.after_password_hooks;
    if hooks.iter().any(|h| h == "require_verified_address")
        && !identity.verifiable_addresses.iter().any(|a| a.verified)
    {
        if reg.options.flags.legacy_require_verified_login_error {
            flow.ui.messages.push(text::address_not_verified());
            return invalid(reg, flow).await;
        }
        return Err(super::verification::hooks::require_verified(reg, &flow, &identity).await);
    }
    let identity = upgrade_hash(reg, identity, secret).await;
    let session = issue_session(reg, &flow, &identity, req, current, "password").await?;
    if hooks.iter().any(|h| h == "revoke_active_sessions") {
        reg.sessions
            .revoke_all_of(identity.id, Some(session.id))
            .await?;
    }
    if hooks.iter().any(|h| h == "verification") {
        super::verification::hooks::after_login(reg, &mut flow, &identity).await;
    }
    flow.state = FlowState::PassedChallenge;
    reg.store.update_flow(&flow).await?;
    let return_to = return_url(reg, &flow, &session, &identity);
    Ok(SubmitOutcome::LoggedIn {
        flow: Box::new(flow),
        session: Box::new(session),
        return_to,
    })
}

/// Refreshes the caller's session when it belongs to the same identity (rotating its token),
/// otherwise issues a new one.
pub(crate) async fn issue_session(
    reg: &Registry,
    flow: &Flow,
    identity: &Identity,
    req: &RequestInfo,
    current: Option<&Arc<Session>>,
    method: &str,
) -> Result<Session, FlowError> {
    if let Some(existing) = current.filter(|s| s.identity_id == identity.id && flow.refresh) {
        let mut session = (**existing).clone();
        let old_token = std::mem::replace(&mut session.token, domain::token::session_token());
        session.complete_method(method, Aal::Aal1);
        session.identity = Some(identity.clone());
        reg.sessions.update(&session, Some(&old_token)).await?;
        return Ok(session);
    }
    let mut session = reg
        .sessions
        .new_session(identity, method, Aal::Aal1, req.device());
    session.identity = Some(identity.clone());
    reg.sessions.create(&session).await?;
    Ok(session)
}

/// Completes `flow` for a session just issued: the flow passes its challenge and is stored,
/// and the answer carries the session and where the browser goes next.
pub(crate) async fn signed_in(
    reg: &Registry,
    mut flow: Flow,
    identity: &Identity,
    session: Session,
) -> Result<SubmitOutcome, FlowError> {
    flow.state = FlowState::PassedChallenge;
    reg.store.update_flow(&flow).await?;
    let return_to = return_url(reg, &flow, &session, identity);
    Ok(SubmitOutcome::LoggedIn {
        flow: Box::new(flow),
        session: Box::new(session),
        return_to,
    })
}

/// Where a browser goes after signing in: the flow's `return_to` (else the configured
/// return URL), or first the aal2 login when the identity has a second factor that `whoami`
/// requires (`session.whoami.required_aal: highest_available`).
pub(crate) fn return_url(
    reg: &Registry,
    flow: &Flow,
    session: &Session,
    identity: &Identity,
) -> String {
    let after = flow
        .return_to
        .clone()
        .unwrap_or_else(|| after_return_url(reg));
    let available = method_code::available_aal(&reg.options, identity);
    if session.authenticator_assurance_level >= reg.options.whoami_aal(available) {
        return after;
    }
    let aal2 = append_query(
        &reg.options.browser_init_url(FlowKind::Login),
        "aal",
        "aal2",
    );
    match &flow.return_to {
        Some(r) => append_query(&aal2, "return_to", r),
        None => aal2,
    }
}

/// Re-hashes a password stored with another algorithm (failures only logged).
async fn upgrade_hash(reg: &Registry, mut identity: Identity, secret: &str) -> Identity {
    let Some(stored) = password::stored_hash(&identity) else {
        return identity;
    };
    if !reg.hasher.needs_rehash(stored) {
        return identity;
    }
    match reg
        .hasher
        .hash(zeroize::Zeroizing::new(secret.to_string()))
        .await
    {
        Ok(new_hash) => {
            if let Some(cred) = identity.credentials.get_mut(credential_type::PASSWORD) {
                cred.config["hashed_password"] = Value::String(new_hash);
                cred.updated_at = domain::now();
            }
            if let Err(e) = reg.store.update_identity(&identity).await {
                tracing::warn!(identity_id = %identity.id, error = %e, "could not store upgraded password hash");
            }
        }
        Err(e) => {
            tracing::warn!(identity_id = %identity.id, error = %e, "could not upgrade password hash")
        }
    }
    identity
}

pub(crate) async fn invalid(reg: &Registry, mut flow: Flow) -> Result<SubmitOutcome, FlowError> {
    flow.ui.clear_values(|name| name == "password");
    reg.store.update_flow(&flow).await?;
    Ok(SubmitOutcome::Invalid(Box::new(flow)))
}
