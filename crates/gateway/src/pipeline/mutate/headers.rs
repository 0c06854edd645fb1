//! `noop`, `header` and `cookie`.

use std::collections::BTreeMap;
use std::sync::Arc;

use http::{HeaderName, HeaderValue};
use serde::Deserialize;

use crate::error::GatewayError;
use crate::pipeline::authn::token_from::cookies;
use crate::pipeline::template::RuleTemplate;
use crate::pipeline::{AuthenticationSession, MutateNow, RequestContext, Services};

/// Copies all request headers into the session (so decisions echo them).
pub struct Noop;

impl MutateNow for Noop {
    fn apply(
        &self,
        req: &RequestContext,
        s: &mut AuthenticationSession,
    ) -> Result<(), GatewayError> {
        for (k, v) in req.headers.iter() {
            if !s.header.contains_key(k) {
                s.header.insert(k.clone(), v.clone());
            }
        }
        Ok(())
    }
}

/// `header {headers}`.
#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct HeaderConfig {
    /// Header name → template.
    pub headers: BTreeMap<String, String>,
}

/// Sets templated headers.
pub struct Header {
    headers: Vec<(HeaderName, Arc<RuleTemplate>)>,
}

impl Header {
    /// Parses every template once.
    pub fn new(cfg: HeaderConfig, services: &Services) -> Result<Self, String> {
        let headers = cfg
            .headers
            .iter()
            .map(|(k, v)| {
                let name = HeaderName::from_bytes(k.as_bytes())
                    .map_err(|e| format!("headers.{k}: {e}"))?;
                Ok((name, services.template(v)?))
            })
            .collect::<Result<_, String>>()?;
        Ok(Self { headers })
    }
}

impl MutateNow for Header {
    fn apply(
        &self,
        _req: &RequestContext,
        s: &mut AuthenticationSession,
    ) -> Result<(), GatewayError> {
        for (name, tpl) in &self.headers {
            // `try_from(String)` takes the rendered buffer without copying it.
            let value = HeaderValue::try_from(tpl.render(s)?).map_err(|_| {
                GatewayError::internal(format!("header {name} rendered an invalid value"))
            })?;
            s.header.insert(name.clone(), value);
        }
        Ok(())
    }
}

/// `cookie {cookies}`.
#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct CookieConfig {
    /// Cookie name → template.
    pub cookies: BTreeMap<String, String>,
}

/// Rewrites the `Cookie` header: templated cookies plus the request's other cookies.
pub struct Cookie {
    cookies: Vec<(String, Arc<RuleTemplate>)>,
}

impl Cookie {
    /// Parses every template once.
    pub fn new(cfg: CookieConfig, services: &Services) -> Result<Self, String> {
        let cookies = cfg
            .cookies
            .iter()
            .map(|(k, v)| Ok((k.clone(), services.template(v)?)))
            .collect::<Result<_, String>>()?;
        Ok(Self { cookies })
    }
}

impl MutateNow for Cookie {
    fn apply(
        &self,
        req: &RequestContext,
        s: &mut AuthenticationSession,
    ) -> Result<(), GatewayError> {
        let mut parts = Vec::new();
        for (name, tpl) in &self.cookies {
            parts.push(format!("{name}={}", tpl.render(s)?));
        }
        for (name, value) in cookies(req) {
            if !self.cookies.iter().any(|(n, _)| n == name) {
                parts.push(format!("{name}={value}"));
            }
        }
        let value = HeaderValue::from_str(&parts.join("; "))
            .map_err(|_| GatewayError::internal("cookie mutator rendered an invalid value"))?;
        s.header.insert(http::header::COOKIE, value);
        Ok(())
    }
}
