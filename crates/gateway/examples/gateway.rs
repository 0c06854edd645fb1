//! Standalone gateway binary (`cargo run --release -p nexus-gateway --example gateway -- serve
//! -c oathkeeper.yml`), used by the benchmarks until `nexus-auth gateway` is wired in.

use std::process::ExitCode;

use clap::Parser;
use nexus_gateway::cli::GatewayCommand;

#[derive(Parser)]
#[command(name = "nexus-gateway")]
struct Cli {
    #[command(subcommand)]
    command: GatewayCommand,
}

#[tokio::main]
async fn main() -> ExitCode {
    Cli::parse().command.run().await
}
