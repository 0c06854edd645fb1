//! The courier: renders emails from templates, keeps them in a persistent queue, and
//! delivers them over SMTP.
//!
//! Flows call [`Courier::send_email`], which only renders and enqueues (status `queued`).
//! Delivery is the [`Dispatcher`]'s job, run by `identity serve --watch-courier` or
//! `identity courier watch`; the queue lives in the database, so messages survive restarts
//! and any number of processes may enqueue while watchers deliver.

mod builtin;
pub mod dispatcher;
pub mod smtp;
mod source;
pub mod template;

use std::fmt;
use std::sync::Arc;

use serde_json::Value;
use uuid::Uuid;

use crate::config::courier::Courier as CourierConfig;
use crate::domain::message::{Message, MessageStatus, MessageType};
use crate::domain::now;
use crate::store::{Store, StoreError};

pub use dispatcher::{DispatchSettings, Dispatcher, Mailer, SendError};
pub use smtp::{SmtpConfigError, SmtpMailer};
pub use template::{RenderedEmail, TemplateLoadError, TemplateType, Templates};

/// Why a message could not be queued.
#[derive(Debug, thiserror::Error)]
pub enum CourierError {
    /// A template failed to render with the given model.
    #[error(transparent)]
    Template(#[from] TemplateLoadError),
    /// The recipient address is empty.
    #[error("the message has no recipient")]
    NoRecipient,
    /// The queue could not be written.
    #[error("cannot queue the message: {0}")]
    Store(#[from] StoreError),
}

/// Queues messages for delivery (cheap to clone).
#[derive(Clone)]
pub struct Courier {
    inner: Arc<Inner>,
}

struct Inner {
    store: Arc<dyn Store>,
    templates: Templates,
    /// Wakes an in-process dispatcher as soon as something is queued.
    queued: tokio::sync::Notify,
}

impl fmt::Debug for Courier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Courier")
            .field("templates", &self.inner.templates)
            .finish()
    }
}

impl Courier {
    /// A courier queueing into `store`, rendering with `templates`.
    pub fn new(store: Arc<dyn Store>, templates: Templates) -> Self {
        Courier {
            inner: Arc::new(Inner {
                store,
                templates,
                queued: tokio::sync::Notify::new(),
            }),
        }
    }

    /// A dispatcher delivering this courier's queue over SMTP as `config` says.
    pub fn smtp_dispatcher(&self, config: &CourierConfig) -> Result<Dispatcher, SmtpConfigError> {
        if config.delivery_strategy != crate::config::courier::DeliveryStrategy::Smtp {
            return Err(SmtpConfigError {
                key: "delivery_strategy",
                message: "only smtp delivery is supported".into(),
            });
        }
        let mailer = SmtpMailer::new(&config.smtp)?;
        tracing::info!(smtp = %mailer.endpoint(), "courier delivers over SMTP");
        Ok(Dispatcher::new(
            self.clone(),
            Arc::new(mailer),
            DispatchSettings::from_config(config),
        ))
    }

    /// The loaded templates.
    pub fn templates(&self) -> &Templates {
        &self.inner.templates
    }

    /// The queue.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.inner.store
    }

    /// Completes when a message was queued through this courier since the last call
    /// (lets an in-process dispatcher deliver at once instead of at its next poll).
    pub async fn queued(&self) {
        self.inner.queued.notified().await;
    }

    /// Renders `template` with `model` and queues the email to `to` (status `queued`);
    /// returns the message id. Nothing is sent here: a courier watcher delivers it.
    ///
    /// `model` is a JSON object with Kratos' Go field names, which templates use as
    /// `{{ .Name }}`. Every type takes `To` (the recipient; filled from `to` when absent),
    /// `RequestURL` and `TransientPayload`; besides those:
    /// - `verification_code_valid`: `VerificationCode`, `VerificationURL` (`…?flow=&code=`),
    ///   `Identity`, `ExpiresInMinutes`
    /// - `verification_valid`: `VerificationURL` (`…?flow=&token=`), `Identity`,
    ///   `ExpiresInMinutes`
    /// - `recovery_code_valid`: `RecoveryCode`, `Identity`, `ExpiresInMinutes`
    /// - `recovery_valid`: `RecoveryURL` (`…?flow=&token=`), `Identity`, `ExpiresInMinutes`
    /// - `login_code_valid`: `LoginCode`, `Identity`, `ExpiresInMinutes`
    /// - `registration_code_valid`: `RegistrationCode`, `Traits`, `ExpiresInMinutes`
    /// - `*_invalid`: nothing more.
    ///
    /// `Identity` is the identity as JSON (`.Identity.traits.email`, `.Identity.id`).
    pub async fn send_email(
        &self,
        template: TemplateType,
        to: &str,
        model: Value,
    ) -> Result<Uuid, CourierError> {
        let to = to.trim();
        if to.is_empty() {
            return Err(CourierError::NoRecipient);
        }
        let mut model = match model {
            Value::Object(m) => m,
            Value::Null => serde_json::Map::new(),
            other => {
                let mut m = serde_json::Map::new();
                m.insert("Value".into(), other);
                m
            }
        };
        model
            .entry("To")
            .or_insert_with(|| Value::String(to.to_string()));
        let rendered = self
            .inner
            .templates
            .render(template, &Value::Object(model))?;
        let at = now();
        let message = Message {
            id: Uuid::new_v4(),
            status: MessageStatus::Queued,
            kind: MessageType::Email,
            recipient: to.to_string(),
            body: rendered.plaintext,
            subject: rendered.subject,
            template_type: template.as_str().to_string(),
            send_count: 0,
            dispatches: Vec::new(),
            channel: "email".into(),
            created_at: at,
            updated_at: at,
            html_body: rendered.html,
            next_attempt_at: at,
        };
        self.inner.store.enqueue_message(&message).await?;
        tracing::debug!(message_id = %message.id, template = %template, "courier message queued");
        self.inner.queued.notify_one();
        Ok(message.id)
    }
}
