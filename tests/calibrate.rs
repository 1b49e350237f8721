//! `tally calibrate` on leads generated from known true weights: the
//! proposed points must rank the rules as the weights do, and the
//! proposed model must rank a held-out file at least as well as the
//! original (ROC AUC from `tally backtest`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // tests fail by panicking

#[path = "support/cli.rs"]
mod support;
use support::tally;

use std::fmt::Write as _;
use std::path::Path;

use serde_json::Value;

/// Every rule worth the same: calibration has everything to learn.
const MODEL: &str = r#"model "Equal points" version 1

fields {
  id: text
  a:  bool
  b:  bool
  c:  bool
  d:  bool
}

# The points before calibration.
when a add 10 "A"
when b add 10 "B"
when c add 10 "C" # a comment kept
when d add 10 "D"

if score >= 20 then Hot
else Cold
"#;

/// The true log-odds: −2 + 1.5·a + 0.8·b + 0.3·c − 0.7·d.
const WEIGHTS: [f64; 4] = [1.5, 0.8, 0.3, -0.7];

/// A lead file of `rows` leads drawn with a fixed seed.
fn leads(rows: usize, seed: u64) -> String {
    let mut state = seed;
    let mut next = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut out = String::from("id,a,b,c,d,won\n");
    for id in 0..rows {
        let flags: Vec<bool> = (0..4).map(|_| next() < 0.5).collect();
        let logit = -2.0
            + flags
                .iter()
                .zip(WEIGHTS)
                .map(|(&f, w)| if f { w } else { 0.0 })
                .sum::<f64>();
        let won = next() < 1.0 / (1.0 + (-logit).exp());
        let cell = |b: bool| if b { "yes" } else { "no" };
        let _ = writeln!(
            out,
            "{id},{},{},{},{},{}",
            cell(flags[0]),
            cell(flags[1]),
            cell(flags[2]),
            cell(flags[3]),
            if won { "yes" } else { "" }
        );
    }
    out
}

fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("model.tally"), MODEL).unwrap();
    std::fs::write(dir.path().join("train.csv"), leads(20_000, 1)).unwrap();
    std::fs::write(dir.path().join("holdout.csv"), leads(20_000, 2)).unwrap();
    dir
}

fn auc(dir: &Path, model: &str) -> f64 {
    let out = tally(
        dir,
        &[
            "backtest",
            model,
            "holdout.csv",
            "--outcome",
            "won",
            "--format",
            "json",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    report["auc"].as_f64().unwrap()
}

#[test]
fn proposed_points_rank_the_rules_as_the_true_weights_do() {
    let dir = workspace();
    let args = [
        "calibrate",
        "model.tally",
        "train.csv",
        "--outcome",
        "won",
        "--format",
        "json",
    ];
    let out = tally(dir.path(), &args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let points: Vec<i64> = report["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["new_points"].as_i64().unwrap())
        .collect();
    assert!(
        points[0] > points[1] && points[1] > points[2] && points[2] > 0 && points[3] < 0,
        "{points:?}"
    );
    // The absolute points add up to what they did: 4 × 10 (give or take
    // the rounding of each).
    let span: i64 = points.iter().map(|p| p.abs()).sum();
    assert!((38..=42).contains(&span), "{points:?}");
}

#[test]
fn the_proposed_model_ranks_held_out_leads_at_least_as_well() {
    let dir = workspace();
    let out = tally(
        dir.path(),
        &["calibrate", "model.tally", "train.csv", "--outcome", "won"],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let proposed = String::from_utf8(out.stdout).unwrap();
    std::fs::write(dir.path().join("proposed.tally"), &proposed).unwrap();
    let (before, after) = (
        auc(dir.path(), "model.tally"),
        auc(dir.path(), "proposed.tally"),
    );
    assert!(
        after >= before,
        "AUC {after} after calibration, {before} before"
    );
    // Only points changed: the comments, names and ladder are as they were.
    assert!(proposed.contains("# The points before calibration.\n"));
    assert!(proposed.contains("\"C\" # a comment kept\n"));
    assert!(proposed.ends_with("if score >= 20 then Hot\nelse Cold\n"));
    let check = tally(dir.path(), &["fmt", "--check", "proposed.tally"]);
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
}

#[test]
fn write_replaces_the_model_file() {
    let dir = workspace();
    let out = tally(
        dir.path(),
        &[
            "calibrate",
            "model.tally",
            "train.csv",
            "--outcome",
            "won",
            "--write",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.is_empty());
    let written = std::fs::read_to_string(dir.path().join("model.tally")).unwrap();
    assert_ne!(written, MODEL);
    assert!(written.contains("when a add "), "{written}");
    assert!(written.contains("when d sub "), "{written}");
}

#[test]
fn too_few_conversions_are_refused() {
    let dir = workspace();
    let mut few = String::from("id,a,b,c,d,won\n");
    for id in 0..200 {
        let won = if id % 10 == 0 { "yes" } else { "" };
        let _ = writeln!(few, "{id},yes,no,yes,no,{won}");
    }
    std::fs::write(dir.path().join("few.csv"), few).unwrap();
    let out = tally(
        dir.path(),
        &["calibrate", "model.tally", "few.csv", "--outcome", "won"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "error: `few.csv` has 20 converted leads; calibrating needs at least 30 to tell \
         the rules apart: add more history\n"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("model.tally")).unwrap(),
        MODEL
    );
}

/// Every lead scored alike (here no rule fired, or every lead had the same
/// rules): the score says nothing about what a point is worth, and the fit
/// set every rule to 0, the rules that never fired included, against
/// "rare rules stay near their current points". It refuses, saying why.
#[test]
fn leads_all_scored_alike_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("model.tally"), MODEL).unwrap();
    let mut same = String::from("id,a,b,c,d,won\n");
    for id in 0..100 {
        let won = if id % 2 == 0 { "yes" } else { "" };
        let _ = writeln!(same, "{id},no,yes,no,no,{won}");
    }
    std::fs::write(dir.path().join("same.csv"), same).unwrap();
    let out = tally(
        dir.path(),
        &["calibrate", "model.tally", "same.csv", "--outcome", "won"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(out.stdout, b"");
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "error: every lead in `same.csv` has the score 10, so the data cannot tell what a \
         point is worth: calibrate on leads whose scores differ\n"
    );
}
