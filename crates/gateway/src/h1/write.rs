//! Writing a response: the status line, its headers plus `date` and the framing hyper would
//! add (`content-length` when the size is known, else chunked), then the body. The head and
//! the body's first frame go out in one write when the body is ready at once.

use std::cell::RefCell;
use std::io::Write as _;
use std::task::Poll;
#[cfg(not(any(target_os = "linux", target_os = "android")))]
use std::time::SystemTime;
use std::time::{Duration, UNIX_EPOCH};

use bytes::{Buf, Bytes};
use http::header::{CONTENT_LENGTH, DATE, TRANSFER_ENCODING};
use http::{HeaderMap, StatusCode};
use tokio::io::{AsyncWrite, AsyncWriteExt};

use super::Outgoing;
use crate::proxy::direct::RawFields;

/// Written bodies are flushed once this much is buffered.
const FLUSH_AT: usize = 64 * 1024;

/// How the request asked to be answered.
#[derive(Debug, Clone, Copy)]
pub struct Answer {
    /// A `HEAD` request: the head only.
    pub head_only: bool,
    /// Close the connection afterwards (`Connection: close`).
    pub close: bool,
    /// The client accepts trailers (`TE: trailers`).
    pub trailers: bool,
}

enum Framing {
    None,
    Length(u64),
    Chunked,
    UntilClose,
}

/// Writes `outgoing`; `Ok(true)` when the connection may serve another request. `out` is
/// the connection's reusable write buffer.
pub async fn response<W: AsyncWrite + Unpin>(
    io: &mut W,
    outgoing: Outgoing,
    answer: Answer,
    out: &mut Vec<u8>,
) -> std::io::Result<bool> {
    out.clear();
    // The head is written out and dropped before the first await: the future stays small.
    match outgoing {
        Outgoing::Response(resp) => {
            let (parts, body) = resp.into_parts();
            status_line(out, parts.status);
            let framing = head(out, &parts.headers, parts.status, answer, &body);
            drop(parts);
            with_body(io, framing, body, answer, out).await
        }
        Outgoing::Raw(mut raw) => {
            status_line(out, raw.status);
            let framing = raw_head(out, &raw.fields, raw.status, answer, &raw.body);
            // The body is read where it is, in its box.
            with_body(io, framing, &mut raw.body, answer, out).await
        }
    }
}

/// Ends the head in `out` and writes it with the body.
async fn with_body<W, B>(
    io: &mut W,
    framing: Framing,
    mut body: B,
    answer: Answer,
    out: &mut Vec<u8>,
) -> std::io::Result<bool>
where
    W: AsyncWrite + Unpin,
    B: hyper::body::Body<Data = Bytes> + Unpin,
{
    if answer.close {
        out.extend_from_slice(b"connection: close\r\n");
    }
    out.extend_from_slice(b"\r\n");
    let mut keep = !answer.close;
    let mut sent: u64 = 0;
    if matches!(framing, Framing::None) {
        io.write_all(out).await?;
        return Ok(keep);
    }
    loop {
        let next = if out.is_empty() {
            http_body_util::BodyExt::frame(&mut body).await
        } else {
            match std::future::poll_fn(|cx| {
                Poll::Ready(std::pin::Pin::new(&mut body).poll_frame(cx))
            })
            .await
            {
                Poll::Ready(f) => f,
                // Not ready: what is buffered goes out now (streams are not held back).
                Poll::Pending => {
                    io.write_all(out).await?;
                    out.clear();
                    continue;
                }
            }
        };
        match next {
            None => break,
            // The body failed half-way: the client must not take it for complete.
            Some(Err(_)) => {
                io.write_all(out).await?;
                return Ok(false);
            }
            Some(Ok(frame)) => match frame.into_data() {
                Ok(mut data) => {
                    sent += data.remaining() as u64;
                    if matches!(framing, Framing::Chunked) && data.has_remaining() {
                        let _ = write!(out, "{:x}\r\n", data.remaining());
                        put(out, &mut data);
                        out.extend_from_slice(b"\r\n");
                    } else {
                        put(out, &mut data);
                    }
                }
                Err(frame) => {
                    if let (Framing::Chunked, Ok(trailers)) = (&framing, frame.into_trailers()) {
                        out.extend_from_slice(b"0\r\n");
                        if answer.trailers {
                            fields(out, &trailers);
                        }
                        out.extend_from_slice(b"\r\n");
                        io.write_all(out).await?;
                        return Ok(keep);
                    }
                }
            },
        }
        if out.len() >= FLUSH_AT {
            io.write_all(out).await?;
            out.clear();
        }
    }
    match framing {
        Framing::Chunked => out.extend_from_slice(b"0\r\n\r\n"),
        Framing::Length(n) if n != sent => keep = false,
        Framing::UntilClose => keep = false,
        _ => {}
    }
    io.write_all(out).await?;
    Ok(keep)
}

fn put(out: &mut Vec<u8>, data: &mut impl Buf) {
    while data.has_remaining() {
        let chunk = data.chunk();
        out.extend_from_slice(chunk);
        let n = chunk.len();
        data.advance(n);
    }
}

fn status_line(out: &mut Vec<u8>, status: StatusCode) {
    out.extend_from_slice(b"HTTP/1.1 ");
    out.extend_from_slice(status.as_str().as_bytes());
    out.push(b' ');
    out.extend_from_slice(status.canonical_reason().unwrap_or("<none>").as_bytes());
    out.extend_from_slice(b"\r\n");
}

fn fields(out: &mut Vec<u8>, headers: &HeaderMap) {
    for (k, v) in headers {
        out.extend_from_slice(k.as_str().as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(v.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
}

/// The header fields and the framing line; returns the framing.
fn head(
    out: &mut Vec<u8>,
    headers: &HeaderMap,
    status: StatusCode,
    answer: Answer,
    body: &impl hyper::body::Body,
) -> Framing {
    let bodiless = status.is_informational()
        || status == StatusCode::NO_CONTENT
        || status == StatusCode::NOT_MODIFIED;
    let mut length = None;
    for (k, v) in headers {
        if k == TRANSFER_ENCODING || (bodiless && k == CONTENT_LENGTH && status != 304) {
            continue;
        }
        if k == CONTENT_LENGTH {
            length = Some(
                std::str::from_utf8(v.as_bytes())
                    .ok()
                    .and_then(|s| s.parse().ok()),
            );
        }
        out.extend_from_slice(k.as_str().as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(v.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    finish_head(
        out,
        !headers.contains_key(DATE),
        length,
        bodiless,
        answer,
        body,
    )
}

/// [`head`] for fields kept as text by the direct exchange (hop-by-hop ones already out).
fn raw_head(
    out: &mut Vec<u8>,
    raw: &RawFields,
    status: StatusCode,
    answer: Answer,
    body: &impl hyper::body::Body,
) -> Framing {
    out.extend_from_slice(&raw.lines);
    let bodiless = status.is_informational()
        || status == StatusCode::NO_CONTENT
        || status == StatusCode::NOT_MODIFIED;
    finish_head(out, !raw.has_date, raw.length, bodiless, answer, body)
}

/// `date` unless the fields had one, then the framing line; returns the framing.
fn finish_head(
    out: &mut Vec<u8>,
    add_date: bool,
    length: Option<Option<u64>>,
    bodiless: bool,
    answer: Answer,
    body: &impl hyper::body::Body,
) -> Framing {
    if add_date {
        out.extend_from_slice(b"date: ");
        http_date(out);
        out.extend_from_slice(b"\r\n");
    }
    if bodiless || answer.head_only {
        if answer.head_only && length.is_none() && !bodiless {
            if let Some(n) = body.size_hint().exact().filter(|&n| n > 0) {
                let _ = write!(out, "content-length: {n}\r\n");
            }
        }
        return Framing::None;
    }
    match length {
        Some(Some(n)) => Framing::Length(n),
        Some(None) => Framing::UntilClose,
        None => match body.size_hint().exact() {
            Some(n) => {
                let _ = write!(out, "content-length: {n}\r\n");
                Framing::Length(n)
            }
            None => {
                out.extend_from_slice(b"transfer-encoding: chunked\r\n");
                Framing::Chunked
            }
        },
    }
}

thread_local! {
    /// The `date` value of the current second (as hyper caches it).
    static DATE_TEXT: RefCell<(u64, String)> = RefCell::new((u64::MAX, String::new()));
}

fn http_date(out: &mut Vec<u8>) {
    let secs = unix_seconds();
    DATE_TEXT.with(|cell| {
        let mut cached = cell.borrow_mut();
        if cached.0 != secs {
            let now = UNIX_EPOCH + Duration::from_secs(secs);
            *cached = (secs, httpdate::fmt_http_date(now));
        }
        out.extend_from_slice(cached.1.as_bytes());
    });
}

/// The wall clock in whole seconds, from the coarse clock where there is one: `date` has a
/// resolution of a second, and a coarse read costs a fraction of a precise one (which is
/// about 1 % of a proxied request's CPU on a virtual machine).
fn unix_seconds() -> u64 {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        let now = rustix::time::clock_gettime(rustix::time::ClockId::RealtimeCoarse);
        u64::try_from(now.tv_sec).unwrap_or(0)
    }
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    }
}

/// The answer to a head that could not be read, before closing.
pub fn refusal(status: StatusCode) -> Vec<u8> {
    let mut out = Vec::with_capacity(128);
    status_line(&mut out, status);
    out.extend_from_slice(b"content-length: 0\r\nconnection: close\r\ndate: ");
    http_date(&mut out);
    out.extend_from_slice(b"\r\n\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_date_is_the_wall_clock_second() {
        let before = std::time::SystemTime::now();
        let mut out = Vec::new();
        http_date(&mut out);
        let after = std::time::SystemTime::now();
        let date = httpdate::parse_http_date(std::str::from_utf8(&out).unwrap()).unwrap();
        // Whole seconds, from a coarse clock that may lag the precise one by a tick (a few
        // milliseconds, which may fall across a second).
        assert!(
            date + Duration::from_secs(2) > before && date <= after,
            "{out:?}"
        );
    }
}
