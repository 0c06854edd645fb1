//! `nexus-auth`: the identity server, the gateway and their tools in one binary.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod dev;

/// Self-hosted authentication: a Kratos-compatible identity server and an Oathkeeper-compatible gateway.
#[derive(Debug, Parser)]
#[command(name = "nexus-auth", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// The identity server (Kratos-compatible).
    #[command(subcommand)]
    Identity(nexus_identity::cli::IdentityCommand),
    /// The gateway (Oathkeeper-compatible).
    #[command(subcommand)]
    Gateway(nexus_gateway::cli::GatewayCommand),
    /// The whole stack on one origin for development: identity server (SQLite), gateway,
    /// the built UI and a demo upstream at /api/echo.
    Dev(dev::DevArgs),
}

// The system allocator on purpose: mimalloc saved about 5 % of the gateway's CPU per proxied
// request but kept 19 MB more anonymous memory in an idle identity server (RSS 42 MB against
// 24 MB; the target is 30 MB), and its tuning knobs are environment variables only.

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match runtime() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        match cli.command {
            Command::Identity(cmd) => cmd.run().await,
            Command::Gateway(cmd) => cmd.run().await,
            Command::Dev(args) => dev::run(args).await,
        }
    })
}

/// The tokio runtime: multi-threaded as `#[tokio::main]` makes it, except that one worker
/// (`TOKIO_WORKER_THREADS=1`, or a single CPU) gets the current-thread scheduler, which does
/// the same work without the work-stealing bookkeeping (atomics, a remote queue, a main thread
/// apart from the worker). Blocking work still goes to the blocking pool in both.
fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    let workers = std::env::var("TOKIO_WORKER_THREADS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|&n| n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let mut builder = if workers == 1 {
        tokio::runtime::Builder::new_current_thread()
    } else {
        tokio::runtime::Builder::new_multi_thread()
    };
    builder.enable_all().build()
}
