//! Differential tests of `tally sql` against real engines: every model is
//! compiled with the library, its leads scored by the interpreter and by
//! the engine (through `tests/engines/run_sql.py`), and the two must agree
//! row for row on `tally_error`, `score`, every group, `stage` and every
//! tier. Models: the conformance cases, the examples, the benchmark model,
//! the events benchmark model (`bench_models.rs`), and generated models
//! with generated messy leads.
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
    pub mod accounts;
    pub mod bench_models;
    pub mod cases;
    pub mod cells;
    pub mod events;
    pub mod folding;
    pub mod generate;
    pub mod harness;
    pub mod lead_sets;
    pub mod lists;
    pub mod silent;
}

use sql_engines::harness::{run_engine, Job};
use sql_engines::{
    accounts, bench_models, cases, cells, events, folding, generate, lead_sets, lists, silent,
};
use tally::sql::Dialect;

/// Every job for one dialect: fixed models, then `generated` generated
/// models of 1,000 leads each.
fn jobs(generated: u64) -> Vec<Job> {
    let mut jobs = cases::conformance();
    jobs.extend(cases::examples());
    jobs.push(cases::bench_scale());
    jobs.push(cases::hostile());
    jobs.push(cases::edges());
    jobs.push(cells::job());
    jobs.push(cases::engine_today());
    jobs.push(cases::local_formats());
    jobs.push(lists::job());
    jobs.extend(silent::jobs());
    jobs.extend(generate::jobs(generated, 1000));
    jobs
}

fn check_engine(engine: &str, dialect: Dialect, generated: u64) {
    let mut jobs = jobs(generated);
    // Snowflake and Spark 4.3 have no Unicode normalization (docs/sql.md;
    // the tests below).
    let normalizes = !matches!(dialect, Dialect::Snowflake | Dialect::Spark);
    jobs.push(folding::job(!normalizes));
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

/// The one documented difference of folding (docs/sql.md): Snowflake and
/// Spark 4.3 have no Unicode normalization, so a decomposed `é` is not a
/// precomposed one there, nor is `Ϊ́` (U+03AA U+0301) `ΐ`.
fn folds_without_normalizing(engine: &str, dialect: Dialect) {
    let report = run_engine(engine, dialect, &[folding::decomposed()]);
    assert_eq!(report.rows, 4);
    let rows: Vec<&str> = report.problems.iter().map(|p| p.as_str()).take(2).collect();
    assert_eq!(
        rows,
        [
            r#"decomposed row 0 [t=Some("CAFE\u{301}")]: score "0", wanted Some("1")"#,
            r#"decomposed row 2 [t=Some("Ϊ\u{301}")]: score "0", wanted Some("2")"#,
        ]
    );
    assert_eq!(report.problems.len(), 3, "the rows, then the model");
}

#[test]
fn snowflake_folds_text_without_normalizing_it() {
    folds_without_normalizing("snowflake-in-duckdb", Dialect::Snowflake);
}

#[test]
fn spark_folds_text_without_normalizing_it() {
    folds_without_normalizing("spark", Dialect::Spark);
}

/// Events and decay (tests/sql_engines/events.rs): every row of the
/// generated SQL's output equals what `tally score --events … --format
/// ndjson --explain` writes (reasons too, where the dialect has them).
fn events_like_the_interpreter(engine: &str, dialect: Dialect) {
    let compared = events::run(engine, dialect);
    println!(
        "{engine}: events: {} rows compared ({} rejected, {} fired rules), {:.1} s in the engine",
        compared.rows, compared.rejected, compared.fired, compared.seconds
    );
    assert!(
        compared.problems.is_empty(),
        "{engine} disagrees with the interpreter on events:\n{}",
        compared.problems.join("\n")
    );
    assert_eq!(compared.rows, 2000);
    assert!(compared.rejected > 100 && compared.rejected < 800);
    assert!(compared.fired > 1000 || !matches!(dialect, Dialect::DuckDb | Dialect::Postgres));
}

#[test]
fn duckdb_scores_events_like_the_interpreter() {
    events_like_the_interpreter("duckdb", Dialect::DuckDb);
}

#[test]
fn postgres_scores_events_like_the_interpreter() {
    events_like_the_interpreter("postgres", Dialect::Postgres);
}

#[test]
fn spark_scores_events_like_the_interpreter() {
    events_like_the_interpreter("spark", Dialect::Spark);
}

#[test]
fn snowflake_translated_to_duckdb_scores_events_like_the_interpreter() {
    events_like_the_interpreter("snowflake-in-duckdb", Dialect::Snowflake);
}

#[test]
fn bigquery_translated_to_duckdb_scores_events_like_the_interpreter() {
    events_like_the_interpreter("bigquery-in-duckdb", Dialect::BigQuery);
}

/// The models of `silent.rs` alone, in one engine: every row as the
/// interpreter scores it, every model compiled.
fn agrees_on_silent_differences(engine: &str, dialect: Dialect) {
    let report = run_engine(engine, dialect, &silent::jobs());
    println!("{engine}: {report}");
    assert!(
        report.problems.is_empty() && report.skipped.is_empty(),
        "{engine} disagrees with the interpreter:\n{}\nskipped: {:?}",
        report.problems.join("\n"),
        report.skipped
    );
}

/// The arithmetic of `silent.rs`: every row of `arithmetic` as the
/// interpreter scores it; of `faults`, the rows SQL cannot hold get a
/// `tally_error` (and no outputs), the others are the interpreter's, and
/// the query runs to the end.
fn agrees_on_arithmetic(engine: &str, dialect: Dialect) {
    let mut jobs = silent::jobs();
    jobs.extend(silent::arithmetic());
    let report = run_engine(engine, dialect, &jobs);
    println!("{engine}: {report}");
    assert!(
        report.problems.is_empty() && report.skipped.is_empty(),
        "{engine} disagrees with the interpreter:\n{}\nskipped: {:?}",
        report.problems.join("\n"),
        report.skipped
    );
    let report = run_engine(engine, dialect, &[silent::faults()]);
    let faulted = silent::faulted(engine);
    let rows: Vec<&String> = report
        .problems
        .iter()
        .filter(|p| !p.starts_with("model "))
        .collect();
    assert_eq!(rows.len(), faulted.len(), "{engine}: {rows:#?}");
    for (row, (index, message)) in rows.iter().zip(&faulted) {
        let error = format!("tally_error Some(\"{message}");
        assert!(
            row.starts_with(&format!("silent faults row {index} [")) && row.contains(&error),
            "{engine}: {row}"
        );
    }
}

/// Cells padded with white space and with what is not: DuckDB trims them
/// with shortcuts (`Dialect::trim`), which must give Tally's cells.
#[test]
fn duckdb_trims_padded_cells_as_tally_does() {
    let report = run_engine("duckdb", Dialect::DuckDb, &[cells::padding()]);
    assert!(
        report.problems.is_empty() && report.skipped.is_empty(),
        "duckdb disagrees with the interpreter:\n{}\nskipped: {:?}",
        report.problems.join("\n"),
        report.skipped
    );
    assert_eq!(report.rows, 6 * 17 * 17, "rows compared");
}

/// DuckDB computes the checks once: a filter on `tally_error` stays above
/// `tally_checks` (whose unused `random()` DuckDB pushes no filter
/// through) and reads the error, instead of being pushed down as
/// `struct_extract(struct_pack(<every check>), 'tally_error')`.
#[test]
fn duckdb_filters_on_the_error_it_computed() {
    let model = "fields {\n  n: number required\n  b: bool\n}\nwhen n > 1 and b add 1\n";
    let plan = cells::duckdb_filtered_plan(model, &["n", "b"]);
    assert!(
        plan.contains("struct_extract(tally_checks, 'tally_error') IS NULL"),
        "{plan}"
    );
    assert!(!plan.contains("struct_extract(struct_pack("), "{plan}");
}

/// Cells past what SQL holds get a `tally_error` naming their column;
/// `tally score` reads them. Every other row is the interpreter's.
#[test]
fn duckdb_names_cells_outside_what_sql_holds() {
    let report = run_engine("duckdb", Dialect::DuckDb, &[cells::outside()]);
    let rows: Vec<&String> = (report.problems.iter())
        .filter(|p| !p.starts_with("model "))
        .collect();
    assert_eq!(rows.len(), cells::OUTSIDE.len(), "{rows:#?}");
    for (row, (index, column, ty)) in rows.iter().zip(cells::OUTSIDE) {
        let message = format!(
            "column \"{column}\": {ty} outside what SQL holds exactly (18 digits before the point, 10 after)"
        );
        let error = format!("tally_error {:?}", Some(message));
        assert!(
            row.starts_with(&format!("cells outside row {index} [")) && row.contains(&error),
            "{row}"
        );
    }
}

#[test]
fn duckdb_agrees_on_silent_differences() {
    agrees_on_arithmetic("duckdb", Dialect::DuckDb);
}

#[test]
fn postgres_agrees_on_silent_differences() {
    agrees_on_arithmetic("postgres", Dialect::Postgres);
}

#[test]
fn spark_agrees_on_silent_differences() {
    agrees_on_arithmetic("spark", Dialect::Spark);
}

#[test]
fn snowflake_translated_to_duckdb_agrees_on_silent_differences() {
    agrees_on_silent_differences("snowflake-in-duckdb", Dialect::Snowflake);
}

#[test]
fn bigquery_translated_to_duckdb_agrees_on_silent_differences() {
    agrees_on_silent_differences("bigquery-in-duckdb", Dialect::BigQuery);
}

/// The Spark recipe of docs/sql.md, as written there, reads a CSV file
/// with quoted line breaks and doubled quotes as `tally score` does (the
/// driver writes each table to a file and runs the recipe's text).
#[test]
fn spark_reads_csv_files_with_the_documented_recipe() {
    let report = run_engine("spark-csv", Dialect::Spark, &[silent::csv_cells()]);
    println!("spark-csv: {report}");
    assert!(
        report.problems.is_empty() && report.skipped.is_empty(),
        "{}",
        report.problems.join("\n")
    );
    assert_eq!(report.rows, 60);
}

/// A long chain of products fails the query where a product is past what
/// SQL holds, naming it; its other rows are the interpreter's.
fn fails_loudly_past_long_chains(engine: &str, dialect: Dialect) {
    let report = run_engine(engine, dialect, &silent::loud());
    assert_eq!(report.skipped, Vec::<String>::new());
    assert_eq!(report.problems.len(), 1, "{engine}: {:#?}", report.problems);
    let problem = &report.problems[0];
    assert!(
        problem.starts_with("loud chain: the engine failed")
            && problem.contains("a product past 10^28, which SQL does not hold exactly"),
        "{engine}: {problem}"
    );
}

#[test]
fn duckdb_fails_loudly_past_long_chains() {
    fails_loudly_past_long_chains("duckdb", Dialect::DuckDb);
}

#[test]
fn spark_fails_loudly_past_long_chains() {
    fails_loudly_past_long_chains("spark", Dialect::Spark);
}

/// Accounts (tests/sql_engines/accounts.rs): every row of the generated
/// SQL's output (score, groups, stage, tier, every `account.NAME`, and
/// the reasons where the dialect has them) equals what `tally score …
/// --format ndjson --explain` writes after its account passes.
fn accounts_like_the_interpreter(engine: &str, dialect: Dialect) {
    let (compared, present) = accounts::run(engine, dialect);
    println!(
        "{engine}: accounts: {} rows compared ({} rejected, {} fired rules, {present} account values present), {:.1} s in the engine",
        compared.rows, compared.rejected, compared.fired, compared.seconds
    );
    assert!(
        compared.problems.is_empty(),
        "{engine} disagrees with the interpreter on accounts:\n{}",
        compared.problems.join("\n")
    );
    assert_eq!(compared.rows, 5000);
    assert!(
        compared.rejected > 300 && compared.rejected < 1500,
        "{}",
        compared.rejected
    );
    assert!(present > 20_000, "only {present} account values present");
}

#[test]
fn duckdb_scores_accounts_like_the_interpreter() {
    accounts_like_the_interpreter("duckdb", Dialect::DuckDb);
}

#[test]
fn postgres_scores_accounts_like_the_interpreter() {
    accounts_like_the_interpreter("postgres", Dialect::Postgres);
}

#[test]
fn spark_scores_accounts_like_the_interpreter() {
    accounts_like_the_interpreter("spark", Dialect::Spark);
}

#[test]
fn snowflake_translated_to_duckdb_scores_accounts_like_the_interpreter() {
    accounts_like_the_interpreter("snowflake-in-duckdb", Dialect::Snowflake);
}

#[test]
fn bigquery_translated_to_duckdb_scores_accounts_like_the_interpreter() {
    accounts_like_the_interpreter("bigquery-in-duckdb", Dialect::BigQuery);
}

/// The events benchmark's model (tests/sql_engines/bench_models.rs):
/// every row as the interpreter scores it.
fn events_benchmark_like_the_interpreter(engine: &str, dialect: Dialect) {
    let compared = bench_models::run(engine, dialect);
    println!(
        "{engine}: events benchmark: {} rows compared ({} rejected, {} fired rules), {:.1} s in the engine",
        compared.rows, compared.rejected, compared.fired, compared.seconds
    );
    assert!(
        compared.problems.is_empty(),
        "{engine} disagrees with the interpreter on the events benchmark:\n{}",
        compared.problems.join("\n")
    );
    assert_eq!(compared.rows, 1000);
    assert!(
        compared.rejected > 150 && compared.rejected < 500,
        "{}",
        compared.rejected
    );
    assert!(compared.fired > 500 || !matches!(dialect, Dialect::DuckDb | Dialect::Postgres));
}

#[test]
fn duckdb_scores_the_events_benchmark_like_the_interpreter() {
    events_benchmark_like_the_interpreter("duckdb", Dialect::DuckDb);
}

#[test]
fn postgres_scores_the_events_benchmark_like_the_interpreter() {
    events_benchmark_like_the_interpreter("postgres", Dialect::Postgres);
}

/// PostgreSQL hashes the join of the benchmark's events pre-aggregation
/// to the leads (docs/sql.md, "The key PostgreSQL groups on"). Grouped on
/// the key of a one-row layer, it estimated one group and joined with a
/// nested loop (`Join Filter`), whose time grows with leads × keys.
#[test]
fn postgres_hashes_the_events_join_to_the_leads() {
    let plan = bench_models::postgres_plan();
    let joins: Vec<&String> = (plan.iter())
        .filter(|line| line.contains("tally_source_1.tally_join"))
        .collect();
    let hashed = joins.iter().all(|line| line.contains("Hash Cond:"));
    assert!(!joins.is_empty() && hashed, "{}", plan.join("\n"));
}

#[test]
fn spark_scores_the_events_benchmark_like_the_interpreter() {
    events_benchmark_like_the_interpreter("spark", Dialect::Spark);
}

/// Event sets that read the lead's fields (tests/sql_engines/lead_sets.rs),
/// on a small job whose every value is worked out by hand: what the
/// SQL must give whatever the interpreter does.
fn sets_reading_the_lead_as_worked_out_by_hand(engine: &str, dialect: Dialect) {
    let by_hand = lead_sets::by_hand_in(engine, dialect);
    assert_eq!(
        by_hand,
        Vec::<String>::new(),
        "{engine} differs from the values worked out by hand"
    );
}

#[test]
fn duckdb_scores_sets_reading_the_lead_as_worked_out_by_hand() {
    sets_reading_the_lead_as_worked_out_by_hand("duckdb", Dialect::DuckDb);
}

#[test]
fn postgres_scores_sets_reading_the_lead_as_worked_out_by_hand() {
    sets_reading_the_lead_as_worked_out_by_hand("postgres", Dialect::Postgres);
}

#[test]
fn spark_scores_sets_reading_the_lead_as_worked_out_by_hand() {
    sets_reading_the_lead_as_worked_out_by_hand("spark", Dialect::Spark);
}

#[test]
fn snowflake_translated_to_duckdb_scores_sets_reading_the_lead_as_worked_out_by_hand() {
    sets_reading_the_lead_as_worked_out_by_hand("snowflake-in-duckdb", Dialect::Snowflake);
}

#[test]
fn bigquery_translated_to_duckdb_scores_sets_reading_the_lead_as_worked_out_by_hand() {
    sets_reading_the_lead_as_worked_out_by_hand("bigquery-in-duckdb", Dialect::BigQuery);
}

/// Event sets that read the lead's fields, generated (several leads of a
/// key with their own values; a text and an `int` key) and by hand:
/// every row as `tally score --events … --explain` writes it.
fn sets_reading_the_lead_like_the_interpreter(engine: &str, dialect: Dialect) {
    let compared = lead_sets::run(engine, dialect);
    println!(
        "{engine}: sets reading the lead: {} rows compared ({} rejected, {} fired rules), {:.1} s in the engine",
        compared.rows, compared.rejected, compared.fired, compared.seconds
    );
    assert!(
        compared.problems.is_empty(),
        "{engine} disagrees with the interpreter on sets reading the lead:\n{}",
        compared.problems.join("\n")
    );
    assert_eq!(compared.rows, 808);
    assert!(
        compared.rejected > 50 && compared.rejected < 400,
        "{}",
        compared.rejected
    );
    assert!(compared.fired > 1000, "{}", compared.fired);
}

#[test]
fn duckdb_scores_sets_reading_the_lead_like_the_interpreter() {
    sets_reading_the_lead_like_the_interpreter("duckdb", Dialect::DuckDb);
}

#[test]
fn postgres_scores_sets_reading_the_lead_like_the_interpreter() {
    sets_reading_the_lead_like_the_interpreter("postgres", Dialect::Postgres);
}

#[test]
fn spark_scores_sets_reading_the_lead_like_the_interpreter() {
    sets_reading_the_lead_like_the_interpreter("spark", Dialect::Spark);
}

#[test]
fn snowflake_translated_to_duckdb_scores_sets_reading_the_lead_like_the_interpreter() {
    sets_reading_the_lead_like_the_interpreter("snowflake-in-duckdb", Dialect::Snowflake);
}

#[test]
fn bigquery_translated_to_duckdb_scores_sets_reading_the_lead_like_the_interpreter() {
    sets_reading_the_lead_like_the_interpreter("bigquery-in-duckdb", Dialect::BigQuery);
}
