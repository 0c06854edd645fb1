//! The direct upstream exchange (bodiless `http://` requests) against scripted raw TCP
//! upstreams: body framings, interim answers, keep-alive and its limits, bad answers.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use http::uri::Authority;
use http::{Method, Request};
use http_body_util::BodyExt;
use nexus_gateway::proxy::direct::DirectPool;
use nexus_gateway::proxy::pool::PoolConfig;
use parking_lot::Mutex;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// What the scripted upstream does with the n-th request on the c-th connection (both from 0).
type Script = Arc<dyn Fn(usize, usize) -> Answer + Send + Sync>;

enum Answer {
    /// Write these pieces (a short pause between them), keep the connection.
    Write(Vec<&'static [u8]>),
    /// Write these pieces, then close.
    WriteClose(Vec<&'static [u8]>),
    /// Close without answering.
    Close,
}

struct Upstream {
    authority: Authority,
    accepted: Arc<AtomicUsize>,
    heads: Arc<Mutex<Vec<String>>>,
}

async fn upstream(script: Script) -> Upstream {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr: SocketAddr = listener.local_addr().unwrap();
    let accepted = Arc::new(AtomicUsize::new(0));
    let heads = Arc::new(Mutex::new(Vec::new()));
    let (count, seen) = (accepted.clone(), heads.clone());
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            let conn_no = count.fetch_add(1, Ordering::SeqCst);
            let (script, seen) = (script.clone(), seen.clone());
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                for req_no in 0.. {
                    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                        match sock.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    }
                    let end = buf.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
                    seen.lock()
                        .push(String::from_utf8_lossy(&buf[..end]).into_owned());
                    buf.drain(..end);
                    let (pieces, close) = match script(conn_no, req_no) {
                        Answer::Write(p) => (p, false),
                        Answer::WriteClose(p) => (p, true),
                        Answer::Close => return,
                    };
                    for (i, p) in pieces.iter().enumerate() {
                        if i > 0 {
                            tokio::time::sleep(Duration::from_millis(5)).await;
                        }
                        if sock.write_all(p).await.is_err() {
                            return;
                        }
                    }
                    if close {
                        return;
                    }
                }
            });
        }
    });
    Upstream {
        authority: addr.to_string().parse().unwrap(),
        accepted,
        heads,
    }
}

fn always(answer: fn() -> Answer) -> Script {
    Arc::new(move |_, _| answer())
}

fn request(method: Method, path: &str) -> http::request::Parts {
    Request::builder()
        .method(method)
        .uri(path)
        .header("host", "app.example")
        .header("x-user", "alice")
        .body(())
        .unwrap()
        .into_parts()
        .0
}

async fn get_body(pool: &DirectPool, up: &Upstream, method: Method) -> (u16, String) {
    let resp = pool
        .send(&up.authority, &request(method, "/a/b?x=1"))
        .await
        .expect("exchange");
    let status = resp.status().as_u16();
    let body = resp.into_body().collect().await.expect("body").to_bytes();
    (status, String::from_utf8(body.to_vec()).unwrap())
}

fn pool() -> DirectPool {
    DirectPool::new(PoolConfig::default())
}

#[tokio::test]
async fn content_length_bodies_reuse_one_connection_and_send_the_head_as_given() {
    let up = upstream(always(|| {
        Answer::Write(vec![
            b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhel",
            b"lo",
        ])
    }))
    .await;
    let p = pool();
    for _ in 0..3 {
        assert_eq!(get_body(&p, &up, Method::GET).await, (200, "hello".into()));
        assert_eq!(
            p.idle_count(&up.authority),
            1,
            "back in the pool after the body"
        );
    }
    assert_eq!(up.accepted.load(Ordering::SeqCst), 1);
    let head = up.heads.lock()[0].clone();
    assert!(head.starts_with("GET /a/b?x=1 HTTP/1.1\r\n"), "{head}");
    assert!(head.contains("host: app.example\r\n"), "{head}");
    assert!(head.contains("x-user: alice\r\n"), "{head}");
}

#[tokio::test]
async fn chunked_bodies_are_decoded_across_reads_and_the_connection_is_reused() {
    let up = upstream(always(|| {
        Answer::Write(vec![
            b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5;ext=1\r\nhel",
            b"lo\r\n6\r\n world\r",
            b"\n0\r\nx-trailer: 1\r\n\r\n",
        ])
    }))
    .await;
    let p = pool();
    for _ in 0..2 {
        assert_eq!(
            get_body(&p, &up, Method::GET).await,
            (200, "hello world".into())
        );
    }
    assert_eq!(up.accepted.load(Ordering::SeqCst), 1);
    let resp = p
        .send(&up.authority, &request(Method::GET, "/"))
        .await
        .unwrap();
    let collected = resp.into_body().collect().await.unwrap();
    let trailers = collected.trailers().cloned().expect("trailers forwarded");
    assert_eq!(trailers["x-trailer"], "1");
    assert_eq!(collected.to_bytes(), "hello world");
}

#[tokio::test]
async fn bodies_without_length_end_when_the_upstream_closes() {
    let up = upstream(always(|| {
        Answer::WriteClose(vec![b"HTTP/1.1 200 OK\r\n\r\nuntil ", b"close"])
    }))
    .await;
    let p = pool();
    assert_eq!(
        get_body(&p, &up, Method::GET).await,
        (200, "until close".into())
    );
    assert_eq!(
        p.idle_count(&up.authority),
        0,
        "a closed connection is not kept"
    );
}

#[tokio::test]
async fn head_204_and_304_answers_have_no_body() {
    let up = upstream(Arc::new(|_, n| match n {
        0 => Answer::Write(vec![b"HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\n"]),
        1 => Answer::Write(vec![b"HTTP/1.1 204 No Content\r\n\r\n"]),
        2 => Answer::Write(vec![
            b"HTTP/1.1 304 Not Modified\r\ncontent-length: 7\r\n\r\n",
        ]),
        _ => Answer::Write(vec![b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"]),
    }))
    .await;
    let p = pool();
    assert_eq!(get_body(&p, &up, Method::HEAD).await, (200, "".into()));
    assert_eq!(get_body(&p, &up, Method::GET).await, (204, "".into()));
    assert_eq!(get_body(&p, &up, Method::GET).await, (304, "".into()));
    assert_eq!(get_body(&p, &up, Method::GET).await, (200, "ok".into()));
    assert_eq!(
        up.accepted.load(Ordering::SeqCst),
        1,
        "all on one connection"
    );
}

#[tokio::test]
async fn interim_answers_are_skipped() {
    let up = upstream(always(|| {
        Answer::Write(vec![
            b"HTTP/1.1 103 Early Hints\r\nlink: </s.css>\r\n\r\n",
            b"HTTP/1.1 201 Created\r\ncontent-length: 2\r\n\r\nok",
        ])
    }))
    .await;
    assert_eq!(
        get_body(&pool(), &up, Method::GET).await,
        (201, "ok".into())
    );
}

#[tokio::test]
async fn connection_close_and_http_1_0_answers_are_not_pooled() {
    for answer in [
        b"HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 2\r\n\r\nok".as_slice(),
        b"HTTP/1.0 200 OK\r\ncontent-length: 2\r\n\r\nok".as_slice(),
    ] {
        let up = upstream(Arc::new(move |_, _| Answer::Write(vec![answer]))).await;
        let p = pool();
        assert_eq!(get_body(&p, &up, Method::GET).await, (200, "ok".into()));
        assert_eq!(p.idle_count(&up.authority), 0);
    }
}

#[tokio::test]
async fn an_idle_connection_the_upstream_closed_is_not_used_even_for_post() {
    let up = upstream(always(|| {
        Answer::WriteClose(vec![b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"])
    }))
    .await;
    let p = pool();
    assert_eq!(get_body(&p, &up, Method::POST).await, (200, "ok".into()));
    assert_eq!(
        p.idle_count(&up.authority),
        1,
        "the close was not announced"
    );
    // Let the FIN reach the runtime's readiness of the idle connection.
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(get_body(&p, &up, Method::POST).await, (200, "ok".into()));
    assert_eq!(up.accepted.load(Ordering::SeqCst), 2);
    let head = up.heads.lock()[0].clone();
    assert!(head.contains("content-length: 0\r\n"), "{head}");
}

#[tokio::test]
async fn a_reused_connection_closed_without_answer_is_retried_only_when_idempotent() {
    // First connection: answers once, then closes on the next request without answering.
    let script: Script = Arc::new(|conn, n| match (conn, n) {
        (0, 0) => Answer::Write(vec![b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"]),
        (0, _) => Answer::Close,
        _ => Answer::Write(vec![b"HTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\nnew"]),
    });
    let up = upstream(script.clone()).await;
    let p = pool();
    assert_eq!(get_body(&p, &up, Method::GET).await, (200, "ok".into()));
    assert_eq!(get_body(&p, &up, Method::GET).await, (200, "new".into()));
    assert_eq!(up.accepted.load(Ordering::SeqCst), 2);

    let up = upstream(script).await;
    let p = pool();
    assert_eq!(get_body(&p, &up, Method::POST).await, (200, "ok".into()));
    let err = p
        .send(&up.authority, &request(Method::POST, "/"))
        .await
        .err()
        .expect("a POST is not sent twice");
    assert!(err.to_string().contains("closed"), "{err}");
    assert_eq!(up.accepted.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn bad_answers_are_errors_never_panics() {
    let bad: [&'static [u8]; 5] = [
        b"HTTP/1.1 200 OK\r\ncontent-length: abc\r\n\r\n",
        b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-length: 3\r\n\r\nok",
        b"HTTP/1.1 2000 OK\r\n\r\n",
        b"NOT HTTP AT ALL\r\n\r\n",
        b"HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\n\r\n",
    ];
    for answer in bad {
        let up = upstream(Arc::new(move |_, _| Answer::WriteClose(vec![answer]))).await;
        let r = pool().send(&up.authority, &request(Method::GET, "/")).await;
        assert!(r.is_err(), "{:?} accepted", String::from_utf8_lossy(answer));
    }
}

#[tokio::test]
async fn oversized_heads_and_truncated_bodies_are_errors() {
    static HUGE: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    let huge: &'static [u8] = HUGE.get_or_init(|| {
        let mut h = b"HTTP/1.1 200 OK\r\n".to_vec();
        for _ in 0..10 {
            h.extend_from_slice(b"x-pad: ");
            h.extend(std::iter::repeat_n(b'a', 7000));
            h.extend_from_slice(b"\r\n");
        }
        h
    });
    let up = upstream(Arc::new(move |_, _| Answer::Write(vec![huge]))).await;
    let r = pool().send(&up.authority, &request(Method::GET, "/")).await;
    assert!(r.err().unwrap().to_string().contains("too large"));

    let up = upstream(always(|| {
        Answer::WriteClose(vec![b"HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nshort"])
    }))
    .await;
    let p = pool();
    let resp = p
        .send(&up.authority, &request(Method::GET, "/"))
        .await
        .unwrap();
    assert!(resp.into_body().collect().await.is_err());
    assert_eq!(p.idle_count(&up.authority), 0);

    for bad_chunks in [
        b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n".as_slice(),
        b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\r\nokX\r\n0\r\n\r\n".as_slice(),
        b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n0\r\nno colon\r\n\r\n".as_slice(),
    ] {
        let up = upstream(Arc::new(move |_, _| Answer::Write(vec![bad_chunks]))).await;
        let p = pool();
        let resp = p
            .send(&up.authority, &request(Method::GET, "/"))
            .await
            .unwrap();
        assert!(resp.into_body().collect().await.is_err());
        assert_eq!(
            p.idle_count(&up.authority),
            0,
            "a confused connection is dropped"
        );
    }
}

#[tokio::test]
async fn an_unreachable_upstream_is_a_connect_error() {
    let unused = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = unused.local_addr().unwrap();
    drop(unused);
    let r = pool()
        .send(
            &addr.to_string().parse().unwrap(),
            &request(Method::GET, "/"),
        )
        .await;
    assert!(r.err().unwrap().to_string().starts_with("connect:"));
}

#[test]
fn ipv6_upstreams_are_dialled_without_brackets() {
    use nexus_gateway::proxy::pool::bare_host;
    assert_eq!(bare_host(&"[::1]:8080".parse().unwrap()), "::1");
    assert_eq!(
        bare_host(&"upstream.local:80".parse().unwrap()),
        "upstream.local"
    );
    assert_eq!(bare_host(&"127.0.0.1".parse().unwrap()), "127.0.0.1");
}

#[tokio::test]
async fn the_answer_deadline_holds_and_moves_with_each_reused_connection() {
    // The first request on a connection is answered; the third never is.
    let up = upstream(Arc::new(|_, req_no| match req_no {
        0 | 1 => Answer::Write(vec![b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"]),
        _ => Answer::Write(vec![]),
    }))
    .await;
    let p = pool().answer_timeout(Duration::from_millis(150));
    assert_eq!(get_body(&p, &up, Method::GET).await, (200, "ok".into()));
    // Idle past the deadline of the first exchange: the reused connection gets a new one.
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(get_body(&p, &up, Method::GET).await, (200, "ok".into()));
    assert_eq!(up.accepted.load(Ordering::SeqCst), 1);
    let silent = p.send(&up.authority, &request(Method::GET, "/")).await;
    assert!(
        matches!(silent, Err(nexus_gateway::proxy::pool::SendError::TimedOut)),
        "{:?}",
        silent.err().map(|e| e.to_string())
    );
}

#[tokio::test]
async fn a_connection_idle_past_the_idle_timeout_is_not_reused() {
    let up = upstream(always(|| {
        Answer::Write(vec![b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"])
    }))
    .await;
    let p = DirectPool::new(PoolConfig {
        idle_timeout: Duration::from_millis(200),
        ..PoolConfig::default()
    });
    assert_eq!(get_body(&p, &up, Method::GET).await, (200, "ok".into()));
    assert_eq!(get_body(&p, &up, Method::GET).await, (200, "ok".into()));
    assert_eq!(up.accepted.load(Ordering::SeqCst), 1, "reused while fresh");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(get_body(&p, &up, Method::GET).await, (200, "ok".into()));
    assert_eq!(
        up.accepted.load(Ordering::SeqCst),
        2,
        "a new one after the idle timeout"
    );
}
