//! Raw password-hash rate: bcrypt cost 12 (Kratos default), argon2id with Kratos' defaults
//! (128 MiB, t=1, p=2×CPUs) and with the ASVS minimum (19 MiB, t=2, p=1).
//!
//! `cargo bench -p nexus-identity --bench hash`. "single" is one hash at a time through the
//! pool (latency → per-core rate); "pool" hashes one password per core concurrently, so its
//! throughput is the machine's aggregate rate, the ceiling a login benchmark can reach.

use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use nexus_identity::hash::{
    raw_hash_rate, Argon2Settings, HashAlgorithm, HasherSettings, PasswordHasher,
};
use zeroize::Zeroizing;

fn cases() -> Vec<(&'static str, HasherSettings)> {
    let argon2 = |argon2: Argon2Settings| HasherSettings {
        algorithm: HashAlgorithm::Argon2,
        argon2,
        ..HasherSettings::default()
    };
    vec![
        ("bcrypt-12", HasherSettings::default()),
        ("argon2id-kratos-default", argon2(Argon2Settings::default())),
        (
            "argon2id-m19MiB-t2-p1",
            argon2(Argon2Settings {
                memory_kib: 19 * 1024,
                iterations: 2,
                parallelism: 1,
                ..Argon2Settings::default()
            }),
        ),
    ]
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().expect("tokio runtime");
    let cores = num_cpus::get();
    for (name, settings) in cases() {
        let hasher = PasswordHasher::new(settings);
        let mut group = c.benchmark_group(format!("hash/{name}"));
        group
            .sample_size(10)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(8));
        group.throughput(Throughput::Elements(1));
        group.bench_function("single", |b| {
            b.iter(|| {
                rt.block_on(hasher.hash(Zeroizing::new("correct horse battery".into())))
                    .expect("hash")
            })
        });
        group.throughput(Throughput::Elements(cores as u64));
        group.bench_function(format!("pool-{cores}"), |b| {
            b.iter(|| rt.block_on(raw_hash_rate(&hasher, cores, cores)))
        });
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
