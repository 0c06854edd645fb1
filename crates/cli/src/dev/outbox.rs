//! The development outbox: the courier's queue is delivered to the log instead of a mail
//! server. Every email is printed in full on stdout (codes and links included — this is dev
//! only) and marked `sent`, so `/admin/messages` lists it with its body.

use std::future::Future;
use std::io::Write;
use std::pin::Pin;
use std::sync::Arc;

use nexus_identity::config::courier::Courier as CourierConfig;
use nexus_identity::courier::{DispatchSettings, Dispatcher, Mailer, SendError};
use nexus_identity::domain::message::Message;
use nexus_identity::registry::Registry;

/// Prints messages instead of sending them.
struct LogMailer;

impl Mailer for LogMailer {
    // Written out rather than through `#[async_trait]` (which the trait uses) to keep the CLI
    // free of that dependency; this is exactly what the macro generates.
    fn send<'a, 'b, 'f>(
        &'a self,
        message: &'b Message,
    ) -> Pin<Box<dyn Future<Output = Result<(), SendError>> + Send + 'f>>
    where
        'a: 'f,
        'b: 'f,
        Self: 'f,
    {
        Box::pin(async move {
            print(message);
            Ok(())
        })
    }
}

/// The text printed for one message (also what the browser test reads codes from).
fn render(m: &Message) -> String {
    let rule = "─".repeat(72);
    format!(
        "{rule}\n[outbox] {kind} to {to} · template {template} · message {id}\nSubject: {subject}\n\n{body}\n{rule}\n",
        kind = m.kind.as_str(),
        to = m.recipient,
        template = m.template_type,
        id = m.id,
        subject = m.subject,
        body = m.body.trim_end(),
    )
}

fn print(m: &Message) {
    let text = render(m);
    let mut out = std::io::stdout().lock();
    // A closed stdout must not turn into a delivery failure (the message stays in the outbox).
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

/// A dispatcher delivering `reg`'s courier queue to the log; run it until shutdown.
pub fn dispatcher(reg: &Registry, config: &CourierConfig) -> Dispatcher {
    let mut settings = DispatchSettings::from_config(config);
    // The log cannot reject a message; no need for concurrency or long pauses.
    settings.concurrency = 1;
    settings.pull_wait = settings
        .pull_wait
        .min(std::time::Duration::from_millis(500));
    Dispatcher::new(reg.courier.clone(), Arc::new(LogMailer), settings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use nexus_identity::domain::message::{MessageStatus, MessageType};

    #[test]
    fn prints_recipient_template_subject_and_body() {
        let at = nexus_identity::domain::now();
        let m = Message {
            id: uuid::Uuid::nil(),
            status: MessageStatus::Queued,
            kind: MessageType::Email,
            recipient: "a@example.com".into(),
            body: "your code\n\n123456\n\n".into(),
            subject: "Your verification code".into(),
            template_type: "verification_code_valid".into(),
            send_count: 0,
            dispatches: Vec::new(),
            channel: "email".into(),
            created_at: at,
            updated_at: at,
            html_body: String::new(),
            next_attempt_at: at,
        };
        let text = render(&m);
        assert!(text.contains("[outbox] email to a@example.com · template verification_code_valid"));
        assert!(text.contains("Subject: Your verification code\n\nyour code\n\n123456\n─"));
    }
}
