//! Per-request rule matching cost with 10 and 1,000 rules (release build):
//! `cargo run --release -p nexus-gateway --example match_bench`.
//!
//! Two rule shapes, for regexp and glob: a distinct literal prefix per rule (indexed by that
//! prefix), and the Oathkeeper-typical `<https|http>://host/…` with no literal prefix at all
//! (indexed by the literal after the scheme). All four are simple enough to be matched without
//! a regex engine (`rule::simple`); a fifth line has a counted repeat, which needs one. Each
//! figure is the best of five runs.
//!
//! The requests cycle through `DISTINCT` URLs (default 64), each matching its own rule (fewer
//! when there are fewer rules): 64 warm rules against 10. `DISTINCT=10` gives both sets the
//! same number of rules in use, which separates the rule count from the cache working set.

use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

use nexus_gateway::config::MatchingStrategy;
use nexus_gateway::pipeline::registry::Registry;
use nexus_gateway::rule::{set::CompiledRule, RuleSet, RuleSpec};

type Shape = (&'static str, MatchingStrategy, fn(usize) -> String);

const SHAPES: &[Shape] = &[
    ("glob, prefix per rule", MatchingStrategy::Glob, |i| {
        format!("https://api.example.com/service{i}/<**>")
    }),
    ("regexp, prefix per rule", MatchingStrategy::Regexp, |i| {
        format!("https://api.example.com/service{i}/<[a-z0-9/]+>")
    }),
    ("glob, no literal prefix", MatchingStrategy::Glob, |i| {
        format!("<{{https,http}}>://api.example.com/service{i}/<**>")
    }),
    ("regexp, no literal prefix", MatchingStrategy::Regexp, |i| {
        format!("<https|http>://api.example.com/service{i}/<[a-z0-9/]+>")
    }),
    (
        "regexp engine, prefix per rule",
        MatchingStrategy::Regexp,
        |i| format!("https://api.example.com/service{i}/<[a-z0-9/]{{1,64}}>"),
    ),
];

fn rules(n: usize, strategy: MatchingStrategy, url: fn(usize) -> String) -> RuleSet {
    let registry = Registry::new(Default::default(), Default::default());
    let compiled = (0..n)
        .map(|i| {
            let spec: RuleSpec = serde_json::from_value(serde_json::json!({
                "id": format!("r{i}"), "match": {"url": url(i), "methods": ["GET", "POST"]},
            }))
            .unwrap();
            Arc::new(CompiledRule::compile(spec, strategy, &registry))
        })
        .collect();
    RuleSet::new(compiled, vec![])
}

fn per_match_ns(set: &RuleSet, n: usize) -> f64 {
    let distinct = std::env::var("DISTINCT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64);
    let urls: Vec<String> = (0..distinct)
        .map(|i| {
            format!(
                "https://api.example.com/service{}/users/{i}",
                (i * 7919) % n
            )
        })
        .collect();
    for u in &urls {
        assert!(
            set.find("GET", u).is_ok(),
            "{u} must match exactly one rule"
        );
    }
    let iters = 200_000;
    let mut best = f64::MAX;
    for _ in 0..5 {
        let start = Instant::now();
        for i in 0..iters {
            let m = set.find("GET", black_box(&urls[i % urls.len()]));
            black_box(m.is_ok());
        }
        best = best.min(start.elapsed().as_nanos() as f64 / iters as f64);
    }
    best
}

fn main() {
    for (name, strategy, url) in SHAPES {
        let small = rules(10, *strategy, *url);
        let large = rules(1000, *strategy, *url);
        let a = per_match_ns(&small, 10);
        let b = per_match_ns(&large, 1000);
        println!(
            "{name}: 10 rules {a:.0} ns/match, 1000 rules {b:.0} ns/match, ratio {:.2}",
            b / a
        );
    }
}
