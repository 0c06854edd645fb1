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

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Identity(cmd) => cmd.run().await,
        Command::Gateway(cmd) => cmd.run().await,
        Command::Dev(args) => dev::run(args).await,
    }
}
