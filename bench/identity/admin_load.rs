//! Admin API benchmarks (issue 3) against a running identity server.
//!
//! ```text
//! admin_load gen <count> <first-index> <out.json>     identities with one shared bcrypt-12 hash
//! admin_load paging <admin-url> <page-size> <reps>    first vs last page of GET /admin/identities
//! admin_load lookup <admin-url> <requests> <clients> <max-index>
//!                                                     p50/p99 of credentials_identifier lookups
//! ```
//! Identities are `user-<index>@bench.example` so lookups can pick existing ones at random.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize| args.get(i).cloned().unwrap_or_default();
    let num = |i: usize| arg(i).parse::<usize>().expect("a number");
    match arg(0).as_str() {
        "gen" => generate(num(1), num(2), &arg(3)),
        "paging" => paging(&arg(1), num(2), num(3)).await,
        "lookup" => lookup(&arg(1), num(2), num(3), num(4)).await,
        other => panic!("unknown command {other:?} (gen | paging | lookup)"),
    }
}

fn email(i: usize) -> String {
    format!("user-{i}@bench.example")
}

/// Writes `count` createIdentityBody objects; they share one bcrypt-12 hash (the server
/// stores imported hashes as they are, so the hash's cost does not change the import's).
fn generate(count: usize, first: usize, out: &str) {
    let hash = bcrypt::hash("bench password 0123", 12).expect("bcrypt");
    let list: Vec<Value> = (first..first + count)
        .map(|i| {
            json!({
                "schema_id": "default",
                "traits": { "email": email(i) },
                "credentials": { "password": { "config": { "hashed_password": hash } } }
            })
        })
        .collect();
    std::fs::write(out, serde_json::to_vec(&list).expect("json")).expect("write");
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .build()
        .expect("client")
}

fn next_link(res: &reqwest::Response) -> Option<String> {
    let link = res.headers().get("link")?.to_str().ok()?;
    link.split(',').find_map(|part| {
        let (target, params) = part.split_once(';')?;
        params.contains("rel=\"next\"").then(|| {
            target
                .trim()
                .trim_matches(|c| c == '<' || c == '>')
                .to_string()
        })
    })
}

fn absolute(base: &str, target: &str) -> String {
    if target.starts_with("http") {
        target.to_string()
    } else {
        format!("{}{}", base.trim_end_matches('/'), target)
    }
}

/// Walks every page to find the last one, then times the first and the last `reps` times.
async fn paging(base: &str, page_size: usize, reps: usize) {
    let http = client();
    let first = format!(
        "{}/admin/identities?page_size={page_size}",
        base.trim_end_matches('/')
    );
    let mut url = first.clone();
    let mut pages = 0usize;
    let mut total = 0usize;
    let walk = Instant::now();
    let last = loop {
        let res = http.get(&url).send().await.expect("list");
        assert!(res.status().is_success(), "list failed: {}", res.status());
        let next = next_link(&res);
        let items: Vec<Value> = res.json().await.expect("json");
        pages += 1;
        total += items.len();
        match next {
            Some(n) if !items.is_empty() => url = absolute(base, &n),
            _ => break url,
        }
    };
    println!(
        "walked {pages} pages ({total} identities) in {:.1}s",
        walk.elapsed().as_secs_f64()
    );
    let time = |u: String| {
        let http = http.clone();
        async move {
            let mut samples = Vec::with_capacity(reps);
            for _ in 0..reps {
                let t = Instant::now();
                let res = http.get(&u).send().await.expect("list");
                let _ = res.bytes().await.expect("body");
                samples.push(t.elapsed());
            }
            samples.sort();
            samples[samples.len() / 2]
        }
    };
    let first_ms = time(first).await;
    let last_ms = time(last).await;
    println!(
        "page_size={page_size}: first page median {:.1} ms, last page median {:.1} ms, ratio last/first {:.2}",
        ms(first_ms),
        ms(last_ms),
        last_ms.as_secs_f64() / first_ms.as_secs_f64()
    );
}

/// `requests` lookups by a random existing identifier with `clients` in flight.
async fn lookup(base: &str, requests: usize, clients: usize, max_index: usize) {
    let http = client();
    let base = base.trim_end_matches('/').to_string();
    let per_client = requests / clients.max(1);
    let mut tasks = Vec::new();
    let start = Instant::now();
    for c in 0..clients {
        let http = http.clone();
        let base = base.clone();
        tasks.push(tokio::spawn(async move {
            let mut samples = Vec::with_capacity(per_client);
            let mut x = 0x9E37_79B9_7F4A_7C15u64 ^ (c as u64 + 1);
            for _ in 0..per_client {
                // xorshift: a cheap, repeatable spread over the identities.
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let i = (x % max_index as u64) as usize;
                let url = format!(
                    "{base}/admin/identities?credentials_identifier={}",
                    email(i)
                );
                let t = Instant::now();
                let res = http.get(&url).send().await.expect("lookup");
                assert!(res.status().is_success());
                let found: Vec<Value> = res.json().await.expect("json");
                samples.push(t.elapsed());
                assert_eq!(found.len(), 1, "identity {i} exists");
            }
            samples
        }));
    }
    let mut all: Vec<Duration> = Vec::new();
    for t in tasks {
        all.extend(t.await.expect("task"));
    }
    let took = start.elapsed();
    all.sort();
    let pct = |p: f64| all[((all.len() as f64 * p) as usize).min(all.len() - 1)];
    println!(
        "lookup by credentials_identifier: {} requests, {clients} clients, {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms",
        all.len(),
        all.len() as f64 / took.as_secs_f64(),
        ms(pct(0.50)),
        ms(pct(0.99))
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
