#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // tests fail by panicking

//! `examples/leads.csv` scored with `examples/b2b_inbound.tally` must agree,
//! lead for lead, with the independent Python oracle that generated it
//! (`examples/generate_leads.py` → `examples/expected.ndjson`).

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde_json::Value;

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
fn the_example_lead_file_has_three_thousand_records() {
    let mut reader = csv::Reader::from_path(examples().join("leads.csv")).unwrap();
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

#[test]
fn tally_scores_the_example_leads_as_the_oracle_does() {
    let dir = tempfile::tempdir().unwrap();
    let rejects = dir.path().join("rejects.txt");
    let out = Command::new(env!("CARGO_BIN_EXE_tally"))
        .current_dir(root())
        .env("NO_COLOR", "1")
        .args([
            "score",
            "examples/b2b_inbound.tally",
            "examples/leads.csv",
            "--as-of",
            "2026-11-22",
            "--format",
            "ndjson",
            "--explain",
            "--rejects",
        ])
        .arg(&rejects)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "rejected rows exit 1\n{stderr}");

    let got = ndjson(&String::from_utf8(out.stdout).unwrap());
    let want = ndjson(&std::fs::read_to_string(examples().join("expected.ndjson")).unwrap());

    let rejected = rejected_rows(&std::fs::read_to_string(&rejects).unwrap());
    let want_rejected: BTreeSet<u64> =
        std::fs::read_to_string(examples().join("expected.rejects.txt"))
            .unwrap()
            .lines()
            .map(|line| line.trim().parse().unwrap())
            .collect();
    assert_eq!(rejected, want_rejected, "rejected rows\n{stderr}");
    assert_eq!(got.len() + rejected.len(), ROWS, "every lead accounted for");

    let ids = |rows: &[Value]| -> Vec<String> {
        rows.iter()
            .map(|r| r["lead_id"].as_str().unwrap_or("<none>").to_string())
            .collect()
    };
    assert_eq!(ids(&got), ids(&want), "scored leads, in input order");

    let mut wrong = Vec::new();
    for (g, w) in got.iter().zip(&want) {
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
    for name in ["leads.csv", "expected.ndjson", "expected.rejects.txt"] {
        let fresh = std::fs::read(dir.path().join(name)).unwrap();
        let kept = std::fs::read(examples().join(name)).unwrap();
        assert!(
            fresh == kept,
            "examples/{name} is not what generate_leads.py makes"
        );
    }
}
