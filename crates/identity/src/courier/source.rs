//! Template sources named by URI in `courier.templates.*`: `file://`, `base64://`, `http(s)://`.

use base64::Engine as _;

/// Largest template accepted from any source.
const MAX_BYTES: usize = 1 << 20;

/// The text behind `uri`, or why it could not be had (never includes URL credentials).
pub(super) async fn fetch(uri: &str, http: &reqwest::Client) -> Result<String, String> {
    if let Some(b64) = uri.strip_prefix("base64://") {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(b64.trim())
            .or_else(|_| base64::engine::general_purpose::URL_SAFE.decode(b64.trim()))
            .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(b64.trim()))
            .map_err(|e| format!("invalid base64: {e}"))?;
        return String::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_string());
    }
    if let Some(path) = uri.strip_prefix("file://") {
        return tokio::fs::read_to_string(path)
            .await
            .map_err(|e| format!("cannot read {path}: {e}"));
    }
    if uri.starts_with("http://") || uri.starts_with("https://") {
        let shown = redact(uri);
        let res = http
            .get(uri)
            .send()
            .await
            .map_err(|e| format!("cannot fetch {shown}: {}", e.without_url()))?;
        if !res.status().is_success() {
            return Err(format!("fetching {shown} answered {}", res.status()));
        }
        let body = res
            .bytes()
            .await
            .map_err(|e| format!("cannot fetch {shown}: {}", e.without_url()))?;
        if body.len() > MAX_BYTES {
            return Err(format!("{shown} is larger than {MAX_BYTES} bytes"));
        }
        return String::from_utf8(body.to_vec()).map_err(|_| format!("{shown} is not UTF-8"));
    }
    Err("unsupported URI scheme: use file://, base64:// or http(s)://".into())
}

/// The URL without user info or query (which may hold tokens).
fn redact(uri: &str) -> String {
    match url::Url::parse(uri) {
        Ok(mut u) => {
            let _ = u.set_username("");
            let _ = u.set_password(None);
            u.set_query(None);
            u.to_string()
        }
        Err(_) => "<invalid URL>".into(),
    }
}
