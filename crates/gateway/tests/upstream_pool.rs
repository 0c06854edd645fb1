//! End-to-end: the proxy's upstream keep-alive pool against a raw TCP upstream that counts its
//! connections.

mod common;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::*;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// An HTTP/1.1 upstream answering `200 ok` to bodiless requests; with `close_after_one`, it
/// closes each connection after its first response (without announcing it).
async fn counting_upstream(close_after_one: bool) -> (SocketAddr, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            count.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                loop {
                    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                        match sock.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    }
                    let end = buf.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
                    buf.drain(..end);
                    let resp = "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok";
                    if sock.write_all(resp.as_bytes()).await.is_err() || close_after_one {
                        return;
                    }
                }
            });
        }
    });
    (addr, accepted)
}

fn noop_rule(up: SocketAddr) -> serde_json::Value {
    json!([rule(
        "any",
        "http://<**>/<**>",
        &["noop"],
        &format!("http://{up}")
    )])
}

#[tokio::test]
async fn upstream_connections_are_kept_alive() {
    let who = whoami().await;
    let (up, accepted) = counting_upstream(false).await;
    let t = gateway(base_config(&who.url(), json!({})), noop_rule(up)).await;
    let c = client();
    for i in 0..10 {
        let r = c.get(t.proxy(&format!("/n/{i}"))).send().await.unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.text().await.unwrap(), "ok");
    }
    assert_eq!(
        accepted.load(Ordering::SeqCst),
        1,
        "sequential requests share one upstream connection"
    );
}

#[tokio::test]
async fn connections_closed_by_the_upstream_are_replaced() {
    let who = whoami().await;
    let (up, accepted) = counting_upstream(true).await;
    let t = gateway(base_config(&who.url(), json!({})), noop_rule(up)).await;
    let c = client();
    for i in 0..3 {
        let r = c.get(t.proxy(&format!("/n/{i}"))).send().await.unwrap();
        assert_eq!(r.status(), 200, "request {i}");
        assert_eq!(r.text().await.unwrap(), "ok");
        // Let the upstream's close reach the pooled connection before the next request.
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(accepted.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn concurrent_requests_open_parallel_connections_and_all_succeed() {
    let who = whoami().await;
    let (up, accepted) = counting_upstream(false).await;
    let t = gateway(base_config(&who.url(), json!({})), noop_rule(up)).await;
    let c = client();
    let results =
        futures::future::join_all((0..16).map(|i| c.get(t.proxy(&format!("/p/{i}"))).send())).await;
    for r in results {
        assert_eq!(r.unwrap().status(), 200);
    }
    let n = accepted.load(Ordering::SeqCst);
    assert!((1..=16).contains(&n), "{n} connections for 16 requests");
}

/// A raw upstream answering every request with `body` (4 MiB) framed by Content-Length on
/// even requests and chunked (64 KiB chunks) on odd ones, on one kept-alive connection.
async fn large_body_upstream() -> (SocketAddr, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            count.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                let body = vec![b'z'; 4 << 20];
                let (mut buf, mut chunk) = (Vec::new(), [0u8; 4096]);
                for n in 0.. {
                    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                        match sock.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(k) => buf.extend_from_slice(&chunk[..k]),
                        }
                    }
                    buf.clear();
                    let mut out = Vec::new();
                    if n % 2 == 0 {
                        out.extend(
                            format!("HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n", body.len())
                                .bytes(),
                        );
                        out.extend_from_slice(&body);
                    } else {
                        out.extend(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n");
                        for piece in body.chunks(64 << 10) {
                            out.extend(format!("{:x}\r\n", piece.len()).bytes());
                            out.extend_from_slice(piece);
                            out.extend(b"\r\n");
                        }
                        out.extend(b"0\r\n\r\n");
                    }
                    if sock.write_all(&out).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    (addr, accepted)
}

#[tokio::test]
async fn large_answers_stream_through_the_direct_path_on_one_connection() {
    let who = whoami().await;
    let (up, accepted) = large_body_upstream().await;
    let t = gateway(base_config(&who.url(), json!({})), noop_rule(up)).await;
    let c = client();
    for i in 0..4 {
        let r = c.get(t.proxy(&format!("/big/{i}"))).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let body = r.bytes().await.unwrap();
        assert_eq!(body.len(), 4 << 20, "answer {i}");
        assert!(body.iter().all(|b| *b == b'z'));
    }
    assert_eq!(
        accepted.load(Ordering::SeqCst),
        1,
        "one kept-alive upstream connection"
    );
}
