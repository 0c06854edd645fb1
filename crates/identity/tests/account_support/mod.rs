//! Helpers shared by the settings, verification and recovery end-to-end tests.
#![allow(dead_code)]

use reqwest::header::{ACCEPT, LOCATION};
use serde_json::{json, Value};

use crate::common::{self, TestServer, PASSWORD};

/// UI base of the test config.
pub const UI: &str = "http://127.0.0.1:4455";

/// Sets UI URLs for settings, recovery and verification (the base config sets the others).
pub fn ui_urls(cfg: &mut Value) {
    let flows = &mut cfg["selfservice"]["flows"];
    flows["settings"]["ui_url"] = json!(format!("{UI}/settings"));
    flows["recovery"]["ui_url"] = json!(format!("{UI}/recovery"));
    flows["verification"]["ui_url"] = json!(format!("{UI}/verification"));
}

/// Decodes `v` with an SDK model (strict: missing required fields or unknown enum values fail).
pub fn sdk<T: serde::de::DeserializeOwned>(v: &Value) -> T {
    serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("SDK model rejects {v}: {e}"))
}

/// The `Location` header of a redirect.
pub fn location(res: &reqwest::Response) -> String {
    res.headers()[LOCATION].to_str().unwrap().to_string()
}

/// The `flow` query value of a UI URL.
pub fn flow_param(url: &str) -> String {
    url::Url::parse(url)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "flow")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| panic!("no flow in {url}"))
}

/// Fetches a flow with the browser's cookies.
pub async fn fetch(srv: &TestServer, client: &reqwest::Client, kind: &str, id: &str) -> Value {
    let res = client
        .get(srv.url(&format!("/self-service/{kind}/flows?id={id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "fetch {kind} flow");
    res.json().await.unwrap()
}

/// Starts a browser flow the way a page does (HTML: 303 to the UI, then fetch it).
pub async fn browser_flow(srv: &TestServer, client: &reqwest::Client, kind: &str) -> Value {
    let res = client
        .get(srv.url(&format!("/self-service/{kind}/browser")))
        .header(ACCEPT, "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303, "init {kind}");
    let to = location(&res);
    assert!(to.starts_with(&format!("{UI}/{kind}?flow=")), "{to}");
    fetch(srv, client, kind, &flow_param(&to)).await
}

/// Posts a form to a flow's action (as a page does; redirects are not followed).
pub async fn post_form(
    client: &reqwest::Client,
    flow: &Value,
    pairs: &[(&str, &str)],
) -> reqwest::Response {
    client
        .post(flow["ui"]["action"].as_str().unwrap())
        .header(ACCEPT, "text/html")
        .form(pairs)
        .send()
        .await
        .unwrap()
}

/// Signs in through a browser login flow with the password method.
pub async fn post_password_login(
    client: &reqwest::Client,
    login: &Value,
    identifier: &str,
    password: &str,
) -> reqwest::Response {
    post_form(
        client,
        login,
        &[
            ("csrf_token", &crate::common::csrf_of(login)),
            ("method", "password"),
            ("identifier", identifier),
            ("password", password),
        ],
    )
    .await
}

/// Posts JSON to a flow's action; `token` as `X-Session-Token`.
pub async fn post_json(
    client: &reqwest::Client,
    flow: &Value,
    body: Value,
    token: Option<&str>,
) -> (u16, Value) {
    let mut req = client
        .post(flow["ui"]["action"].as_str().unwrap())
        .header(ACCEPT, "application/json")
        .json(&body);
    if let Some(t) = token {
        req = req.header("X-Session-Token", t);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// Registers `address` in the browser (the session hook signs it in).
pub async fn register_browser(
    srv: &TestServer,
    client: &reqwest::Client,
    address: &str,
) -> reqwest::Response {
    let flow = browser_flow(srv, client, "registration").await;
    let csrf = common::csrf_of(&flow);
    post_form(
        client,
        &flow,
        &[
            ("csrf_token", csrf.as_str()),
            ("method", "password"),
            ("traits.email", address),
            ("traits.name.first", "Grace"),
            ("password", PASSWORD),
        ],
    )
    .await
}

/// An API flow of `kind` (with a session token for settings).
pub async fn api_flow(srv: &TestServer, kind: &str, token: Option<&str>) -> (u16, Value) {
    let mut req = common::plain().get(srv.url(&format!("/self-service/{kind}/api")));
    if let Some(t) = token {
        req = req.header("X-Session-Token", t);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap())
}

/// Registers `address` through the API; returns the whole answer (session token inside
/// when the `session` hook runs).
pub async fn register_api(srv: &TestServer, address: &str) -> Value {
    let (status, flow) = api_flow(srv, "registration", None).await;
    assert_eq!(status, 200, "{flow}");
    let body = json!({ "method": "password", "password": PASSWORD, "traits": { "email": address, "name": { "first": "Ada" } } });
    let (status, done) = post_json(&common::plain(), &flow, body, None).await;
    assert_eq!(status, 200, "{done}");
    done
}

/// Signs in through the API; the session token, or the failed flow / error.
pub async fn login_api(
    srv: &TestServer,
    identifier: &str,
    password: &str,
) -> Result<String, (u16, Value)> {
    let (_, flow) = api_flow(srv, "login", None).await;
    let body = json!({ "method": "password", "identifier": identifier, "password": password });
    let (status, done) = post_json(&common::plain(), &flow, body, None).await;
    match status {
        200 => Ok(done["session_token"].as_str().unwrap().to_string()),
        _ => Err((status, done)),
    }
}

/// `whoami` with a session token: the status.
pub async fn whoami_token(srv: &TestServer, token: &str) -> u16 {
    common::plain()
        .get(srv.url("/sessions/whoami"))
        .header("X-Session-Token", token)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// `whoami` with the browser's cookies: the status and body.
pub async fn whoami(srv: &TestServer, client: &reqwest::Client) -> (u16, Value) {
    let res = client
        .get(srv.url("/sessions/whoami"))
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap())
}

/// The node whose input name or element id is `name` (first match).
pub fn node<'a>(flow: &'a Value, name: &str) -> Option<&'a Value> {
    flow["ui"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|n| n["attributes"]["name"] == name || n["attributes"]["id"] == name)
}

/// `(group, name, value)` of every node, for layout assertions.
pub fn layout(flow: &Value) -> Vec<(String, String, Value)> {
    flow["ui"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|n| {
            (
                n["group"].as_str().unwrap_or_default().to_string(),
                n["attributes"]["name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                n["attributes"]["value"].clone(),
            )
        })
        .collect()
}

/// The emails queued for `to`, oldest first.
pub async fn mails(srv: &TestServer, to: &str) -> Vec<nexus_identity::domain::message::Message> {
    let query = nexus_identity::store::ListMessages {
        recipient: Some(to.to_string()),
        ..Default::default()
    };
    let mut list = srv.reg.store.list_messages(&query).await.unwrap();
    list.reverse();
    list
}

/// Waits (up to 5 s) until `n` emails were queued for `to`; returns the newest. Codes are
/// sent in the background so that answers do not reveal whether an address is known.
pub async fn wait_mail(
    srv: &TestServer,
    to: &str,
    n: usize,
) -> nexus_identity::domain::message::Message {
    for _ in 0..100 {
        let list = mails(srv, to).await;
        if list.len() >= n {
            return list[n - 1].clone();
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("no email #{n} for {to}");
}

/// The six-digit code in an email body.
pub fn code_in(body: &str) -> String {
    body.lines()
        .map(str::trim)
        .find(|l| l.len() == 6 && l.chars().all(|c| c.is_ascii_digit()))
        .unwrap_or_else(|| panic!("no code in {body}"))
        .to_string()
}

/// The first self-service link in an email body.
pub fn link_in(body: &str) -> String {
    body.split_whitespace()
        .find(|w| w.starts_with("http") && w.contains("/self-service/"))
        .unwrap_or_else(|| panic!("no link in {body}"))
        .to_string()
}

/// A query parameter of a URL.
pub fn param(url: &str, key: &str) -> String {
    url::Url::parse(url)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| panic!("no {key} in {url}"))
}

/// Turns verification on with `use` = `strategy`, plus any method switch it needs.
pub fn verification(cfg: &mut Value, strategy: &str) {
    cfg["selfservice"]["flows"]["verification"]["enabled"] = json!(true);
    cfg["selfservice"]["flows"]["verification"]["use"] = json!(strategy);
    if strategy == "link" {
        cfg["selfservice"]["methods"]["link"] = json!({ "enabled": true });
    }
}

/// Turns recovery on with `use` = `strategy`, plus any method switch it needs.
pub fn recovery(cfg: &mut Value, strategy: &str) {
    cfg["selfservice"]["flows"]["recovery"]["enabled"] = json!(true);
    cfg["selfservice"]["flows"]["recovery"]["use"] = json!(strategy);
    if strategy == "link" {
        cfg["selfservice"]["methods"]["link"] = json!({ "enabled": true });
    }
}

/// The identity `id` from the admin API with its `credential` type's config.
pub async fn admin_identity(srv: &TestServer, id: &str, credential: &str) -> Value {
    let res = common::plain()
        .get(format!(
            "{}/admin/identities/{id}?include_credential={credential}",
            srv.admin
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

/// A new native `kind` flow (recovery or verification) with a code sent to `address`: the
/// flow and the code from the `nth` email to that address.
pub async fn api_code_flow(
    srv: &TestServer,
    kind: &str,
    address: &str,
    nth: usize,
) -> (Value, String) {
    let (_, flow) = api_flow(srv, kind, None).await;
    let body = json!({ "method": "code", "email": address });
    post_json(&common::plain(), &flow, body, None).await;
    let code = code_in(&wait_mail(srv, address, nth).await.body);
    (flow, code)
}

/// Five wrong codes on `flow`, each answered on the flow with `wrong_id`; then the right
/// `code` as the sixth submission restarts the flow (410 `self_service_flow_replaced`).
/// Returns the replacement flow, which carries 4000001.
pub async fn five_wrong_codes_then_restart(
    srv: &TestServer,
    kind: &str,
    flow: &Value,
    code: &str,
    wrong_id: i64,
) -> Value {
    let plain = common::plain();
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for _ in 0..5 {
        let body = json!({ "method": "code", "code": wrong });
        let (status, f) = post_json(&plain, flow, body, None).await;
        assert_eq!(status, 200, "{f}");
        assert_eq!(common::message_ids(&f), vec![wrong_id]);
    }
    let (status, e) = post_json(
        &plain,
        flow,
        json!({ "method": "code", "code": code }),
        None,
    )
    .await;
    assert_eq!(status, 410, "{e}");
    assert_eq!(e["error"]["id"], "self_service_flow_replaced");
    let id = e["use_flow_id"].as_str().unwrap();
    let fresh = fetch_api(srv, kind, id).await;
    assert_eq!(fresh["state"], "choose_method");
    assert_eq!(common::message_ids(&fresh), vec![4000001]);
    fresh
}

/// Fetches a flow without cookies (native apps).
pub async fn fetch_api(srv: &TestServer, kind: &str, id: &str) -> Value {
    common::plain()
        .get(srv.url(&format!("/self-service/{kind}/flows?id={id}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// The address step of a browser recovery or verification flow refuses a missing or forged
/// CSRF token (403), a disabled method (`no_strategy_id`), a missing address (4000002), and
/// unknown or malformed flow ids (404).
pub async fn address_step_bad_input(
    srv: &TestServer,
    client: &reqwest::Client,
    kind: &str,
    no_strategy_id: i64,
    malformed_id: &str,
) -> Value {
    let flow = browser_flow(srv, client, kind).await;
    let csrf = common::csrf_of(&flow);
    for token in [
        None,
        Some("forged-forged-forged-forged-forged-forged-forged-forged"),
    ] {
        let mut body = json!({ "method": "code", "email": common::email() });
        if let Some(t) = token {
            body["csrf_token"] = json!(t);
        }
        let (status, e) = post_json(client, &flow, body, None).await;
        assert_eq!(status, 403, "{e}");
        assert_eq!(e["error"]["id"], "security_csrf_violation");
    }
    let body = json!({ "method": "link", "csrf_token": csrf, "email": common::email() });
    let (status, f) = post_json(client, &flow, body, None).await;
    assert_eq!(status, 400, "{f}");
    assert_eq!(common::message_ids(&f), vec![no_strategy_id]);
    let body = json!({ "method": "code", "csrf_token": csrf });
    let (status, f) = post_json(client, &flow, body, None).await;
    assert_eq!(status, 400, "{f}");
    assert_eq!(common::node_message_ids(&f, "email"), vec![4000002]);
    for q in [
        format!("flow={}", uuid::Uuid::new_v4()),
        format!("flow={malformed_id}"),
    ] {
        let res = client
            .post(srv.url(&format!("/self-service/{kind}?{q}")))
            .header(ACCEPT, "application/json")
            .json(&json!({ "method": "code" }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 404);
    }
    flow
}
