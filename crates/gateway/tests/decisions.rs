//! End-to-end: `/decisions` called the way nginx `auth_request` calls it, and the API.

mod common;

use common::*;
use serde_json::{json, Value};

fn seed_rule() -> Value {
    json!({
        "id": "django:graphql",
        "upstream": {"url": "http://nexus-api:8000"},
        "match": {"url": "https://api.example.com/graphql/<**>", "methods": ["POST", "OPTIONS"]},
        "authenticators": [{"handler": "cookie_session"}],
        "authorizer": {"handler": "allow"},
        "mutators": [{"handler": "header"}]
    })
}

#[tokio::test]
async fn nginx_auth_request_style_decision() {
    let who = whoami().await;
    let t = gateway(base_config(&who.url(), json!({})), json!([seed_rule()])).await;
    let c = client();
    // nginx: proxy_pass http://gw/decisions$request_uri; with X-Forwarded-* set and no body.
    let resp = c
        .get(t.api("/decisions/graphql/?query=1"))
        .header("X-Forwarded-Method", "POST")
        .header("X-Forwarded-Proto", "https")
        .header("X-Forwarded-Host", "api.example.com")
        .header("X-Forwarded-Uri", "/graphql/?query=1")
        .header("Cookie", "ory_kratos_session=valid")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["x-user-id"], "user-1");

    let resp = c
        .get(t.api("/decisions/graphql/"))
        .header("X-Forwarded-Method", "POST")
        .header("X-Forwarded-Proto", "https")
        .header("X-Forwarded-Host", "api.example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);

    let resp = c
        .get(t.api("/decisions/graphql/"))
        .header("X-Forwarded-Method", "GET")
        .header("X-Forwarded-Proto", "https")
        .header("X-Forwarded-Host", "api.example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404, "GET is not in the rule's methods");
}

#[tokio::test]
async fn regexp_captures_and_query_reach_templates() {
    let who = whoami().await;
    let cfg = base_config(
        &who.url(),
        json!({"access_rules": {"matching_strategy": "regexp"}}),
    );
    let rules = json!([{
        "id": "users",
        "match": {"url": "http://app.test/users/<[0-9]+>", "methods": ["GET"]},
        "authenticators": [{"handler": "anonymous"}],
        "authorizer": {"handler": "allow"},
        "mutators": [{"handler": "header", "config": {"headers": {
            "X-User": "{{ printIndex .MatchContext.RegexpCaptureGroups 0 }}",
            "X-Query": "{{ .MatchContext.URL.RawQuery }}",
            "X-Sub": "{{ .Subject | upper }}"
        }}}]
    }]);
    let t = gateway(cfg, rules).await;
    let resp = client()
        .get(t.api("/decisions/users/42"))
        .header("X-Forwarded-Host", "app.test")
        .header("X-Forwarded-Uri", "/users/42?tab=profile")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["x-user"], "42");
    assert_eq!(resp.headers()["x-query"], "tab=profile");
    assert_eq!(resp.headers()["x-sub"], "GUEST");
}

#[tokio::test]
async fn error_handlers_redirect_html_and_json_otherwise() {
    let who = whoami().await;
    let mut r = seed_rule();
    r["errors"] = json!([{"handler": "redirect", "config": {
        "to": "https://login.example.com/", "return_to_query_param": "return_to",
        "when": [{"error": ["unauthorized"], "request": {"header": {"accept": ["text/html"]}}}]
    }}]);
    let cfg = base_config(
        &who.url(),
        json!({"errors": {"handlers": {
            "redirect": {"enabled": true, "config": {"to": "https://fallback.example.com/"}},
            "www_authenticate": {"enabled": true, "config": {"realm": "nexus"}}
        }}}),
    );
    let t = gateway(cfg, json!([r])).await;
    let req = |accept: &'static str| {
        client()
            .post(t.api("/decisions/graphql/"))
            .header("X-Forwarded-Proto", "https")
            .header("X-Forwarded-Host", "api.example.com")
            .header("X-Forwarded-Uri", "/graphql/")
            .header("Accept", accept)
            .send()
    };
    let resp = req("text/html").await.unwrap();
    assert_eq!(resp.status(), 302);
    let loc = resp.headers()["location"].to_str().unwrap();
    assert!(
        loc.starts_with(
            "https://login.example.com/?return_to=https%3A%2F%2Fapi.example.com%2Fgraphql%2F"
        ),
        "{loc}"
    );
    let resp = req("application/json").await.unwrap();
    assert_eq!(resp.status(), 401);
    assert_eq!(resp.headers()["content-type"], "application/json");
}

#[tokio::test]
async fn api_lists_rules_and_reports_health() {
    let who = whoami().await;
    let t = gateway(base_config(&who.url(), json!({})), json!([seed_rule()])).await;
    let c = client();
    let rules: Value = c
        .get(t.api("/rules"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(rules[0]["id"], "django:graphql");
    assert_eq!(rules[0]["match"]["methods"], json!(["POST", "OPTIONS"]));
    let one = c.get(t.api("/rules/django:graphql")).send().await.unwrap();
    assert_eq!(one.status(), 200);
    assert_eq!(
        c.get(t.api("/rules/nope")).send().await.unwrap().status(),
        404
    );
    let alive: Value = c
        .get(t.api("/health/alive"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(alive, json!({"status": "ok"}));
    assert_eq!(
        c.get(t.api("/health/ready")).send().await.unwrap().status(),
        200
    );
    let metrics = c
        .get(t.api("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("ory_oathkeeper_requests_total"),
        "{metrics}"
    );

    let empty = gateway(base_config(&who.url(), json!({})), json!([])).await;
    assert_eq!(
        c.get(empty.api("/health/ready"))
            .send()
            .await
            .unwrap()
            .status(),
        503
    );
}

#[tokio::test]
async fn invalid_rules_match_and_fail_with_500() {
    let who = whoami().await;
    let mut unknown = seed_rule();
    unknown["id"] = json!("unknown");
    unknown["match"]["url"] = json!("https://api.example.com/unknown");
    unknown["authenticators"] = json!([{"handler": "magic"}]);
    let mut disabled = seed_rule();
    disabled["id"] = json!("disabled");
    disabled["match"]["url"] = json!("https://api.example.com/disabled");
    disabled["authenticators"] = json!([{"handler": "jwt"}]);
    let mut bad_config = seed_rule();
    bad_config["id"] = json!("bad-config");
    bad_config["match"]["url"] = json!("https://api.example.com/bad");
    bad_config["mutators"] = json!([{"handler": "header", "config": {"headers": "not an object"}}]);
    let t = gateway(
        base_config(&who.url(), json!({})),
        json!([unknown, disabled, bad_config]),
    )
    .await;
    for path in ["/unknown", "/disabled", "/bad"] {
        let resp = client()
            .post(t.api(&format!("/decisions{path}")))
            .header("X-Forwarded-Proto", "https")
            .header("X-Forwarded-Host", "api.example.com")
            .header("Cookie", "ory_kratos_session=valid")
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 500, "{path}");
        let body: Value = resp.json().await.unwrap();
        assert!(
            body["error"].get("reason").is_none(),
            "internal reasons are not shown"
        );
    }
    assert_eq!(
        client()
            .get(t.api("/health/ready"))
            .send()
            .await
            .unwrap()
            .status(),
        503
    );
}

/// Reads HTTP/1.1 answers off `stream` until `count` of them (each with a `content-length`)
/// are whole; returns their status codes.
async fn read_answers(stream: &mut tokio::net::TcpStream, count: usize) -> Vec<u16> {
    use tokio::io::AsyncReadExt;
    let mut buf = Vec::new();
    let mut statuses = Vec::new();
    while statuses.len() < count {
        let mut chunk = [0u8; 4096];
        let n = tokio::time::timeout(std::time::Duration::from_secs(5), stream.read(&mut chunk))
            .await
            .expect("answer in time")
            .unwrap();
        assert!(n > 0, "closed after {statuses:?}");
        buf.extend_from_slice(&chunk[..n]);
        loop {
            let mut fields = [httparse::EMPTY_HEADER; 32];
            let mut resp = httparse::Response::new(&mut fields);
            let Ok(httparse::Status::Complete(head)) = resp.parse(&buf) else {
                break;
            };
            let length: usize = resp
                .headers
                .iter()
                .find(|h| h.name.eq_ignore_ascii_case("content-length"))
                .map(|h| std::str::from_utf8(h.value).unwrap().parse().unwrap())
                .expect("content-length");
            if buf.len() < head + length {
                break;
            }
            statuses.push(resp.code.unwrap());
            buf.drain(..head + length);
        }
    }
    statuses
}

#[tokio::test]
async fn decisions_on_one_connection_pipelined_and_with_a_body() {
    use tokio::io::AsyncWriteExt;
    let who = whoami().await;
    let t = gateway(base_config(&who.url(), json!({})), json!([seed_rule()])).await;
    let mut stream = tokio::net::TcpStream::connect(t.gw.api_addr).await.unwrap();
    let ask = |cookie: &str| {
        format!(
            "GET /decisions/graphql/ HTTP/1.1\r\nHost: gw\r\nX-Forwarded-Method: POST\r\n\
             X-Forwarded-Proto: https\r\nX-Forwarded-Host: api.example.com\r\n{cookie}\r\n"
        )
    };
    // Three pipelined decisions and an API route on one keep-alive connection, answered in
    // order by the listener's own loop.
    let pipelined = [
        ask("Cookie: ory_kratos_session=valid\r\n"),
        ask(""),
        "GET /health/alive HTTP/1.1\r\nHost: gw\r\n\r\n".to_owned(),
        ask("Cookie: ory_kratos_session=valid\r\n"),
    ]
    .concat();
    stream.write_all(pipelined.as_bytes()).await.unwrap();
    assert_eq!(read_answers(&mut stream, 4).await, [200, 401, 200, 200]);
    // A decision with a body moves the connection to hyper, which still decides it.
    let with_body = format!(
        "POST /decisions/graphql/ HTTP/1.1\r\nHost: gw\r\nX-Forwarded-Proto: https\r\n\
         X-Forwarded-Host: api.example.com\r\nCookie: ory_kratos_session=valid\r\n\
         Content-Length: 2\r\n\r\n{{}}{}",
        ask("")
    );
    stream.write_all(with_body.as_bytes()).await.unwrap();
    assert_eq!(read_answers(&mut stream, 2).await, [200, 401]);
}

#[tokio::test]
async fn forwarded_fields_read_alike_in_our_loop_and_through_hyper() {
    use tokio::io::AsyncWriteExt;
    let who = whoami().await;
    let t = gateway(base_config(&who.url(), json!({})), json!([seed_rule()])).await;
    let mut stream = tokio::net::TcpStream::connect(t.gw.api_addr).await.unwrap();
    // Names in any case, a lower-case padded method, an empty X-Forwarded-Host (so the Host
    // field names the host) and the path from X-Forwarded-Uri, not the decisions target.
    let ask = |host: &str, body: &str| {
        format!(
            "GET /decisions/elsewhere HTTP/1.1\r\nHost: {host}\r\nx-FORWARDED-method:  post \r\n\
             X-forwarded-PROTO: https\r\nX-Forwarded-Host: \r\nx-forwarded-uri: /graphql/x\r\n\
             COOKIE: ory_kratos_session=valid\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
    };
    // The first two stay in the listener's own loop; the third has a body and moves the
    // connection to hyper, which answers the fourth as well.
    let requests = [
        ask("api.example.com", ""),
        ask("other.example.com", ""),
        ask("api.example.com", "{}"),
        ask("other.example.com", ""),
    ]
    .concat();
    stream.write_all(requests.as_bytes()).await.unwrap();
    assert_eq!(read_answers(&mut stream, 4).await, [200, 404, 200, 404]);
}
