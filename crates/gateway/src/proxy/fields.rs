//! The upstream request's header fields, chosen in one pass over the client's: without
//! hop-by-hop and forwarding fields and those the session replaces, then `X-Forwarded-*`, the
//! session's fields and `Host`. They go into a header map (hyper's client) or straight into
//! an encoded head (the direct exchange) through [`Fields`].

use http::header::{self, HeaderName};
use http::{HeaderMap, HeaderValue};

use super::forward::{connection_named, is_hop_by_hop};
use super::request::ForwardedPolicy;
use crate::engine::Allowed;
use crate::pipeline::RequestContext;
use crate::rule::set::UpstreamTarget;

/// Where the upstream request's fields go.
pub trait Fields {
    /// Adds a field whose value already exists (the client's, the session's, a static one).
    fn add(&mut self, name: &HeaderName, value: &HeaderValue);
    /// Adds a field built for this request; left out when `value` is not a valid field value.
    fn add_text(&mut self, name: &HeaderName, value: &str);
}

impl Fields for HeaderMap {
    fn add(&mut self, name: &HeaderName, value: &HeaderValue) {
        self.append(name.clone(), value.clone());
    }

    fn add_text(&mut self, name: &HeaderName, value: &str) {
        if let Ok(v) = HeaderValue::from_str(value) {
            self.append(name.clone(), v);
        }
    }
}

/// Writes the upstream request's fields (see the module docs) to `out`. Each name is added
/// once at most, except the client's repeated fields.
pub fn upstream_fields(
    ctx: &RequestContext,
    allowed: &Allowed,
    target: &UpstreamTarget,
    policy: &ForwardedPolicy,
    out: &mut impl Fields,
) {
    let spec = &allowed.rule.spec.upstream;
    let src = &*ctx.headers;
    let named = if src.contains_key(header::CONNECTION) {
        connection_named(src)
    } else {
        Vec::new()
    };
    let session = &allowed.session.header;
    for (k, v) in src {
        if is_hop_by_hop(k)
            || is_forwarding(k)
            || (k == header::HOST && !spec.preserve_host)
            || session.contains_key(k)
            || named.contains(k)
        {
            continue;
        }
        out.add(k, v);
    }
    // A mutator's own value for a forwarding field wins (it comes with the session's).
    if !session.contains_key(X_FORWARDED_FOR) {
        if let Some(peer) = ctx.remote_addr.map(ip_text) {
            let prev = policy
                .trust
                .then(|| src.get(X_FORWARDED_FOR).and_then(|v| v.to_str().ok()))
                .flatten();
            match prev {
                Some(prev) => out.add_text(&X_FORWARDED_FOR, &format!("{prev}, {peer}")),
                None => out.add_text(&X_FORWARDED_FOR, &peer),
            }
        }
    }
    if !session.contains_key(X_FORWARDED_HOST) {
        let host = policy
            .trust
            .then(|| src.get(X_FORWARDED_HOST))
            .flatten()
            .or_else(|| {
                src.get(header::HOST)
                    .filter(|h| h.as_bytes() == ctx.url.host.as_bytes())
            });
        match host {
            Some(h) => out.add(&X_FORWARDED_HOST, h),
            None => out.add_text(&X_FORWARDED_HOST, &ctx.url.host),
        }
    }
    if !session.contains_key(X_FORWARDED_PROTO) {
        match policy.trust.then(|| src.get(X_FORWARDED_PROTO)).flatten() {
            Some(p) => out.add(&X_FORWARDED_PROTO, p),
            None if ctx.url.scheme == "https" => {
                out.add(&X_FORWARDED_PROTO, &HeaderValue::from_static("https"))
            }
            None => out.add(&X_FORWARDED_PROTO, &HeaderValue::from_static("http")),
        }
    }
    for (k, v) in session {
        out.add(k, v);
    }
    if !spec.preserve_host {
        out.add(&header::HOST, &target.host_header);
    }
}

/// An address as text; IPv4 without the formatting machinery (this runs per request).
fn ip_text(ip: std::net::IpAddr) -> String {
    match ip {
        std::net::IpAddr::V4(v4) => {
            let mut s = String::with_capacity(15);
            for (i, &o) in v4.octets().iter().enumerate() {
                if i > 0 {
                    s.push('.');
                }
                if o >= 100 {
                    s.push(char::from(b'0' + o / 100));
                }
                if o >= 10 {
                    s.push(char::from(b'0' + o / 10 % 10));
                }
                s.push(char::from(b'0' + o % 10));
            }
            s
        }
        std::net::IpAddr::V6(_) => ip.to_string(),
    }
}

const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");
const X_FORWARDED_HOST: HeaderName = HeaderName::from_static("x-forwarded-host");
const X_FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");

fn is_forwarding(name: &HeaderName) -> bool {
    matches!(
        name.as_str(),
        "x-forwarded-for" | "x-forwarded-host" | "x-forwarded-proto" | "forwarded"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ip_text_matches_display() {
        for ip in [
            "0.0.0.0",
            "127.0.0.1",
            "10.20.100.255",
            "192.168.1.9",
            "::1",
            "fe80::1",
        ] {
            let ip: std::net::IpAddr = ip.parse().unwrap();
            assert_eq!(ip_text(ip), ip.to_string());
        }
    }
}
