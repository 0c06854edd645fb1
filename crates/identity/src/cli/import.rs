//! `nexus-auth identity import <files…>`: batched identity import through the admin API.

use std::io::{IsTerminal, Read};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use futures::stream::{self, StreamExt};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::{json, Value};

use super::admin_client::{patch_id, AdminClient, ClientError, EndpointArgs};
use super::output::Format;

/// The admin API's limit per batch request.
const MAX_BATCH: usize = 1000;

/// Options of `identity import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// JSON files, each holding one identity (`createIdentityBody`) or an array of them;
    /// none or `-` reads standard input.
    pub files: Vec<PathBuf>,
    /// Identities per batch request (at most 1000).
    #[arg(long, default_value_t = MAX_BATCH, value_parser = in_range::<1, 1000>)]
    pub batch_size: usize,
    /// Batch requests in flight at once.
    #[arg(long, default_value_t = 2, value_parser = in_range::<1, 16>)]
    pub parallel: usize,
    /// Output: `table` (a summary), `json` or `json-pretty` (one result per identity).
    #[arg(short = 'f', long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Print only the new identities' ids, one per line.
    #[arg(short = 'q', long)]
    pub quiet: bool,
    #[command(flatten)]
    pub endpoint: EndpointArgs,
}

/// A count between `MIN` and `MAX`.
fn in_range<const MIN: usize, const MAX: usize>(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n) if (MIN..=MAX).contains(&n) => Ok(n),
        _ => Err(format!("expected a number from {MIN} to {MAX}")),
    }
}

/// One identity to import and where it came from (`file.json[3]`).
#[derive(Debug)]
struct Item {
    source: String,
    body: Value,
}

/// What happened to one item.
#[derive(Debug)]
struct Outcome {
    source: String,
    result: Result<String, String>,
}

/// Runs the import; exit 1 if any identity failed, 64 on unreadable input.
pub async fn run(args: ImportArgs) -> ExitCode {
    let client = match AdminClient::from_args(&args.endpoint) {
        Ok(c) => c,
        Err(e) => return fail(&e),
    };
    let (items, mut outcomes) = match read_items(&args.files) {
        Ok(r) => r,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(64);
        }
    };
    let total = items.len() + outcomes.len();
    let progress = progress_bar(total as u64, args.quiet);
    progress.inc(outcomes.len() as u64);
    let mut batches = stream::iter(items.chunks(args.batch_size.min(MAX_BATCH)))
        .map(|chunk| import_batch(&client, chunk))
        .buffered(args.parallel);
    while let Some(batch) = batches.next().await {
        progress.inc(batch.len() as u64);
        outcomes.extend(batch);
    }
    progress.finish_and_clear();
    report(&outcomes, total, args.format, args.quiet)
}

fn fail(e: &ClientError) -> ExitCode {
    eprintln!("{e}");
    ExitCode::from(e.exit_code())
}

fn progress_bar(total: u64, quiet: bool) -> ProgressBar {
    if quiet || total <= MAX_BATCH as u64 || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    if let Ok(style) =
        ProgressStyle::with_template("{bar:40} {pos}/{len} identities ({per_sec}, {eta} left)")
    {
        bar.set_style(style);
    }
    bar
}

/// Sends one batch; a failed request fails each of its items with the request's error.
async fn import_batch(client: &AdminClient, chunk: &[Item]) -> Vec<Outcome> {
    let bodies: Vec<Value> = chunk.iter().map(|i| i.body.clone()).collect();
    match client.batch_create(&bodies).await {
        Ok(results) => chunk
            .iter()
            .enumerate()
            .map(|(i, item)| Outcome {
                source: item.source.clone(),
                result: item_result(&results, i),
            })
            .collect(),
        Err(e) => chunk
            .iter()
            .map(|item| Outcome {
                source: item.source.clone(),
                result: Err(e.to_string()),
            })
            .collect(),
    }
}

/// The result for the `i`-th patch: found by its patch id, else by position.
fn item_result(results: &[Value], i: usize) -> Result<String, String> {
    let id = patch_id(i);
    let r = results
        .iter()
        .find(|r| r.get("patch_id").and_then(Value::as_str) == Some(id.as_str()))
        .or_else(|| results.get(i))
        .ok_or_else(|| "the server returned no result for this identity".to_string())?;
    match r.get("action").and_then(Value::as_str) {
        Some("create") => r
            .get("identity")
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| "created, but the server did not return its id".to_string()),
        _ => Err(describe_error(r.get("error").unwrap_or(r))),
    }
}

fn describe_error(e: &Value) -> String {
    let text = |k: &str| e.get(k).and_then(Value::as_str).filter(|s| !s.is_empty());
    let mut parts: Vec<String> = Vec::new();
    if let Some(code) = e.get("code").and_then(Value::as_u64) {
        parts.push(code.to_string());
    }
    parts.extend(text("message").map(str::to_string));
    if let Some(reason) = text("reason").filter(|r| Some(*r) != text("message")) {
        parts.push(reason.to_string());
    }
    if parts.is_empty() {
        e.to_string()
    } else {
        parts.join(": ")
    }
}

/// Reads every source; items that are not JSON objects fail at once.
fn read_items(files: &[PathBuf]) -> Result<(Vec<Item>, Vec<Outcome>), String> {
    let sources: Vec<PathBuf> = if files.is_empty() {
        vec![PathBuf::from("-")]
    } else {
        files.to_vec()
    };
    let mut items = Vec::new();
    let mut rejected = Vec::new();
    for path in sources {
        let (name, text) = if path.as_os_str() == "-" {
            let mut s = String::new();
            std::io::stdin()
                .read_to_string(&mut s)
                .map_err(|e| format!("cannot read standard input: {e}"))?;
            ("stdin".to_string(), s)
        } else {
            let s = std::fs::read_to_string(&path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            (path.display().to_string(), s)
        };
        let value: Value =
            serde_json::from_str(&text).map_err(|e| format!("{name} is not valid JSON: {e}"))?;
        let list = match value {
            Value::Array(list) => list
                .into_iter()
                .enumerate()
                .map(|(i, v)| (format!("{name}[{i}]"), v))
                .collect(),
            other => vec![(name, other)],
        };
        for (source, body) in list {
            if body.is_object() {
                items.push(Item { source, body });
            } else {
                rejected.push(Outcome {
                    source,
                    result: Err("not a JSON object (expected a createIdentityBody)".into()),
                });
            }
        }
    }
    Ok((items, rejected))
}

fn report(outcomes: &[Outcome], total: usize, format: Format, quiet: bool) -> ExitCode {
    let failed: Vec<&Outcome> = outcomes.iter().filter(|o| o.result.is_err()).collect();
    if quiet {
        for o in outcomes {
            if let Ok(id) = &o.result {
                println!("{id}");
            }
        }
    } else if format == Format::Table {
        println!("imported {} of {total} identities", total - failed.len());
    } else {
        let rows: Vec<Value> = outcomes
            .iter()
            .map(|o| match &o.result {
                Ok(id) => json!({ "source": o.source, "id": id }),
                Err(e) => json!({ "source": o.source, "error": e }),
            })
            .collect();
        format.print_json(&Value::Array(rows));
    }
    if failed.is_empty() {
        return ExitCode::SUCCESS;
    }
    eprintln!("{} of {total} identities failed:", failed.len());
    for o in &failed {
        if let Err(e) = &o.result {
            eprintln!("  {}: {e}", o.source);
        }
    }
    ExitCode::FAILURE
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_are_matched_by_patch_id() {
        let results = vec![
            json!({ "action": "error", "patch_id": patch_id(1), "error": { "code": 409, "message": "conflict" } }),
            json!({ "action": "create", "patch_id": patch_id(0), "identity": "id-0" }),
        ];
        assert_eq!(item_result(&results, 0), Ok("id-0".into()));
        assert_eq!(item_result(&results, 1), Err("409: conflict".into()));
        assert!(item_result(&results, 2).is_err());
    }

    #[test]
    fn reads_objects_and_arrays_and_rejects_other_items() {
        let dir = tempfile::tempdir().unwrap();
        let one = dir.path().join("one.json");
        let many = dir.path().join("many.json");
        std::fs::write(&one, r#"{"schema_id":"default","traits":{}}"#).unwrap();
        std::fs::write(&many, r#"[{"traits":{}}, 3, {"traits":{}}]"#).unwrap();
        let (items, rejected) = read_items(&[one, many.clone()]).unwrap();
        assert_eq!(items.len(), 3);
        assert_eq!(items[2].source, format!("{}[2]", many.display()));
        assert_eq!(rejected.len(), 1);
        assert_eq!(rejected[0].source, format!("{}[1]", many.display()));
        let broken = dir.path().join("broken.json");
        std::fs::write(&broken, "{").unwrap();
        assert!(read_items(&[broken])
            .unwrap_err()
            .contains("not valid JSON"));
    }
}
