//! The session cache of `cookie_session`/`bearer_token` (a Nexus extension): checked sessions
//! by a keyed hash of what would be forwarded to the session endpoint, each with its own
//! expiry.
//!
//! Sharded hash maps behind read-write locks: a hit is one shard read lock, a hash lookup
//! and a clock read. When a shard is full, expired entries go first, then arbitrary ones;
//! eviction order matters little here, since entries are short-lived and re-checkable.

use std::collections::HashMap;
use std::hash::Hasher;
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::RwLock;
use rand::Rng;
use serde_json::{Map, Value};
use siphasher::sip128::{Hasher128, SipHasher24};

const SHARDS: usize = 16;

/// A cache key: SipHash-2-4 with 128-bit output under a random per-cache key, so keys cannot
/// be predicted or collided from outside, and no session token is kept in memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CacheKey(u128);

/// Builds a [`CacheKey`] from the parts of a session check, each length-prefixed so that no
/// two different sequences of parts give the same input. A clone continues from the same
/// parts (a checker hashes its constant parts once and clones that per request).
#[derive(Clone)]
pub struct KeyBuilder(SipHasher24);

impl KeyBuilder {
    /// Adds one part.
    pub fn part(&mut self, bytes: &[u8]) -> &mut Self {
        self.0.write_usize(bytes.len());
        self.0.write(bytes);
        self
    }

    /// The key.
    pub fn finish(&self) -> CacheKey {
        CacheKey(self.0.finish128().as_u128())
    }
}

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

type Shard = RwLock<HashMap<CacheKey, Arc<CheckedSession>, foldhash::fast::RandomState>>;

/// Cached session checks (shared across rules with the same cache settings).
#[derive(Clone)]
pub struct SessionCache {
    shards: Arc<[Shard; SHARDS]>,
    per_shard: usize,
    secret: (u64, u64),
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
            secret: rand::thread_rng().gen(),
            ttl,
        }
    }

    /// A builder for a key of this cache.
    pub fn key(&self) -> KeyBuilder {
        KeyBuilder(SipHasher24::new_with_keys(self.secret.0, self.secret.1))
    }

    fn shard(&self, key: &CacheKey) -> &Shard {
        // The key is a keyed hash already: any of its bits spread the shards evenly.
        &self.shards[(key.0 as usize) % SHARDS]
    }

    /// The entry for `key` unexpired at `now`.
    pub fn get(&self, key: &CacheKey, now: Instant) -> Option<Arc<CheckedSession>> {
        let hit = self.shard(key).read().get(key).cloned()?;
        (hit.expires > now).then_some(hit)
    }

    /// Stores `value` under `key`, making room if the shard is full.
    pub fn insert(&self, key: CacheKey, value: Arc<CheckedSession>) {
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
        let key = |s: &str| c.key().part(s.as_bytes()).finish();
        c.insert(key("a"), entry(Duration::from_secs(60)));
        c.insert(key("b"), entry(Duration::ZERO));
        assert!(c.get(&key("a"), Instant::now()).is_some());
        assert!(c.get(&key("b"), Instant::now()).is_none(), "expired");
        let later = Instant::now() + Duration::from_secs(61);
        assert!(c.get(&key("a"), later).is_none(), "expired by then");
        for i in 0..10_000u32 {
            c.insert(key(&i.to_string()), entry(Duration::from_secs(60)));
        }
        assert!(c.len() <= 32, "{} entries", c.len());
    }

    #[test]
    fn parts_are_delimited_and_keys_differ_per_cache() {
        let c = SessionCache::new(Duration::from_secs(60), 32);
        let ab_c = c.key().part(b"ab").part(b"c").finish();
        let a_bc = c.key().part(b"a").part(b"bc").finish();
        assert_ne!(ab_c, a_bc);
        assert_eq!(ab_c, c.key().part(b"ab").part(b"c").finish());
        let other = SessionCache::new(Duration::from_secs(60), 32);
        assert_ne!(ab_c, other.key().part(b"ab").part(b"c").finish());
    }
}
