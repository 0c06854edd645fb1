//! Measuring hash cost on this machine: argon2 calibration and the raw hash rate of a hasher.

use std::time::{Duration, Instant};

use futures::StreamExt as _;
use zeroize::Zeroizing;

use super::{argon2, Argon2Settings, PasswordHasher};

/// Finds the iteration count at which argon2id with `memory_kib` and `parallelism` takes about
/// `target` on this machine (blocking; for the CLI, not for request paths). Other fields keep
/// their defaults and `expected_duration` is set to `target`.
pub fn calibrate_argon2(target: Duration, memory_kib: u32, parallelism: u32) -> Argon2Settings {
    let mut settings = Argon2Settings {
        memory_kib,
        iterations: 1,
        parallelism,
        expected_duration: target,
        ..Argon2Settings::default()
    };
    let one = time_hash(&settings);
    // Time grows about linearly with the pass count; estimate, then step towards the target.
    let estimate = (target.as_secs_f64() / one.as_secs_f64().max(1e-6)).round();
    settings.iterations = (estimate as u32).clamp(1, argon2::MAX_ITERATIONS as u32);
    for _ in 0..4 {
        let took = time_hash(&settings);
        let per_pass = took.as_secs_f64() / f64::from(settings.iterations);
        let next = (target.as_secs_f64() / per_pass.max(1e-6)).round() as u32;
        let next = next.clamp(1, argon2::MAX_ITERATIONS as u32);
        if next == settings.iterations {
            break;
        }
        settings.iterations = next;
    }
    settings
}

/// The mean time of `runs` argon2 hashes with `settings` on this machine.
pub fn measure_argon2(settings: &Argon2Settings, runs: u32) -> Duration {
    let runs = runs.max(1);
    (0..runs).map(|_| time_hash(settings)).sum::<Duration>() / runs
}

fn time_hash(settings: &Argon2Settings) -> Duration {
    let start = Instant::now();
    let _ = argon2::hash(b"calibration password", settings);
    start.elapsed()
}

/// Hashes `n` passwords through `hasher` with at most `concurrency` in flight and returns the
/// achieved rate in hashes per second (the ceiling a login benchmark compares against).
pub async fn raw_hash_rate(hasher: &PasswordHasher, n: usize, concurrency: usize) -> f64 {
    let start = Instant::now();
    futures::stream::iter(0..n)
        .map(|i| {
            let hasher = hasher.clone();
            async move {
                let _ = hasher
                    .hash(Zeroizing::new(format!("benchmark password {i}")))
                    .await;
            }
        })
        .buffer_unordered(concurrency.max(1))
        .collect::<()>()
        .await;
    n as f64 / start.elapsed().as_secs_f64()
}
