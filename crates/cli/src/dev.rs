//! `nexus-auth dev`: the whole stack in one process on one origin — the identity server on
//! SQLite under the data dir (migrated automatically), the gateway with the development
//! rules, the built UI as static files, a demo upstream standing in for the Nexus 5 API and an
//! outbox that prints emails instead of sending them.

mod gateway_config;
mod outbox;
mod upstream;

use std::future::IntoFuture;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use nexus_identity::config as kratos;
use nexus_identity::server;
use tokio::net::TcpListener;
use tokio::sync::watch;

/// Options of `nexus-auth dev`.
#[derive(Debug, Args)]
pub struct DevArgs {
    /// Where the gateway (the one origin) listens.
    #[arg(long, default_value = "127.0.0.1:4455")]
    pub listen: SocketAddr,
    /// SQLite database, generated keys and config live here.
    #[arg(long, default_value = "./data")]
    pub data_dir: PathBuf,
    /// The identity server's config (its dsn, ports and public base URL are overridden).
    #[arg(long, default_value = "deploy/kratos/kratos.yml")]
    pub kratos_config: PathBuf,
    /// The built UI (`npm --prefix ui run build`).
    #[arg(long, default_value = "ui/build")]
    pub ui_dir: PathBuf,
    /// Emails whose identities may use /admin (besides `metadata_admin.role == "admin"`).
    #[arg(long = "admin", value_delimiter = ',')]
    pub admins: Vec<String>,
}

/// Runs the stack until SIGTERM or Ctrl-C.
pub async fn run(args: DevArgs) -> ExitCode {
    match start(args).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("nexus-auth dev: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn start(args: DevArgs) -> anyhow::Result<ExitCode> {
    std::fs::create_dir_all(&args.data_dir)?;
    let data_dir = std::fs::canonicalize(&args.data_dir)?;
    let origin = public_origin(args.listen);
    let admin_key = gateway_config::admin_key(&data_dir)?;

    let mut config = match kratos::load(
        std::slice::from_ref(&args.kratos_config),
        &nexus_kit::config::ProcessEnv,
        true,
    ) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return Ok(ExitCode::from(64));
        }
    };
    nexus_identity::cli::init_logging(&config.log.level, config.log.format == "json");
    dev_identity_config(&mut config, &data_dir, &origin, &admin_key)?;
    let store = nexus_identity::store::open(&config.dsn).await?;
    store.migrate().await?;
    let shutdown = server::shutdown_signal();
    let listeners = server::bind(&config)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let public = listeners.public.local_addr()?;
    let admin = listeners.admin.local_addr()?;
    let reg = server::registry_with_store(&config, store, public, admin)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;

    let (stop_tx, stop_rx) = watch::channel(false);
    let stopped = |mut rx: watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|s| *s).await;
    };
    let identity = tokio::spawn(server::serve(
        reg.clone(),
        listeners,
        stopped(stop_rx.clone()),
    ));
    // Emails go to the outbox: printed here and kept (as sent) for /admin/messages.
    let courier =
        tokio::spawn(outbox::dispatcher(&reg, &config.courier).run(stopped(stop_rx.clone())));

    let upstream_listener = TcpListener::bind("127.0.0.1:0").await?;
    let upstream_addr = upstream_listener.local_addr()?;
    let ui_listener = TcpListener::bind("127.0.0.1:0").await?;
    let ui_addr = ui_listener.local_addr()?;
    let alias = format!("http://{}", args.listen);
    let alias = if alias == origin {
        None
    } else {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        tokio::spawn(
            axum::serve(listener, upstream::redirect_to(origin.clone()))
                .with_graceful_shutdown(stopped(stop_rx.clone()))
                .into_future(),
        );
        Some((alias, addr))
    };
    let jwks_path = gateway_config::signing_keys(&data_dir)?;
    let api_listener_addr: SocketAddr = "127.0.0.1:0".parse()?;

    let gw_config = gateway_config::build(&gateway_config::Stack {
        origin: &origin,
        identity_public: public,
        identity_admin: admin,
        upstream: upstream_addr,
        ui: ui_addr,
        alias,
        jwks_path: &jwks_path,
        admin_key: &admin_key,
        rules_path: &data_dir.join("dev-access-rules.json"),
    })?;
    let gateway = nexus_gateway::server::Gateway::builder(gw_config)
        .proxy_addr(args.listen)
        .api_addr(api_listener_addr)
        .start()
        .await?;
    let gateway_api = gateway.api_addr;

    let upstream_app = upstream::app(upstream::State::new(
        reg.clone(),
        format!("http://{gateway_api}/.well-known/jwks.json"),
        args.admins.clone(),
    ));
    tokio::spawn(
        axum::serve(no_delay(upstream_listener), upstream_app)
            .with_graceful_shutdown(stopped(stop_rx.clone()))
            .into_future(),
    );
    tokio::spawn(
        axum::serve(no_delay(ui_listener), upstream::static_ui(&args.ui_dir))
            .with_graceful_shutdown(stopped(stop_rx.clone()))
            .into_future(),
    );
    if !args.ui_dir.join("index.html").exists() {
        tracing::warn!(ui_dir = %args.ui_dir.display(), "the UI is not built: run `npm --prefix ui ci && npm --prefix ui run build`");
    }
    println!(
        "Nexus Auth dev stack on {origin}/ (UI, /self-service, /sessions, /api/echo, /api/admin)"
    );
    println!(
        "  identity public {public}, admin {admin}; data in {}",
        data_dir.display()
    );
    println!("  emails are printed here ([outbox]) and listed in {origin}/admin/messages");

    shutdown.await;
    let _ = stop_tx.send(true);
    gateway.shutdown().await;
    let _ = identity.await;
    let _ = courier.await;
    Ok(ExitCode::SUCCESS)
}

/// Sends each write at once: without it a response written as headers, then body (a static
/// file) waits for the gateway's delayed ACK (Nagle), 40 ms per page on Linux.
fn no_delay(listener: TcpListener) -> impl axum::serve::Listener<Addr = SocketAddr> {
    use axum::serve::ListenerExt;
    listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    })
}

/// The identity server behind the gateway: SQLite in the data dir, loopback ports chosen by
/// the OS, the gateway's origin as its public URL, and the admin API behind a generated key.
fn dev_identity_config(
    config: &mut kratos::KratosConfig,
    data_dir: &Path,
    origin: &str,
    admin_key: &str,
) -> anyhow::Result<()> {
    config.dsn = kratos::SecretUrl::new(format!(
        "sqlite://{}?_fk=true&mode=rwc",
        data_dir.join("nexus.db").display()
    ));
    for endpoint in [&mut config.serve.public, &mut config.serve.admin] {
        endpoint.host = "127.0.0.1".into();
        endpoint.port = 0;
    }
    config.serve.public.base_url = Some(url::Url::parse(&format!("{origin}/"))?);
    config.serve.admin.api_keys = kratos::serve::ApiKeys(vec![admin_key.to_string()]);
    rebase_ui_urls(config, origin)?;
    if origin.starts_with("http://localhost:") {
        local_relying_party(config, origin);
    }
    Ok(())
}

/// The stack's one origin. Browsers refuse an IP address as a WebAuthn RP ID, so on a
/// loopback address the origin is `http://localhost:<port>` (security keys and passkeys work
/// out of the box); any other address is used as given.
fn public_origin(listen: SocketAddr) -> String {
    if listen.ip().is_loopback() {
        format!("http://localhost:{}", listen.port())
    } else {
        format!("http://{listen}")
    }
}

/// Security keys and passkeys are bound to `localhost` and accepted from this run's origin.
fn local_relying_party(config: &mut kratos::KratosConfig, origin: &str) {
    let methods = &mut config.selfservice.methods;
    for rp in [
        &mut methods.webauthn.config.rp,
        &mut methods.passkey.config.rp,
    ] {
        rp.id = "localhost".into();
        rp.origin = None;
        rp.origins = vec![origin.to_string()];
    }
}

/// Points the flows' UI and return URLs at this run's origin: the config names the default
/// `http://127.0.0.1:4455`, but `--listen` may choose another port (tests bind free ones).
fn rebase_ui_urls(config: &mut kratos::KratosConfig, origin: &str) -> anyhow::Result<()> {
    let Ok(login) = url::Url::parse(&config.selfservice.flows.login.ui_url) else {
        return Ok(());
    };
    let from = login.origin().ascii_serialization();
    if from == origin {
        return Ok(());
    }
    let mut value = serde_json::to_value(&config.selfservice)?;
    rebase(&mut value, &from, origin);
    config.selfservice = serde_json::from_value(value)?;
    Ok(())
}

fn rebase(value: &mut serde_json::Value, from: &str, to: &str) {
    match value {
        serde_json::Value::String(s) => {
            let rest = s.strip_prefix(from);
            if let Some(rest) = rest.filter(|r| r.is_empty() || r.starts_with('/')) {
                *s = format!("{to}{rest}");
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(|v| rebase(v, from, to)),
        serde_json::Value::Object(map) => map.values_mut().for_each(|v| rebase(v, from, to)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_listens_on_localhost_for_webauthn() {
        assert_eq!(
            public_origin("127.0.0.1:4455".parse().unwrap()),
            "http://localhost:4455"
        );
        assert_eq!(
            public_origin("[::1]:5000".parse().unwrap()),
            "http://localhost:5000"
        );
        assert_eq!(
            public_origin("192.0.2.7:4455".parse().unwrap()),
            "http://192.0.2.7:4455"
        );
    }

    #[test]
    fn relying_party_follows_the_origin() {
        let mut config = kratos::KratosConfig::default();
        let methods = &mut config.selfservice.methods;
        methods.webauthn.config.rp.id = "127.0.0.1".into();
        methods.webauthn.config.rp.origins = vec!["http://127.0.0.1:4455".into()];
        methods.passkey.config.rp.origin = Some("http://127.0.0.1:4455".into());
        local_relying_party(&mut config, "http://localhost:5000");
        let methods = &config.selfservice.methods;
        for rp in [&methods.webauthn.config.rp, &methods.passkey.config.rp] {
            assert_eq!(rp.id, "localhost");
            assert_eq!(rp.all_origins(), vec!["http://localhost:5000".to_string()]);
        }
    }

    #[test]
    fn rebases_ui_and_return_urls_on_the_origin_only() {
        let mut v = serde_json::json!({
            "a": "http://127.0.0.1:4455/login",
            "b": ["http://127.0.0.1:4455", "http://127.0.0.1:44550/x", "https://example.com/"],
        });
        rebase(&mut v, "http://127.0.0.1:4455", "http://127.0.0.1:5000");
        assert_eq!(
            v,
            serde_json::json!({
                "a": "http://127.0.0.1:5000/login",
                "b": ["http://127.0.0.1:5000", "http://127.0.0.1:44550/x", "https://example.com/"],
            })
        );
    }
}
