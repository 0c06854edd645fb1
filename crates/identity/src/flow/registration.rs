//! The registration flow: init and submission (profile screen, password method, and the
//! code method: [`code`]).

pub mod code;
pub mod passkey;
pub mod security_key;

use serde_json::{json, Value};
use uuid::Uuid;
use zeroize::Zeroizing;

use super::submit::{self, Loaded};
use super::{create, return_to, traits, FlowError, InitOutcome, RequestInfo, SubmitOutcome};
use crate::domain::{
    self, text, Aal, ApiError, Flow, FlowKind, FlowState, FlowType, Identity, RecoveryAddress,
    UiNode, UiText, VerifiableAddress, VerificationStatus,
};
use crate::method::password;
use crate::registry::Registry;
use crate::schema::IdentitySchema;
use crate::store::StoreError;

/// Query parameters of a registration init.
#[derive(Debug, Clone, Default)]
pub struct RegistrationParams {
    /// `return_to`.
    pub return_to: Option<String>,
    /// `identity_schema`.
    pub identity_schema: Option<String>,
}

/// Screen of a profile-first registration.
const SCREEN_KEY: &str = "screen";

/// Creates a registration flow, or reports that the caller is already signed in.
pub async fn init(
    reg: &Registry,
    flow_type: FlowType,
    params: RegistrationParams,
    req: &RequestInfo,
) -> Result<InitOutcome, FlowError> {
    let opts = &reg.options;
    if !opts.registration.enabled {
        return Err(ApiError::flow_disabled("Registration").into());
    }
    let return_to = return_to::check(
        params.return_to.as_deref(),
        &opts.public_url,
        &opts.allowed_return_urls,
    )
    .map_err(|u| ApiError::return_to_forbidden(&u))?;
    if req
        .session
        .as_ref()
        .is_some_and(|s| s.is_active(domain::now()))
    {
        let to = return_to.unwrap_or_else(|| after_return_url(reg));
        return Ok(InitOutcome::AlreadySignedIn { return_to: to });
    }
    let schema_id = params
        .identity_schema
        .filter(|s| reg.schemas.get(s).is_some());
    let mut flow = new_flow(reg, flow_type, &req.url, req.csrf_cookie.as_deref());
    flow.return_to = return_to;
    flow.identity_schema = schema_id;
    render_first_screen(reg, &mut flow, None);
    reg.store.create_flow(&flow).await?;
    Ok(InitOutcome::Created(Box::new(flow)))
}

fn new_flow(
    reg: &Registry,
    flow_type: FlowType,
    request_url: &str,
    csrf_cookie: Option<&str>,
) -> Flow {
    create::new_flow(
        reg,
        FlowKind::Registration,
        flow_type,
        request_url,
        csrf_cookie,
    )
}

pub(crate) fn schema<'a>(reg: &'a Registry, flow: &Flow) -> &'a IdentitySchema {
    flow.identity_schema
        .as_deref()
        .and_then(|id| reg.schemas.get(id))
        .unwrap_or_else(|| reg.schemas.default_schema())
}

fn csrf_nodes(flow: &Flow) -> Vec<UiNode> {
    match flow.flow_type {
        FlowType::Browser => vec![UiNode::csrf(&flow.csrf_token)],
        FlowType::Api => Vec::new(),
    }
}

/// Unified: traits + password. Profile first: traits + "Continue".
pub(crate) fn render_first_screen(reg: &Registry, flow: &mut Flow, values: Option<&Value>) {
    let schema = schema(reg, flow);
    let mut nodes = csrf_nodes(flow);
    if reg.options.registration_profile_first {
        nodes.extend(traits::nodes(schema, "profile", values, false));
        nodes.push(UiNode::submit(
            "profile",
            "method",
            "profile",
            text::registration_continue(),
        ));
    } else {
        nodes.extend(traits::nodes(schema, "default", values, false));
        if reg.options.methods.password {
            nodes.extend(password::registration_nodes());
        }
        nodes.extend(code_button(reg));
        nodes.extend(key_nodes(reg, flow));
    }
    flow.ui.nodes = nodes;
    flow.internal["screen"] = json!("profile");
}

/// Profile first, second screen: traits kept hidden, credentials to choose, and "Back".
pub(crate) fn render_credential_screen(reg: &Registry, flow: &mut Flow, values: &Value) {
    let schema = schema(reg, flow);
    let mut nodes = csrf_nodes(flow);
    nodes.extend(traits::nodes(schema, "default", Some(values), true));
    if reg.options.methods.password {
        nodes.extend(password::registration_nodes());
    }
    nodes.extend(code_button(reg));
    nodes.extend(key_nodes(reg, flow));
    nodes.push(UiNode::submit(
        "profile",
        SCREEN_KEY,
        "previous",
        text::registration_back(),
    ));
    flow.ui.nodes = nodes;
    flow.ui.messages = vec![text::registration_choose_credentials()];
    flow.internal["screen"] = json!("credential-selection");
    flow.internal["traits"] = values.clone();
}

/// "Sign up with code" when passwordless codes are on.
/// Whether `values` pass the flow's schema; if not, the first screen shows them with the
/// schema's errors.
pub(crate) fn traits_valid(reg: &Registry, flow: &mut Flow, values: &Value) -> bool {
    let Err(errors) = schema(reg, flow).validate_traits(values) else {
        return true;
    };
    render_first_screen(reg, flow, Some(values));
    traits::add_errors(&mut flow.ui, errors);
    false
}

/// The key the browser created, from `field`, verified against the ceremony the flow keeps
/// in `slot`; `None` (the flow says why) when it is missing or does not verify.
pub(crate) fn verified_key(
    flow: &mut Flow,
    body: &Value,
    field: &str,
    slot: crate::flow::ceremony::Slot,
    party: &crate::method::webauthn::RelyingParty,
) -> Option<webauthn_rs_core::proto::Credential> {
    let answer = submit::string(body, field);
    let state = crate::flow::ceremony::pending(flow, slot).cloned();
    let verified = match (answer, state) {
        (Some(answer), Some(state)) => party.finish_registration(answer, &state),
        _ => Err(crate::method::webauthn::CeremonyError::NoCeremony(
            "no answer or no challenge".into(),
        )),
    };
    match verified {
        Ok(key) => Some(key),
        Err(e) => {
            tracing::info!(error = %e, field, "key sign-up refused");
            flow.ui.messages.push(text::security_key_invalid());
            None
        }
    }
}

/// Security key and passkey sign-up, with the browser script once.
fn key_nodes(reg: &Registry, flow: &mut Flow) -> Vec<UiNode> {
    let mut nodes = security_key::nodes(reg, flow);
    let passkeys = passkey::nodes(reg, flow);
    let any = !nodes.is_empty() || !passkeys.is_empty();
    if any && flow.flow_type == FlowType::Browser {
        nodes.push(crate::method::webauthn::nodes::script_node(
            &reg.options.public_url,
        ));
    }
    nodes.extend(passkeys);
    nodes
}

fn code_button(reg: &Registry) -> Option<UiNode> {
    reg.options.codes.passwordless.then(|| {
        UiNode::submit(
            crate::method::code::GROUP,
            "method",
            crate::method::code::GROUP,
            text::registration_with_code(),
        )
    })
}

pub(crate) fn after_return_url(reg: &Registry) -> String {
    create::after_return_url(reg, FlowKind::Registration)
}

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
    flow.identity_schema = old.identity_schema.clone();
    render_first_screen(reg, &mut flow, None);
    create::replace_expired(reg, old, flow).await
}

/// Handles `POST /self-service/registration?flow=<id>`.
pub async fn submit(
    reg: &Registry,
    flow: Flow,
    body: &Value,
    req: &RequestInfo,
) -> Result<SubmitOutcome, FlowError> {
    let mut flow = match submit::check(flow, FlowKind::Registration, body, req)? {
        Loaded::Ready(f) => *f,
        Loaded::Expired(f) => return Err(replace_expired(reg, &f, req).await?),
        Loaded::Completed(f) => return Ok(SubmitOutcome::Invalid(f)),
    };
    if req
        .session
        .as_ref()
        .is_some_and(|s| s.is_active(domain::now()))
    {
        return Err(ApiError::session_already_available().into());
    }
    flow.ui.clear_messages();
    submit::take_transient_payload(&mut flow, body);
    let mut values = traits::from_body(body);
    traits::coerce(schema(reg, &flow), &mut values);
    if submit::string(body, SCREEN_KEY) == Some("previous") {
        render_first_screen(reg, &mut flow, Some(&values));
        reg.store.update_flow(&flow).await?;
        return Ok(SubmitOutcome::NextScreen(Box::new(flow)));
    }
    let method = submit::method(body).or_else(|| {
        submit::string(body, "passkey_register")
            .filter(|v| *v != "true")
            .map(|_| "passkey")
            .or_else(|| submit::string(body, "webauthn_register").map(|_| "webauthn"))
    });
    match method {
        Some("webauthn") if security_key::enabled(reg) => {
            security_key::submit(reg, flow, values, body, req).await
        }
        Some("passkey") if reg.options.methods.passkey.is_some() => {
            passkey::submit(reg, flow, values, body, req).await
        }
        Some("profile") if reg.options.registration_profile_first => {
            profile_screen(reg, flow, values).await
        }
        Some("password") if reg.options.methods.password => {
            password_registration(reg, flow, values, body, req).await
        }
        Some("code") if reg.options.codes.passwordless => {
            code::submit(reg, flow, values, body, req).await
        }
        _ => {
            flow.ui
                .messages
                .push(text::no_strategy(FlowKind::Registration));
            invalid(reg, flow).await
        }
    }
}

async fn profile_screen(
    reg: &Registry,
    mut flow: Flow,
    values: Value,
) -> Result<SubmitOutcome, FlowError> {
    flow.active = Some("profile".into());
    if !traits_valid(reg, &mut flow, &values) {
        return invalid(reg, flow).await;
    }
    render_credential_screen(reg, &mut flow, &values);
    reg.store.update_flow(&flow).await?;
    Ok(SubmitOutcome::NextScreen(Box::new(flow)))
}

async fn password_registration(
    reg: &Registry,
    mut flow: Flow,
    values: Value,
    body: &Value,
    req: &RequestInfo,
) -> Result<SubmitOutcome, FlowError> {
    flow.active = Some("password".into());
    if let Err(errors) = schema(reg, &flow).validate_traits(&values) {
        render_first_screen(reg, &mut flow, Some(&values));
        if !reg.options.registration_profile_first && submit::string(body, "password").is_none() {
            flow.ui
                .add_message(Some("password"), text::required("password"));
        }
        traits::add_errors(&mut flow.ui, errors);
        return invalid(reg, flow).await;
    }
    if reg.options.registration_profile_first {
        render_credential_screen(reg, &mut flow, &values);
        flow.ui.messages.clear();
    } else {
        render_first_screen(reg, &mut flow, Some(&values));
    }
    let schema = schema(reg, &flow);
    let Some(secret) = submit::string(body, "password") else {
        flow.ui
            .add_message(Some("password"), text::required("password"));
        return invalid(reg, flow).await;
    };
    let info = schema.extract(&values);
    if info.password_identifiers.is_empty() {
        flow.ui.messages.push(text::identifier_missing());
        return invalid(reg, flow).await;
    }
    let identifier = info
        .password_identifiers
        .first()
        .cloned()
        .unwrap_or_default();
    if let Err(violation) = reg.policy.check(&identifier, secret).await {
        let message = UiText::error(violation.message_id(), violation.text())
            .with_context(violation.context());
        flow.ui.add_message(Some("password"), message);
        return invalid(reg, flow).await;
    }
    let hashed = reg
        .hasher
        .hash(Zeroizing::new(secret.to_string()))
        .await
        .map_err(|e| FlowError::Internal(e.to_string()))?;
    let mut identity = Identity::new(schema.id(), values.clone());
    identity.set_credential(password::credential(&info.password_identifiers, hashed));
    set_addresses(&mut identity, &info);
    flow.ui.clear_values(|n| n == "password");
    registered(
        reg,
        flow,
        identity,
        "password",
        req,
        AfterCreate::VerificationHooks,
    )
    .await
}

/// What runs between creating the identity and completing the flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AfterCreate {
    /// The verification hooks (a code or link to the new addresses).
    VerificationHooks,
    /// Nothing (the method proved the address already).
    Nothing,
}

/// Stores the new `identity` (a taken identifier: the duplicate message), signs it in when
/// `method`'s hooks have `session`, and completes `flow`.
pub(crate) async fn registered(
    reg: &Registry,
    mut flow: Flow,
    identity: Identity,
    method: &str,
    req: &RequestInfo,
    after: AfterCreate,
) -> Result<SubmitOutcome, FlowError> {
    match reg.store.create_identity(&identity).await {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => {
            flow.ui.messages.push(text::duplicate_credentials());
            return invalid(reg, flow).await;
        }
        Err(e) => return Err(e.into()),
    }
    tracing::info!(identity_id = %identity.id, method, "registered");
    let session = if has_hook_of(reg, method, "session") {
        let mut s = reg
            .sessions
            .new_session(&identity, method, Aal::Aal1, req.device());
        s.identity = Some(identity.clone());
        reg.sessions.create(&s).await?;
        Some(Box::new(s))
    } else {
        None
    };
    if after == AfterCreate::VerificationHooks {
        super::verification::hooks::after_registration(reg, &mut flow, &identity).await;
    }
    flow.state = FlowState::PassedChallenge;
    reg.store.update_flow(&flow).await?;
    let return_to = flow
        .return_to
        .clone()
        .unwrap_or_else(|| after_return_url(reg));
    Ok(SubmitOutcome::Registered {
        flow: Box::new(flow),
        identity: Box::new(identity),
        session,
        return_to,
    })
}

/// Whether `after.<method>.hooks` (or `after.hooks`) has `name`.
pub(crate) fn has_hook_of(reg: &Registry, method: &str, name: &str) -> bool {
    let hooks = match method {
        "code" => &reg.options.registration.after_code_hooks,
        "passkey" => &reg.options.registration.after_passkey_hooks,
        "webauthn" => &reg.options.registration.after_webauthn_hooks,
        _ => &reg.options.registration.after_password_hooks,
    };
    hooks.iter().any(|h| h == name)
}

/// Verifiable and recovery addresses from the schema extension.
pub fn set_addresses(identity: &mut Identity, info: &crate::schema::TraitsInfo) {
    let now = domain::now();
    identity.verifiable_addresses = info
        .verifiable_addresses
        .iter()
        .map(|(value, via)| VerifiableAddress {
            id: Uuid::new_v4(),
            value: value.clone(),
            verified: false,
            via: via.as_str().to_string(),
            status: VerificationStatus::Pending,
            verified_at: None,
            created_at: now,
            updated_at: now,
        })
        .collect();
    identity.recovery_addresses = info
        .recovery_addresses
        .iter()
        .map(|(value, via)| RecoveryAddress {
            id: Uuid::new_v4(),
            value: value.clone(),
            via: via.as_str().to_string(),
            created_at: now,
            updated_at: now,
        })
        .collect();
}

pub(crate) async fn invalid(reg: &Registry, mut flow: Flow) -> Result<SubmitOutcome, FlowError> {
    flow.ui.clear_values(|name| name == "password");
    reg.store.update_flow(&flow).await?;
    Ok(SubmitOutcome::Invalid(Box::new(flow)))
}
