//! Delivers queued messages: claims due ones with a lease, sends them, records each attempt.
//!
//! Two kinds of failure are told apart. When the mail server cannot be reached (or refuses
//! our TLS or login), the message is not at fault: it goes back to `queued` without counting
//! an attempt, and the dispatcher backs off until the server answers again — an outage loses
//! nothing however long it lasts. When the server rejects one message, that counts: it is
//! retried with exponential backoff (`pull_wait`, doubling) and abandoned after
//! `courier.message_retries` retries, or at once on a permanent (5xx) rejection.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use futures::StreamExt;
use serde_json::json;
use uuid::Uuid;

use super::Courier;
use crate::config::courier::Courier as CourierConfig;
use crate::domain::message::Message;
use crate::domain::{now, Timestamp};
use crate::store::StoreError;

/// Longest wait before retrying a rejected message or probing a down server.
const MAX_BACKOFF: Duration = Duration::from_secs(600);
/// How long a claim lasts; a watcher that dies mid-batch frees its messages after this.
const LEASE: Duration = Duration::from_secs(600);

/// Why a message was not delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendError {
    /// The mail server could not be used (unreachable, TLS or login failed).
    Unavailable(String),
    /// The server refused this message.
    Rejected {
        /// What the server said.
        reason: String,
        /// A 5xx answer: retrying will not help.
        permanent: bool,
    },
}

/// Something that delivers one message (SMTP in production, fakes in tests).
#[async_trait]
pub trait Mailer: Send + Sync {
    /// Delivers `message`.
    async fn send(&self, message: &Message) -> Result<(), SendError>;
}

/// Queue worker settings (`courier.worker`, `courier.message_retries`).
#[derive(Debug, Clone)]
pub struct DispatchSettings {
    /// Messages claimed per round.
    pub pull_count: usize,
    /// Pause when the queue is empty; also the first retry delay.
    pub pull_wait: Duration,
    /// Retries after the first attempt before a message is abandoned.
    pub message_retries: u32,
    /// Messages sent at once.
    pub concurrency: usize,
}

impl DispatchSettings {
    /// From the courier configuration.
    pub fn from_config(c: &CourierConfig) -> Self {
        DispatchSettings {
            pull_count: (c.worker.pull_count as usize).max(1),
            pull_wait: c.worker.pull_wait.max(Duration::from_millis(10)),
            message_retries: c.message_retries,
            concurrency: super::smtp::CONNECTIONS as usize,
        }
    }

    /// Delay before retry number `attempts` (1-based), doubling from `pull_wait`.
    fn backoff(&self, attempts: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempts.saturating_sub(1).min(20));
        self.pull_wait.saturating_mul(factor).min(MAX_BACKOFF)
    }
}

/// What one round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Round {
    /// Messages claimed.
    pub claimed: usize,
    /// Delivered.
    pub sent: usize,
    /// Rejected and queued again.
    pub retried: usize,
    /// Rejected for good.
    pub abandoned: usize,
    /// Handed back untouched because the server was unavailable.
    pub released: usize,
}

/// The delivery loop.
pub struct Dispatcher {
    courier: Courier,
    mailer: Arc<dyn Mailer>,
    settings: DispatchSettings,
    worker: Uuid,
}

impl Dispatcher {
    /// A dispatcher for `courier`'s queue, sending through `mailer`.
    pub fn new(courier: Courier, mailer: Arc<dyn Mailer>, settings: DispatchSettings) -> Self {
        Dispatcher {
            courier,
            mailer,
            settings,
            worker: Uuid::new_v4(),
        }
    }

    /// Delivers until `shutdown` completes (the round in progress is finished first).
    pub async fn run(self, shutdown: impl std::future::Future<Output = ()>) {
        tokio::pin!(shutdown);
        // Poll once now so a signal listener behind `shutdown` is installed before the first
        // round (a SIGTERM during it then ends the loop after the round, not the process).
        if futures::poll!(&mut shutdown).is_ready() {
            return;
        }
        let mut outage = Duration::ZERO;
        tracing::info!(worker = %self.worker, "courier watching the message queue");
        loop {
            let wait = match self.round().await {
                Ok(r) if r.released > 0 => {
                    outage = (outage * 2)
                        .max(self.settings.pull_wait)
                        .min(MAX_BACKOFF / 10);
                    outage
                }
                Ok(r) => {
                    if !outage.is_zero() && r.sent > 0 {
                        tracing::info!("courier: the mail server is reachable again");
                    }
                    if r.sent + r.retried + r.abandoned > 0 {
                        outage = Duration::ZERO;
                    }
                    if r.claimed >= self.settings.pull_count {
                        Duration::ZERO
                    } else {
                        self.settings.pull_wait
                    }
                }
                Err(e) => {
                    tracing::error!(error = %e, "courier: cannot read the message queue");
                    self.settings.pull_wait
                }
            };
            let in_outage = !outage.is_zero();
            tokio::select! {
                _ = &mut shutdown => break,
                _ = tokio::time::sleep(wait) => {}
                _ = self.courier.queued(), if !in_outage => {}
            }
        }
        tracing::info!(worker = %self.worker, "courier stopped");
    }

    /// Claims due messages once and tries each (also what `run` repeats).
    pub async fn round(&self) -> Result<Round, StoreError> {
        let store = self.courier.store();
        let batch = store
            .claim_messages(self.worker, now(), LEASE, self.settings.pull_count)
            .await?;
        let down = AtomicBool::new(false);
        let outcomes: Vec<Result<Outcome, StoreError>> = futures::stream::iter(batch)
            .map(|m| self.attempt(m, &down))
            .buffer_unordered(self.settings.concurrency.max(1))
            .collect()
            .await;
        let mut round = Round::default();
        let mut release = Vec::new();
        for o in outcomes {
            match o? {
                Outcome::Sent => round.sent += 1,
                Outcome::Retried => round.retried += 1,
                Outcome::Abandoned => round.abandoned += 1,
                Outcome::Release(id) => release.push(id),
                Outcome::LeaseLost => {}
            }
            round.claimed += 1;
        }
        if !release.is_empty() {
            let retry_at = later(self.settings.pull_wait);
            round.released = store
                .release_messages(&release, self.worker, retry_at)
                .await? as usize;
        }
        Ok(round)
    }

    async fn attempt(&self, m: Message, down: &AtomicBool) -> Result<Outcome, StoreError> {
        if down.load(Ordering::Relaxed) {
            return Ok(Outcome::Release(m.id));
        }
        let store = self.courier.store();
        let settled = match self.mailer.send(&m).await {
            Ok(()) => {
                tracing::debug!(message_id = %m.id, "courier message sent");
                return Ok(if store.message_sent(m.id, self.worker).await? {
                    Outcome::Sent
                } else {
                    Outcome::LeaseLost
                });
            }
            Err(SendError::Unavailable(reason)) => {
                if !down.swap(true, Ordering::Relaxed) {
                    tracing::warn!(%reason, "courier: the mail server is unavailable; messages stay queued");
                }
                return Ok(Outcome::Release(m.id));
            }
            Err(SendError::Rejected { reason, permanent }) => {
                let attempts = m.send_count + 1;
                let give_up = permanent || attempts > self.settings.message_retries;
                let retry_at = (!give_up).then(|| later(self.settings.backoff(attempts)));
                tracing::warn!(
                    message_id = %m.id,
                    attempts,
                    abandoned = give_up,
                    "courier: the mail server rejected a message"
                );
                let error = json!({"message": reason, "permanent": permanent});
                let ok = store
                    .message_failed(m.id, self.worker, &error, retry_at)
                    .await?;
                match (ok, give_up) {
                    (false, _) => Outcome::LeaseLost,
                    (true, true) => Outcome::Abandoned,
                    (true, false) => Outcome::Retried,
                }
            }
        };
        Ok(settled)
    }
}

enum Outcome {
    Sent,
    Retried,
    Abandoned,
    Release(Uuid),
    LeaseLost,
}

fn later(d: Duration) -> Timestamp {
    now() + chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}
