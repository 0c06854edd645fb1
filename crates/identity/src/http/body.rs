//! Request bodies: JSON or form posts decoded into one JSON object, with a size limit.

use axum::body::Body;
use http::header::CONTENT_TYPE;
use http::HeaderMap;
use serde_json::{Map, Value};

use crate::domain::ApiError;

/// How much of an oversized body is read and thrown away so the client, still sending, gets
/// the 413 instead of a broken pipe; beyond this the connection is simply closed.
const DRAIN_LIMIT: usize = 64 * 1024 * 1024;

/// The body if it fits in `limit`; otherwise `413`, after draining up to [`DRAIN_LIMIT`].
pub async fn read_limited(body: Body, limit: usize) -> Result<Vec<u8>, ApiError> {
    use http_body_util::BodyExt;
    let mut body = body;
    let mut bytes = Vec::new();
    let mut seen = 0usize;
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else {
            return Err(ApiError::bad_request("The request body could not be read."));
        };
        let Ok(data) = frame.into_data() else {
            continue;
        };
        seen = seen.saturating_add(data.len());
        if seen > limit {
            if seen > DRAIN_LIMIT {
                break;
            }
            continue;
        }
        bytes.extend_from_slice(&data);
    }
    if seen > limit {
        return Err(ApiError::payload_too_large(limit));
    }
    Ok(bytes)
}

/// Reads and decodes a submission body into a JSON object.
pub async fn decode(headers: &HeaderMap, body: Body, limit: usize) -> Result<Value, ApiError> {
    let bytes = read_limited(body, limit).await?;
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    if bytes.is_empty() {
        return Ok(Value::Object(Map::new()));
    }
    if content_type.starts_with("application/json")
        || content_type.is_empty() && bytes.first() == Some(&b'{')
    {
        let value: Value = serde_json::from_slice(&bytes)
            .map_err(|e| ApiError::bad_request(format!("Unable to decode JSON body: {e}")))?;
        if !value.is_object() {
            return Err(ApiError::bad_request("The JSON body must be an object."));
        }
        return Ok(value);
    }
    if content_type.starts_with("application/x-www-form-urlencoded") {
        return Ok(form_to_json(&bytes));
    }
    Err(ApiError::unsupported_media_type(&content_type))
}

/// `a.b=1&c=2` → `{"a":{"b":"1"},"c":"2"}`; the last value of a repeated key wins.
pub fn form_to_json(bytes: &[u8]) -> Value {
    let mut root = Map::new();
    for (key, value) in url::form_urlencoded::parse(bytes) {
        let value = if key == "transient_payload" {
            serde_json::from_str(&value).unwrap_or(Value::String(value.into_owned()))
        } else {
            Value::String(value.into_owned())
        };
        insert_path(&mut root, &key, value);
    }
    Value::Object(root)
}

fn insert_path(root: &mut Map<String, Value>, key: &str, value: Value) {
    let mut parts = key.split('.').peekable();
    let mut current = root;
    while let Some(part) = parts.next() {
        if parts.peek().is_none() {
            current.insert(part.to_string(), value);
            return;
        }
        let entry = current
            .entry(part.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        if !entry.is_object() {
            *entry = Value::Object(Map::new());
        }
        current = entry.as_object_mut().expect("just made an object");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_form_keys() {
        let v = form_to_json(
            b"traits.email=a%40b.c&traits.name.first=Al&method=password&method=profile",
        );
        assert_eq!(v["traits"]["email"], "a@b.c");
        assert_eq!(v["traits"]["name"]["first"], "Al");
        assert_eq!(v["method"], "profile");
    }
}
