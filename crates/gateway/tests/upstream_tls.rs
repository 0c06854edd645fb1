//! End-to-end: `https://` upstreams. The upstream is a TLS server with a self-signed
//! certificate generated for the test; the gateway trusts it through
//! `GatewayBuilder::upstream_roots` (verification stays on), and an upstream whose certificate
//! it does not trust answers 502.

mod common;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use common::*;
use http::uri::{Authority, Scheme};
use nexus_gateway::proxy::pool::{Pool, PoolConfig, SendError};
use parking_lot::Mutex;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::rustls::{self, ServerConfig};
use tokio_rustls::TlsAcceptor;

/// A completed server handshake: the SNI name and the negotiated ALPN protocol.
type Handshake = (Option<String>, Option<Vec<u8>>);

/// What the TLS upstream saw: accepted TCP connections and completed handshakes.
#[derive(Default)]
struct Seen {
    accepted: AtomicUsize,
    handshakes: Mutex<Vec<Handshake>>,
}

/// An HTTPS upstream for `localhost` answering `200 tls ok` to bodiless requests, and its
/// self-signed certificate.
async fn tls_upstream() -> (SocketAddr, CertificateDer<'static>, Arc<Seen>) {
    let ck = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let cert = ck.cert.der().clone();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(ck.key_pair.serialize_der()));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert.clone()], key)
        .unwrap();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    let acceptor = TlsAcceptor::from(Arc::new(config));

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Arc::new(Seen::default());
    let s = seen.clone();
    tokio::spawn(async move {
        loop {
            let Ok((sock, _)) = listener.accept().await else {
                return;
            };
            s.accepted.fetch_add(1, Ordering::SeqCst);
            let (acceptor, s) = (acceptor.clone(), s.clone());
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(sock).await else {
                    return;
                };
                let conn = tls.get_ref().1;
                s.handshakes.lock().push((
                    conn.server_name().map(str::to_owned),
                    conn.alpn_protocol().map(<[u8]>::to_vec),
                ));
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                loop {
                    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                        match tls.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    }
                    let end = buf.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
                    buf.drain(..end);
                    let resp = "HTTP/1.1 200 OK\r\ncontent-length: 6\r\n\r\ntls ok";
                    if tls.write_all(resp.as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    (addr, cert, seen)
}

#[tokio::test]
async fn proxies_to_https_upstream_reusing_the_connection_and_rejects_untrusted_certificates() {
    let who = whoami().await;
    let (trusted, trusted_cert, seen) = tls_upstream().await;
    // Same name, a certificate the gateway was not told to trust.
    let (untrusted, _, untrusted_seen) = tls_upstream().await;
    let rules = json!([
        rule(
            "trusted",
            "http://<**>/trusted<**>",
            &["noop"],
            &format!("https://localhost:{}", trusted.port())
        ),
        rule(
            "untrusted",
            "http://<**>/untrusted<**>",
            &["noop"],
            &format!("https://localhost:{}", untrusted.port())
        ),
    ]);
    let t = gateway_trusting(
        base_config(&who.url(), json!({})),
        rules,
        vec![trusted_cert],
    )
    .await;
    let c = client();

    for _ in 0..2 {
        let resp = c.get(t.proxy("/trusted/a")).send().await.unwrap();
        assert_eq!(resp.status(), 200);
        assert_eq!(resp.text().await.unwrap(), "tls ok");
    }
    // One TLS connection for both requests: SNI is the upstream host, ALPN HTTP/1.1.
    assert_eq!(seen.accepted.load(Ordering::SeqCst), 1);
    assert_eq!(
        *seen.handshakes.lock(),
        vec![(Some("localhost".to_owned()), Some(b"http/1.1".to_vec()))]
    );

    let resp = c.get(t.proxy("/untrusted/a")).send().await.unwrap();
    assert_eq!(resp.status(), 502);
    assert_eq!(untrusted_seen.accepted.load(Ordering::SeqCst), 1);
    assert!(untrusted_seen.handshakes.lock().is_empty());
}

#[tokio::test]
async fn pool_reports_an_untrusted_upstream_certificate_as_a_connect_error() {
    let (up, _, _) = tls_upstream().await;
    let pool = Pool::new(PoolConfig::default());
    let host: Authority = format!("localhost:{}", up.port()).parse().unwrap();
    let req = http::Request::get("/").header("host", host.as_str());
    let err = pool
        .send(
            &Scheme::HTTPS,
            &host,
            req.body(axum::body::Body::empty()).unwrap(),
        )
        .await
        .err()
        .expect("untrusted certificate");
    match err {
        SendError::Connect(e) => assert!(e.contains("certificate"), "{e}"),
        other => panic!("expected a connect error, got {other}"),
    }
    assert_eq!(pool.idle_count(&Scheme::HTTPS, &host), 0);
}

#[tokio::test]
async fn pool_keys_idle_tls_connections_apart_from_plain_ones() {
    use http_body_util::BodyExt;
    let (up, cert, seen) = tls_upstream().await;
    let pool = Pool::with_roots(PoolConfig::default(), &[cert]);
    let host: Authority = format!("localhost:{}", up.port()).parse().unwrap();
    for _ in 0..2 {
        let req = http::Request::get("/").header("host", host.as_str());
        let resp = pool
            .send(
                &Scheme::HTTPS,
                &host,
                req.body(axum::body::Body::empty()).unwrap(),
            )
            .await
            .map_err(|e| e.to_string())
            .unwrap();
        assert_eq!(resp.status(), 200);
        let body = resp.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(&body[..], b"tls ok");
        assert_eq!(pool.idle_count(&Scheme::HTTPS, &host), 1);
        assert_eq!(pool.idle_count(&Scheme::HTTP, &host), 0);
    }
    assert_eq!(seen.accepted.load(Ordering::SeqCst), 1);
}
