//! Content negotiation: does the client want JSON, or is it a navigating browser?

use http::header::{ACCEPT, CONTENT_TYPE};
use http::HeaderMap;

/// JSON if `Accept` names `application/json` or the body is JSON (Kratos rule).
pub fn wants_json(headers: &HeaderMap) -> bool {
    let has = |name, needle: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.to_ascii_lowercase().contains(needle))
    };
    has(ACCEPT, "application/json") || has(CONTENT_TYPE, "application/json")
}

/// An AJAX request from a browser (`Sec-Fetch-Mode: cors|same-origin`) or an explicit JSON client.
pub fn is_ajax(headers: &HeaderMap) -> bool {
    let mode = headers
        .get("sec-fetch-mode")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    wants_json(headers) || mode == "cors" || mode == "same-origin"
}
