//! Account values read the lead file more than once, in every command
//! that reads one: standard input is kept in a temporary file first, so
//! each command gives from `-` what it gives from the file, and messages
//! name standard input, never that file. A lead file whose header lacks a
//! column an account value needs is the input's problem (exit 1),
//! reported like any header problem.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

#[path = "support/cli.rs"]
mod cli;

use cli::{piped, piped_with, tally, text};

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

/// Two leads of one account, the second a decision maker.
const GOOD: &str = "lead_id,company,title\n1,Acme,CEO\n2, acme ,Analyst\n3,Beta,VP\n";

/// The header names the company column `firm`.
const LEADS: &str = "lead_id,firm,title\n1,Acme,CEO\n";

const REFUSED: &str = "column \"company\" (field `company`) is not in the header";

fn setup() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("m.tally"), MODEL).unwrap();
    std::fs::write(dir.path().join("leads.csv"), LEADS).unwrap();
    std::fs::write(dir.path().join("good.csv"), GOOD).unwrap();
    dir
}

#[test]
fn every_command_reads_the_same_leads_from_standard_input_as_from_the_file() {
    let dir = setup();
    let as_of = ["--as-of", "2026-11-22"];
    let commands: [&[&str]; 5] = [
        &["score", "m.tally"],
        &["explain", "m.tally", "--row", "2"],
        &["backtest", "m.tally", "--outcome", "title"],
        &["diff", "m.tally", "m.tally"],
        &["report", "m.tally", "-o", "-"],
    ];
    for command in commands {
        let with = |leads: &'static str| -> Vec<&str> {
            let (name, rest) = command.split_at(2);
            let mut args = name.to_vec();
            args.push(leads);
            args.extend(rest);
            args.extend(as_of);
            args
        };
        let from_file = tally(dir.path(), &with("good.csv"));
        let from_stdin = piped(dir.path(), &with("-"), GOOD);
        assert_eq!(
            from_stdin.status.code(),
            from_file.status.code(),
            "{command:?}"
        );
        let (file_out, stdin_out) = (text(&from_file.stdout), text(&from_stdin.stdout));
        // The report and explain name the file they read.
        let file_out = file_out.replace("good.csv", "-");
        assert_eq!(stdin_out, file_out, "{command:?}");
        // `report -o -` writes the page on standard output, no file `-`.
        if command[0] == "report" {
            assert!(stdin_out.starts_with("<!DOCTYPE html>"), "{stdin_out}");
            assert!(!dir.path().join("-").exists());
        }
    }
    // The account values themselves, from standard input.
    let scored = piped(dir.path(), &["score", "m.tally", "-"], GOOD);
    assert_eq!(
        text(&scored.stdout),
        "lead_id,company,title,score,account.people\n\
         1,Acme,CEO,30,2\n\
         2, acme ,Analyst,10,2\n\
         3,Beta,VP,20,1\n"
    );
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
    let out = piped(
        dir.path(),
        &["score", "m.tally", "-", "--as-of", "2026-11-22"],
        LEADS,
    );
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

#[test]
fn standard_input_that_cannot_be_kept_says_why_and_what_to_do() {
    let dir = setup();
    let tmp = dir.path().join("no such directory");
    let args = ["score", "m.tally", "-"];
    let out = piped_with(dir.path(), &args, GOOD, &[("TMPDIR", &tmp)]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        "error: cannot make a temporary file to keep standard input in: no such file or \
         directory; account values read the leads more than once: set TMPDIR to a writable \
         directory, or give the lead file by name\n"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn explain_shows_the_account_in_text_and_json() {
    let dir = setup();
    let explain = |row: &str, format: &str| {
        let args = [
            "explain", "m.tally", "good.csv", "--row", row, "--format", format,
        ];
        let out = tally(dir.path(), &args);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        text(&out.stdout)
    };
    assert!(explain("2", "text").ends_with("\naccount (2 leads): account.people = 2\n"));
    let json: serde_json::Value = serde_json::from_str(&explain("2", "json")).unwrap();
    assert_eq!(
        json["account"],
        serde_json::json!({"leads": 2, "values": {"account.people": 2}})
    );
    let json: serde_json::Value = serde_json::from_str(&explain("3", "json")).unwrap();
    assert_eq!(
        json["account"],
        serde_json::json!({"leads": 1, "values": {"account.people": 1}})
    );
}
