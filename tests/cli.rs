//! The `tally` binary: exit codes, output streams and formats.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // tests fail by panicking

#[path = "support/cli.rs"]
mod support;
use support::{tally, text};

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

const GOOD: &str = "fields {\n  job_title: text\n}\nwhen job_title == \"CEO\" add 20\n";
const BAD: &str = "fields {\n  job_title: text\n}\nwhen job_titel == \"CEO\" add 20\n";

fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("good.tally"), GOOD).unwrap();
    std::fs::write(dir.path().join("bad.tally"), BAD).unwrap();
    dir
}

#[test]
fn a_clean_model_exits_zero_with_a_summary() {
    let dir = workspace();
    let out = tally(dir.path(), &["check", "good.tally"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        text(&out.stdout),
        "good.tally: ok (1 field, 1 rule, 0 groups, 0 tests; score from 0 to 20)\n"
    );
    assert_eq!(text(&out.stderr), "");
}

/// A file that cannot be read (a glob that matched a file since removed)
/// is an error (exit 2), and the other models are still checked and
/// tested, as `fmt --check` goes on: `check` and `test` stopped at it
/// and said nothing of the files they could read.
#[test]
fn an_unreadable_model_does_not_hide_the_others() {
    let dir = workspace();
    let out = tally(
        dir.path(),
        &["check", "good.tally", "gone.tally", "bad.tally"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stdout),
        "good.tally: ok (1 field, 1 rule, 0 groups, 0 tests; score from 0 to 20)\n\
         bad.tally: 1 error, 0 warnings\nchecked 2 files: 1 error, 0 warnings\n"
    );
    let stderr = text(&out.stderr);
    assert!(
        stderr.starts_with("error: cannot read `gone.tally`: no such file or directory\n"),
        "{stderr}"
    );
    assert!(stderr.contains("unknown name `job_titel`"), "{stderr}");
    let out = tally(dir.path(), &["test", "good.tally", "gone.tally"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(text(&out.stdout), "0 passed, 0 failed\n");
    assert_eq!(
        text(&out.stderr),
        "error: cannot read `gone.tally`: no such file or directory\n"
    );
}

#[test]
fn errors_exit_one_with_the_report_on_stderr() {
    let dir = workspace();
    let out = tally(dir.path(), &["check", "bad.tally"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stdout), "bad.tally: 1 error, 0 warnings\n");
    let stderr = text(&out.stderr);
    assert!(stderr.contains("× unknown name `job_titel`"), "{stderr}");
    assert!(stderr.contains("╭─[bad.tally:4:6]"), "{stderr}");
    assert!(
        stderr.contains("help: did you mean `job_title`?"),
        "{stderr}"
    );
}

#[test]
fn several_files_get_a_closing_count() {
    let dir = workspace();
    let out = tally(dir.path(), &["check", "good.tally", "bad.tally"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stdout),
        "good.tally: ok (1 field, 1 rule, 0 groups, 0 tests; score from 0 to 20)\nbad.tally: 1 error, 0 warnings\nchecked 2 files: 1 error, 0 warnings\n"
    );
}

#[test]
fn json_format_is_one_document_with_positions() {
    let dir = workspace();
    let out = tally(
        dir.path(),
        &["check", "--format", "json", "bad.tally", "good.tally"],
    );
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let expected = serde_json::json!({
        "files": [
            {
                "path": "bad.tally", "errors": 1, "warnings": 0,
                "findings": [{
                    "severity": "error",
                    "code": "tally::unknown_name",
                    "message": "unknown name `job_titel`",
                    "help": "did you mean `job_title`?",
                    "line": 4, "column": 6, "end_line": 4, "end_column": 15,
                    "labels": [{
                        "message": "not a field, let, group or tier",
                        "line": 4, "column": 6, "end_line": 4, "end_column": 15
                    }]
                }]
            },
            { "path": "good.tally", "errors": 0, "warnings": 0, "findings": [] }
        ],
        "errors": 1,
        "warnings": 0
    });
    assert_eq!(json, expected);
    assert_eq!(text(&out.stderr), "");
}

#[test]
fn github_format_prints_workflow_annotations() {
    let dir = workspace();
    let out = tally(dir.path(), &["check", "--format", "github", "bad.tally"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stdout),
        "::error file=bad.tally,line=4,col=6,endLine=4,endColumn=15,title=tally%3A%3Aunknown_name::unknown name `job_titel` (help: did you mean `job_title`?)\n"
    );
}

#[test]
fn a_dash_reads_standard_input() {
    let dir = workspace();
    let mut child = Command::new(env!("CARGO_BIN_EXE_tally"))
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .args(["check", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(BAD.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("╭─[<stdin>:4:6]"));
}

#[test]
fn an_unreadable_file_exits_two() {
    let dir = workspace();
    let out = tally(dir.path(), &["check", "missing.tally"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        "error: cannot read `missing.tally`: no such file or directory\n"
    );
    assert_eq!(text(&out.stdout), "");
}

#[test]
fn bad_arguments_exit_two() {
    let dir = workspace();
    assert_eq!(tally(dir.path(), &["check"]).status.code(), Some(2));
    assert_eq!(
        tally(dir.path(), &["check", "--format", "xml", "good.tally"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(tally(dir.path(), &["frobnicate"]).status.code(), Some(2));
    assert_eq!(tally(dir.path(), &["--help"]).status.code(), Some(0));
}

#[test]
fn every_bundled_example_checks_clean() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for entry in std::fs::read_dir(root.join("examples")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "tally") {
            let out = tally(root, &["check", "--deny-warnings", path.to_str().unwrap()]);
            assert_eq!(
                out.status.code(),
                Some(0),
                "{}: {}",
                path.display(),
                text(&out.stderr)
            );
        }
    }
}

#[test]
fn explain_answers_why_a_lead_has_its_stage() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = tally(
        root,
        &[
            "explain",
            "examples/b2b_inbound.tally",
            "examples/leads.csv",
            "--row",
            "7",
            "--as-of",
            "2026-11-22",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    insta::assert_snapshot!(text(&out.stdout));
}

#[test]
fn explain_refuses_a_row_that_does_not_exist() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = tally(
        root,
        &[
            "explain",
            "examples/b2b_inbound.tally",
            "examples/leads.csv",
            "--row",
            "3001",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr),
        "error: `examples/leads.csv` has no row 3001\n"
    );
}

#[test]
fn plan_prints_the_compiled_plan() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = tally(root, &["plan", "examples/b2b_inbound.tally"]);
    assert_eq!(out.status.code(), Some(0));
    let text = text(&out.stdout);
    assert!(
        text.starts_with("plan for model \"B2B inbound\"\n"),
        "{text}"
    );
    assert!(
        text.contains(
            "  c0   job_title in {\"ceo\", \"vp\", \"chief revenue officer\"} (hash set of 3)\n"
        ),
        "{text}"
    );
}

#[test]
fn test_runs_every_test_block_of_the_examples() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = tally(
        root,
        &[
            "test",
            "examples/b2b_inbound.tally",
            "examples/saas_trial.tally",
        ],
    );
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(stdout.ends_with(" passed, 0 failed\n"), "{stdout}");
    assert!(
        stdout.starts_with("ok      CEO at a mid-size tech firm who asked for a demo\n"),
        "{stdout}"
    );
}

const TESTED: &str = r#"fields {
  job_title:    text
  unsubscribed: bool
}
group engagement min 0 {
  when unsubscribed sub 10
}
when job_title in [CEO, VP] add 20 "Decision maker"
if score >= 20 then SQL
else Nurture

test "a VP is sales-ready" {
  given { job_title: " vp" }
  expect score == 20
  expect fired("Decision maker")
}

test "wrong on purpose" {
  given { job_title: "Engineer", unsubscribed: "yes" }
  expect score == -10
  expect stage == SQL
}
"#;

fn tested_workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("m.tally"), TESTED).unwrap();
    dir
}

#[test]
fn test_reports_failures_with_positions_and_actual_values() {
    let dir = tested_workspace();
    let out = tally(dir.path(), &["test", "m.tally"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stdout),
        "ok      a VP is sales-ready\n\
         FAILED  wrong on purpose\n  \
         m.tally:20:10: expect score == -10 is false\n  \
         m.tally:21:10: expect stage == SQL is false\n  \
         actual: score 0, engagement 0, stage Nurture, fired [\"unsubscribed\" -10]\n\
         1 passed, 1 failed\n"
    );
    let filtered = tally(dir.path(), &["test", "m.tally", "--filter", "VP"]);
    assert_eq!(filtered.status.code(), Some(0));
    assert_eq!(
        text(&filtered.stdout),
        "ok      a VP is sales-ready\n1 passed, 0 failed\n"
    );
}

#[test]
fn test_github_format_annotates_each_failed_expectation() {
    let dir = tested_workspace();
    let out = tally(dir.path(), &["test", "m.tally", "--format", "github"]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    assert_eq!(
        lines[0],
        "::error file=m.tally,line=20,col=10,title=tally test::test \"wrong on purpose\" failed: expect score == -10 is false (actual: score 0, engagement 0, stage Nurture, fired [\"unsubscribed\" -10])"
    );
    assert_eq!(lines[2], "1 passed, 1 failed");
}

#[test]
fn test_json_format_is_one_document() {
    let dir = tested_workspace();
    let out = tally(dir.path(), &["test", "m.tally", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["passed"], 1);
    assert_eq!(json["failed"], 1);
    let failed = &json["files"][0]["tests"][1];
    assert_eq!(
        failed,
        &serde_json::json!({
            "name": "wrong on purpose", "passed": false, "line": 18, "column": 1,
            "failures": [
                { "expect": "score == -10", "line": 20, "column": 10, "value": false },
                { "expect": "stage == SQL", "line": 21, "column": 10, "value": false }
            ],
            "actual": {
                "score": 0, "groups": { "engagement": 0 }, "stage": "Nurture", "tiers": {},
                "fired": [{ "reason": "unsubscribed", "points": -10 }]
            }
        })
    );
}

#[test]
fn sql_prints_the_query_and_exits_zero() {
    let dir = workspace();
    let out = tally(
        dir.path(),
        &[
            "sql",
            "good.tally",
            "--dialect",
            "duckdb",
            "--table",
            "crm.leads",
            "--as-of",
            "2026-11-22",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let sql = text(&out.stdout);
    assert!(
        sql.contains("\nFROM \"crm\".\"leads\" AS tally_row\n"),
        "{sql}"
    );
    // DuckDB's layers are nested STRUCTs (docs/sql.md).
    assert!(sql.contains("today := DATE '2026-11-22'"), "{sql}");
    assert!(sql.trim_end().ends_with(';'), "{sql}");
    assert_eq!(text(&out.stderr), "");
}

/// Each events source is read from the table of its name, or the one
/// `--events-table NAME=T` gives; a name the model has no block for, or
/// a value without `=`, is refused with exit 2.
#[test]
fn sql_reads_events_from_their_tables() {
    let dir = workspace();
    let model = "fields {\n  lead_id: text\n}\nevents activity {\n  lead_id: text key\n  at: date time\n}\nwhen count(activity) > 2 add 5\n";
    std::fs::write(dir.path().join("events.tally"), model).unwrap();
    let sql = |extra: &[&str]| {
        let mut args = vec!["sql", "events.tally", "--dialect", "duckdb"];
        args.extend_from_slice(extra);
        tally(dir.path(), &args)
    };
    let out = sql(&[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let query = text(&out.stdout);
    assert!(query.contains("FROM \"activity\" AS tally_row"), "{query}");
    assert!(query.contains("GROUP BY tally_event.\"key\""), "{query}");
    let out = sql(&["--events-table", "activity=crm.web"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("FROM \"crm\".\"web\" AS tally_row"));
    let out = sql(&["--events-table", "clicks=crm.web"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        "error: the model has no events block `clicks`; its blocks: `activity`\n"
    );
    let out = sql(&["--events-table", "activity"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("expected NAME=TABLE"));
}

#[test]
fn sql_explain_adds_the_reasons_column() {
    let dir = workspace();
    let plain = text(&tally(dir.path(), &["sql", "good.tally", "--dialect", "duckdb"]).stdout);
    assert!(!plain.contains("AS \"reasons\""), "{plain}");
    let out = tally(
        dir.path(),
        &["sql", "good.tally", "--dialect", "duckdb", "--explain"],
    );
    assert_eq!(out.status.code(), Some(0));
    let sql = text(&out.stdout);
    assert!(sql.contains("AS \"reasons\""), "{sql}");
    assert!(sql.contains("'job_title == \"CEO\" ' ||"), "{sql}");
}

#[test]
fn sql_without_as_of_uses_the_engines_date() {
    let dir = workspace();
    let out = tally(dir.path(), &["sql", "good.tally", "--dialect", "postgres"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).contains("CAST(timezone('UTC', now()) AS DATE) AS today"));
}

#[test]
fn sql_refuses_what_a_dialect_cannot_express_with_exit_one() {
    let dir = workspace();
    let model = "fields {\n  email: text\n}\nwhen email matches \"\\\\d+\" add 1\n";
    std::fs::write(dir.path().join("regex.tally"), model).unwrap();
    let out = tally(dir.path(), &["sql", "regex.tally", "--dialect", "postgres"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stdout), "");
    let stderr = text(&out.stderr);
    assert!(stderr.contains("tally::sql_unsupported"), "{stderr}");
    assert!(stderr.contains("the escape `\\d`"), "{stderr}");
}

#[test]
fn sql_snowflake_prints_a_query_and_refuses_explain() {
    let dir = workspace();
    let out = tally(dir.path(), &["sql", "good.tally", "--dialect", "snowflake"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let sql = text(&out.stdout);
    assert!(sql.contains("\n, LATERAL (\n"), "{sql}");
    assert!(
        sql.contains("CAST(CONVERT_TIMEZONE('UTC', CURRENT_TIMESTAMP()) AS DATE) AS today"),
        "{sql}"
    );
    assert_explain_refused(dir.path(), "snowflake");
}

/// `tally sql --explain` in a dialect without reasons: exit 1, nothing
/// on standard output, a `tally::sql_unsupported` naming `--explain`.
fn assert_explain_refused(dir: &Path, dialect: &str) {
    let explain = tally(
        dir,
        &["sql", "good.tally", "--dialect", dialect, "--explain"],
    );
    assert_eq!(explain.status.code(), Some(1));
    assert_eq!(text(&explain.stdout), "");
    let stderr = text(&explain.stderr);
    assert!(stderr.contains("tally::sql_unsupported"), "{stderr}");
    assert!(stderr.contains("--explain"), "{stderr}");
}

#[test]
fn sql_bigquery_prints_a_query_and_refuses_explain() {
    let dir = workspace();
    let out = tally(dir.path(), &["sql", "good.tally", "--dialect", "bigquery"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let sql = text(&out.stdout);
    assert!(!sql.contains("LATERAL"), "{sql}");
    assert!(sql.contains("CURRENT_DATE('UTC') AS today"), "{sql}");
    assert_explain_refused(dir.path(), "bigquery");
}

#[test]
fn sql_exit_codes_for_bad_models_and_arguments() {
    let dir = workspace();
    let bad = tally(dir.path(), &["sql", "bad.tally", "--dialect", "duckdb"]);
    assert_eq!(bad.status.code(), Some(1));
    let missing = tally(dir.path(), &["sql", "nope.tally", "--dialect", "duckdb"]);
    assert_eq!(missing.status.code(), Some(2));
    let dialect = tally(dir.path(), &["sql", "good.tally", "--dialect", "oracle"]);
    assert_eq!(dialect.status.code(), Some(2));
    let date = tally(
        dir.path(),
        &[
            "sql",
            "good.tally",
            "--dialect",
            "duckdb",
            "--as-of",
            "2026-02-30",
        ],
    );
    assert_eq!(date.status.code(), Some(2));
}

#[test]
fn sql_spark_refuses_explain() {
    let dir = workspace();
    assert_explain_refused(dir.path(), "spark");
}
