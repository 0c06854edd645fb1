//! `when: [{error: [...], request: {header: {accept, content_type}, remote_ip|cidr}}]`.

use std::net::IpAddr;

use serde::Deserialize;

use crate::error::GatewayError;
use crate::pipeline::RequestContext;

/// One `when` entry; all its parts must match.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default)]
pub struct WhenEntry {
    /// snake_case status names (`unauthorized`, `forbidden`, …).
    pub error: Vec<String>,
    /// Request conditions.
    pub request: Option<WhenRequest>,
}

/// `when[].request`.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default)]
pub struct WhenRequest {
    /// Header conditions.
    pub header: WhenHeader,
    /// Docs form: `{match: [cidr], respect_forwarded_for_header}`.
    pub remote_ip: Option<RemoteIp>,
    /// Schema form: list of CIDRs.
    pub cidr: Vec<String>,
}

/// `when[].request.header`.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default)]
pub struct WhenHeader {
    /// Accepted media types (wildcards allowed).
    pub accept: Vec<String>,
    /// Content types (wildcards allowed).
    pub content_type: Vec<String>,
}

/// `remote_ip`.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default)]
pub struct RemoteIp {
    /// CIDRs.
    #[serde(rename = "match")]
    pub matches: Vec<String>,
    /// Use the first `X-Forwarded-For` address.
    pub respect_forwarded_for_header: bool,
}

/// Whether any entry of `when` selects the error (an empty `when` selects everything).
pub fn matches(when: &[WhenEntry], err: &GatewayError, req: &RequestContext) -> bool {
    when.is_empty() || when.iter().any(|w| entry_matches(w, err, req))
}

fn entry_matches(w: &WhenEntry, err: &GatewayError, req: &RequestContext) -> bool {
    if !w.error.is_empty() {
        let name = err.status_name();
        if !w.error.iter().any(|e| *e == name) {
            return false;
        }
    }
    let Some(r) = &w.request else { return true };
    let header_ok = |name: &str, want: &[String]| {
        if want.is_empty() {
            return true;
        }
        let got = req
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("application/octet-stream");
        got.split(',')
            .map(|t| t.split(';').next().unwrap_or("").trim())
            .any(|t| want.iter().any(|w| media_matches(w, t)))
    };
    if !header_ok("accept", &r.header.accept) || !header_ok("content-type", &r.header.content_type)
    {
        return false;
    }
    let mut cidrs = r.cidr.clone();
    let mut forwarded = false;
    if let Some(ip) = &r.remote_ip {
        cidrs.extend(ip.matches.iter().cloned());
        forwarded = ip.respect_forwarded_for_header;
    }
    if cidrs.is_empty() {
        return true;
    }
    let addr = forwarded
        .then(|| {
            req.headers
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.split(',').next())
                .and_then(|v| v.trim().parse::<IpAddr>().ok())
        })
        .flatten()
        .or(req.remote_addr);
    addr.is_some_and(|a| cidrs.iter().any(|c| cidr_contains(c, a)))
}

fn media_matches(pattern: &str, got: &str) -> bool {
    let (pt, ps) = pattern.split_once('/').unwrap_or((pattern, "*"));
    let (gt, gs) = got.split_once('/').unwrap_or((got, ""));
    (pt == "*" || pt.eq_ignore_ascii_case(gt)) && (ps == "*" || ps.eq_ignore_ascii_case(gs))
}

/// `10.0.0.0/8` contains `addr` (a bare address is a /32 or /128).
pub fn cidr_contains(cidr: &str, addr: IpAddr) -> bool {
    let (net, bits) = match cidr.split_once('/') {
        Some((n, b)) => (n, b.parse::<u32>().ok()),
        None => (cidr, None),
    };
    match (net.parse::<IpAddr>(), addr) {
        (Ok(IpAddr::V4(n)), IpAddr::V4(a)) => {
            let bits = bits.unwrap_or(32).min(32);
            let mask = if bits == 0 {
                0
            } else {
                u32::MAX << (32 - bits)
            };
            u32::from(n) & mask == u32::from(a) & mask
        }
        (Ok(IpAddr::V6(n)), IpAddr::V6(a)) => {
            let bits = bits.unwrap_or(128).min(128);
            let mask = if bits == 0 {
                0
            } else {
                u128::MAX << (128 - bits)
            };
            u128::from(n) & mask == u128::from(a) & mask
        }
        _ => false,
    }
}
