//! `nexus-auth identity …` subcommands.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};

use crate::config::{self, KratosConfig};
use crate::server;

pub mod admin_client;
mod courier;
mod hashers;
mod identities;
mod import;
mod output;

/// Identity server commands.
#[derive(Debug, Subcommand)]
pub enum IdentityCommand {
    /// Serve the public (4433) and admin (4434) APIs.
    Serve(ServeArgs),
    /// Apply the database migrations (idempotent).
    Migrate(MigrateArgs),
    /// Import identities from JSON files or standard input through a running server's admin API.
    Import(import::ImportArgs),
    /// List identities on a running server.
    List(identities::ListArgs),
    /// Show identities on a running server.
    Get(identities::GetArgs),
    /// Delete identities on a running server.
    Delete(identities::DeleteArgs),
    /// Password hasher tools.
    #[command(subcommand)]
    Hashers(hashers::HashersCommand),
    /// The courier (outgoing email).
    #[command(subcommand)]
    Courier(courier::CourierCommand),
}

/// Options of `identity serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Config files (YAML or JSON); later files win.
    #[arg(short = 'c', long = "config", required = true)]
    pub config: Vec<PathBuf>,
    /// Development mode: cookies without `Secure`, relaxed checks. Never in production.
    #[arg(long)]
    pub dev: bool,
    /// Also deliver queued email in this process (as `identity courier watch`).
    #[arg(long)]
    pub watch_courier: bool,
}

/// Options of `identity migrate`.
#[derive(Debug, Args)]
pub struct MigrateArgs {
    /// Config files (YAML or JSON); later files win.
    #[arg(short = 'c', long = "config", required = true)]
    pub config: Vec<PathBuf>,
    /// Do not ask for confirmation.
    #[arg(long)]
    pub yes: bool,
}

impl IdentityCommand {
    /// Runs the command.
    pub async fn run(self) -> ExitCode {
        match self {
            IdentityCommand::Serve(args) => serve(args).await,
            IdentityCommand::Migrate(args) => migrate(args).await,
            IdentityCommand::Import(args) => import::run(args).await,
            IdentityCommand::List(args) => identities::list(args).await,
            IdentityCommand::Get(args) => identities::get(args).await,
            IdentityCommand::Delete(args) => identities::delete(args).await,
            IdentityCommand::Hashers(cmd) => cmd.run().await,
            IdentityCommand::Courier(cmd) => cmd.run().await,
        }
    }
}

fn load_config(files: &[PathBuf], dev: bool) -> Result<KratosConfig, ExitCode> {
    config::load(files, &nexus_kit::config::ProcessEnv, dev).map_err(|e| {
        eprintln!("{e}");
        ExitCode::from(64)
    })
}

/// Initialises logging from `log.level` / `log.format` (the `LOG_LEVEL` env var wins).
pub fn init_logging(level: &str, json: bool) {
    let level = match level {
        "warning" => "warn",
        "fatal" | "panic" => "error",
        other => other,
    };
    let filter = tracing_subscriber::EnvFilter::new(level);
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false);
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

async fn serve(args: ServeArgs) -> ExitCode {
    let config = match load_config(&args.config, args.dev) {
        Ok(c) => c,
        Err(code) => return code,
    };
    init_logging(&config.log.level, config.log.format == "json");
    config.warn_unimplemented();
    let shutdown = server::shutdown_signal();
    let listeners = match server::bind(&config).await {
        Ok(l) => l,
        Err(e) => return fail(e),
    };
    let (public, admin) = match (listeners.public.local_addr(), listeners.admin.local_addr()) {
        (Ok(p), Ok(a)) => (p, a),
        _ => return ExitCode::FAILURE,
    };
    let reg = match server::registry(&config, public, admin).await {
        Ok(r) => r,
        Err(e) => return fail(e),
    };
    let courier = if args.watch_courier {
        match reg.courier.smtp_dispatcher(&config.courier) {
            Ok(d) => Some(d),
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::from(64);
            }
        }
    } else {
        None
    };
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let courier = courier.map(|d| courier::spawn_beside_server(d, stop_rx));
    tracing::info!(%public, %admin, "identity server listening");
    let served = server::serve(reg, listeners, async move {
        shutdown.await;
        let _ = stop_tx.send(true);
    })
    .await;
    if let Some(task) = courier {
        // The round in progress finishes; a stuck one is left to its lease.
        let _ = tokio::time::timeout(std::time::Duration::from_secs(10), task).await;
    }
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("server error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn fail(e: server::StartError) -> ExitCode {
    eprintln!("{e}");
    ExitCode::from(e.exit_code())
}

async fn migrate(args: MigrateArgs) -> ExitCode {
    let config = match load_config(&args.config, true) {
        Ok(c) => c,
        Err(code) => return code,
    };
    if !args.yes {
        eprintln!(
            "refusing to migrate without --yes (this changes the database at the configured dsn)"
        );
        return ExitCode::from(64);
    }
    let store = match crate::store::open(&config.dsn).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("cannot open the database: {e}");
            return ExitCode::FAILURE;
        }
    };
    match store.migrate().await {
        Ok(()) => {
            println!("migrations applied");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("migration failed: {e}");
            ExitCode::FAILURE
        }
    }
}
