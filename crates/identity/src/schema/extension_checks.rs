//! The checks Kratos' verification, recovery and code extensions run on annotated values while
//! validating (kratos v26.2.0 `identity/extension_*.go`), as messages.

use serde_json::Value;

use super::extension::{self, Annotated, Via};
use super::formats;
use super::messages;
use super::validate::{attach, node_for, TraitError};

/// Errors the verification, recovery and code extensions raise while Kratos validates.
pub(crate) fn extension_error(a: &Annotated<'_>) -> Option<TraitError> {
    let text = extension::value_text(a.value)?;
    let node = node_for(&a.path);
    let c = &a.config;
    if c.credentials.code.identifier {
        match c.credentials.code.via {
            None => {
                let m = messages::generic("channel type \"\" must be one of email, sms");
                return Some(attach(node, m));
            }
            Some(Via::Sms) if formats::normalize_phone(&text).is_none() => {
                let reason = if text.trim_start().starts_with('+') {
                    "the provided number is not a valid phone number"
                } else {
                    "invalid country code"
                };
                return Some(attach(node, messages::generic(reason)));
            }
            _ => {}
        }
    }
    if let Some(via) = c.verification.via {
        match a.node.get("format") {
            Some(Value::String(f)) if !f.is_empty() => {}
            Some(Value::String(_)) | None => match via {
                Via::Email if !formats::is_email(&text) => {
                    return Some(attach(node, messages::email(&text)));
                }
                Via::Email => {}
                Via::Sms => {
                    let m = messages::generic(
                        "no format specified. A format is required if verification is enabled. \
                         If this was intentional, please set \"format\" to \"no-validate\"",
                    );
                    return Some(attach(node, m));
                }
            },
            Some(_) => {}
        }
    }
    match c.recovery.via {
        Some(Via::Email) if !formats::is_email(&text) => Some(attach(node, messages::email(&text))),
        Some(Via::Sms) if !formats::is_phone(&text) => Some(attach(node, messages::phone(&text))),
        _ => None,
    }
}
