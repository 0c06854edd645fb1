//! Reading one request head off the buffer: a bodiless HTTP/1.1 request in origin form
//! becomes a [`PlainRequest`], its header fields left as text; anything else is left to hyper.

use super::PlainRequest;
use crate::pipeline::client_headers::FieldSpan;
use crate::pipeline::ClientHeaders;
use crate::proxy::request::has_token;
use bytes::BytesMut;
use http::{Method, StatusCode, Uri};

/// Most header fields in a head this loop serves; a head with more goes to hyper (which takes
/// up to 100, then answers 431).
const MAX_HEADERS: usize = 32;

/// What the buffer holds.
#[derive(Debug)]
pub enum Head {
    /// Not a whole head yet.
    Partial,
    /// A request this loop serves. Its head has been taken off the buffer.
    Plain(PlainRequest, Keep),
    /// A request hyper should serve (a body, an upgrade, `Expect`, HTTP/1.0, a proxy-form or
    /// `*` target, many header fields): the buffer is left as it was.
    Handoff,
    /// A malformed head: answer with this status and close.
    Bad(StatusCode),
}

/// Whether the connection stays open after the answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    /// HTTP/1.1 keep-alive.
    Alive,
    /// The client sent `Connection: close`.
    Close,
}

/// Parses the head at the start of `buf`; `limit` bounds its size (431 past it).
pub fn parse(buf: &mut BytesMut, limit: usize) -> Head {
    // Uninitialised: zeroing the slots would cost more than parsing a small head.
    let mut fields =
        [const { std::mem::MaybeUninit::<httparse::Header<'_>>::uninit() }; MAX_HEADERS];
    let mut req = httparse::Request::new(&mut []);
    let parsed = httparse::ParserConfig::default().parse_request_with_uninit_headers(
        &mut req,
        buf,
        &mut fields,
    );
    let len = match parsed {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) if buf.len() >= limit => {
            return Head::Bad(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE)
        }
        Ok(httparse::Status::Partial) => return Head::Partial,
        Err(httparse::Error::TooManyHeaders) => return Head::Handoff,
        Err(_) => return Head::Bad(StatusCode::BAD_REQUEST),
    };
    if len > limit {
        return Head::Bad(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
    }
    if req.version != Some(1) || !req.path.is_some_and(|p| p.starts_with('/')) {
        return Head::Handoff;
    }
    let mut keep = Keep::Alive;
    for f in req.headers.iter() {
        let n = f.name.as_bytes();
        if n.eq_ignore_ascii_case(b"content-length") {
            if f.value != b"0" {
                return Head::Handoff;
            }
        } else if n.eq_ignore_ascii_case(b"transfer-encoding")
            || n.eq_ignore_ascii_case(b"upgrade")
            || n.eq_ignore_ascii_case(b"expect")
        {
            return Head::Handoff;
        } else if n.eq_ignore_ascii_case(b"connection") && has_token(f.value, "close") {
            keep = Keep::Close;
        }
    }
    let method = req.method.unwrap_or_default();
    if method == "CONNECT" {
        return Head::Handoff;
    }
    let method = match Method::from_bytes(method.as_bytes()) {
        Ok(m) => m,
        Err(_) => return Head::Bad(StatusCode::BAD_REQUEST),
    };
    let path = span(buf, req.path.unwrap_or("/").as_bytes());
    // Positions, not slices: the head is then split off the buffer and shared by the URI and
    // the header fields without copying. httparse has checked the names and values as
    // `http`'s types would.
    let fields: Vec<FieldSpan> = req
        .headers
        .iter()
        .map(|f| {
            let (name, value) = (span(buf, f.name.as_bytes()), span(buf, f.value));
            [name.0, name.1, value.0, value.1]
        })
        .collect();
    let head = buf.split_to(len).freeze();
    let Ok(uri) = Uri::from_maybe_shared(head.slice(path.0 as usize..path.1 as usize)) else {
        return Head::Bad(StatusCode::BAD_REQUEST);
    };
    let headers = ClientHeaders::from_head(head, fields);
    Head::Plain(
        PlainRequest {
            method,
            uri,
            headers,
        },
        keep,
    )
}

/// Where `part` (a sub-slice of `buf`, inside a head of at most `limit` bytes) lies in it.
fn span(buf: &[u8], part: &[u8]) -> (u32, u32) {
    let start = part.as_ptr() as usize - buf.as_ptr() as usize;
    (start as u32, (start + part.len()) as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(s: &str) -> (Head, usize) {
        let mut buf = BytesMut::from(s);
        let head = parse(&mut buf, 1024);
        (head, buf.len())
    }

    #[test]
    fn a_plain_get_is_served_here_and_leaves_the_next_request() {
        let (head, left) =
            parse_str("GET /a?b=1 HTTP/1.1\r\nHost: x\r\nX-A: 1\r\nX-A: 2\r\n\r\nGET /next");
        let Head::Plain(req, Keep::Alive) = head else {
            panic!("{head:?}")
        };
        assert_eq!(req.method, Method::GET);
        assert_eq!(req.uri, "/a?b=1");
        assert_eq!(req.headers.first("host"), Some(&b"x"[..]));
        assert_eq!(req.headers.all("x-a").collect::<Vec<_>>(), [b"1", b"2"]);
        let map = req.into_http();
        assert_eq!(map.headers()["host"], "x");
        assert_eq!(map.headers().get_all("x-a").iter().count(), 2);
        assert_eq!(left, "GET /next".len());
    }

    #[test]
    fn connection_close_is_honoured() {
        let (head, _) = parse_str("GET / HTTP/1.1\r\nConnection: keep-alive, Close\r\n\r\n");
        assert!(matches!(head, Head::Plain(_, Keep::Close)), "{head:?}");
    }

    #[test]
    fn unusual_requests_go_to_hyper_untouched() {
        for s in [
            "POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc",
            "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
            "GET / HTTP/1.1\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n",
            "PUT / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 0\r\n\r\n",
            "GET / HTTP/1.0\r\n\r\n",
            "GET http://x/ HTTP/1.1\r\n\r\n",
            "OPTIONS * HTTP/1.1\r\n\r\n",
            "CONNECT x:443 HTTP/1.1\r\n\r\n",
        ]
        .into_iter()
        .map(str::to_owned)
        .chain([format!(
            "GET / HTTP/1.1\r\n{}\r\n",
            "X-A: 1\r\n".repeat(MAX_HEADERS + 1)
        )]) {
            let mut buf = BytesMut::from(s.as_str());
            let head = parse(&mut buf, 4096);
            let left = buf.len();
            assert!(matches!(head, Head::Handoff), "{s:?}: {head:?}");
            assert_eq!(left, s.len(), "{s:?}");
        }
    }

    #[test]
    fn an_empty_content_length_stays_here() {
        let (head, _) = parse_str("DELETE /x HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
        assert!(matches!(head, Head::Plain(..)), "{head:?}");
    }

    #[test]
    fn partial_bad_and_oversized_heads() {
        assert!(matches!(
            parse_str("GET / HTTP/1.1\r\nHost").0,
            Head::Partial
        ));
        assert!(matches!(
            parse_str("G@T / HTTP/1.1\r\n\r\n").0,
            Head::Bad(StatusCode::BAD_REQUEST)
        ));
        let big = format!("GET / HTTP/1.1\r\nX: {}", "a".repeat(2000));
        assert!(matches!(
            parse_str(&big).0,
            Head::Bad(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE)
        ));
    }
}
