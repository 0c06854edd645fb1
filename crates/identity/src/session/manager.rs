//! Issues, finds, refreshes and revokes sessions.
//!
//! Lookups by token go through a short-lived in-process cache (the whoami hot path). Every
//! revocation made through this manager drops the affected cached sessions at once (by token,
//! session id or identity), and the TTL bounds staleness for changes made by other instances
//! sharing the database.

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
            .support_invalidation_closures()
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

    /// Revokes a session by id (its token is unknown here, so the cache is searched by id).
    pub async fn revoke_by_id(&self, id: Uuid) -> Result<bool, StoreError> {
        let revoked = self.store.revoke_session(id).await?;
        self.forget_session(id);
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
        self.forget_identity(identity_id);
        Ok(n)
    }

    /// Drops the cached copy of session `id`, whatever its token.
    pub fn forget_session(&self, id: Uuid) {
        self.forget_where(move |s| s.id == id);
    }

    /// Drops the cached sessions of `identity_id` (after the identity or its sessions
    /// changed: cached sessions embed the identity).
    pub fn forget_identity(&self, identity_id: Uuid) {
        self.forget_where(move |s| s.identity_id == identity_id);
    }

    /// Cached entries matching `pred` are never returned again; if moka refuses the
    /// predicate (too many pending), everything is dropped instead.
    fn forget_where(&self, pred: impl Fn(&Session) -> bool + Send + Sync + 'static) {
        if self
            .cache
            .invalidate_entries_if(move |_, cached| pred(&cached.session))
            .is_err()
        {
            self.cache.invalidate_all();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A manager over a fresh in-memory store holding one identity with two sessions.
    async fn two_sessions() -> (SessionManager, Arc<dyn Store>, Session, Session) {
        let store = crate::store::open("memory").await.unwrap();
        let manager = SessionManager::new(
            store.clone(),
            chrono::Duration::hours(1),
            std::time::Duration::from_secs(3600),
        );
        let identity = Identity::new("default", serde_json::json!({ "email": "a@b.c" }));
        store.create_identity(&identity).await.unwrap();
        let device = || Device {
            id: Uuid::new_v4(),
            ip_address: None,
            user_agent: None,
            location: None,
        };
        let mut sessions = Vec::new();
        for _ in 0..2 {
            let mut s = manager.new_session(&identity, "password", Aal::Aal1, device());
            s.identity = Some(identity.clone());
            manager.create(&s).await.unwrap();
            sessions.push(s);
        }
        let b = sessions.pop().unwrap();
        let a = sessions.pop().unwrap();
        (manager, store, a, b)
    }

    async fn cached_active(m: &SessionManager, s: &Session) -> bool {
        m.active_by_token(&s.token).await.unwrap().is_some()
    }

    #[tokio::test]
    async fn forgetting_a_session_by_id_leaves_the_others_cached() {
        let (manager, store, a, b) = two_sessions().await;
        assert!(cached_active(&manager, &a).await && cached_active(&manager, &b).await);
        // Revoked behind the cache's back: the cached copies still say active.
        store.revoke_session(a.id).await.unwrap();
        store.revoke_session(b.id).await.unwrap();
        assert!(cached_active(&manager, &a).await);
        manager.forget_session(a.id);
        assert!(!cached_active(&manager, &a).await, "reloaded, revoked");
        assert!(
            cached_active(&manager, &b).await,
            "b is still served from the cache"
        );
    }

    #[tokio::test]
    async fn forgetting_an_identity_drops_all_its_sessions() {
        let (manager, store, a, b) = two_sessions().await;
        assert!(cached_active(&manager, &a).await && cached_active(&manager, &b).await);
        store
            .revoke_sessions_of_identity(a.identity_id, None)
            .await
            .unwrap();
        manager.forget_identity(a.identity_id);
        assert!(!cached_active(&manager, &a).await);
        assert!(!cached_active(&manager, &b).await);
    }

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
