//! Reads a schema document from a `file://`, `base64://` or `http(s)://` URL.

use std::time::Duration;

use base64::Engine as _;

use super::error::{display_url, SchemaError};

/// How long an `http(s)://` schema may take to arrive at start-up.
const HTTP_TIMEOUT: Duration = Duration::from_secs(10);
/// Upper bound for a schema document; Kratos reads at most 1 MiB when ordering keys.
const MAX_BYTES: usize = 4 * 1024 * 1024;

/// Fetches the raw bytes behind `url` for the schema `id`.
pub(crate) async fn read(
    id: &str,
    url: &str,
    http: &reqwest::Client,
) -> Result<Vec<u8>, SchemaError> {
    let fetch_err = |reason: String| SchemaError::Fetch {
        id: id.to_owned(),
        url: display_url(url),
        reason,
    };
    if let Some(path) = url.strip_prefix("file://") {
        // Like Kratos: `file://./x.json` is relative to the working directory,
        // `file:///etc/x.json` is absolute.
        if path.is_empty() {
            return Err(fetch_err("empty file path".into()));
        }
        let bytes = tokio::fs::read(path)
            .await
            .map_err(|e| fetch_err(format!("{path}: {e}")))?;
        return check_size(bytes).map_err(fetch_err);
    }
    if let Some(data) = url.strip_prefix("base64://") {
        return decode_base64(data).map_err(|e| fetch_err(format!("invalid base64: {e}")));
    }
    let lower = url.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        let resp = http
            .get(url)
            .timeout(HTTP_TIMEOUT)
            .send()
            .await
            .map_err(|e| fetch_err(e.without_url().to_string()))?;
        let status = resp.status();
        if !status.is_success() {
            return Err(fetch_err(format!("HTTP status {status}")));
        }
        let bytes = resp
            .bytes()
            .await
            .map_err(|e| fetch_err(e.without_url().to_string()))?;
        return check_size(bytes.to_vec()).map_err(fetch_err);
    }
    Err(SchemaError::UnsupportedUrl {
        id: id.to_owned(),
        url: display_url(url),
    })
}

fn check_size(bytes: Vec<u8>) -> Result<Vec<u8>, String> {
    if bytes.len() > MAX_BYTES {
        return Err(format!("document is larger than {MAX_BYTES} bytes"));
    }
    Ok(bytes)
}

/// Decodes standard or URL-safe base64, padded or not (Kratos configs contain both).
fn decode_base64(data: &str) -> Result<Vec<u8>, base64::DecodeError> {
    let normalized: String = data
        .chars()
        .filter(|c| !c.is_ascii_whitespace() && *c != '=')
        .map(|c| match c {
            '-' => '+',
            '_' => '/',
            other => other,
        })
        .collect();
    base64::engine::general_purpose::STANDARD_NO_PAD.decode(normalized)
}

#[cfg(test)]
mod tests {
    use super::decode_base64;

    #[test]
    fn decodes_every_base64_flavour() {
        // "{\"a\":\"??>\"}" exercises the characters that differ between alphabets.
        let raw = br#"{"a":"??>"}"#;
        for enc in [
            "eyJhIjoiPz8+In0=",
            "eyJhIjoiPz8+In0",
            "eyJhIjoiPz8-In0=",
            "eyJhIjoiPz8-In0",
        ] {
            assert_eq!(decode_base64(enc).unwrap(), raw, "{enc}");
        }
        assert!(decode_base64("not base64!").is_err());
    }
}
