//! `tally sql` on generated models stays linear: a 100,000-item `in`
//! list (11 s in a release build before, from a quadratic duplicate
//! check) and a 30,000-term `a * a / a …` chain (each step formatted the
//! whole text again; minutes for Snowflake). The bounds are loose (a
//! debug build on a busy machine takes a few seconds); the quadratic
//! versions took many minutes here. `tests/scale/gen.py` writes the
//! inputs to measure a release build with (commands in its docstring).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // tests fail by panicking

use std::time::{Duration, Instant};

use tally::source::Source;
use tally::sql::{compile_sql, Dialect, SqlOptions};

const BOUND: Duration = Duration::from_secs(30);

fn sql(model: &str, dialect: Dialect) -> (String, Duration) {
    let compiled = tally::compile(&Source::new("m.tally", model));
    let model = compiled.model.expect("the model checks");
    let start = Instant::now();
    let sql = compile_sql(&model, &SqlOptions::new(dialect)).unwrap();
    (sql, start.elapsed())
}

#[test]
fn a_hundred_thousand_item_list_compiles_in_linear_time() {
    let items: Vec<String> = (0..100_000)
        .map(|i| format!("\"v{}\"", i % 99_999))
        .collect();
    let model = format!(
        "fields {{\n  t: text\n}}\n\nwhen t in [{}] add 1 \"r\"\n",
        items.join(", ")
    );
    let (sql, took) = sql(&model, Dialect::DuckDb);
    assert!(took < BOUND, "{took:?}");
    // One item repeats: it is written once.
    assert_eq!(sql.matches("'v0'").count(), 1);
    assert_eq!(sql.matches("'v99998'").count(), 1);
}

#[test]
fn a_thirty_thousand_term_chain_compiles_in_linear_time() {
    let terms: String = (0..29_999)
        .map(|i| if i % 2 == 0 { " * a" } else { " / a" })
        .collect();
    let model = format!("fields {{\n  a: int\n}}\n\nwhen a > 0 add a{terms} \"r\"\n");
    for dialect in [Dialect::Snowflake, Dialect::DuckDb] {
        let (sql, took) = sql(&model, dialect);
        assert!(took < BOUND, "{dialect:?}: {took:?}");
        assert!(sql.len() > 1_000_000, "{dialect:?}");
    }
}
