//! Self-service flows (login, registration, settings, recovery, verification).
//!
//! One struct serves every kind; the HTTP layer renders the kind-specific wire shape.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use super::{Aal, Timestamp, UiContainer};

/// Which self-service flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FlowKind {
    /// Sign in.
    Login,
    /// Sign up.
    Registration,
    /// Profile and credential settings.
    Settings,
    /// Account recovery.
    Recovery,
    /// Address verification.
    Verification,
}

impl FlowKind {
    /// The path segment / wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            FlowKind::Login => "login",
            FlowKind::Registration => "registration",
            FlowKind::Settings => "settings",
            FlowKind::Recovery => "recovery",
            FlowKind::Verification => "verification",
        }
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "login" => Some(Self::Login),
            "registration" => Some(Self::Registration),
            "settings" => Some(Self::Settings),
            "recovery" => Some(Self::Recovery),
            "verification" => Some(Self::Verification),
            _ => None,
        }
    }
}

/// Browser or native (API) flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FlowType {
    /// Browser flow: cookies and CSRF.
    Browser,
    /// Native app flow: session tokens, no cookies.
    Api,
}

impl FlowType {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            FlowType::Browser => "browser",
            FlowType::Api => "api",
        }
    }
}

/// Flow state as Kratos names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlowState {
    /// Waiting for the person to choose a method (login, registration, recovery, verification).
    ChooseMethod,
    /// A code or link was sent.
    SentEmail,
    /// Completed.
    PassedChallenge,
    /// Settings: form shown.
    ShowForm,
    /// Settings: saved.
    Success,
}

/// A self-service flow.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Flow {
    /// Flow id.
    pub id: Uuid,
    /// Which flow.
    pub kind: FlowKind,
    /// Browser or api.
    pub flow_type: FlowType,
    /// Expiry.
    pub expires_at: Timestamp,
    /// Creation.
    pub issued_at: Timestamp,
    /// The URL that created the flow.
    pub request_url: String,
    /// Where to go afterwards (already checked against the allow list).
    pub return_to: Option<String>,
    /// State.
    pub state: FlowState,
    /// The form.
    pub ui: UiContainer,
    /// Method last used.
    pub active: Option<String>,
    /// CSRF token (browser flows).
    pub csrf_token: String,
    /// Login: re-authentication requested.
    pub refresh: bool,
    /// Login: requested AAL.
    pub requested_aal: Aal,
    /// Settings (and second-factor login): the identity the flow belongs to.
    pub identity_id: Option<Uuid>,
    /// Session the flow belongs to, if any.
    pub session_id: Option<Uuid>,
    /// Requested identity schema.
    pub identity_schema: Option<String>,
    /// Data passed through to hooks.
    pub transient_payload: Option<Value>,
    /// Internal context (counters, hashed codes, …); never sent.
    pub internal: Value,
}

impl Flow {
    /// A new flow of `kind` and `flow_type`, expiring after `lifespan`.
    pub fn new(
        kind: FlowKind,
        flow_type: FlowType,
        lifespan: chrono::Duration,
        request_url: String,
        action: String,
    ) -> Self {
        let now = super::now();
        let state = if kind == FlowKind::Settings {
            FlowState::ShowForm
        } else {
            FlowState::ChooseMethod
        };
        Flow {
            id: Uuid::new_v4(),
            kind,
            flow_type,
            expires_at: now + lifespan,
            issued_at: now,
            request_url,
            return_to: None,
            state,
            ui: UiContainer::new(action),
            active: None,
            csrf_token: super::token::csrf_token(),
            refresh: false,
            requested_aal: Aal::Aal1,
            identity_id: None,
            session_id: None,
            identity_schema: None,
            transient_payload: None,
            internal: Value::Object(Default::default()),
        }
    }

    /// Whether the flow has expired at `now`.
    pub fn is_expired(&self, now: Timestamp) -> bool {
        self.expires_at <= now
    }

    /// Whether the flow was completed (and cannot be submitted again).
    pub fn is_completed(&self) -> bool {
        matches!(self.state, FlowState::PassedChallenge)
    }
}
