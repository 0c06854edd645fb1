//! `nexus-auth identity hashers argon2 calibrate`: argon2 parameters for a target duration.

use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Subcommand};
use nexus_kit::config::{format_duration, parse_byte_size, parse_duration};
use serde_json::json;

use crate::hash::{calibrate_argon2, measure_argon2, Argon2Settings};

/// `identity hashers …`.
#[derive(Debug, Subcommand)]
pub enum HashersCommand {
    /// Argon2 tools.
    #[command(subcommand)]
    Argon2(Argon2Command),
}

/// `identity hashers argon2 …`.
#[derive(Debug, Subcommand)]
pub enum Argon2Command {
    /// Find the iterations that make one hash take about the requested time on this machine.
    Calibrate(CalibrateArgs),
}

/// Options of `hashers argon2 calibrate`.
#[derive(Debug, Args)]
pub struct CalibrateArgs {
    /// Target time of one hash (Go duration, e.g. `500ms`, `1s`).
    #[arg(default_value = "500ms", value_parser = duration)]
    pub duration: Duration,
    /// Memory per hash (e.g. `128MB`, `1GB`).
    #[arg(short = 'm', long, default_value = "128MB", value_parser = memory_kib)]
    pub memory: u32,
    /// Lanes (default: 2 × CPUs, as Kratos).
    #[arg(short = 'p', long)]
    pub parallelism: Option<u32>,
    /// Hashes timed with the final parameters.
    #[arg(long, default_value_t = 2)]
    pub probe_runs: u32,
    /// Print `yaml` (a `hashers:` block for kratos.yml) or `json`.
    #[arg(short = 'f', long, default_value = "yaml", value_parser = ["yaml", "json"])]
    pub format: String,
}

fn duration(s: &str) -> Result<Duration, String> {
    let d = parse_duration(s).map_err(|e| e.to_string())?;
    if d.is_zero() {
        return Err("the duration must be positive".into());
    }
    Ok(d)
}

fn memory_kib(s: &str) -> Result<u32, String> {
    let bytes = parse_byte_size(s).map_err(|e| e.to_string())?;
    let kib = bytes / 1024;
    if kib < 8 {
        return Err("argon2 needs at least 8KB".into());
    }
    u32::try_from(kib).map_err(|_| "too much memory".into())
}

impl HashersCommand {
    /// Runs the command (CPU-bound, so off the async workers).
    pub async fn run(self) -> ExitCode {
        let HashersCommand::Argon2(Argon2Command::Calibrate(args)) = self;
        match tokio::task::spawn_blocking(move || calibrate(&args)).await {
            Ok(text) => {
                print!("{text}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("calibration failed: {e}");
                ExitCode::FAILURE
            }
        }
    }
}

fn calibrate(args: &CalibrateArgs) -> String {
    let defaults = Argon2Settings::default();
    let parallelism = args.parallelism.unwrap_or(defaults.parallelism).max(1);
    eprintln!(
        "calibrating argon2id for {} with {} and {parallelism} lanes…",
        format_duration(args.duration),
        memory_text(args.memory)
    );
    let settings = calibrate_argon2(args.duration, args.memory, parallelism);
    let took = measure_argon2(&settings, args.probe_runs);
    eprintln!(
        "one hash takes {} on this machine with {} iterations",
        format_duration(round_ms(took)),
        settings.iterations
    );
    render(&settings, args.format == "json")
}

fn round_ms(d: Duration) -> Duration {
    Duration::from_millis(d.as_millis() as u64)
}

/// `memory` as Kratos writes byte sizes (`128MB`, `64KB`).
fn memory_text(kib: u32) -> String {
    if kib % 1024 == 0 {
        format!("{}MB", kib / 1024)
    } else {
        format!("{kib}KB")
    }
}

/// The settings as the `hashers` section of kratos.yml (or its JSON form).
fn render(s: &Argon2Settings, as_json: bool) -> String {
    let argon2 = json!({
        "memory": memory_text(s.memory_kib),
        "iterations": s.iterations,
        "parallelism": s.parallelism,
        "salt_length": s.salt_length,
        "key_length": s.key_length,
        "expected_duration": format_duration(s.expected_duration),
        "expected_deviation": format_duration(s.expected_deviation),
    });
    let doc = json!({ "hashers": { "algorithm": "argon2", "argon2": argon2 } });
    if as_json {
        format!(
            "{}\n",
            serde_json::to_string_pretty(&doc).unwrap_or_default()
        )
    } else {
        serde_yaml::to_string(&doc).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_a_hashers_block_kratos_reads() {
        let s = Argon2Settings {
            memory_kib: 64 * 1024,
            iterations: 3,
            parallelism: 4,
            ..Argon2Settings::default()
        };
        let yaml = render(&s, false);
        let v: serde_json::Value = serde_yaml::from_str(&yaml).unwrap();
        assert_eq!(v["hashers"]["algorithm"], "argon2");
        assert_eq!(v["hashers"]["argon2"]["memory"], "64MB");
        assert_eq!(v["hashers"]["argon2"]["iterations"], 3);
        assert_eq!(v["hashers"]["argon2"]["expected_duration"], "500ms");
    }

    #[test]
    fn parses_memory_and_duration_flags() {
        assert_eq!(memory_kib("128MB").unwrap(), 128 * 1024);
        assert!(memory_kib("1KB").is_err());
        assert_eq!(duration("1s").unwrap(), Duration::from_secs(1));
        assert!(duration("0s").is_err());
    }
}
