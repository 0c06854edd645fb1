//! `courier`, `log`, `security`.

use super::common::{Opaque, SecretUrl};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::Duration;

/// `courier.delivery_strategy`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryStrategy {
    /// Send mail over SMTP.
    #[default]
    Smtp,
    /// POST messages to `courier.http.request_config`.
    Http,
}

/// `courier`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Courier {
    /// SMTP delivery.
    pub smtp: Smtp,
    /// Directory with template overrides: Kratos' `<family>/<valid|invalid>/email.{subject,
    /// body,body.plaintext}.gotmpl` or the flat `<type>.email.{…}.gotmpl` (see
    /// `courier::template`).
    pub template_override_path: Option<String>,
    /// Per-template overrides `<family>.<valid|invalid>.email.{subject, body.{html,
    /// plaintext}}` as `file://`, `http(s)://` or `base64://` URIs; kept raw, read by
    /// `courier::template` at start-up.
    pub templates: Opaque,
    /// Retries after the first delivery attempt before a message is abandoned.
    pub message_retries: u32,
    /// `smtp` or `http`.
    pub delivery_strategy: DeliveryStrategy,
    /// HTTP delivery settings (raw; may hold credentials).
    pub http: Opaque,
    /// SMS and other channels (raw).
    pub channels: Opaque,
    /// Queue worker settings.
    pub worker: Worker,
}

impl Default for Courier {
    fn default() -> Self {
        Self {
            smtp: Smtp::default(),
            template_override_path: None,
            templates: Opaque::default(),
            message_retries: 5,
            delivery_strategy: DeliveryStrategy::default(),
            http: Opaque::default(),
            channels: Opaque::default(),
            worker: Worker::default(),
        }
    }
}

/// `courier.smtp`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Smtp {
    /// `smtp[s]://user:pass@host:port/?skip_ssl_verify=…`; `Debug` hides the password.
    pub connection_uri: SecretUrl,
    /// Sender address.
    pub from_address: String,
    /// Sender display name.
    pub from_name: Option<String>,
    /// Extra headers on every mail.
    pub headers: BTreeMap<String, String>,
    /// Name sent in `HELO`/`EHLO`.
    pub local_name: String,
    /// Client certificate for mutual TLS.
    pub client_cert_path: String,
    /// Client key for mutual TLS.
    pub client_key_path: String,
}

impl Default for Smtp {
    fn default() -> Self {
        Self {
            connection_uri: SecretUrl::default(),
            from_address: "no-reply@ory.kratos.sh".into(),
            from_name: None,
            headers: BTreeMap::new(),
            local_name: "localhost".into(),
            client_cert_path: String::new(),
            client_key_path: String::new(),
        }
    }
}

/// `courier.worker`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Worker {
    /// Messages claimed per round (a full round is followed at once by the next).
    pub pull_count: u32,
    /// Pause when the queue is empty; also the first retry delay of a rejected message.
    #[serde(with = "nexus_kit::config::go_duration")]
    pub pull_wait: Duration,
}

impl Default for Worker {
    fn default() -> Self {
        Self {
            pull_count: 10,
            pull_wait: Duration::from_secs(1),
        }
    }
}

/// `log`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Log {
    /// `trace`, `debug`, `info`, `warning`, `error`, `fatal`, `panic`.
    pub level: String,
    /// `text` or `json`.
    pub format: String,
    /// Log emails and other personal data unredacted.
    pub leak_sensitive_values: bool,
    /// What redacted values are replaced with.
    pub redaction_text: Option<String>,
}

impl Default for Log {
    fn default() -> Self {
        Self {
            level: "info".into(),
            format: "text".into(),
            leak_sensitive_values: false,
            redaction_text: None,
        }
    }
}

/// `security`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Security {
    /// Account enumeration defences.
    pub account_enumeration: AccountEnumeration,
}

/// `security.account_enumeration`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AccountEnumeration {
    /// Answer the same whether or not an identifier exists.
    pub mitigate: bool,
}
