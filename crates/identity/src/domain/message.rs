//! Courier messages (openapi.json `message`, `messageDispatch`).

use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use super::Timestamp;

/// Where a message is in the queue (`courierMessageStatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MessageStatus {
    /// Waiting for (another) delivery attempt.
    Queued,
    /// Claimed by a courier watcher that is sending it.
    Processing,
    /// Delivered to the mail server.
    Sent,
    /// Given up after `courier.message_retries` failed attempts.
    Abandoned,
}

impl MessageStatus {
    /// The wire and database name.
    pub fn as_str(self) -> &'static str {
        match self {
            MessageStatus::Queued => "queued",
            MessageStatus::Processing => "processing",
            MessageStatus::Sent => "sent",
            MessageStatus::Abandoned => "abandoned",
        }
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "queued" => MessageStatus::Queued,
            "processing" => MessageStatus::Processing,
            "sent" => MessageStatus::Sent,
            "abandoned" => MessageStatus::Abandoned,
            _ => return None,
        })
    }
}

/// `courierMessageType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MessageType {
    /// An email.
    Email,
    /// An SMS (not sent by this server yet).
    Phone,
}

impl MessageType {
    /// The wire and database name.
    pub fn as_str(self) -> &'static str {
        match self {
            MessageType::Email => "email",
            MessageType::Phone => "phone",
        }
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "email" => Some(MessageType::Email),
            "phone" => Some(MessageType::Phone),
            _ => None,
        }
    }
}

/// Outcome of one delivery attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DispatchStatus {
    /// The attempt failed; `error` says why.
    Failed,
    /// The mail server accepted the message.
    Success,
}

impl DispatchStatus {
    /// The wire and database name.
    pub fn as_str(self) -> &'static str {
        match self {
            DispatchStatus::Failed => "failed",
            DispatchStatus::Success => "success",
        }
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "failed" => Some(DispatchStatus::Failed),
            "success" => Some(DispatchStatus::Success),
            _ => None,
        }
    }
}

/// One delivery attempt (`messageDispatch`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MessageDispatch {
    /// Attempt id.
    pub id: Uuid,
    /// The message attempted.
    pub message_id: Uuid,
    /// `failed` or `success`.
    pub status: DispatchStatus,
    /// Why it failed (`{"reason": …}`); never holds credentials.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<Value>,
    /// When the attempt was made.
    pub created_at: Timestamp,
    /// Same as `created_at`.
    pub updated_at: Timestamp,
}

/// A queued, sent or abandoned message (`message`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    /// Message id.
    pub id: Uuid,
    /// Queue status.
    pub status: MessageStatus,
    /// `email` or `phone`.
    #[serde(rename = "type")]
    pub kind: MessageType,
    /// Address it goes to.
    pub recipient: String,
    /// Plain-text body.
    pub body: String,
    /// Subject line.
    pub subject: String,
    /// Template it was rendered from (`verification_code_valid`, …).
    pub template_type: String,
    /// Delivery attempts so far.
    pub send_count: u32,
    /// Delivery attempts, oldest first (filled by `get`, not by lists).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dispatches: Vec<MessageDispatch>,
    /// `email` or `sms`.
    pub channel: String,
    /// When it was queued.
    pub created_at: Timestamp,
    /// Last status change.
    pub updated_at: Timestamp,
    /// HTML body (not part of the wire shape, as in Kratos).
    #[serde(skip)]
    pub html_body: String,
    /// Earliest time of the next attempt (internal).
    #[serde(skip, default = "super::now")]
    pub next_attempt_at: Timestamp,
}
