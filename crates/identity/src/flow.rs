//! Self-service flows. Each returns an outcome the HTTP layer renders; none knows HTTP.

pub mod address;
pub mod ceremony;
pub mod create;
pub mod login;
pub mod logout;
pub mod mail;
pub mod onetime;
pub mod recovery;
pub mod registration;
pub mod request;
pub mod return_to;
pub mod settings;
pub mod submit;
pub mod traits;
pub mod verification;

pub use request::RequestInfo;

use std::sync::Arc;

use crate::domain::{ApiError, Flow, Identity, Session};
use crate::store::StoreError;

/// Why a flow operation failed (beyond validation messages rendered into the flow).
#[derive(Debug)]
pub enum FlowError {
    /// A Kratos API error (rendered as JSON, or as a redirect to the error UI for browsers).
    Api(ApiError),
    /// The flow expired; a replacement was created carrying the expiry message.
    Expired {
        /// The replacement flow.
        replacement: Box<Flow>,
        /// When the old flow expired.
        expired_at: crate::domain::Timestamp,
    },
    /// Browsers navigate to `to` (a login or re-authentication page); JSON clients get
    /// `error`.
    Redirect {
        /// Where a browser goes.
        to: String,
        /// What JSON clients get.
        error: ApiError,
    },
    /// The flow cannot go on; `replacement` (already stored) carries the message. JSON
    /// clients get 410 `self_service_flow_replaced` with `use_flow_id`, browsers its UI.
    Replaced {
        /// The new flow.
        replacement: Box<Flow>,
        /// Why, for the error's `reason`.
        reason: String,
    },
    /// Something broke; details go to the log only.
    Internal(String),
}

impl From<ApiError> for FlowError {
    fn from(e: ApiError) -> Self {
        FlowError::Api(e)
    }
}

impl From<StoreError> for FlowError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => FlowError::Api(ApiError::not_found()),
            other => FlowError::Internal(other.to_string()),
        }
    }
}

/// How a flow init ended.
#[derive(Debug)]
pub enum InitOutcome {
    /// A new flow to render.
    Created(Box<Flow>),
    /// There already is a session: browsers go to `return_to`, API clients get 400.
    AlreadySignedIn {
        /// Where a browser goes.
        return_to: String,
    },
}

/// How a flow submission ended.
#[derive(Debug)]
pub enum SubmitOutcome {
    /// Validation failed: render the flow again with its messages (400).
    Invalid(Box<Flow>),
    /// Signed in.
    LoggedIn {
        /// The completed flow.
        flow: Box<Flow>,
        /// The new or refreshed session.
        session: Box<Session>,
        /// Where a browser goes.
        return_to: String,
    },
    /// Signed up.
    Registered {
        /// The completed flow.
        flow: Box<Flow>,
        /// The new identity.
        identity: Box<Identity>,
        /// A session when the `session` hook ran.
        session: Option<Box<Session>>,
        /// Where a browser goes.
        return_to: String,
    },
    /// Registration (profile_first): show the next screen (200 for JSON, redirect for browsers).
    NextScreen(Box<Flow>),
    /// The flow moved on (code sent, address verified, …): 200 with the flow for JSON
    /// clients, its UI for browsers.
    Updated(Box<Flow>),
    /// Settings saved: the flow in state `success`.
    SettingsSaved {
        /// The flow, re-rendered from the saved identity.
        flow: Box<Flow>,
        /// The caller's session (its cookie is issued again for browsers).
        session: Arc<Session>,
        /// Where a browser goes.
        return_to: String,
    },
    /// Account recovered: a new privileged session and a settings flow to continue in.
    Recovered {
        /// The completed recovery flow (with its `continue_with` items).
        flow: Box<Flow>,
        /// The new session.
        session: Box<Session>,
        /// The settings flow the person continues in.
        settings_flow: Box<Flow>,
    },
}
