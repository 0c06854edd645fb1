//! Idle keep-alive connections by `host:port`, shared by both upstream pools.
//!
//! Keyed by the authority's text with foldhash: the keys come from the configured upstream
//! URLs, not from clients, so a fast hash needs no flooding resistance. The newest
//! connection is reused first; the oldest goes when a host's list is full.

use std::collections::HashMap;
use std::time::{Duration, Instant};

/// Idle connections of type `C`, newest last per host.
pub struct IdleLists<C> {
    by_host: HashMap<Box<str>, Vec<(C, Instant)>, foldhash::fast::RandomState>,
}

impl<C> Default for IdleLists<C> {
    fn default() -> Self {
        Self {
            by_host: HashMap::default(),
        }
    }
}

impl<C> IdleLists<C> {
    /// The newest connection to `host` idle for less than `max_idle` at `now` that `usable`
    /// accepts; older or unusable ones met on the way are dropped.
    pub fn take(
        &mut self,
        host: &str,
        max_idle: Duration,
        now: Instant,
        mut usable: impl FnMut(&C) -> bool,
    ) -> Option<C> {
        let list = self.by_host.get_mut(host)?;
        while let Some((c, since)) = list.pop() {
            if usable(&c) && now.saturating_duration_since(since) < max_idle {
                return Some(c);
            }
        }
        None
    }

    /// Keeps `conn` for `host`, idle since `since`, dropping the oldest when `max` are already
    /// kept. `since` may be a little early (the start of the request that used it): the
    /// connection then counts as idle a little longer, never shorter.
    pub fn put(&mut self, host: &str, conn: C, max: usize, since: Instant) {
        let list = match self.by_host.get_mut(host) {
            Some(l) => l,
            None => self.by_host.entry(host.into()).or_default(),
        };
        if list.len() >= max {
            list.remove(0);
        }
        list.push((conn, since));
    }

    /// Number of idle connections to `host`.
    pub fn count(&self, host: &str) -> usize {
        self.by_host.get(host).map_or(0, Vec::len)
    }
}
