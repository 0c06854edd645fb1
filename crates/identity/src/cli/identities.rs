//! `nexus-auth identity list|get|delete`: identities on a running server.

use std::process::ExitCode;

use clap::Args;
use serde_json::Value;

use super::admin_client::{AdminClient, ClientError, EndpointArgs};
use super::output::Format;

/// Options of `identity list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Identities per page (1–1000).
    #[arg(long, default_value_t = 250, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub page_size: u32,
    /// Start at this page (the token printed after the previous page).
    #[arg(long)]
    pub page_token: Option<String>,
    /// Follow the pages to the end instead of printing one.
    #[arg(long)]
    pub all: bool,
    /// Output format.
    #[arg(short = 'f', long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Print only the ids, one per line.
    #[arg(short = 'q', long)]
    pub quiet: bool,
    #[command(flatten)]
    pub endpoint: EndpointArgs,
}

/// Options of `identity get`.
#[derive(Debug, Args)]
pub struct GetArgs {
    /// Identity ids.
    #[arg(required = true)]
    pub ids: Vec<String>,
    /// Also show these credentials' configuration (e.g. `password`, `oidc`); repeatable.
    #[arg(long = "include-credentials", value_delimiter = ',')]
    pub include_credentials: Vec<String>,
    /// Output format (`table` shows the summary columns; JSON shows everything).
    #[arg(short = 'f', long, value_enum, default_value_t = Format::JsonPretty)]
    pub format: Format,
    #[command(flatten)]
    pub endpoint: EndpointArgs,
}

/// Options of `identity delete`.
#[derive(Debug, Args)]
pub struct DeleteArgs {
    /// Identity ids.
    #[arg(required = true)]
    pub ids: Vec<String>,
    #[command(flatten)]
    pub endpoint: EndpointArgs,
}

fn client(args: &EndpointArgs) -> Result<AdminClient, ExitCode> {
    AdminClient::from_args(args).map_err(|e| fail(&e))
}

fn fail(e: &ClientError) -> ExitCode {
    eprintln!("{e}");
    ExitCode::from(e.exit_code())
}

/// Lists one page (or all pages); the next page's token goes to standard error.
pub async fn list(args: ListArgs) -> ExitCode {
    let client = match client(&args.endpoint) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let mut token = args.page_token.clone();
    let mut all = Vec::new();
    loop {
        let page = match client
            .list_identities(args.page_size, token.as_deref())
            .await
        {
            Ok(p) => p,
            Err(e) => return fail(&e),
        };
        all.extend(page.items);
        token = page.next_token;
        if !args.all || token.is_none() {
            break;
        }
    }
    if args.quiet {
        for i in &all {
            println!(
                "{}",
                i.get("id").and_then(Value::as_str).unwrap_or_default()
            );
        }
    } else {
        args.format.print_identities(&all);
    }
    if let Some(t) = token.filter(|_| !args.all) {
        eprintln!("next page: --page-token {t}");
    }
    ExitCode::SUCCESS
}

/// Prints each identity; exit 1 if any could not be fetched.
pub async fn get(args: GetArgs) -> ExitCode {
    let client = match client(&args.endpoint) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let mut found = Vec::new();
    let mut status = ExitCode::SUCCESS;
    for id in &args.ids {
        match client.get_identity(id, &args.include_credentials).await {
            Ok(identity) => found.push(identity),
            Err(e) => {
                eprintln!("{id}: {e}");
                status = ExitCode::FAILURE;
            }
        }
    }
    match (args.format, found.as_slice()) {
        (_, []) => {}
        (Format::Table, list) => args.format.print_identities(list),
        (format, [one]) => format.print_json(one),
        (format, list) => format.print_json(&Value::Array(list.to_vec())),
    }
    status
}

/// Deletes each identity, printing the ids deleted; exit 1 if any failed.
pub async fn delete(args: DeleteArgs) -> ExitCode {
    let client = match client(&args.endpoint) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let mut status = ExitCode::SUCCESS;
    for id in &args.ids {
        match client.delete_identity(id).await {
            Ok(()) => println!("{id}"),
            Err(e) => {
                eprintln!("{id}: {e}");
                status = ExitCode::FAILURE;
            }
        }
    }
    status
}
