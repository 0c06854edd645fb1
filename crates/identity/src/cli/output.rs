//! Output formats of the remote identity commands (as Kratos' CLI: table, json, json-pretty).

use comfy_table::presets::NOTHING;
use comfy_table::Table;
use serde_json::Value;

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Aligned columns for people.
    Table,
    /// One line of JSON.
    Json,
    /// Indented JSON.
    JsonPretty,
}

impl Format {
    /// Prints `value` as JSON (compact for `json` and `table`, indented for `json-pretty`).
    pub fn print_json(self, value: &Value) {
        let text = match self {
            Format::JsonPretty => serde_json::to_string_pretty(value),
            _ => serde_json::to_string(value),
        };
        println!("{}", text.unwrap_or_default());
    }

    /// Prints identities: a table, or a JSON array.
    pub fn print_identities(self, identities: &[Value]) {
        match self {
            Format::Table => println!("{}", identities_table(identities)),
            _ => self.print_json(&Value::Array(identities.to_vec())),
        }
    }
}

/// The identities as a table: id, schema, state and the first addresses.
pub fn identities_table(identities: &[Value]) -> String {
    let mut table = Table::new();
    table.load_preset(NOTHING).set_header(vec![
        "ID",
        "SCHEMA ID",
        "STATE",
        "VERIFIABLE ADDRESSES",
        "RECOVERY ADDRESSES",
        "CREATED AT",
    ]);
    for i in identities {
        let text = |k: &str| i.get(k).and_then(Value::as_str).unwrap_or("").to_string();
        table.add_row(vec![
            text("id"),
            text("schema_id"),
            text("state"),
            addresses(i.get("verifiable_addresses")),
            addresses(i.get("recovery_addresses")),
            text("created_at"),
        ]);
    }
    table.to_string()
}

fn addresses(list: Option<&Value>) -> String {
    list.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|x| x.get("value").and_then(Value::as_str))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_table_shows_ids_and_addresses() {
        let out = identities_table(&[json!({
            "id": "9f7c0e3a-0000-4000-8000-000000000001",
            "schema_id": "default",
            "state": "active",
            "verifiable_addresses": [{ "value": "a@example.com" }],
            "recovery_addresses": [{ "value": "a@example.com" }, { "value": "b@example.com" }]
        })]);
        let lines: Vec<&str> = out.lines().collect();
        assert!(lines[0].contains("ID") && lines[0].contains("RECOVERY ADDRESSES"));
        assert!(lines[1].contains("9f7c0e3a-0000-4000-8000-000000000001"));
        assert!(lines[1].contains("a@example.com, b@example.com"));
    }
}
