#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // tests fail by panicking

//! `examples/leads_messy.csv` and `examples/leads.csv` (its readable rows)
//! scored with `examples/b2b_inbound.tally` must agree, lead for lead, with
//! the independent Python oracle that generated them
//! (`examples/generate_leads.py` → `examples/expected.ndjson`); so must
//! `examples/activity.tally` with its lead and events files
//! (`examples/generate_activity.py` → `examples/activity_expected.ndjson`).

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde_json::Value;

/// Rows of the messy file; 30 of them are unreadable.
const ROWS: usize = 3000;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn examples() -> PathBuf {
    root().join("examples")
}

fn ndjson(text: &str) -> Vec<Value> {
    text.lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect()
}

/// A JSON number as an exact decimal, without trailing zeros.
fn decimal(value: &Value) -> Option<Decimal> {
    match value {
        Value::Number(n) => Some(Decimal::from_str(&n.to_string()).ok()?.normalize()),
        _ => None,
    }
}

/// What is different between tally's row and the oracle's, if anything.
fn differences(got: &Value, want: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for key in ["score", "fit", "engagement"] {
        let (g, w) = (decimal(&got[key]), decimal(&want[key]));
        if g.is_none() || g != w {
            out.push(format!("{key}: tally {} oracle {}", got[key], want[key]));
        }
    }
    for key in ["stage", "grade"] {
        if got[key] != want[key] {
            out.push(format!("{key}: tally {} oracle {}", got[key], want[key]));
        }
    }
    let reasons = |row: &Value| -> Option<Vec<(String, Option<Decimal>)>> {
        row["reasons"]
            .as_array()?
            .iter()
            .map(|r| Some((r["reason"].as_str()?.to_string(), decimal(&r["points"]))))
            .collect()
    };
    let (g, w) = (reasons(got), reasons(want));
    if g.is_none() || g != w {
        out.push(format!(
            "reasons: tally {} oracle {}",
            got["reasons"], want["reasons"]
        ));
    }
    out
}

/// The row numbers named by a rejects file (`row N: …` lines).
fn rejected_rows(text: &str) -> BTreeSet<u64> {
    text.lines()
        .filter_map(|line| {
            let rest = line.strip_prefix("row ")?;
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            digits.parse().ok()
        })
        .collect()
}

#[test]
fn the_messy_example_lead_file_has_three_thousand_records() {
    let mut reader = csv::Reader::from_path(examples().join("leads_messy.csv")).unwrap();
    let header = reader.headers().unwrap().clone();
    assert!(header.iter().any(|c| c == "Job Title"), "{header:?}");
    let mut records = 0;
    for record in reader.records() {
        let record = record.unwrap();
        assert_eq!(record.len(), header.len(), "record {}", records + 1);
        records += 1;
    }
    assert_eq!(records, ROWS);
}

/// What `tally score --format ndjson --explain` said about an example file.
struct Scored {
    status: Option<i32>,
    rows: Vec<Value>,
    rejected: BTreeSet<u64>,
    stderr: String,
}

fn score_example(name: &str) -> Scored {
    let dir = tempfile::tempdir().unwrap();
    let rejects = dir.path().join("rejects.txt");
    let out = Command::new(env!("CARGO_BIN_EXE_tally"))
        .current_dir(root())
        .env("NO_COLOR", "1")
        .args(["score", "examples/b2b_inbound.tally"])
        .arg(format!("examples/{name}"))
        .args(["--as-of", "2026-11-22", "--format", "ndjson", "--explain"])
        .arg("--rejects")
        .arg(&rejects)
        .output()
        .unwrap();
    Scored {
        status: out.status.code(),
        rows: ndjson(&String::from_utf8(out.stdout).unwrap()),
        rejected: rejected_rows(&std::fs::read_to_string(&rejects).unwrap()),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn oracle_rows() -> Vec<Value> {
    ndjson(&std::fs::read_to_string(examples().join("expected.ndjson")).unwrap())
}

/// Every scored lead is the oracle's, in input order, with the same outputs.
fn assert_agrees_with_oracle(got: &[Value], want: &[Value]) {
    let ids = |rows: &[Value]| -> Vec<String> {
        rows.iter()
            .map(|r| r["lead_id"].as_str().unwrap_or("<none>").to_string())
            .collect()
    };
    assert_eq!(ids(got), ids(want), "scored leads, in input order");

    let mut wrong = Vec::new();
    for (g, w) in got.iter().zip(want) {
        let diff = differences(g, w);
        if !diff.is_empty() {
            wrong.push(format!("{}: {}", w["lead_id"], diff.join("; ")));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {} leads differ from the oracle; first ones:\n{}",
        wrong.len(),
        want.len(),
        wrong
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn tally_scores_the_messy_example_leads_as_the_oracle_does() {
    let scored = score_example("leads_messy.csv");
    let stderr = &scored.stderr;
    assert_eq!(scored.status, Some(1), "rejected rows exit 1\n{stderr}");
    let want_rejected: BTreeSet<u64> =
        std::fs::read_to_string(examples().join("expected.rejects.txt"))
            .unwrap()
            .lines()
            .map(|line| line.trim().parse().unwrap())
            .collect();
    assert_eq!(scored.rejected, want_rejected, "rejected rows\n{stderr}");
    assert_eq!(
        scored.rows.len() + scored.rejected.len(),
        ROWS,
        "every lead accounted for"
    );
    assert_agrees_with_oracle(&scored.rows, &oracle_rows());
}

#[test]
fn the_clean_example_scores_every_lead_and_exits_zero() {
    let scored = score_example("leads.csv");
    let stderr = &scored.stderr;
    assert_eq!(scored.status, Some(0), "{stderr}");
    assert_eq!(scored.rejected, BTreeSet::new(), "{stderr}");
    assert_eq!(stderr.trim_end(), "read 2970 rows: 2970 scored, 0 rejected");
    assert_agrees_with_oracle(&scored.rows, &oracle_rows());
}

#[test]
fn the_generator_reproduces_the_checked_in_files() {
    let python = Command::new("python3").arg("--version").output();
    if !python.is_ok_and(|o| o.status.success()) {
        eprintln!("note: python3 is not on PATH; generator reproducibility not checked");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new("python3")
        .current_dir(root())
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .arg("examples/generate_leads.py")
        .arg("--out")
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for name in [
        "leads.csv",
        "leads_messy.csv",
        "expected.ndjson",
        "expected.rejects.txt",
    ] {
        let fresh = std::fs::read(dir.path().join(name)).unwrap();
        let kept = std::fs::read(examples().join(name)).unwrap();
        assert!(
            fresh == kept,
            "examples/{name} is not what generate_leads.py makes"
        );
    }
}

// ---------------------------------------------------------------- activity

/// `examples/activity.tally` (events and decay, language 1.1) scored
/// with its lead and events files must agree, lead for lead, with the
/// independent Python oracle that generated them
/// (`examples/generate_activity.py` → `examples/activity_expected.ndjson`,
/// whose last line holds the events summary's counts).
fn activity_oracle() -> (Vec<Value>, Value) {
    let mut rows =
        ndjson(&std::fs::read_to_string(examples().join("activity_expected.ndjson")).unwrap());
    let counts = rows.pop().expect("the events counts")["events"].clone();
    (rows, counts)
}

/// What differs between tally's row of the activity example and the oracle's.
fn activity_differences(got: &Value, want: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for key in ["score", "fit", "engagement"] {
        let (g, w) = (decimal(&got[key]), decimal(&want[key]));
        if g.is_none() || g != w {
            out.push(format!("{key}: tally {} oracle {}", got[key], want[key]));
        }
    }
    if got["stage"] != want["stage"] {
        out.push(format!(
            "stage: tally {} oracle {}",
            got["stage"], want["stage"]
        ));
    }
    let reasons = |row: &Value| -> Option<Vec<(String, Option<Decimal>)>> {
        row["reasons"]
            .as_array()?
            .iter()
            .map(|r| Some((r["reason"].as_str()?.to_string(), decimal(&r["points"]))))
            .collect()
    };
    let (g, w) = (reasons(got), reasons(want));
    if g.is_none() || g != w {
        out.push(format!(
            "reasons: tally {} oracle {}",
            got["reasons"], want["reasons"]
        ));
    }
    out
}

#[test]
fn tally_scores_the_activity_example_as_the_oracle_does() {
    let out = Command::new(env!("CARGO_BIN_EXE_tally"))
        .current_dir(root())
        .env("NO_COLOR", "1")
        .args([
            "score",
            "examples/activity.tally",
            "examples/activity_leads.csv",
        ])
        .args([
            "--events",
            "examples/activity_events.csv",
            "--as-of",
            "2026-11-22",
        ])
        .args(["--format", "ndjson", "--explain"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let (want, counts) = activity_oracle();
    let summary = format!(
        "read {n} rows: {n} scored, 0 rejected\n\
         events activity: {} read, {} used, {} rejected, {} matching no lead, {} after the as-of date",
        counts["read"],
        counts["used"],
        counts["rejected"],
        counts["unmatched"],
        counts["future"],
        n = want.len(),
    );
    assert_eq!(stderr.trim_end(), summary);
    let got = ndjson(&String::from_utf8(out.stdout).unwrap());
    let ids =
        |rows: &[Value]| -> Vec<Value> { rows.iter().map(|r| r["Lead ID"].clone()).collect() };
    assert_eq!(ids(&got), ids(&want), "scored leads, in input order");
    let wrong: Vec<String> = got
        .iter()
        .zip(&want)
        .filter_map(|(g, w)| {
            let diff = activity_differences(g, w);
            (!diff.is_empty()).then(|| format!("{}: {}", w["Lead ID"], diff.join("; ")))
        })
        .collect();
    assert!(
        wrong.is_empty(),
        "{} of {} leads differ from the oracle; first ones:\n{}",
        wrong.len(),
        want.len(),
        wrong[..wrong.len().min(20)].join("\n")
    );
    // The example shows what it says it shows.
    let stages: BTreeSet<&str> = want.iter().filter_map(|r| r["stage"].as_str()).collect();
    assert_eq!(stages, BTreeSet::from(["MQL", "Nurture", "SQL"]));
    assert!(counts["future"].as_u64() > Some(0) && counts["unmatched"].as_u64() > Some(0));
}

#[test]
fn the_activity_example_passes_its_own_tests_and_checks() {
    for command in ["test", "check"] {
        let out = Command::new(env!("CARGO_BIN_EXE_tally"))
            .current_dir(root())
            .env("NO_COLOR", "1")
            .args([command, "examples/activity.tally"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "tally {command}: {out:?}");
    }
}

#[test]
fn the_activity_generator_reproduces_the_checked_in_files() {
    let python = Command::new("python3").arg("--version").output();
    if !python.is_ok_and(|o| o.status.success()) {
        eprintln!("note: python3 is not on PATH; generator reproducibility not checked");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new("python3")
        .current_dir(root())
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .arg("examples/generate_activity.py")
        .arg("--out")
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for name in [
        "activity_leads.csv",
        "activity_events.csv",
        "activity_expected.ndjson",
    ] {
        let fresh = std::fs::read(dir.path().join(name)).unwrap();
        let kept = std::fs::read(examples().join(name)).unwrap();
        assert!(
            fresh == kept,
            "examples/{name} is not what generate_activity.py makes"
        );
    }
}
