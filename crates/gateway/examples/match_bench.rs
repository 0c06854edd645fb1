//! Per-request rule matching cost with 10 and 1,000 rules (release build):
//! `cargo run --release -p nexus-gateway --example match_bench`.

use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

use nexus_gateway::config::MatchingStrategy;
use nexus_gateway::pipeline::registry::Registry;
use nexus_gateway::rule::{set::CompiledRule, RuleSet, RuleSpec};

fn rules(n: usize, strategy: MatchingStrategy) -> RuleSet {
    let registry = Registry::new(Default::default(), Default::default());
    let compiled = (0..n)
        .map(|i| {
            let url = match strategy {
                MatchingStrategy::Glob => format!("https://api.example.com/service{i}/<**>"),
                MatchingStrategy::Regexp => {
                    format!("https://api.example.com/service{i}/<[a-z0-9/]+>")
                }
            };
            let spec: RuleSpec = serde_json::from_value(serde_json::json!({
                "id": format!("r{i}"), "match": {"url": url, "methods": ["GET", "POST"]},
            }))
            .unwrap();
            Arc::new(CompiledRule::compile(spec, strategy, &registry))
        })
        .collect();
    RuleSet::new(compiled, vec![])
}

fn per_match_ns(set: &RuleSet, n: usize) -> f64 {
    let urls: Vec<String> = (0..64)
        .map(|i| {
            format!(
                "https://api.example.com/service{}/users/{i}",
                (i * 7919) % n
            )
        })
        .collect();
    let iters = 400_000;
    let start = Instant::now();
    for i in 0..iters {
        let m = set.find("GET", black_box(&urls[i % urls.len()]));
        black_box(m.is_ok());
    }
    start.elapsed().as_nanos() as f64 / iters as f64
}

fn main() {
    for strategy in [MatchingStrategy::Glob, MatchingStrategy::Regexp] {
        let small = rules(10, strategy);
        let large = rules(1000, strategy);
        per_match_ns(&small, 10);
        let a = per_match_ns(&small, 10);
        let b = per_match_ns(&large, 1000);
        println!(
            "{strategy:?}: 10 rules {a:.0} ns/match, 1000 rules {b:.0} ns/match, ratio {:.2}",
            b / a
        );
    }
}
