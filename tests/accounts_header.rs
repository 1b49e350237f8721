//! A lead file whose header lacks a column an account value needs is the
//! input's problem (exit 1), reported like any header problem and named
//! as the user named it: standard input is spooled to a temporary file
//! for the account passes, but messages never show that file's path.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

#[path = "support/cli.rs"]
mod cli;

use std::io::Write;
use std::process::{Command, Stdio};

use cli::{tally, text};

const MODEL: &str = r#"fields {
  lead_id: text required
  company: text
  title:   text
}

account by company {
  let people = count(leads)
}

when title in [CEO, VP]    add 20 "Decision maker"
when account.people >= 2   add 10 "Committee"
"#;

/// The header names the company column `firm`.
const LEADS: &str = "lead_id,firm,title\n1,Acme,CEO\n";

const REFUSED: &str = "column \"company\" (field `company`) is not in the header";

fn setup() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("m.tally"), MODEL).unwrap();
    std::fs::write(dir.path().join("leads.csv"), LEADS).unwrap();
    dir
}

#[test]
fn a_missing_account_column_in_a_file_is_the_inputs_problem() {
    let dir = setup();
    let out = tally(
        dir.path(),
        &["score", "m.tally", "leads.csv", "--as-of", "2026-11-22"],
    );
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("× `leads.csv`: {REFUSED}")),
        "{stderr}"
    );
    assert!(
        stderr.ends_with("error: `leads.csv`: 1 header error; no row was read\n"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn a_missing_account_column_on_standard_input_names_standard_input() {
    let dir = setup();
    let mut child = Command::new(env!("CARGO_BIN_EXE_tally"))
        .current_dir(dir.path())
        .args(["score", "m.tally", "-", "--as-of", "2026-11-22"])
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(LEADS.as_bytes()).unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("× standard input: {REFUSED}")),
        "{stderr}"
    );
    assert!(
        stderr.ends_with("error: standard input: 1 header error; no row was read\n"),
        "{stderr}"
    );
    assert!(!stderr.contains("tmp"), "{stderr}");
}

#[test]
fn a_quality_command_reports_the_missing_column_as_the_inputs_problem() {
    let dir = setup();
    let out = tally(
        dir.path(),
        &["backtest", "m.tally", "leads.csv", "--outcome", "title"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr),
        format!("error: `leads.csv` cannot be read with this model: {REFUSED}\n")
    );
}
