//! `tally sql MODEL --dialect D`: print the query that scores a table.

use std::io::IsTerminal;

use clap::{Args, ValueEnum};

use super::{load_model, output, parse_date, render, EXIT_FAILURE, EXIT_OK, EXIT_PROBLEMS};
use crate::sql::{compile_sql, Dialect, SqlOptions};
use crate::value::Date;
use crate::Finding;

/// The engines `--dialect` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum DialectArg {
    Duckdb,
    Postgres,
    Spark,
    Bigquery,
    Snowflake,
}

impl DialectArg {
    fn dialect(self) -> Dialect {
        match self {
            DialectArg::Duckdb => Dialect::DuckDb,
            DialectArg::Postgres => Dialect::Postgres,
            DialectArg::Spark => Dialect::Spark,
            DialectArg::Bigquery => Dialect::BigQuery,
            DialectArg::Snowflake => Dialect::Snowflake,
        }
    }
}

#[derive(Debug, Args)]
pub struct SqlArgs {
    /// The model (`-` reads standard input).
    #[arg(value_name = "MODEL")]
    model: String,
    /// The engine the query is for.
    #[arg(long, value_enum, value_name = "DIALECT")]
    dialect: DialectArg,
    /// The table to score (`schema.table` allowed).
    #[arg(long, value_name = "T", default_value = "leads")]
    table: String,
    /// The date `today` means; without it, the engine's current date.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    as_of: Option<Date>,
    /// Add `reasons`: the fired rules and their points, in file order.
    #[arg(long)]
    explain: bool,
    /// The table an events source is read from (repeatable); by default
    /// the table of the source's name.
    #[arg(long, value_name = "NAME=T", value_parser = parse_events_table)]
    events_table: Vec<(String, String)>,
}

/// `NAME=T` of `--events-table`.
fn parse_events_table(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((name, table)) if !name.is_empty() && !table.is_empty() => {
            Ok((name.to_string(), table.to_string()))
        }
        _ => Err(format!(
            "expected NAME=TABLE (an events source and the table it is read from), found `{text}`"
        )),
    }
}

/// Each `--events-table` names an events block of the model, once.
fn check_events_tables(
    model: &crate::check::Model,
    given: &[(String, String)],
) -> Result<(), String> {
    let names: Vec<&str> = model.events.iter().map(|s| s.name.as_str()).collect();
    for (i, (name, _)) in given.iter().enumerate() {
        if !names.contains(&name.as_str()) {
            let listed: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
            return Err(match listed.is_empty() {
                true => "`--events-table` was given, but the model has no `events` block".into(),
                false => format!(
                    "the model has no events block `{name}`; its blocks: {}",
                    listed.join(", ")
                ),
            });
        }
        if given.iter().take(i).any(|(n, _)| n == name) {
            return Err(format!(
                "`--events-table` gives the table of `{name}` twice"
            ));
        }
    }
    Ok(())
}

/// Run `tally sql`; returns the exit status.
pub fn run(args: &SqlArgs) -> u8 {
    let (source, model) = match load_model(&args.model) {
        Ok(loaded) => loaded,
        Err(status) => return status,
    };
    if let Err(message) = check_events_tables(&model, &args.events_table) {
        output::errln(&format!("error: {message}"));
        return EXIT_FAILURE;
    }
    let options = SqlOptions {
        dialect: args.dialect.dialect(),
        table: args.table.clone(),
        as_of: args.as_of,
        explain: args.explain,
        events_tables: args.events_table.clone(),
    };
    match compile_sql(&model, &options) {
        Ok(sql) => output::print(&sql, EXIT_OK),
        Err(errors) => {
            let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            let errors: Vec<Finding> = errors.into_iter().map(Finding::from).collect();
            output::err(&render::human_all(&source, &errors, color));
            EXIT_PROBLEMS
        }
    }
}
