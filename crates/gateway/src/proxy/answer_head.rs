//! The upstream's response head, read by the direct exchange: status, framing (RFC 9112
//! §6.3), keep-alive, and the header fields without hop-by-hop ones, either as a header map
//! or, for the gateway's own HTTP/1.1 writer, as the text it writes ([`RawFields`]), which
//! saves building a map that would only be written out again.

use bytes::{Buf, BytesMut};
use http::{HeaderMap, HeaderName, HeaderValue, Response, StatusCode, Version};

use super::direct::{Chunk, Framing};
use super::forward::HOP_BY_HOP;
use super::request::has_token;

/// Most response header fields accepted (as hyper's client).
const MAX_HEADERS: usize = 100;

/// The header fields of an answer as `name: value\r\n` lines, hop-by-hop fields left out
/// (the answer's header map is then empty).
#[derive(Debug, Clone)]
pub struct RawFields {
    /// The lines.
    pub lines: Vec<u8>,
    /// Whether a `date` field is among them.
    pub has_date: bool,
    /// `Some` when a `content-length` field is among them: its value, if it is a number.
    pub length: Option<Option<u64>>,
}

impl RawFields {
    /// The fields as a header map (lines that are not a valid field are left out; the
    /// parser let through none).
    pub fn header_map(&self) -> HeaderMap {
        let mut map = HeaderMap::new();
        for line in self.lines.split(|&b| b == b'\n') {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if let Ok((name, value)) = field_line(line) {
                map.append(name, value);
            }
        }
        map
    }
}

/// One `name: value` line (of these fields, or of a chunked body's trailer section, whose
/// error the message names).
pub(super) fn field_line(line: &[u8]) -> Result<(HeaderName, HeaderValue), String> {
    let colon = line
        .iter()
        .position(|b| *b == b':')
        .ok_or("invalid trailer field")?;
    let name = HeaderName::from_bytes(&line[..colon]).map_err(|e| e.to_string())?;
    let value =
        HeaderValue::from_bytes(line[colon + 1..].trim_ascii()).map_err(|e| e.to_string())?;
    Ok((name, value))
}

/// A parsed response head.
pub struct ParsedHead {
    /// Status, version and (unless raw) the header map.
    pub parts: http::response::Parts,
    /// The header fields as text (when parsed raw).
    pub raw: Option<RawFields>,
    /// How the body ends.
    pub framing: Framing,
    /// Whether the connection may serve another request afterwards.
    pub keep_alive: bool,
}

/// Parses a complete response head off the front of `buf` (`None`: not complete yet).
/// `bodiless`: the request was `HEAD`. `raw`: the fields as [`RawFields`].
pub fn parse(buf: &mut BytesMut, bodiless: bool, raw: bool) -> Result<Option<ParsedHead>, String> {
    // Uninitialized: zeroing 100 headers would cost more than parsing a small head.
    let mut headers =
        [const { std::mem::MaybeUninit::<httparse::Header<'_>>::uninit() }; MAX_HEADERS];
    let mut resp = httparse::Response::new(&mut []);
    let len = match httparse::ParserConfig::default().parse_response_with_uninit_headers(
        &mut resp,
        buf,
        &mut headers,
    ) {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(e) => return Err(format!("invalid response head: {e}")),
    };
    let status = StatusCode::from_u16(resp.code.unwrap_or(0)).map_err(|e| e.to_string())?;
    let version = if resp.version == Some(0) {
        Version::HTTP_10
    } else {
        Version::HTTP_11
    };
    let fields = &*resp.headers;
    // Each name is classified once; the loops below look at the kinds.
    let mut kinds = [Kind::Other; MAX_HEADERS];
    for (k, h) in kinds.iter_mut().zip(fields) {
        *k = Kind::of(h.name);
    }
    let kinds = &kinds[..fields.len()];
    let values = |kind: Kind| {
        fields
            .iter()
            .zip(kinds)
            .filter(move |(_, &k)| k == kind)
            .map(|(h, _)| h.value)
    };
    let mut close = version == Version::HTTP_10;
    for v in values(Kind::Connection) {
        if has_token(v, "close") {
            close = true;
        } else if version == Version::HTTP_10 && has_token(v, "keep-alive") {
            close = false;
        }
    }
    let framing = framing(
        status,
        bodiless,
        values(Kind::TransferEncoding).last(),
        values(Kind::ContentLength),
    )?;
    let mut parts = Response::new(()).into_parts().0;
    parts.status = status;
    parts.version = version;
    let mut raw_fields = None;
    if raw {
        // `Connection: keep-alive` (the usual case) names no field that is not hop-by-hop
        // already, so the fields need not each be looked up in it.
        let names_fields = values(Kind::Connection).any(|v| {
            v.split(|&b| b == b',')
                .any(|t| !t.trim_ascii().eq_ignore_ascii_case(b"keep-alive"))
        });
        let listed =
            |name: &str| names_fields && values(Kind::Connection).any(|v| has_token(v, name));
        let bodiless_status = status.is_informational() || status == StatusCode::NO_CONTENT;
        let mut out = RawFields {
            lines: Vec::with_capacity(len),
            has_date: false,
            length: None,
        };
        for (h, &kind) in fields.iter().zip(kinds) {
            let name = h.name;
            if kind.is_hop_by_hop() || listed(name) {
                continue;
            }
            if kind == Kind::ContentLength {
                if bodiless_status {
                    continue;
                }
                out.length = Some(
                    std::str::from_utf8(h.value)
                        .ok()
                        .and_then(|v| v.parse().ok()),
                );
            }
            out.has_date |= kind == Kind::Date;
            out.lines.extend_from_slice(name.as_bytes());
            out.lines.extend_from_slice(b": ");
            out.lines.extend_from_slice(h.value);
            out.lines.extend_from_slice(b"\r\n");
        }
        buf.advance(len);
        raw_fields = Some(out);
    } else {
        // Offsets first: the field slices borrow `buf`, which is split below.
        let base = buf.as_ptr() as usize;
        let spans = fields
            .iter()
            .map(|h| {
                let name = HeaderName::from_bytes(h.name.as_bytes()).map_err(|e| e.to_string())?;
                let start = h.value.as_ptr() as usize - base;
                Ok((name, start, start + h.value.len()))
            })
            .collect::<Result<Vec<_>, String>>()?;
        parts.headers = header_map(buf.split_to(len).freeze(), spans)?;
    }
    Ok(Some(ParsedHead {
        parts,
        raw: raw_fields,
        framing,
        keep_alive: !close,
    }))
}

/// What a response field is to the exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Connection,
    ContentLength,
    TransferEncoding,
    Date,
    /// Another hop-by-hop field ([`HOP_BY_HOP`]).
    HopByHop,
    Other,
}

impl Kind {
    fn of(name: &str) -> Self {
        let is = |n: &str| name.eq_ignore_ascii_case(n);
        match name.len() {
            4 if is("date") => Self::Date,
            10 if is("connection") => Self::Connection,
            14 if is("content-length") => Self::ContentLength,
            17 if is("transfer-encoding") => Self::TransferEncoding,
            _ if HOP_BY_HOP.iter().any(|h| is(h)) => Self::HopByHop,
            _ => Self::Other,
        }
    }

    fn is_hop_by_hop(self) -> bool {
        matches!(
            self,
            Self::Connection | Self::TransferEncoding | Self::HopByHop
        )
    }
}

/// The fields at `spans` (name, start, end) of `head` as a header map whose values share the
/// head's memory.
fn header_map(
    head: bytes::Bytes,
    spans: Vec<(HeaderName, usize, usize)>,
) -> Result<HeaderMap, String> {
    let mut map = HeaderMap::with_capacity(spans.len());
    for (name, start, end) in spans {
        let value =
            HeaderValue::from_maybe_shared(head.slice(start..end)).map_err(|e| e.to_string())?;
        map.append(name, value);
    }
    Ok(map)
}

/// The body's framing (RFC 9112 §6.3) from the last `Transfer-Encoding` value and the
/// `Content-Length` values.
fn framing<'a>(
    status: StatusCode,
    bodiless: bool,
    transfer_encoding: Option<&[u8]>,
    content_lengths: impl Iterator<Item = &'a [u8]>,
) -> Result<Framing, String> {
    if bodiless || status == StatusCode::NO_CONTENT || status == StatusCode::NOT_MODIFIED {
        return Ok(Framing::Length(0));
    }
    if let Some(last) = transfer_encoding {
        let chunked = std::str::from_utf8(last)
            .ok()
            .and_then(|v| v.rsplit(',').next())
            .is_some_and(|c| c.trim().eq_ignore_ascii_case("chunked"));
        return Ok(if chunked {
            Framing::Chunked(Chunk::Size)
        } else {
            Framing::UntilClose
        });
    }
    let mut length: Option<u64> = None;
    for v in content_lengths {
        let v = std::str::from_utf8(v).map_err(|_| "invalid content-length")?;
        for part in v.split(',') {
            let n: u64 = part
                .trim()
                .parse()
                .map_err(|_| format!("invalid content-length {part:?}"))?;
            if length.is_some_and(|l| l != n) {
                return Err("conflicting content-length values".into());
            }
            length = Some(n);
        }
    }
    Ok(length.map_or(Framing::UntilClose, Framing::Length))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(head: &str) -> (ParsedHead, RawFields) {
        let mut buf = BytesMut::from(head);
        let parsed = parse(&mut buf, false, true).unwrap().unwrap();
        assert!(buf.is_empty());
        assert!(parsed.parts.headers.is_empty());
        let fields = parsed.raw.clone().unwrap();
        (parsed, fields)
    }

    #[test]
    fn raw_fields_leave_out_hop_by_hop_and_connection_listed_ones() {
        let (parsed, f) = raw(
            "HTTP/1.1 200 OK\r\nServer: up\r\nConnection: keep-alive, X-Secret\r\n\
             Keep-Alive: timeout=5\r\nX-Secret: 1\r\nDate: Fri, 04 Dec 2026 10:00:00 GMT\r\n\
             Content-Length: 2\r\n\r\n",
        );
        assert_eq!(
            String::from_utf8(f.lines).unwrap(),
            "Server: up\r\nDate: Fri, 04 Dec 2026 10:00:00 GMT\r\nContent-Length: 2\r\n"
        );
        assert!(f.has_date);
        assert_eq!(f.length, Some(Some(2)));
        assert!(matches!(parsed.framing, Framing::Length(2)));
        assert!(parsed.keep_alive);
    }

    #[test]
    fn raw_and_mapped_heads_agree_on_framing_and_keep_alive() {
        for head in [
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
            "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n",
            "HTTP/1.1 204 No Content\r\nContent-Length: 7\r\nConnection: close\r\n\r\n",
            "HTTP/1.1 200 OK\r\n\r\n",
        ] {
            let (a, _) = raw(head);
            let mut buf = BytesMut::from(head);
            let b = parse(&mut buf, false, false).unwrap().unwrap();
            assert_eq!(
                format!("{:?}", a.framing),
                format!("{:?}", b.framing),
                "{head}"
            );
            assert_eq!(a.keep_alive, b.keep_alive, "{head}");
            assert_eq!(a.parts.status, b.parts.status);
        }
        let (_, f) = raw("HTTP/1.1 204 No Content\r\nContent-Length: 7\r\n\r\n");
        assert_eq!((f.lines.len(), f.length), (0, None), "no length on a 204");
    }

    #[test]
    fn raw_fields_as_a_header_map_are_the_mapped_fields_without_hop_by_hop_ones() {
        let head = "HTTP/1.1 200 OK\r\nServer: up\r\nConnection: keep-alive, X-Secret\r\n\
                    X-Secret: 1\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nX-Empty:\r\n\
                    Content-Length: 2\r\n\r\n";
        let (_, f) = raw(head);
        let mut mapped = parse(&mut BytesMut::from(head), false, false)
            .unwrap()
            .unwrap()
            .parts
            .headers;
        super::super::forward::strip_hop_by_hop(&mut mapped);
        assert_eq!(f.header_map(), mapped);
        assert_eq!(mapped.get_all("set-cookie").iter().count(), 2);
        assert_eq!(mapped["x-empty"], "");
    }

    #[test]
    fn conflicting_lengths_are_errors_either_way() {
        let head = "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n";
        for raw in [true, false] {
            assert!(parse(&mut BytesMut::from(head), false, raw).is_err());
        }
    }
}
