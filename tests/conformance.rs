//! The shared conformance cases (`tests/conformance/*.case`, copied from
//! `shared/conformance/`), run against the built binary with the same rules
//! as `run_cases.py`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // tests fail by panicking

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde_json::Value;

/// Cases whose command is not built yet, with the issue that brings it.
/// The test fails if one of these starts passing, so the list shrinks.
const PENDING: &[(&str, &str)] = &[];

fn cases() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "case"))
        .collect();
    cases.sort();
    cases
}

fn sections(text: &[u8]) -> BTreeMap<String, Vec<u8>> {
    let mut sections = BTreeMap::new();
    let mut name: Option<String> = None;
    let mut buf = Vec::new();
    for line in text.split_inclusive(|b| *b == b'\n') {
        if let Some(rest) = line.strip_prefix(b"--- ") {
            if let Some(done) = name.take() {
                sections.insert(done, std::mem::take(&mut buf));
            }
            name = Some(String::from_utf8_lossy(rest).trim().to_string());
        } else {
            buf.extend_from_slice(line);
        }
    }
    if let Some(done) = name {
        sections.insert(done, buf);
    }
    sections
}

fn text(s: &BTreeMap<String, Vec<u8>>, key: &str) -> Option<String> {
    s.get(key).map(|b| String::from_utf8_lossy(b).into_owned())
}

/// Numbers compare as decimals (`65` equals `65.0`); everything else as is.
fn same(got: &Value, want: &Value) -> bool {
    match (got, want) {
        (Value::Number(a), Value::Number(b)) => {
            let dec =
                |n: &serde_json::Number| Decimal::from_str(&n.to_string()).map(|d| d.normalize());
            dec(a).is_ok() && dec(a) == dec(b)
        }
        (Value::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(x, y))
        }
        (Value::Object(a), Value::Object(b)) => {
            a.len() == b.len() && a.iter().all(|(k, v)| b.get(k).is_some_and(|w| same(v, w)))
        }
        _ => got == want,
    }
}

/// Run one case; the list of problems is empty when it passes.
fn run_case(path: &Path) -> Vec<String> {
    let s = sections(&std::fs::read(path).unwrap());
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("model.tally");
    std::fs::write(&model, s.get("model").unwrap()).unwrap();
    let mut leads = None;
    for (key, body) in &s {
        // Any section named like a file is written (`events.csv`,
        // `new.tally`, …); `expect.*` sections are results.
        if key.contains('.') && !key.starts_with("expect.") {
            let p = dir.path().join(key);
            std::fs::write(&p, body).unwrap();
            if key.starts_with("leads.") {
                leads = Some(p);
            }
        }
    }
    let command = text(&s, "command").map_or("score".to_string(), |c| c.trim().to_string());
    let extra: Vec<String> = text(&s, "args")
        .unwrap_or_default()
        .split_whitespace()
        .map(String::from)
        .collect();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tally"));
    cmd.current_dir(dir.path())
        .env("NO_COLOR", "1")
        .arg(&command)
        .arg(&model);
    if command == "score" {
        cmd.arg(leads.unwrap()).args(["--format", "ndjson"]);
    }
    let out = cmd.args(&extra).output().unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    let mut problems = Vec::new();
    let want_exit: i32 = text(&s, "exit").map_or(0, |e| e.trim().parse().unwrap());
    if out.status.code() != Some(want_exit) {
        problems.push(format!("exit {:?}, wanted {want_exit}", out.status.code()));
    }
    for line in text(&s, "output-contains")
        .unwrap_or_default()
        .lines()
        .map(str::trim)
    {
        if !line.is_empty() && !stdout.contains(line) && !stderr.contains(line) {
            problems.push(format!("output lacks {line:?}"));
        }
    }
    if let Some(expect) = text(&s, "expect.ndjson") {
        compare_rows(&expect, &stdout, &mut problems);
    }
    if let Some(rejects) = text(&s, "rejects") {
        let want: usize = rejects.trim().parse().unwrap();
        let said = last_rejected_count(&stderr);
        if said != Some(want) {
            problems.push(format!("rejected count in summary {said:?}, wanted {want}"));
        }
    }
    problems
}

fn compare_rows(expect: &str, stdout: &str, problems: &mut Vec<String>) {
    let want: Vec<Value> = expect
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let got: Result<Vec<Value>, _> = stdout
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(serde_json::from_str)
        .collect();
    let Ok(got) = got else {
        problems.push("stdout is not NDJSON".into());
        return;
    };
    if got.len() != want.len() {
        problems.push(format!("{} output rows, wanted {}", got.len(), want.len()));
    }
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        for (key, value) in w.as_object().unwrap() {
            let actual = g.get(key).unwrap_or(&Value::Null);
            if !same(actual, value) {
                problems.push(format!("row {} {key}: got {actual}, wanted {value}", i + 1));
            }
        }
    }
}

/// The number in the last "N rejected" / "rejected: N" of the summary.
fn last_rejected_count(stderr: &str) -> Option<usize> {
    let words: Vec<&str> = stderr
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let mut found = None;
    for (i, word) in words.iter().enumerate() {
        if *word == "rejected" {
            let before = i
                .checked_sub(1)
                .and_then(|j| words.get(j))
                .and_then(|w| w.parse().ok());
            let after = words.get(i + 1).and_then(|w| w.parse().ok());
            found = before.or(after).or(found);
        }
    }
    found
}

#[test]
fn conformance_cases_pass() {
    let mut failures = Vec::new();
    for case in cases() {
        let name = case.file_stem().unwrap().to_string_lossy().into_owned();
        let problems = run_case(&case);
        let pending = PENDING.iter().find(|(n, _)| *n == name);
        match (problems.is_empty(), pending) {
            (false, None) => failures.push(format!("{name}: {}", problems.join("; "))),
            (true, Some((_, why))) => {
                failures.push(format!("{name} passes now: remove it from PENDING ({why})"))
            }
            _ => {}
        }
    }
    assert!(
        failures.is_empty(),
        "conformance failures:\n{}",
        failures.join("\n")
    );
}
