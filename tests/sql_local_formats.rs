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

use std::io::Write;
use std::process::{Command, Stdio};

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
        let script = format!(
            "import sys\nsys.setrecursionlimit(20000)\nimport sqlglot\nfor statement in sqlglot.parse(sys.stdin.read(), read={name:?}):\n    assert statement is not None\n"
        );
        let mut child = Command::new("python3")
            .args(["-c", &script])
            .stdin(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("python3 is needed; install the test tools with `bash scripts/test`");
        child
            .stdin
            .take()
            .unwrap()
            .write_all(sql(dialect).as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "sqlglot cannot parse the {name} query: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
