//! What the flows need to know about the incoming request, extracted by the HTTP layer.

use std::sync::Arc;

use crate::domain::{Device, Session};

/// Request facts the flows use (no HTTP types).
#[derive(Debug, Clone, Default)]
pub struct RequestInfo {
    /// Full URL of the request.
    pub url: String,
    /// Client IP and user agent.
    pub device: Option<Device>,
    /// The caller's active session, if any.
    pub session: Option<Arc<Session>>,
    /// Value of the CSRF cookie, if any.
    pub csrf_cookie: Option<String>,
    /// `X-CSRF-Token` header, if any.
    pub csrf_header: Option<String>,
    /// Whether an `Origin` header was sent.
    pub has_origin: bool,
    /// Names of the cookies sent.
    pub cookie_names: Vec<String>,
}

impl RequestInfo {
    /// The device record for a new session.
    pub fn device(&self) -> Device {
        self.device.clone().unwrap_or(Device {
            id: uuid::Uuid::new_v4(),
            ip_address: None,
            user_agent: None,
            location: None,
        })
    }
}
