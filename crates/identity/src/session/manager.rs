//! Issues, finds, refreshes and revokes sessions.
//!
//! Lookups by token go through a short-lived in-process cache (the whoami hot path). Every
//! revocation made through this manager purges the cache, and the TTL bounds staleness for
//! changes made by other instances sharing the database.

use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use moka::sync::Cache;
use uuid::Uuid;

use crate::domain::{self, Aal, Device, Identity, Session};
use crate::store::{Store, StoreError};

/// A cached session and, once a caller asked for it, one rendering of it (the whoami body),
/// kept for as long as the cached session itself.
pub struct CachedSession {
    /// The session with its identity.
    pub session: Arc<Session>,
    rendered: OnceLock<Bytes>,
}

impl CachedSession {
    fn new(session: Arc<Session>) -> Self {
        CachedSession {
            session,
            rendered: OnceLock::new(),
        }
    }

    /// The rendering of this session, made by `render` the first time only. Every caller must
    /// pass the same renderer: the first one's output is what all later callers get.
    pub fn rendered(&self, render: impl FnOnce(&Session) -> Vec<u8>) -> Bytes {
        self.rendered
            .get_or_init(|| Bytes::from(render(&self.session)))
            .clone()
    }
}

/// Session operations shared by the flows and the HTTP layer.
#[derive(Clone)]
pub struct SessionManager {
    store: Arc<dyn Store>,
    cache: Cache<String, Arc<CachedSession>>,
    lifespan: chrono::Duration,
}

impl SessionManager {
    /// A manager over `store`, caching validated sessions for `cache_ttl`.
    pub fn new(
        store: Arc<dyn Store>,
        lifespan: chrono::Duration,
        cache_ttl: std::time::Duration,
    ) -> Self {
        let cache = Cache::builder()
            .max_capacity(100_000)
            .time_to_live(cache_ttl.max(std::time::Duration::from_millis(1)))
            .build();
        SessionManager {
            store,
            cache,
            lifespan,
        }
    }

    /// A new (unsaved) session for `identity` that completed `method` at `aal`.
    pub fn new_session(
        &self,
        identity: &Identity,
        method: &str,
        aal: Aal,
        device: Device,
    ) -> Session {
        let mut session = Session::new(identity, self.lifespan, device);
        session.complete_method(method, aal);
        session
    }

    /// Persists a new session.
    pub async fn create(&self, session: &Session) -> Result<(), StoreError> {
        self.store.create_session(session).await
    }

    /// Persists changes to a session and drops its cached copy (under its old token too).
    pub async fn update(
        &self,
        session: &Session,
        old_token: Option<&str>,
    ) -> Result<(), StoreError> {
        self.store.update_session(session).await?;
        self.cache.invalidate(&session.token);
        if let Some(t) = old_token {
            self.cache.invalidate(t);
        }
        Ok(())
    }

    /// The session for `token` if it exists (active or not), with its identity.
    pub async fn by_token(&self, token: &str) -> Result<Option<Arc<Session>>, StoreError> {
        Ok(self
            .cached_by_token(token)
            .await?
            .map(|c| c.session.clone()))
    }

    /// Like [`SessionManager::by_token`], with the cache entry (for its rendering).
    pub async fn cached_by_token(
        &self,
        token: &str,
    ) -> Result<Option<Arc<CachedSession>>, StoreError> {
        if let Some(hit) = self.cache.get(token) {
            return Ok(Some(hit));
        }
        let Some(session) = self.store.session_by_token(token).await? else {
            return Ok(None);
        };
        let entry = Arc::new(CachedSession::new(Arc::new(session)));
        self.cache.insert(token.to_string(), entry.clone());
        Ok(Some(entry))
    }

    /// The active session for `token`, if any.
    pub async fn active_by_token(&self, token: &str) -> Result<Option<Arc<Session>>, StoreError> {
        Ok(self
            .by_token(token)
            .await?
            .filter(|s| s.is_active(domain::now())))
    }

    /// Revokes one session.
    pub async fn revoke(&self, session: &Session) -> Result<bool, StoreError> {
        let revoked = self.store.revoke_session(session.id).await?;
        self.cache.invalidate(&session.token);
        Ok(revoked)
    }

    /// Revokes a session by id (token unknown: purges the whole cache).
    pub async fn revoke_by_id(&self, id: Uuid) -> Result<bool, StoreError> {
        let revoked = self.store.revoke_session(id).await?;
        self.cache.invalidate_all();
        Ok(revoked)
    }

    /// Revokes every session of `identity_id` except `except`; returns how many.
    pub async fn revoke_all_of(
        &self,
        identity_id: Uuid,
        except: Option<Uuid>,
    ) -> Result<u64, StoreError> {
        let n = self
            .store
            .revoke_sessions_of_identity(identity_id, except)
            .await?;
        self.cache.invalidate_all();
        Ok(n)
    }

    /// Drops every cached session (after identity changes).
    pub fn purge_cache(&self) {
        self.cache.invalidate_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cached_session_is_rendered_once() {
        let identity = Identity::new("default", serde_json::json!({ "email": "a@b.c" }));
        let device = Device {
            id: Uuid::new_v4(),
            ip_address: None,
            user_agent: None,
            location: None,
        };
        let session = Session::new(&identity, chrono::Duration::hours(1), device);
        let cached = CachedSession::new(Arc::new(session));
        let calls = std::cell::Cell::new(0);
        let render = |s: &Session| {
            calls.set(calls.get() + 1);
            s.id.to_string().into_bytes()
        };
        let first = cached.rendered(render);
        let second = cached.rendered(render);
        assert_eq!(calls.get(), 1);
        assert_eq!(first, second);
        assert_eq!(first, cached.session.id.to_string().as_bytes());
    }
}
