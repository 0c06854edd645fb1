//! Prometheus metrics (`<prefix>requests_total`, `<prefix>requests_duration_seconds`,
//! plus session-cache counters), served on the API port at `/metrics`.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use prometheus::{
    Encoder, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, Opts, Registry,
    TextEncoder,
};

/// The gateway's metric families.
#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    duration: HistogramVec,
    /// Tells this instance's entries in [`RECENT`] from other instances' (tests run several).
    id: u64,
}

static NEXT_ID: AtomicU64 = AtomicU64::new(0);

/// How many label sets each thread remembers.
const RECENT_SLOTS: usize = 8;

/// The counter and histogram of one label set.
struct Children {
    metrics: u64,
    labels: [String; 4],
    requests: IntCounter,
    duration: Histogram,
}

thread_local! {
    /// The label sets this thread used last, with their metrics: a hit costs a few short
    /// string comparisons instead of hashing the labels into both families and taking their
    /// locks. Replaced round-robin.
    static RECENT: RefCell<(usize, Vec<Children>)> = const { RefCell::new((0, Vec::new())) };
}

impl Metrics {
    /// Registers the families under `prefix` (Oathkeeper: `ory_oathkeeper_`).
    pub fn new(prefix: &str) -> Self {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new(
                format!("{prefix}requests_total"),
                "Total number of requests",
            ),
            &["service", "method", "request", "status_code"],
        )
        .expect("valid metric");
        let duration = HistogramVec::new(
            HistogramOpts::new(
                format!("{prefix}requests_duration_seconds"),
                "Time spent serving requests",
            )
            .buckets(vec![
                0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
            ]),
            &["service", "method", "request", "status_code"],
        )
        .expect("valid metric");
        registry
            .register(Box::new(requests.clone()))
            .expect("unique metric");
        registry
            .register(Box::new(duration.clone()))
            .expect("unique metric");
        Self {
            registry,
            requests,
            duration,
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
        }
    }

    /// Records one request; `path` is collapsed to its first segment.
    pub fn observe(&self, service: &str, method: &str, path: &str, status: u16, took: Duration) {
        let request = collapse(path);
        let mut buf = [0u8; 5];
        let labels = [service, method, request, digits(status, &mut buf)];
        RECENT.with(|recent| {
            let (next, slots) = &mut *recent.borrow_mut();
            let hit = slots
                .iter()
                .find(|c| c.metrics == self.id && c.labels.iter().eq(labels.iter()));
            let children = match hit {
                Some(c) => c,
                None => {
                    let fresh = Children {
                        metrics: self.id,
                        labels: labels.map(str::to_owned),
                        requests: self.requests.with_label_values(&labels),
                        duration: self.duration.with_label_values(&labels),
                    };
                    let i = *next % RECENT_SLOTS;
                    *next = next.wrapping_add(1);
                    if i < slots.len() {
                        slots[i] = fresh;
                    } else {
                        slots.push(fresh);
                    }
                    &slots[i]
                }
            };
            children.requests.inc();
            children.duration.observe(took.as_secs_f64());
        });
    }

    /// The text exposition.
    pub fn render(&self) -> String {
        let mut out = Vec::new();
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut out);
        String::from_utf8(out).unwrap_or_default()
    }
}

/// `status` in decimal, without allocating (this runs per request).
fn digits(mut n: u16, buf: &mut [u8; 5]) -> &str {
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    std::str::from_utf8(&buf[i..]).unwrap_or("0")
}

/// `/users/42/x` → `/users` (Oathkeeper's `collapse_request_paths`).
fn collapse(path: &str) -> &str {
    match path[1.min(path.len())..].find('/') {
        Some(i) => &path[..i + 1],
        None => path,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(m: &Metrics, labels: &str) -> u64 {
        let line = format!("ory_oathkeeper_requests_total{{{labels}}} ");
        m.render()
            .lines()
            .find_map(|l| l.strip_prefix(line.as_str()))
            .map_or(0, |n| n.parse().unwrap())
    }

    #[test]
    fn remembered_label_sets_count_for_their_own_instance() {
        let (a, b) = (
            Metrics::new("ory_oathkeeper_"),
            Metrics::new("ory_oathkeeper_"),
        );
        // More label sets than a thread remembers, twice over, interleaved across instances.
        for round in 0..2 {
            for i in 0..(2 * RECENT_SLOTS) {
                let path = format!("/p{i}/x");
                a.observe("proxy", "GET", &path, 200, Duration::from_millis(1));
                if round == 0 {
                    b.observe("proxy", "GET", &path, 404, Duration::from_millis(1));
                }
            }
        }
        a.observe("proxy", "GET", "/p0", 200, Duration::ZERO);
        let labels = |p: &str, s: u16| {
            format!(r#"method="GET",request="{p}",service="proxy",status_code="{s}""#)
        };
        assert_eq!(count(&a, &labels("/p0", 200)), 3);
        assert_eq!(count(&a, &labels("/p15", 200)), 2);
        assert_eq!(count(&a, &labels("/p15", 404)), 0);
        assert_eq!(count(&b, &labels("/p15", 404)), 1);
        assert_eq!(count(&b, &labels("/p0", 200)), 0);
    }

    #[test]
    fn status_digits_and_collapse() {
        let mut b = [0u8; 5];
        assert_eq!(digits(200, &mut b), "200");
        assert_eq!(digits(0, &mut b), "0");
        assert_eq!(digits(65535, &mut b), "65535");
        assert_eq!(collapse("/users/42/x"), "/users");
        assert_eq!(collapse("/"), "/");
    }
}
