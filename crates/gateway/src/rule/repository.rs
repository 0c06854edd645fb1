//! The live rule set: loaded from every source, rebuilt when one changes (files watched,
//! HTTP polled) and swapped atomically; a broken source keeps its last good rules.

use std::sync::Arc;
use std::time::Duration;

use arc_swap::ArcSwap;
use parking_lot::Mutex;
use tokio::sync::mpsc;

use super::model::RuleSpec;
use super::set::{CompiledRule, RuleSet};
use super::source::{Fetched, RuleSource};
use crate::config::MatchingStrategy;
use crate::pipeline::registry::Registry;

struct SourceState {
    source: RuleSource,
    rules: Option<Vec<RuleSpec>>,
    etag: Option<String>,
    error: Option<String>,
}

/// Rule sources plus the current compiled set.
pub struct RuleRepository {
    current: ArcSwap<RuleSet>,
    sources: Mutex<Vec<SourceState>>,
    registry: Registry,
    strategy: MatchingStrategy,
    watchers: Mutex<Vec<notify::RecommendedWatcher>>,
    /// How many times a source has been read (tests: a quiet file is not re-read).
    reads: std::sync::atomic::AtomicU64,
}

impl RuleRepository {
    /// Loads every source once (failures are logged; the gateway starts anyway, not ready).
    pub async fn load(
        repositories: &[String],
        registry: Registry,
        strategy: MatchingStrategy,
    ) -> Result<Arc<Self>, String> {
        let sources = repositories
            .iter()
            .map(|r| RuleSource::parse(r))
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .map(|source| SourceState {
                source,
                rules: None,
                etag: None,
                error: None,
            })
            .collect();
        let repo = Arc::new(Self {
            current: ArcSwap::from_pointee(RuleSet::default()),
            sources: Mutex::new(sources),
            registry,
            strategy,
            watchers: Mutex::default(),
            reads: Default::default(),
        });
        let n = repo.sources.lock().len();
        for i in 0..n {
            repo.refresh(i).await;
        }
        repo.rebuild();
        Ok(repo)
    }

    /// A repository over fixed rules (tests, `rules validate`).
    pub fn from_rules(
        rules: Vec<RuleSpec>,
        registry: Registry,
        strategy: MatchingStrategy,
    ) -> Arc<Self> {
        let repo = Arc::new(Self {
            current: ArcSwap::from_pointee(RuleSet::default()),
            sources: Mutex::new(vec![SourceState {
                source: RuleSource::Inline(String::new()),
                rules: Some(rules),
                etag: None,
                error: None,
            }]),
            registry,
            strategy,
            watchers: Mutex::default(),
            reads: Default::default(),
        });
        repo.rebuild();
        repo
    }

    /// The current rule set (lock-free).
    pub fn rules(&self) -> Arc<RuleSet> {
        self.current.load_full()
    }

    /// The current rule set without bumping the refcount (hot path).
    pub fn guard(&self) -> arc_swap::Guard<Arc<RuleSet>> {
        self.current.load()
    }

    /// The handler registry.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Per-source load errors (for readiness and logs).
    pub fn errors(&self) -> Vec<(String, String)> {
        self.sources
            .lock()
            .iter()
            .filter_map(|s| s.error.clone().map(|e| (s.source.describe(), e)))
            .collect()
    }

    /// How many times a source has been read since start.
    pub fn reads(&self) -> u64 {
        self.reads.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Re-reads source `i`; returns whether its rules changed.
    async fn refresh(&self, i: usize) -> bool {
        self.reads
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let (source, etag) = {
            let s = self.sources.lock();
            (s[i].source.clone(), s[i].etag.clone())
        };
        let result = source
            .fetch(&self.registry.services().http, etag.as_deref())
            .await;
        let mut sources = self.sources.lock();
        let state = &mut sources[i];
        match result {
            Ok(Fetched::Unchanged) => false,
            Ok(Fetched::Rules(rules, etag)) => {
                state.error = None;
                state.etag = etag;
                if state.rules.as_ref() == Some(&rules) {
                    return false;
                }
                tracing::info!(source = %source.describe(), rules = rules.len(), "access rules loaded");
                state.rules = Some(rules);
                true
            }
            Err(e) => {
                tracing::error!(source = %source.describe(), error = %e, "access rules not reloaded; keeping the last good rules");
                state.error = Some(e);
                false
            }
        }
    }

    /// Whether source `i` is a file that is empty right now.
    fn is_empty_file(&self, i: usize) -> bool {
        match &self.sources.lock()[i].source {
            RuleSource::File(path) => std::fs::metadata(path).is_ok_and(|m| m.len() == 0),
            _ => false,
        }
    }

    fn rebuild(&self) {
        let specs: Vec<RuleSpec> = self
            .sources
            .lock()
            .iter()
            .flat_map(|s| s.rules.clone().unwrap_or_default())
            .collect();
        let compiled = specs
            .into_iter()
            .map(|spec| Arc::new(CompiledRule::compile(spec, self.strategy, &self.registry)))
            .collect();
        let set = RuleSet::new(compiled, self.registry.fallback_error_handlers());
        self.current.store(Arc::new(set));
    }

    /// Reloads source `i` now and swaps the set when it changed.
    pub async fn reload(&self, i: usize) {
        if self.refresh(i).await {
            self.rebuild();
        }
    }

    /// Watches file sources and polls HTTP sources every `poll` until the repository is dropped.
    pub fn spawn_watchers(self: &Arc<Self>, poll: Duration) {
        use notify::Watcher;
        let (tx, mut rx) = mpsc::unbounded_channel::<usize>();
        let sources: Vec<RuleSource> = self
            .sources
            .lock()
            .iter()
            .map(|s| s.source.clone())
            .collect();
        for (i, source) in sources.iter().enumerate() {
            match source {
                RuleSource::File(path) => {
                    let tx = tx.clone();
                    let file_name = path.file_name().map(|f| f.to_owned());
                    let handler = move |ev: notify::Result<notify::Event>| {
                        // Opening and reading the file (our own reload does) is no change:
                        // reacting to it would re-read the file forever.
                        let Ok(ev) = ev else { return };
                        if ev.kind.is_access() {
                            return;
                        }
                        let relevant = ev
                            .paths
                            .iter()
                            .any(|p| p.file_name() == file_name.as_deref())
                            || ev.paths.is_empty();
                        if relevant {
                            let _ = tx.send(i);
                        }
                    };
                    let dir = path
                        .parent()
                        .filter(|p| !p.as_os_str().is_empty())
                        .map(|p| p.to_path_buf())
                        .unwrap_or_else(|| ".".into());
                    match notify::recommended_watcher(handler) {
                        Ok(mut w) => match w.watch(&dir, notify::RecursiveMode::NonRecursive) {
                            Ok(()) => self.watchers.lock().push(w),
                            Err(e) => {
                                tracing::warn!(dir = %dir.display(), error = %e, "cannot watch rule file")
                            }
                        },
                        Err(e) => tracing::warn!(error = %e, "file watching unavailable"),
                    }
                }
                RuleSource::Http(_) => {
                    let tx = tx.clone();
                    let weak = Arc::downgrade(self);
                    tokio::spawn(async move {
                        let mut tick = tokio::time::interval(poll);
                        tick.tick().await;
                        loop {
                            tick.tick().await;
                            if weak.upgrade().is_none() || tx.send(i).is_err() {
                                break;
                            }
                        }
                    });
                }
                RuleSource::Inline(_) => {}
            }
        }
        drop(tx);
        let weak = Arc::downgrade(self);
        tokio::spawn(async move {
            while let Some(first) = rx.recv().await {
                // Editors write in several steps; let them finish, then reload each source once.
                tokio::time::sleep(Duration::from_millis(50)).await;
                let mut pending = vec![first];
                while let Ok(i) = rx.try_recv() {
                    pending.push(i);
                }
                pending.sort_unstable();
                pending.dedup();
                let Some(repo) = weak.upgrade() else { break };
                let mut changed = false;
                for i in pending {
                    if repo.is_empty_file(i) {
                        // Truncated but not yet written (`open(O_TRUNC)`, then `write`): the
                        // write's own event reloads it. Use `[]` for a file without rules.
                        tracing::debug!(source = i, "rule file is empty; waiting for its content");
                        continue;
                    }
                    changed |= repo.refresh(i).await;
                }
                if changed {
                    repo.rebuild();
                }
            }
        });
    }
}
