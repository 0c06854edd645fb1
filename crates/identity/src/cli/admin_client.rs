//! A small client for the admin API, used by the `identity import|list|get|delete` commands.
//!
//! The endpoint comes from `--endpoint`, else `NEXUS_ADMIN_URL`, else `KRATOS_ADMIN_URL` (the
//! variable Kratos' own CLI reads). The optional admin API key (a Nexus extension) comes from
//! `--api-key` or `NEXUS_ADMIN_API_KEY` and is sent as `Authorization: Bearer <key>`.

use std::time::Duration;

use clap::Args;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use url::Url;

/// Where the admin API is, shared by the remote commands.
#[derive(Debug, Clone, Args)]
pub struct EndpointArgs {
    /// The admin API base URL (else NEXUS_ADMIN_URL or KRATOS_ADMIN_URL).
    #[arg(short = 'e', long = "endpoint", global = true)]
    pub endpoint: Option<String>,
    /// Admin API key sent as a bearer token (else NEXUS_ADMIN_API_KEY).
    #[arg(long = "api-key", global = true, hide_env_values = true)]
    pub api_key: Option<String>,
}

/// Why a remote command failed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// No endpoint configured or an unusable one.
    #[error("{0}")]
    Usage(String),
    /// The server could not be reached or sent something unreadable.
    #[error("cannot reach the admin API at {url}: {reason}")]
    Transport {
        /// The URL called.
        url: String,
        /// What went wrong.
        reason: String,
    },
    /// The server answered with an error.
    #[error("{status}: {message}")]
    Api {
        /// HTTP status.
        status: StatusCode,
        /// The Kratos error's reason, or message, or the body.
        message: String,
    },
}

impl ClientError {
    /// The process exit status for this error (64 for usage errors, 1 otherwise).
    pub fn exit_code(&self) -> u8 {
        match self {
            ClientError::Usage(_) => 64,
            _ => 1,
        }
    }
}

/// An admin API client.
#[derive(Debug, Clone)]
pub struct AdminClient {
    base: Url,
    http: reqwest::Client,
    api_key: Option<String>,
}

/// One page of identities and the token of the next one.
#[derive(Debug)]
pub struct Page {
    /// The identities, as the server rendered them.
    pub items: Vec<Value>,
    /// `page_token` of the next page, if the `Link` header names one.
    pub next_token: Option<String>,
}

impl AdminClient {
    /// Resolves the endpoint from the flags and environment.
    pub fn from_args(args: &EndpointArgs) -> Result<Self, ClientError> {
        let env = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        let endpoint = args
            .endpoint
            .clone()
            .or_else(|| env("NEXUS_ADMIN_URL"))
            .or_else(|| env("KRATOS_ADMIN_URL"))
            .ok_or_else(|| {
                ClientError::Usage(
                    "no admin endpoint: pass --endpoint URL or set NEXUS_ADMIN_URL (or KRATOS_ADMIN_URL)"
                        .into(),
                )
            })?;
        let api_key = args.api_key.clone().or_else(|| env("NEXUS_ADMIN_API_KEY"));
        Self::new(&endpoint, api_key)
    }

    /// A client for `endpoint` (e.g. `http://127.0.0.1:4434`).
    pub fn new(endpoint: &str, api_key: Option<String>) -> Result<Self, ClientError> {
        let mut base = Url::parse(endpoint).map_err(|e| {
            ClientError::Usage(format!("the admin endpoint {endpoint:?} is not a URL: {e}"))
        })?;
        if !matches!(base.scheme(), "http" | "https") {
            return Err(ClientError::Usage(format!(
                "the admin endpoint {endpoint:?} must be an http(s) URL"
            )));
        }
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(300))
            .build()
            .map_err(|e| ClientError::Usage(format!("cannot build the HTTP client: {e}")))?;
        Ok(AdminClient {
            base,
            http,
            api_key,
        })
    }

    fn url(&self, path: &str) -> Result<Url, ClientError> {
        self.base
            .join(path)
            .map_err(|e| ClientError::Usage(format!("bad path {path:?}: {e}")))
    }

    async fn call(
        &self,
        method: Method,
        url: Url,
        body: Option<&Value>,
    ) -> Result<(StatusCode, reqwest::header::HeaderMap, Vec<u8>), ClientError> {
        let mut req = self.http.request(method, url.clone());
        if let Some(key) = &self.api_key {
            req = req.bearer_auth(key);
        }
        if let Some(body) = body {
            req = req.json(body);
        }
        let transport = |e: reqwest::Error| ClientError::Transport {
            url: url.to_string(),
            reason: e.without_url().to_string(),
        };
        let res = req.send().await.map_err(transport)?;
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.bytes().await.map_err(transport)?.to_vec();
        if !status.is_success() {
            return Err(ClientError::Api {
                status,
                message: error_message(&bytes),
            });
        }
        Ok((status, headers, bytes))
    }

    async fn json(
        &self,
        method: Method,
        url: Url,
        body: Option<&Value>,
    ) -> Result<Value, ClientError> {
        let shown = url.to_string();
        let (_, _, bytes) = self.call(method, url, body).await?;
        serde_json::from_slice(&bytes).map_err(|e| ClientError::Transport {
            url: shown,
            reason: format!("the response is not JSON: {e}"),
        })
    }

    /// `GET /admin/identities` with keyset paging.
    pub async fn list_identities(
        &self,
        page_size: u32,
        page_token: Option<&str>,
    ) -> Result<Page, ClientError> {
        let mut url = self.url("admin/identities")?;
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("page_size", &page_size.to_string());
            if let Some(t) = page_token {
                q.append_pair("page_token", t);
            }
        }
        let shown = url.to_string();
        let (_, headers, bytes) = self.call(Method::GET, url, None).await?;
        let items: Vec<Value> =
            serde_json::from_slice(&bytes).map_err(|e| ClientError::Transport {
                url: shown,
                reason: format!("the response is not a JSON array: {e}"),
            })?;
        let next_token = headers
            .get_all(reqwest::header::LINK)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(next_page_token);
        Ok(Page { items, next_token })
    }

    /// `GET /admin/identities/{id}`, with the named credentials' configs included.
    pub async fn get_identity(&self, id: &str, include: &[String]) -> Result<Value, ClientError> {
        let mut url = self.url(&format!("admin/identities/{}", path_segment(id)))?;
        for c in include {
            url.query_pairs_mut().append_pair("include_credential", c);
        }
        self.json(Method::GET, url, None).await
    }

    /// `DELETE /admin/identities/{id}`.
    pub async fn delete_identity(&self, id: &str) -> Result<(), ClientError> {
        let url = self.url(&format!("admin/identities/{}", path_segment(id)))?;
        self.call(Method::DELETE, url, None).await.map(|_| ())
    }

    /// `PATCH /admin/identities`: creates the identities, one result per input, in order.
    pub async fn batch_create(&self, identities: &[Value]) -> Result<Vec<Value>, ClientError> {
        let patches: Vec<Value> = identities
            .iter()
            .enumerate()
            .map(|(i, body)| json!({ "create": body, "patch_id": patch_id(i) }))
            .collect();
        let url = self.url("admin/identities")?;
        let res = self
            .json(Method::PATCH, url, Some(&json!({ "identities": patches })))
            .await?;
        let results = res
            .get("identities")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        Ok(results)
    }
}

/// A deterministic patch id for the `i`-th item of a batch (the server echoes it back).
pub fn patch_id(i: usize) -> String {
    format!("00000000-0000-4000-8000-{i:012x}")
}

fn path_segment(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The `page_token` of the `rel="next"` link in a `Link` header value.
pub fn next_page_token(link: &str) -> Option<String> {
    link.split(',').find_map(|part| {
        let (target, params) = part.split_once(';')?;
        if !params
            .split(';')
            .any(|p| matches!(p.trim(), "rel=\"next\"" | "rel=next"))
        {
            return None;
        }
        let target = target.trim().trim_start_matches('<').trim_end_matches('>');
        let url = Url::parse(target)
            .or_else(|_| Url::parse("http://x/").and_then(|b| b.join(target)))
            .ok()?;
        url.query_pairs()
            .find(|(k, _)| k == "page_token")
            .map(|(_, v)| v.into_owned())
    })
}

/// The most useful line of a Kratos error body.
fn error_message(body: &[u8]) -> String {
    let Ok(v) = serde_json::from_slice::<Value>(body) else {
        return String::from_utf8_lossy(body)
            .trim()
            .chars()
            .take(500)
            .collect();
    };
    let e = v.get("error").unwrap_or(&v);
    let text = |k: &str| e.get(k).and_then(Value::as_str).filter(|s| !s.is_empty());
    match (text("message"), text("reason")) {
        (Some(m), Some(r)) if m != r => format!("{m}: {r}"),
        (Some(m), _) => m.to_string(),
        (None, Some(r)) => r.to_string(),
        (None, None) => v.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_next_page_token_in_a_link_header() {
        let link = "</admin/identities?page_size=2&page_token=abc>; rel=\"first\",</admin/identities?page_size=2&page_token=n%2Bxt>; rel=\"next\"";
        assert_eq!(next_page_token(link).as_deref(), Some("n+xt"));
        assert_eq!(next_page_token("</a?page_token=x>; rel=\"first\""), None);
    }

    #[test]
    fn reads_kratos_error_bodies() {
        let body = br#"{"error":{"code":409,"status":"Conflict","reason":"This identity conflicts with another identity that already exists.","message":"The resource could not be created due to a conflict"}}"#;
        assert_eq!(
            error_message(body),
            "The resource could not be created due to a conflict: This identity conflicts with another identity that already exists."
        );
        assert_eq!(error_message(b"plain"), "plain");
    }

    #[test]
    fn endpoint_must_be_http() {
        assert!(matches!(
            AdminClient::new("ftp://x", None),
            Err(ClientError::Usage(_))
        ));
        assert!(AdminClient::new("http://127.0.0.1:4434", None).is_ok());
    }
}
