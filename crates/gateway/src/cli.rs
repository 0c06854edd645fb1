//! `nexus-auth gateway …`: serve, rules validate, credentials generate.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, Subcommand, ValueEnum};
use nexus_kit::config::{ConfigError, ProcessEnv};

use crate::config::{MatchingStrategy, OathkeeperConfig};
use crate::pipeline::registry::Registry;
use crate::pipeline::Services;
use crate::rule::model::parse_rules;
use crate::rule::set::CompiledRule;
use crate::rule::validate;
use crate::server::Gateway;

/// The gateway's commands.
#[derive(Debug, Subcommand)]
pub enum GatewayCommand {
    /// Serve the proxy (serve.proxy.port) and the API (serve.api.port).
    Serve {
        /// Config files (YAML or JSON); later files win.
        #[arg(short = 'c', long = "config")]
        config: Vec<PathBuf>,
    },
    /// Work with access rules.
    Rules {
        #[command(subcommand)]
        command: RulesCommand,
    },
    /// Work with signing keys.
    Credentials {
        #[command(subcommand)]
        command: CredentialsCommand,
    },
}

/// `rules …`.
#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// Report bad patterns, invalid handlers and overlapping rules before deployment.
    Validate(ValidateArgs),
}

/// `rules validate` arguments.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Rule files (JSON or YAML arrays).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Gateway config: enables handler checks and supplies the matching strategy.
    #[arg(short = 'c', long = "config")]
    pub config: Vec<PathBuf>,
    /// Matching strategy (default: from the config, else regexp).
    #[arg(long, value_enum)]
    pub strategy: Option<Strategy>,
}

/// `--strategy`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Strategy {
    /// ladon regexp.
    Regexp,
    /// gobwas glob.
    Glob,
}

/// `credentials …`.
#[derive(Debug, Subcommand)]
pub enum CredentialsCommand {
    /// Print a JWKS with one private signing key.
    Generate {
        /// RS256, ES256, EdDSA, HS256 (also RS/PS384/512, HS384/512).
        #[arg(long)]
        alg: String,
        /// Key id (default: random UUID).
        #[arg(long)]
        kid: Option<String>,
        /// Key size for RSA/HMAC.
        #[arg(long)]
        bits: Option<usize>,
    },
}

fn config_exit(e: &ConfigError) -> ExitCode {
    eprintln!("{e}");
    ExitCode::from(e.exit_code())
}

impl GatewayCommand {
    /// Runs the command.
    pub async fn run(self) -> ExitCode {
        match self {
            GatewayCommand::Serve { config } => serve(config).await,
            GatewayCommand::Rules {
                command: RulesCommand::Validate(args),
            } => validate_rules(args),
            GatewayCommand::Credentials {
                command: CredentialsCommand::Generate { alg, kid, bits },
            } => match crate::jwk::generate(&alg, kid.as_deref(), bits) {
                Ok(set) => {
                    println!("{}", serde_json::to_string_pretty(&set).unwrap_or_default());
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("credentials generate: {e}");
                    ExitCode::from(64)
                }
            },
        }
    }
}

async fn serve(files: Vec<PathBuf>) -> ExitCode {
    let config = match OathkeeperConfig::load(&files, &ProcessEnv) {
        Ok(c) => c,
        Err(e) => return config_exit(&e),
    };
    let signal = nexus_kit::signal::shutdown_signal();
    match Gateway::builder(config).start().await {
        Ok(running) => {
            running.run_until(signal).await;
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("gateway: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn validate_rules(args: ValidateArgs) -> ExitCode {
    let config = if args.config.is_empty() {
        None
    } else {
        match OathkeeperConfig::load(&args.config, &ProcessEnv) {
            Ok(c) => Some(c),
            Err(e) => return config_exit(&e),
        }
    };
    let strategy = match (args.strategy, &config) {
        (Some(Strategy::Glob), _) => MatchingStrategy::Glob,
        (Some(Strategy::Regexp), _) => MatchingStrategy::Regexp,
        (None, Some(c)) => c.access_rules.matching_strategy,
        (None, None) => MatchingStrategy::Regexp,
    };
    let handlers = config.is_some();
    let registry = Registry::new(
        Arc::new(config.unwrap_or_default()),
        Arc::new(Services::default()),
    );
    let mut problems = 0usize;
    let mut compiled = Vec::new();
    for file in &args.files {
        let text = match std::fs::read_to_string(file) {
            Ok(t) => t,
            Err(e) => {
                println!("{}: cannot read: {e}", file.display());
                problems += 1;
                continue;
            }
        };
        match parse_rules(&text) {
            Ok(rules) => compiled.extend(
                rules
                    .into_iter()
                    .map(|r| CompiledRule::compile(r, strategy, &registry)),
            ),
            Err(e) => {
                println!("{}: {e}", file.display());
                problems += 1;
            }
        }
    }
    for f in validate::check(&compiled, strategy, handlers) {
        println!("rule {}: {}", f.rule, f.message);
        problems += 1;
    }
    if problems == 0 {
        println!("{} rules OK", compiled.len());
        ExitCode::SUCCESS
    } else {
        println!("{problems} problem(s) found");
        ExitCode::from(1)
    }
}
