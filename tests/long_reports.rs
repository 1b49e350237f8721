//! Findings on hostile models, as `tally check` prints them: a label
//! past column 65,535 (miette panicked there), tens of thousands of
//! findings (at most 50 per file are shown, then one line counts the
//! rest), a 40 KB line of chained comparisons (800 MB of reports before:
//! an error per link, each showing the whole line twice; now one error,
//! its line cut around the labels).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // tests fail by panicking

#[path = "support/cli.rs"]
mod support;
use support::text;

use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, Output};

const FIELDS: &str = "fields {\n  a: int\n}\n\n";

fn check(model: &str, args: &[&str]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("m.tally"), model).unwrap();
    run(dir.path(), &[&["check", "m.tally"], args].concat())
}

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tally"))
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .unwrap()
}

/// `n` rules, each naming an unknown field: `n` errors.
fn unknown_names(n: usize) -> String {
    let mut model = FIELDS.to_string();
    for i in 0..n {
        writeln!(model, "when u{i} > 1 add 1 \"r{i}\"").unwrap();
    }
    model
}

#[test]
fn a_warning_past_column_65535_is_shown_around_its_label() {
    let model = format!(
        "{FIELDS}{}when a > 5 and a < 3 add 1 \"never\"\n",
        " ".repeat(100_000)
    );
    let out = check(&model, &[]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(text(&out.stdout), "m.tally: 0 errors, 1 warning\n");
    insta::assert_snapshot!(text(&out.stderr));
}

#[test]
fn an_error_past_column_65535_is_shown_around_its_label() {
    let pad = " ".repeat(100_000);
    let long = format!("\"{}\"", "x".repeat(100_000));
    let model = format!("{FIELDS}{pad}when b > 1 add 1 \"b\"\nwhen a == {long} add 1 \"c\"\n");
    let out = check(&model, &[]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stdout), "m.tally: 2 errors, 0 warnings\n");
    insta::assert_snapshot!(text(&out.stderr));
}

#[test]
fn past_fifty_findings_one_line_counts_the_rest() {
    let out = check(&unknown_names(53), &[]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stdout), "m.tally: 53 errors, 0 warnings\n");
    let stderr = text(&out.stderr);
    assert_eq!(stderr.matches("× unknown name").count(), 50);
    // The last report shown and the count of the rest.
    let last = stderr.rfind("tally::unknown_name").unwrap();
    insta::assert_snapshot!(&stderr[last..]);
}

#[test]
fn json_lists_fifty_findings_and_counts_the_rest() {
    let out = check(&unknown_names(53), &["--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let file = &report["files"][0];
    assert_eq!(file["errors"], 53);
    assert_eq!(file["findings"].as_array().unwrap().len(), 50);
    assert_eq!(file["omitted"], 3);
    assert_eq!(file["findings"][49]["line"], 54);
    assert_eq!(report["errors"], 53);
}

#[test]
fn github_annotates_fifty_findings_and_notes_the_rest() {
    let out = check(&unknown_names(53), &["--format", "github"]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 51);
    assert!(lines[49].starts_with("::error file=m.tally,line=54,col=6,"));
    assert_eq!(
        lines[50],
        "::notice file=m.tally,title=tally check::and 3 more errors in m.tally \
         (only the first 50 findings of a file are shown)"
    );
}

#[test]
fn ten_thousand_errors_print_fifty_reports() {
    let out = check(&unknown_names(10_000), &[]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stdout), "m.tally: 10000 errors, 0 warnings\n");
    let stderr = text(&out.stderr);
    assert_eq!(stderr.matches("× unknown name").count(), 50);
    assert!(stderr.ends_with(
        "\nand 9950 more errors in m.tally (only the first 50 findings of a file are shown)\n"
    ));
    assert!(stderr.len() < 40_000, "{} bytes", stderr.len());
}

#[test]
fn a_long_line_of_chained_comparisons_prints_a_bounded_report() {
    let chain = vec!["a"; 10_000].join(" < ");
    let model = format!("{FIELDS}when {chain} add 1 \"r\"\n");
    assert!(model.len() > 40_000);
    let out = check(&model, &[]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stdout), "m.tally: 1 error, 0 warnings\n");
    let stderr = text(&out.stderr);
    assert_eq!(stderr.matches("× comparisons do not chain").count(), 1);
    assert!(stderr.len() < 2_000, "{} bytes", stderr.len());
}

#[test]
fn other_commands_show_at_most_fifty_errors_too() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("m.tally"), unknown_names(60)).unwrap();
    let out = run(dir.path(), &["plan", "m.tally"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert_eq!(stderr.matches("× unknown name").count(), 50);
    assert!(stderr.ends_with(
        "and 10 more errors in m.tally (only the first 50 findings of a file are shown)\n\
         error: m.tally has 60 errors; run `tally check m.tally` for details\n"
    ));
}

/// Each report is rendered from the lines it shows, not the whole model:
/// all 10,000 findings of a 290 KB model render in linear time (each
/// report scanned the model from its first byte before: minutes in a
/// debug build). The bound is loose for a busy machine.
#[test]
fn every_report_of_ten_thousand_renders_in_linear_time() {
    let (source, compiled) = tally::compile_bytes("m.tally", unknown_names(10_000).into_bytes());
    assert_eq!(compiled.findings.len(), 10_000);
    let start = std::time::Instant::now();
    let bytes: usize = compiled
        .findings
        .iter()
        .map(|f| tally::cli::render::human(&source, f, false).len())
        .sum();
    let took = start.elapsed();
    assert!(took < std::time::Duration::from_secs(60), "{took:?}");
    assert!(bytes > 10_000 * 200, "{bytes}");
}
