//! Password-login throughput against a running identity server, compared with the raw rate of
//! the same hasher measured in this run.
//!
//! `cargo run --release -p nexus-identity --example login_load -- <public-url> <identifier> <password> [clients] [seconds] [bcrypt-cost]`

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use nexus_identity::hash::{raw_hash_rate, HashAlgorithm, HasherSettings, PasswordHasher};
use serde_json::{json, Value};

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let base = args
        .get(1)
        .expect("public URL")
        .trim_end_matches('/')
        .to_string();
    let identifier = args.get(2).expect("identifier").clone();
    let password = args.get(3).expect("password").clone();
    let clients: usize = args.get(4).and_then(|a| a.parse().ok()).unwrap_or(64);
    let seconds: u64 = args.get(5).and_then(|a| a.parse().ok()).unwrap_or(20);
    let cost: u32 = args.get(6).and_then(|a| a.parse().ok()).unwrap_or(12);

    let settings = HasherSettings {
        algorithm: HashAlgorithm::Bcrypt,
        bcrypt_cost: cost,
        ..Default::default()
    };
    let hasher = PasswordHasher::new(settings);
    let raw = raw_hash_rate(&hasher, 4 * num_cpus(), num_cpus()).await;
    println!(
        "raw bcrypt-{cost} verify rate on {} cores: {raw:.2}/s",
        num_cpus()
    );

    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(clients)
        .build()
        .unwrap();
    let ok = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (client, base, identifier, password) = (
            client.clone(),
            base.clone(),
            identifier.clone(),
            password.clone(),
        );
        let (ok, failed) = (ok.clone(), failed.clone());
        tasks.push(tokio::spawn(async move {
            while Instant::now() < deadline {
                match login(&client, &base, &identifier, &password).await {
                    Ok(()) => ok.fetch_add(1, Ordering::Relaxed),
                    Err(e) => {
                        eprintln!("login failed: {e}");
                        failed.fetch_add(1, Ordering::Relaxed)
                    }
                };
            }
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let ok = ok.load(Ordering::Relaxed);
    let rate = ok as f64 / elapsed;
    println!(
        "logins: {ok} ok, {} failed in {elapsed:.1}s with {clients} clients",
        failed.load(Ordering::Relaxed)
    );
    println!(
        "login throughput: {rate:.2}/s = {:.0}% of the raw hash rate",
        100.0 * rate / raw
    );
}

async fn login(
    client: &reqwest::Client,
    base: &str,
    identifier: &str,
    password: &str,
) -> Result<(), String> {
    let flow: Value = client
        .get(format!("{base}/self-service/login/api"))
        .send()
        .await
        .map_err(|e| e.to_string())?
        .json()
        .await
        .map_err(|e| e.to_string())?;
    let action = flow["ui"]["action"].as_str().ok_or("no action")?;
    let res = client
        .post(action)
        .json(&json!({ "method": "password", "identifier": identifier, "password": password }))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if res.status() == 200 {
        Ok(())
    } else {
        Err(format!("status {}", res.status()))
    }
}

fn num_cpus() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
}
