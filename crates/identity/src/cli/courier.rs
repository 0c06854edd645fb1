//! `nexus-auth identity courier watch`: deliver queued messages (Kratos' `courier watch`).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};

use crate::courier::{Courier, Dispatcher, Templates};
use crate::server;

/// `identity courier …`.
#[derive(Debug, Subcommand)]
pub enum CourierCommand {
    /// Deliver queued messages until stopped (run one watcher, or use `serve --watch-courier`).
    Watch(WatchArgs),
}

/// Options of `courier watch`.
#[derive(Debug, Args)]
pub struct WatchArgs {
    /// Config files (YAML or JSON); later files win.
    #[arg(short = 'c', long = "config", required = true)]
    pub config: Vec<PathBuf>,
    /// Accepted for Kratos compatibility; metrics are not exposed by the watcher yet.
    #[arg(long)]
    pub expose_metrics_port: Option<u16>,
}

impl CourierCommand {
    /// Runs the command.
    pub async fn run(self) -> ExitCode {
        match self {
            CourierCommand::Watch(args) => watch(args).await,
        }
    }
}

async fn watch(args: WatchArgs) -> ExitCode {
    let config = match super::load_config(&args.config, false) {
        Ok(c) => c,
        Err(code) => return code,
    };
    super::init_logging(&config.log.level, config.log.format == "json");
    config.warn_unimplemented();
    if args.expose_metrics_port.is_some() {
        tracing::warn!("--expose-metrics-port is not supported yet and is ignored");
    }
    if server::is_memory(&config.dsn) {
        eprintln!("courier watch needs a shared database: an in-memory dsn is private to one process (use `identity serve --watch-courier`)");
        return ExitCode::from(64);
    }
    let store = match crate::store::open(&config.dsn).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("cannot open the database: {e}");
            return ExitCode::FAILURE;
        }
    };
    match store.pending_migrations().await {
        Ok(0) => {}
        Ok(n) => {
            eprintln!("{}", server::StartError::PendingMigrations(n));
            return ExitCode::FAILURE;
        }
        Err(e) => {
            eprintln!("cannot open the database: {e}");
            return ExitCode::FAILURE;
        }
    }
    // The watcher only delivers; it renders nothing, so it needs no overrides.
    let courier = Courier::new(store, Templates::builtin());
    let dispatcher = match courier.smtp_dispatcher(&config.courier) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(64);
        }
    };
    dispatcher.run(server::shutdown_signal()).await;
    ExitCode::SUCCESS
}

/// Starts `dispatcher` beside the server; it stops when `stop` turns true.
pub(super) fn spawn_beside_server(
    dispatcher: Dispatcher,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(dispatcher.run(async move {
        let _ = stop.wait_for(|s| *s).await;
    }))
}
