//! The SQL that reads local formats (language 1.1 field modifiers), per
//! dialect, pinned by snapshots and parsed by sqlglot. DuckDB, PostgreSQL
//! and Spark run it in tests/sql_engines.rs, Snowflake and BigQuery
//! through sqlglot's translation; these snapshots show the queries
//! themselves.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // tests fail by panicking

#[path = "support/sqlglot.rs"]
mod sqlglot;

use tally::source::Source;
use tally::sql::{compile_sql, Dialect, SqlOptions};
use tally::value::parse_date_literal;

const MODEL: &str = r#"fields {
  revenue: number decimal "," thousands " "
  seats:   int thousands "'"
  signed:  date format ["DD.MM.YYYY", "D/M/YYYY"]
  optin:   bool true [ja, kyllä] false [nej]
}

when revenue >= 1000       add 10 "Big"
when seats > 100           add 3  "Many seats"
when signed within 30 days add 5  "Recent"
when optin                 add 1  "Opted in"
"#;

const DIALECTS: [(Dialect, &str); 5] = [
    (Dialect::DuckDb, "duckdb"),
    (Dialect::Postgres, "postgres"),
    (Dialect::Spark, "spark"),
    (Dialect::Snowflake, "snowflake"),
    (Dialect::BigQuery, "bigquery"),
];

fn sql(dialect: Dialect) -> String {
    let compiled = tally::compile(&Source::new("local.tally", MODEL));
    let options = SqlOptions {
        dialect,
        table: "crm.leads".to_string(),
        as_of: parse_date_literal("2026-11-22"),
        explain: false,
        events_tables: Vec::new(),
    };
    compile_sql(&compiled.model.unwrap(), &options).unwrap()
}

#[test]
fn local_formats_read_in_every_dialect() {
    for (dialect, name) in DIALECTS {
        insta::assert_snapshot!(format!("local_formats_{name}"), sql(dialect));
    }
}

/// (The folding of text is deep: sqlglot needs more than Python's
/// default recursion, as in tests/sql_snapshots.rs.)
#[test]
fn sqlglot_parses_the_local_format_queries() {
    for (dialect, name) in DIALECTS {
        sqlglot::assert_parses(&sql(dialect), name);
    }
}
