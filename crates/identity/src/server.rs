//! Starting the identity server: bind both ports, build the registry, serve until shutdown.

use std::future::{Future, IntoFuture};
use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;

use crate::config::KratosConfig;
use crate::courier::{Courier, Templates};
use crate::hash::PasswordHasher;
use crate::method::password::policy::PasswordPolicy;
use crate::options::Options;
use crate::registry::Registry;
use crate::schema::{SchemaEntry, SchemaRegistry};
use crate::session::SessionManager;
use crate::store::{self, Store};

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// A configuration problem (exit 64).
    #[error("{0}")]
    Config(String),
    /// The database has pending migrations.
    #[error("the database has {0} pending migration(s): run `nexus-auth identity migrate -c <config> --yes` first")]
    PendingMigrations(usize),
    /// The database could not be opened.
    #[error("cannot open the database: {0}")]
    Database(String),
    /// A port could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// Address.
        addr: String,
        /// Cause.
        source: std::io::Error,
    },
}

impl StartError {
    /// The process exit code for this error (64 for configuration errors, as Kratos).
    pub fn exit_code(&self) -> u8 {
        match self {
            StartError::Config(_) => 64,
            _ => 1,
        }
    }
}

/// Both listeners, bound.
pub struct Listeners {
    /// Public API.
    pub public: TcpListener,
    /// Admin API.
    pub admin: TcpListener,
}

/// Binds `serve.public` and `serve.admin` (port 0 picks a free port).
pub async fn bind(config: &KratosConfig) -> Result<Listeners, StartError> {
    let bind = |host: &str, port: u16| {
        let host = if host.is_empty() { "0.0.0.0" } else { host };
        format!("{host}:{port}")
    };
    let public = bind(&config.serve.public.host, config.serve.public.port);
    let admin = bind(&config.serve.admin.host, config.serve.admin.port);
    let public_l = TcpListener::bind(&public)
        .await
        .map_err(|source| StartError::Bind {
            addr: public,
            source,
        })?;
    let admin_l = TcpListener::bind(&admin)
        .await
        .map_err(|source| StartError::Bind {
            addr: admin,
            source,
        })?;
    Ok(Listeners {
        public: public_l,
        admin: admin_l,
    })
}

/// Opens the store, checks migrations (an in-memory database migrates itself), loads the
/// schemas and builds the registry.
pub async fn registry(
    config: &KratosConfig,
    public: SocketAddr,
    admin: SocketAddr,
) -> Result<Registry, StartError> {
    let store = store::open(&config.dsn)
        .await
        .map_err(|e| StartError::Database(e.to_string()))?;
    if is_memory(&config.dsn) {
        store
            .migrate()
            .await
            .map_err(|e| StartError::Database(e.to_string()))?;
    } else {
        let pending = store
            .pending_migrations()
            .await
            .map_err(|e| StartError::Database(e.to_string()))?;
        if pending > 0 {
            return Err(StartError::PendingMigrations(pending));
        }
    }
    registry_with_store(config, store, public, admin).await
}

/// Builds the registry over an already opened store.
pub async fn registry_with_store(
    config: &KratosConfig,
    store: Arc<dyn Store>,
    public: SocketAddr,
    admin: SocketAddr,
) -> Result<Registry, StartError> {
    let options = Options::from_config(config, public, admin).map_err(StartError::Config)?;
    let http = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(10))
        .build()
        .map_err(|e| StartError::Config(e.to_string()))?;
    let entries: Vec<SchemaEntry> = config
        .identity
        .schemas
        .iter()
        .map(|s| SchemaEntry {
            id: s.id.clone(),
            url: s.url.clone(),
        })
        .collect();
    let schemas = SchemaRegistry::load(&entries, &config.identity.default_schema_id, &http)
        .await
        .map_err(|e| StartError::Config(e.to_string()))?;
    let hasher = PasswordHasher::new(crate::options::hasher_settings(config));
    let policy = PasswordPolicy::new(
        crate::options::policy_settings(config),
        PasswordPolicy::default_http_client(),
    )
    .with_max_length(hasher.max_password_bytes());
    let templates = Templates::load(&config.courier, &http)
        .await
        .map_err(|e| StartError::Config(e.to_string()))?;
    let courier = Courier::new(store.clone(), templates);
    let sessions = SessionManager::new(
        store.clone(),
        options.session_lifespan(),
        options.session.cache_ttl,
    );
    Ok(Registry {
        options: Arc::new(options),
        store,
        schemas: Arc::new(schemas),
        hasher,
        policy: Arc::new(policy),
        sessions,
        courier,
    })
}

/// Whether the DSN is the self-migrating in-memory database.
pub fn is_memory(dsn: &str) -> bool {
    dsn == "memory" || dsn.starts_with("sqlite::memory:") || dsn.contains("mode=memory")
}

/// Serves both APIs until `shutdown` completes, then drains in-flight requests.
pub async fn serve(
    reg: Registry,
    listeners: Listeners,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (tx, rx) = tokio::sync::watch::channel(false);
    let public =
        crate::http::public_app(reg.clone()).into_make_service_with_connect_info::<SocketAddr>();
    let admin = crate::http::admin_app(reg).into_make_service_with_connect_info::<SocketAddr>();
    let wait = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|stop| *stop).await;
    };
    let public_task = tokio::spawn(
        axum::serve(listeners.public, public)
            .with_graceful_shutdown(wait(rx.clone()))
            .into_future(),
    );
    let admin_task = tokio::spawn(
        axum::serve(listeners.admin, admin)
            .with_graceful_shutdown(wait(rx))
            .into_future(),
    );
    shutdown.await;
    let _ = tx.send(true);
    let (a, b) = tokio::join!(public_task, admin_task);
    a.map_err(std::io::Error::other)??;
    b.map_err(std::io::Error::other)??;
    Ok(())
}

/// Installs the SIGTERM and SIGINT handlers at once (call it before binding; see
/// [`nexus_kit::signal::shutdown_signal`]) and completes on either, logging it.
pub fn shutdown_signal() -> impl Future<Output = ()> + Send + 'static {
    let signal = nexus_kit::signal::shutdown_signal();
    async move {
        signal.await;
        tracing::info!("shutting down");
    }
}
