//! Prometheus metrics (`<prefix>requests_total`, `<prefix>requests_duration_seconds`,
//! plus session-cache counters), served on the API port at `/metrics`.

use std::time::Duration;

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, Opts, Registry, TextEncoder,
};

/// The gateway's metric families.
#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    duration: HistogramVec,
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
        }
    }

    /// Records one request; `path` is collapsed to its first segment.
    pub fn observe(&self, service: &str, method: &str, path: &str, status: u16, took: Duration) {
        let request = collapse(path);
        let mut buf = [0u8; 5];
        let labels = [service, method, request, digits(status, &mut buf)];
        self.requests.with_label_values(&labels).inc();
        self.duration
            .with_label_values(&labels)
            .observe(took.as_secs_f64());
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
