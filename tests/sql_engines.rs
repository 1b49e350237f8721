//! Differential tests of `tally sql` against real engines: every model is
//! compiled with the library, its leads scored by the interpreter and by
//! the engine (through `tests/engines/run_sql.py`), and the two must agree
//! row for row on `tally_error`, `score`, every group, `stage` and every
//! tier. Models: the conformance cases, the examples, the benchmark model,
//! and generated models with generated messy leads.
//!
//! An engine that is not installed fails the test with the command that
//! installs it (`bash scripts/test`); nothing is skipped silently.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // tests fail by panicking

mod sql_engines {
    pub mod cases;
    pub mod generate;
    pub mod harness;
}

use sql_engines::harness::{run_engine, Job};
use sql_engines::{cases, generate};
use tally::sql::Dialect;

/// Every job for one dialect: fixed models, then `generated` generated
/// models of 1,000 leads each.
fn jobs(generated: u64) -> Vec<Job> {
    let mut jobs = cases::conformance();
    jobs.extend(cases::examples());
    jobs.push(cases::bench_scale());
    jobs.push(cases::hostile());
    jobs.push(cases::edges());
    jobs.push(cases::engine_today());
    jobs.push(cases::local_formats());
    jobs.extend(generate::jobs(generated, 1000));
    jobs
}

fn check_engine(engine: &str, dialect: Dialect, generated: u64) {
    let jobs = jobs(generated);
    let report = run_engine(engine, dialect, &jobs);
    println!("{engine}: {report}");
    assert!(
        report.problems.is_empty(),
        "{engine} disagrees with the interpreter:\n{}",
        report.problems.join("\n")
    );
    // Every fixed model must translate: only generated ones may not.
    assert!(
        report.skipped.iter().all(|s| s.starts_with("generated")),
        "models {engine} could not compile: {:?}",
        report.skipped
    );
    assert!(report.rows > 10_000, "only {} rows compared", report.rows);
}

#[test]
fn duckdb_scores_like_the_interpreter() {
    check_engine("duckdb", Dialect::DuckDb, 30);
}

#[test]
fn postgres_scores_like_the_interpreter() {
    check_engine("postgres", Dialect::Postgres, 30);
}

/// No Snowflake here: its queries are translated by sqlglot into DuckDB's
/// dialect and run there, which checks their logic, not Snowflake's
/// functions (docs/sql.md).
#[test]
fn snowflake_translated_to_duckdb_scores_like_the_interpreter() {
    check_engine("snowflake-in-duckdb", Dialect::Snowflake, 30);
}

/// BigQuery likewise.
#[test]
fn bigquery_translated_to_duckdb_scores_like_the_interpreter() {
    check_engine("bigquery-in-duckdb", Dialect::BigQuery, 30);
}

#[test]
fn spark_scores_like_the_interpreter() {
    // Spark plans each query for seconds: fewer generated models.
    check_engine("spark", Dialect::Spark, 10);
}
