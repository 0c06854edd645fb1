//! The plain proxy listener's own HTTP/1.1 loop, spoken to over raw TCP: pipelining,
//! keep-alive and `Connection: close`, `HEAD`, bad and oversized heads, the head deadline,
//! chunked answers with trailers, and the hand-over to hyper in mid-connection.

mod common;

use std::time::Duration;

use common::*;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// One parsed answer.
#[derive(Debug)]
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    trailers: Vec<(String, String)>,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

/// A raw connection with what has been read and not yet parsed.
struct Conn {
    sock: TcpStream,
    buf: Vec<u8>,
}

impl Conn {
    async fn open(t: &TestGateway) -> Self {
        Self {
            sock: TcpStream::connect(t.gw.proxy_addr).await.unwrap(),
            buf: Vec::new(),
        }
    }

    async fn send(&mut self, raw: &str) {
        self.sock.write_all(raw.as_bytes()).await.unwrap();
    }

    async fn fill(&mut self) -> bool {
        let mut chunk = [0u8; 16 * 1024];
        let n = tokio::time::timeout(Duration::from_secs(10), self.sock.read(&mut chunk))
            .await
            .expect("the gateway answers")
            .unwrap_or(0);
        self.buf.extend_from_slice(&chunk[..n]);
        n > 0
    }

    async fn line(&mut self) -> String {
        loop {
            if let Some(i) = self.buf.windows(2).position(|w| w == b"\r\n") {
                let line = String::from_utf8(self.buf.drain(..i + 2).collect()).unwrap();
                return line.trim_end().to_owned();
            }
            assert!(self.fill().await, "closed mid-line");
        }
    }

    async fn take(&mut self, n: usize) -> Vec<u8> {
        while self.buf.len() < n {
            assert!(self.fill().await, "closed mid-body");
        }
        self.buf.drain(..n).collect()
    }

    async fn fields(&mut self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        loop {
            let line = self.line().await;
            if line.is_empty() {
                return out;
            }
            let (k, v) = line.split_once(':').unwrap();
            out.push((k.to_owned(), v.trim().to_owned()));
        }
    }

    /// Reads one answer; `head` when it answers a `HEAD` request.
    async fn answer(&mut self, head: bool) -> Answer {
        let status_line = self.line().await;
        let status = status_line.split(' ').nth(1).unwrap().parse().unwrap();
        let mut a = Answer {
            status,
            headers: self.fields().await,
            body: Vec::new(),
            trailers: Vec::new(),
        };
        if head || status == 204 || status == 304 {
            return a;
        }
        if let Some(n) = a.header("content-length") {
            a.body = self.take(n.parse().unwrap()).await;
        } else if a.header("transfer-encoding") == Some("chunked") {
            loop {
                let size = usize::from_str_radix(&self.line().await, 16).unwrap();
                if size == 0 {
                    a.trailers = self.fields().await;
                    break;
                }
                a.body.extend(self.take(size).await);
                assert_eq!(self.line().await, "");
            }
        } else {
            while self.fill().await {}
            a.body = std::mem::take(&mut self.buf);
        }
        a
    }

    /// Whether the gateway closed the connection (after what was buffered).
    async fn closed(&mut self) -> bool {
        !self.fill().await && self.buf.is_empty()
    }
}

/// A gateway with one `noop` rule for `pattern` (GET, HEAD, POST) in front of `up`.
async fn gateway_to(up: std::net::SocketAddr, pattern: &str, extra: Value) -> TestGateway {
    let who = whoami().await;
    let mut any = rule("e", pattern, &["noop"], &format!("http://{up}"));
    any["match"]["methods"] = json!(["GET", "HEAD", "POST"]);
    gateway(base_config(&who.url(), extra), json!([any])).await
}

async fn echo_gateway(extra: Value) -> TestGateway {
    gateway_to(upstream().await, "http://<**>/<**>", extra).await
}

#[tokio::test]
async fn pipelined_requests_are_answered_in_order_on_one_connection() {
    let t = echo_gateway(json!({})).await;
    let mut c = Conn::open(&t).await;
    c.send("GET /one?x=1 HTTP/1.1\r\nHost: a\r\n\r\nGET /two HTTP/1.1\r\nHost: a\r\n\r\n")
        .await;
    for (path, query) in [("/one", json!("x=1")), ("/two", Value::Null)] {
        let a = c.answer(false).await;
        assert_eq!(a.status, 200);
        assert!(a.header("date").is_some(), "{a:?}");
        assert_eq!(a.json()["path"], path);
        assert_eq!(a.json()["query"], query);
        assert_eq!(a.json()["headers"]["x-user-id"], "");
    }
    c.send("GET /three HTTP/1.1\r\nHost: a\r\n\r\n").await;
    assert_eq!(c.answer(false).await.json()["path"], "/three");
}

#[tokio::test]
async fn connection_close_is_answered_then_the_connection_closes() {
    let t = echo_gateway(json!({})).await;
    let mut c = Conn::open(&t).await;
    c.send("GET /bye HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        .await;
    let a = c.answer(false).await;
    assert_eq!((a.status, a.header("connection")), (200, Some("close")));
    assert!(c.closed().await);
}

#[tokio::test]
async fn head_requests_get_no_body_and_the_connection_goes_on() {
    let t = echo_gateway(json!({})).await;
    let mut c = Conn::open(&t).await;
    c.send("HEAD /h HTTP/1.1\r\nHost: a\r\n\r\nGET /after HTTP/1.1\r\nHost: a\r\n\r\n")
        .await;
    assert_eq!(c.answer(true).await.status, 200);
    assert_eq!(c.answer(false).await.json()["path"], "/after");
}

#[tokio::test]
async fn a_request_with_a_body_hands_the_connection_to_hyper_midway() {
    let t = echo_gateway(json!({})).await;
    let mut c = Conn::open(&t).await;
    c.send(concat!(
        "GET /first HTTP/1.1\r\nHost: a\r\n\r\n",
        "POST /second HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello",
        "GET /third HTTP/1.1\r\nHost: a\r\n\r\n",
    ))
    .await;
    assert_eq!(c.answer(false).await.json()["path"], "/first");
    let second = c.answer(false).await.json();
    assert_eq!(
        (second["path"].clone(), second["body_len"].clone()),
        (json!("/second"), json!(5))
    );
    assert_eq!(c.answer(false).await.json()["path"], "/third");
}

#[tokio::test]
async fn a_head_with_many_fields_is_served_by_hyper() {
    let t = echo_gateway(json!({})).await;
    let mut c = Conn::open(&t).await;
    let fields: String = (0..60).map(|i| format!("X-F{i}: {i}\r\n")).collect();
    c.send(&format!(
        "GET /many HTTP/1.1\r\nHost: a\r\n{fields}\r\nGET /next HTTP/1.1\r\nHost: a\r\n\r\n"
    ))
    .await;
    let a = c.answer(false).await.json();
    assert_eq!(
        (a["path"].clone(), a["headers"]["x-f59"].clone()),
        (json!("/many"), json!("59"))
    );
    assert_eq!(c.answer(false).await.json()["path"], "/next");
}

#[tokio::test]
async fn bad_and_oversized_heads_are_refused_and_closed() {
    let t = echo_gateway(json!({})).await;
    let mut c = Conn::open(&t).await;
    c.send("GET /ok HTTP/1.1\r\nHost: a\r\n\r\nG@T / HTTP/1.1\r\n\r\n")
        .await;
    assert_eq!(c.answer(false).await.status, 200);
    assert_eq!(c.answer(false).await.status, 400);
    assert!(c.closed().await);

    let mut c = Conn::open(&t).await;
    let big = format!("GET / HTTP/1.1\r\nX-Big: {}\r\n", "a".repeat(70 * 1024));
    // The gateway may stop reading (and answer) before it has taken all of this.
    let _ = c.sock.write_all(big.as_bytes()).await;
    assert_eq!(c.answer(false).await.status, 431);
}

#[tokio::test]
async fn no_matching_rule_is_a_404_with_a_length() {
    let t = gateway_to(upstream().await, "http://<**>/only", json!({})).await;
    let mut c = Conn::open(&t).await;
    c.send("GET /elsewhere HTTP/1.1\r\nHost: a\r\n\r\n").await;
    let a = c.answer(false).await;
    assert_eq!(a.status, 404);
    assert_eq!(
        a.header("content-length"),
        Some(a.body.len().to_string().as_str())
    );
}

#[tokio::test]
async fn an_idle_connection_is_closed_after_the_read_timeout() {
    let t = echo_gateway(json!({"serve": {"proxy": {"timeout": {"read": "300ms"}}}})).await;
    let mut c = Conn::open(&t).await;
    c.send("GET /a HTTP/1.1\r\nHost: a\r\n\r\n").await;
    assert_eq!(c.answer(false).await.status, 200);
    // Half a head, then silence: the deadline closes the connection (well within `fill`'s
    // 10 s bound).
    c.send("GET /b HTTP/1.1\r\n").await;
    assert!(c.closed().await);
}

/// A raw upstream that answers every request with a chunked body and a trailer.
async fn chunked_upstream() -> std::net::SocketAddr {
    raw_upstream(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\
         2\r\nab\r\n2\r\ncd\r\n0\r\nx-sum: ok\r\n\r\n",
    )
    .await
}

/// A raw upstream that answers every request with `answer`.
async fn raw_upstream(answer: &'static str) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                loop {
                    while let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        buf.drain(..end + 4);
                        if sock.write_all(answer.as_bytes()).await.is_err() {
                            return;
                        }
                    }
                    match sock.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
            });
        }
    });
    addr
}

#[tokio::test]
async fn chunked_answers_stream_with_trailers_when_the_client_accepts_them() {
    let t = gateway_to(chunked_upstream().await, "http://<**>/stream", json!({})).await;
    let mut c = Conn::open(&t).await;
    c.send("GET /stream HTTP/1.1\r\nHost: a\r\nTE: trailers\r\n\r\nGET /stream HTTP/1.1\r\nHost: a\r\n\r\n")
        .await;
    let with = c.answer(false).await;
    assert_eq!(with.header("transfer-encoding"), Some("chunked"));
    assert_eq!(with.body, b"abcd");
    assert_eq!(with.trailers, vec![("x-sum".to_owned(), "ok".to_owned())]);
    let without = c.answer(false).await;
    assert_eq!(
        (without.body.as_slice(), without.trailers.len()),
        (&b"abcd"[..], 0)
    );
}

#[tokio::test]
async fn the_direct_and_the_pooled_path_send_the_same_fields() {
    let t = echo_gateway(json!({})).await;
    let mut c = Conn::open(&t).await;
    let fields = "Host: app.test\r\nConnection: keep-alive, x-secret\r\nX-Secret: 1\r\n\
                  Keep-Alive: timeout=5\r\nTE: trailers\r\nX-Forwarded-Proto: https\r\n\
                  X-Kept: a\r\nX-Kept: b\r\nCONNECTION: X-OTHER\r\nx-other: 2\r\n\
                  X-Forwarded-FOR: 6.6.6.6\r\nPROXY-Connection: x\r\nCoOkIe: a=1\r\n";
    // A GET takes the direct exchange; a POST with a body goes through hyper's client.
    c.send(&format!(
        "GET /f HTTP/1.1\r\n{fields}\r\nPOST /f HTTP/1.1\r\n{fields}Content-Length: 2\r\n\r\nhi"
    ))
    .await;
    let direct = c.answer(false).await.json()["headers"].clone();
    let mut pooled = c.answer(false).await.json()["headers"].clone();
    assert_eq!(pooled["content-length"], "2");
    pooled.as_object_mut().unwrap().remove("content-length");
    assert_eq!(direct, pooled);
    assert_eq!(direct["cookie"], "a=1");
    for gone in [
        "x-secret",
        "x-other",
        "keep-alive",
        "te",
        "connection",
        "proxy-connection",
    ] {
        assert!(direct.get(gone).is_none(), "{gone} forwarded: {direct}");
    }
    assert_eq!(direct["x-forwarded-proto"], "http", "untrusted: {direct}");
    assert_eq!(direct["x-forwarded-host"], "app.test");
    assert_eq!(direct["x-forwarded-for"], "127.0.0.1");
    assert_ne!(direct["host"], "app.test", "the upstream's own host");
}

#[tokio::test]
async fn answer_fields_pass_as_sent_without_hop_by_hop_ones() {
    let up = raw_upstream(
        "HTTP/1.1 200 OK\r\nServer: up\r\nConnection: keep-alive, X-Secret\r\n\
         Keep-Alive: timeout=5\r\nX-Secret: 1\r\nDate: Fri, 04 Dec 2026 10:00:00 GMT\r\n\
         Set-Cookie: a=1\r\nSet-Cookie: b=2\r\nContent-Length: 2\r\n\r\nok",
    )
    .await;
    let t = gateway_to(up, "http://<**>/<**>", json!({})).await;
    let mut c = Conn::open(&t).await;
    c.send("GET /a HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\n\r\n")
        .await;
    for _ in 0..2 {
        let a = c.answer(false).await;
        assert_eq!((a.status, a.body.as_slice()), (200, &b"ok"[..]));
        let names: Vec<&str> = a.headers.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            names,
            [
                "Server",
                "Date",
                "Set-Cookie",
                "Set-Cookie",
                "Content-Length"
            ],
            "{a:?}"
        );
        assert_eq!(a.header("date"), Some("Fri, 04 Dec 2026 10:00:00 GMT"));
    }
}
