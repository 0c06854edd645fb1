//! Session and CSRF cookies.

use cookie::time::Duration as CookieDuration;
use cookie::{Cookie, SameSite};
use http::header::{COOKIE, SET_COOKIE};
use http::{HeaderMap, HeaderValue};
use sha2::{Digest, Sha256};

use crate::domain::{self, Session};
use crate::options::{CookieOptions, Options};
use crate::session::cookie::{self as codec, CookieValue};

/// All cookies of a request, as `(name, value)`.
pub fn parse(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| Cookie::parse_encoded(pair.trim().to_string()).ok())
        .map(|c| (c.name().to_string(), c.value().to_string()))
        .collect()
}

/// The value of cookie `name`.
pub fn get(cookies: &[(String, String)], name: &str) -> Option<String> {
    cookies
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.clone())
}

/// `csrf_token_<hex sha256(public base URL)>`.
pub fn csrf_cookie_name(opts: &Options) -> String {
    let digest = Sha256::digest(opts.public_url.as_str().as_bytes());
    format!("csrf_token_{}", hex::encode(digest))
}

fn same_site(value: &str) -> SameSite {
    match value.to_ascii_lowercase().as_str() {
        "strict" => SameSite::Strict,
        "none" => SameSite::None,
        _ => SameSite::Lax,
    }
}

fn build(
    opts: &Options,
    attrs: &CookieOptions,
    name: &str,
    value: String,
    max_age: Option<i64>,
) -> Cookie<'static> {
    let secure = opts.secure_cookies();
    let mut site = same_site(&attrs.same_site);
    if !secure && site == SameSite::None {
        site = SameSite::Lax;
    }
    let mut c = Cookie::build((name.to_string(), value))
        .path(attrs.path.clone())
        .http_only(true)
        .secure(secure)
        .same_site(site)
        .build();
    if let Some(d) = &attrs.domain {
        c.set_domain(d.clone());
    }
    if let Some(secs) = max_age {
        c.set_max_age(CookieDuration::seconds(secs));
    }
    c
}

fn append(headers: &mut HeaderMap, c: &Cookie<'_>) {
    if let Ok(v) = HeaderValue::from_str(&c.encoded().to_string()) {
        headers.append(SET_COOKIE, v);
    }
}

/// Sets the CSRF cookie to `token` (one year).
pub fn set_csrf(headers: &mut HeaderMap, opts: &Options, token: &str) {
    let c = build(
        opts,
        &opts.cookies,
        &csrf_cookie_name(opts),
        token.to_string(),
        Some(365 * 24 * 3600),
    );
    append(headers, &c);
}

/// Sets the session cookie for `session`.
pub fn set_session(headers: &mut HeaderMap, opts: &Options, session: &Session) {
    let value = codec::encode(
        &CookieValue {
            session_token: session.token.clone(),
            expires_at: session.expires_at,
            nonce: domain::token::letters(8),
        },
        &opts.cookie_secrets,
    );
    let attrs = &opts.session.cookie;
    let max_age = attrs
        .persistent
        .then(|| (session.expires_at - domain::now()).num_seconds().max(0));
    append(headers, &build(opts, attrs, &attrs.name, value, max_age));
}

/// Clears the session cookie.
pub fn clear_session(headers: &mut HeaderMap, opts: &Options) {
    let attrs = &opts.session.cookie;
    append(
        headers,
        &build(opts, attrs, &attrs.name, String::new(), Some(0)),
    );
}

/// The session token inside a session cookie, if its signature verifies.
pub fn session_token_from(cookies: &[(String, String)], opts: &Options) -> Option<CookieValue> {
    let raw = get(cookies, &opts.session.cookie.name)?;
    codec::decode(&raw, &opts.cookie_secrets)
}
