//! The session cache of `cookie_session`/`bearer_token` (a Nexus extension): checked sessions
//! by a SHA-256 of what is forwarded to the session endpoint, each with its own expiry.
//!
//! Sharded hash maps behind read-write locks: a hit is one shard read lock, a hash lookup
//! and a clock read. When a shard is full, expired entries go first, then arbitrary ones;
//! eviction order matters little here, since entries are short-lived and re-checkable.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::RwLock;
use serde_json::{Map, Value};

const SHARDS: usize = 16;

/// A successful session check.
#[derive(Debug)]
pub struct CheckedSession {
    /// The subject.
    pub subject: String,
    /// `extra`, shared with every request the entry serves.
    pub extra: Arc<Map<String, Value>>,
    /// When the entry stops being served.
    pub expires: Instant,
}

type Shard = RwLock<HashMap<[u8; 32], Arc<CheckedSession>>>;

/// Cached session checks (shared across rules with the same cache settings).
#[derive(Clone)]
pub struct SessionCache {
    shards: Arc<[Shard; SHARDS]>,
    per_shard: usize,
    /// Upper bound of an entry's life.
    pub ttl: Duration,
}

impl SessionCache {
    /// A cache of at most about `max` entries, each living at most `ttl`.
    pub fn new(ttl: Duration, max: u64) -> Self {
        Self {
            shards: Arc::new(std::array::from_fn(|_| RwLock::default())),
            per_shard: usize::try_from(max)
                .unwrap_or(usize::MAX)
                .div_ceil(SHARDS)
                .max(1),
            ttl,
        }
    }

    fn shard(&self, key: &[u8; 32]) -> &Shard {
        &self.shards[usize::from(key[0]) % SHARDS]
    }

    /// The unexpired entry for `key`.
    pub fn get(&self, key: &[u8; 32]) -> Option<Arc<CheckedSession>> {
        let hit = self.shard(key).read().get(key).cloned()?;
        (hit.expires > Instant::now()).then_some(hit)
    }

    /// Stores `value` under `key`, making room if the shard is full.
    pub fn insert(&self, key: [u8; 32], value: Arc<CheckedSession>) {
        let mut shard = self.shard(&key).write();
        if shard.len() >= self.per_shard && !shard.contains_key(&key) {
            let now = Instant::now();
            shard.retain(|_, v| v.expires > now);
            while shard.len() >= self.per_shard {
                let Some(victim) = shard.keys().next().copied() else {
                    break;
                };
                shard.remove(&victim);
            }
        }
        shard.insert(key, value);
    }

    /// Number of entries, expired ones included (tests).
    pub fn len(&self) -> usize {
        self.shards.iter().map(|s| s.read().len()).sum()
    }

    /// Whether the cache holds nothing.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(life: Duration) -> Arc<CheckedSession> {
        Arc::new(CheckedSession {
            subject: "s".into(),
            extra: Arc::default(),
            expires: Instant::now() + life,
        })
    }

    #[test]
    fn expired_entries_are_not_served_and_size_is_bounded() {
        let c = SessionCache::new(Duration::from_secs(60), 32);
        c.insert([1; 32], entry(Duration::from_secs(60)));
        c.insert([2; 32], entry(Duration::ZERO));
        assert!(c.get(&[1; 32]).is_some());
        assert!(c.get(&[2; 32]).is_none(), "expired");
        for i in 0..10_000u32 {
            let mut k = [0u8; 32];
            k[..4].copy_from_slice(&i.to_le_bytes());
            c.insert(k, entry(Duration::from_secs(60)));
        }
        assert!(c.len() <= 32, "{} entries", c.len());
    }
}
