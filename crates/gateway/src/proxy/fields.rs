//! The upstream request's header fields, chosen in one pass over the client's: without
//! hop-by-hop and forwarding fields and those the session replaces, then `X-Forwarded-*`, the
//! session's fields and `Host`. They go into a header map (hyper's client) or straight into
//! an encoded head (the direct exchange) through [`Fields`].

use http::header::{self, HeaderName};
use http::{HeaderMap, HeaderValue};

use super::forward::HOP_BY_HOP;
use super::request::ForwardedPolicy;
use crate::engine::Allowed;
use crate::pipeline::client_headers::visible_ascii;
use crate::pipeline::{ClientHeaders, RequestContext};
use crate::rule::set::UpstreamTarget;

/// Where the upstream request's fields go.
pub trait Fields {
    /// Adds a field whose value already exists (the client's, the session's, a static one).
    fn add(&mut self, name: &HeaderName, value: &HeaderValue);
    /// Adds a field built for this request; left out when `value` is not a valid field value.
    fn add_text(&mut self, name: &HeaderName, value: &str);
    /// Adds one of the client's fields as it came (its name and value are valid).
    fn add_client(&mut self, name: &[u8], value: &[u8]);
}

impl Fields for HeaderMap {
    fn add(&mut self, name: &HeaderName, value: &HeaderValue) {
        self.append(name.clone(), value.clone());
    }

    fn add_client(&mut self, name: &[u8], value: &[u8]) {
        if let (Ok(n), Ok(v)) = (HeaderName::from_bytes(name), HeaderValue::from_bytes(value)) {
            self.append(n, v);
        }
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
    let named = connection_named(src);
    let session = &allowed.session.header;
    for (k, v) in src.fields() {
        if is_hop_by_hop_or_forwarding(k)
            || (!spec.preserve_host && k.eq_ignore_ascii_case(b"host"))
            || session.has_raw(k)
            || named.iter().any(|n| n.as_bytes().eq_ignore_ascii_case(k))
        {
            continue;
        }
        out.add_client(k, v);
    }
    // A mutator's own value for a forwarding field wins (it comes with the session's).
    if !session.contains_key(&X_FORWARDED_FOR) {
        if let Some(peer) = ctx.remote_addr.map(IpText::new) {
            let peer = peer.as_str();
            let prev = policy
                .trust
                .then(|| src.first_str("x-forwarded-for"))
                .flatten();
            match prev {
                Some(prev) => out.add_text(&X_FORWARDED_FOR, &format!("{prev}, {peer}")),
                None => out.add_text(&X_FORWARDED_FOR, peer),
            }
        }
    }
    if !session.contains_key(&X_FORWARDED_HOST) {
        // Without a trusted one, the match URL's host: the client's `Host` as it came (or the
        // target's authority without one).
        match policy
            .trust
            .then(|| src.first("x-forwarded-host"))
            .flatten()
        {
            Some(h) => out.add_client(X_FORWARDED_HOST.as_str().as_bytes(), h),
            None => out.add_text(&X_FORWARDED_HOST, ctx.url.host()),
        }
    }
    if !session.contains_key(&X_FORWARDED_PROTO) {
        match policy
            .trust
            .then(|| src.first("x-forwarded-proto"))
            .flatten()
        {
            Some(p) => out.add_client(X_FORWARDED_PROTO.as_str().as_bytes(), p),
            None if ctx.url.scheme() == "https" => {
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

/// The names the client's `Connection` fields list beyond the hop-by-hop ones (none in the
/// usual request, which then allocates nothing).
fn connection_named(src: &ClientHeaders) -> Vec<&str> {
    src.all("connection")
        .filter_map(visible_ascii)
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|t| !HOP_BY_HOP.iter().any(|h| h.eq_ignore_ascii_case(t)))
        .collect()
}

/// An address as text, on the stack (this runs per request); IPv4 without the formatting
/// machinery.
struct IpText {
    buf: [u8; 45],
    len: usize,
}

impl IpText {
    fn new(ip: std::net::IpAddr) -> Self {
        use std::fmt::Write as _;
        let mut t = Self {
            buf: [0; 45],
            len: 0,
        };
        match ip {
            std::net::IpAddr::V4(v4) => {
                for (i, &o) in v4.octets().iter().enumerate() {
                    if i > 0 {
                        t.push(b'.');
                    }
                    if o >= 100 {
                        t.push(b'0' + o / 100);
                    }
                    if o >= 10 {
                        t.push(b'0' + o / 10 % 10);
                    }
                    t.push(b'0' + o % 10);
                }
            }
            // At most 45 characters: it fits.
            std::net::IpAddr::V6(v6) => {
                let _ = write!(t, "{v6}");
            }
        }
        t
    }

    fn push(&mut self, b: u8) {
        self.buf[self.len] = b;
        self.len += 1;
    }

    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or_default()
    }
}

impl std::fmt::Write for IpText {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = self.len + s.len();
        let dst = self.buf.get_mut(self.len..end).ok_or(std::fmt::Error)?;
        dst.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");
const X_FORWARDED_HOST: HeaderName = HeaderName::from_static("x-forwarded-host");
const X_FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");

/// Whether a client field named `name` (any case) is not passed on as it came: hop-by-hop
/// ([`HOP_BY_HOP`]) or forwarding (`X-Forwarded-For/Host/Proto`, `Forwarded`: the gateway
/// writes its own).
fn is_hop_by_hop_or_forwarding(name: &[u8]) -> bool {
    let is = |n: &str| name.eq_ignore_ascii_case(n.as_bytes());
    match name.len() {
        2 => is("te"),
        7 => is("trailer") || is("upgrade"),
        9 => is("forwarded"),
        10 => is("connection") || is("keep-alive"),
        15 => is("x-forwarded-for"),
        16 => is("proxy-connection") || is("x-forwarded-host"),
        17 => is("transfer-encoding") || is("x-forwarded-proto"),
        18 => is("proxy-authenticate"),
        19 => is("proxy-authorization"),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dropped_names_are_the_hop_by_hop_and_forwarding_ones() {
        let forwarding = [
            "x-forwarded-for",
            "x-forwarded-host",
            "x-forwarded-proto",
            "forwarded",
        ];
        for name in HOP_BY_HOP.iter().chain(&forwarding) {
            assert!(is_hop_by_hop_or_forwarding(name.as_bytes()), "{name}");
            let upper = name.to_ascii_uppercase();
            assert!(is_hop_by_hop_or_forwarding(upper.as_bytes()), "{upper}");
        }
        for name in [
            "host",
            "cookie",
            "x-forwarded",
            "x-forwarded-port",
            "tea",
            "upgrades",
        ] {
            assert!(!is_hop_by_hop_or_forwarding(name.as_bytes()), "{name}");
        }
    }

    #[test]
    fn ip_text_matches_display() {
        for ip in [
            "0.0.0.0",
            "127.0.0.1",
            "10.20.100.255",
            "192.168.1.9",
            "::1",
            "fe80::1",
            "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255",
        ] {
            let ip: std::net::IpAddr = ip.parse().unwrap();
            assert_eq!(IpText::new(ip).as_str(), ip.to_string());
        }
    }
}
