//! `tally backtest` on a fixture small enough to check by hand
//! (tests/backtest/: 9 leads, one with an unreadable outcome). The
//! expected numbers are worked out in the comments, not taken from the
//! tool; `quality::stats` checks AUC against the pairwise definition too.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // tests fail by panicking

use std::path::Path;
use std::process::{Command, Output};

use serde_json::{json, Value};

fn tally(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tally"))
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/backtest"))
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .unwrap()
}

fn backtest_json() -> Value {
    let out = tally(&[
        "backtest",
        "model.tally",
        "leads.csv",
        "--outcome",
        "won",
        "--format",
        "json",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn close(got: &Value, want: f64) {
    let got = got
        .as_f64()
        .unwrap_or_else(|| panic!("not a number: {got}"));
    assert!((got - want).abs() < 1e-9, "{got} != {want}");
}

// Scores (demo +20, CEO +10) and outcomes of the 8 readable leads:
// 30 yes, 20 yes, 20 no, 10 yes, 10 no, 0 no, 0 yes (a date), 0 no.
// Lead 8's outcome `maybe` is unreadable: left out, exit status 0.

#[test]
fn counts_and_ranking_statistics() {
    let report = backtest_json();
    assert_eq!(report["rows"], 8);
    assert_eq!(report["unreadable"], 1);
    assert_eq!(report["converted"], 4);
    close(&report["base_rate"], 0.5);
    // Converted 30 beats all 4 others (4); converted 20 beats 10, 0, 0 and
    // ties 20 (3.5); converted 10 beats 0, 0 and ties 10 (2.5); converted
    // 0 ties two 0s (1): 11 of 16 pairs.
    close(&report["auc"], 11.0 / 16.0);
    close(&report["gini"], 2.0 * 11.0 / 16.0 - 1.0);
    // From the top: ≥30 tpr 1/4 fpr 0; ≥20 2/4, 1/4; ≥10 3/4, 2/4.
    close(&report["ks"], 0.25);
    assert_eq!(
        report["model"],
        json!({"name": "Backtest fixture", "version": "1",
               "sha256": sha256_of("tests/backtest/model.tally")})
    );
}

/// `20 <= score` is `score >= 20` written the other way round (and
/// `15 < score` is `score > 15`): the same threshold, with the same
/// candidates. Only the `score` on the left was found.
#[test]
fn a_threshold_written_with_score_on_the_right_is_found() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/backtest");
    let model = std::fs::read_to_string(fixture.join("model.tally")).unwrap();
    let turned = model.replace(
        "if score >= 20 then SQL",
        "if 20 <= score then SQL\nif 15 < score then MQL",
    );
    assert_ne!(turned, model);
    std::fs::write(dir.path().join("model.tally"), turned).unwrap();
    std::fs::copy(fixture.join("leads.csv"), dir.path().join("leads.csv")).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_tally"))
        .current_dir(dir.path())
        .args([
            "backtest",
            "model.tally",
            "leads.csv",
            "--outcome",
            "won",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let turned: Value = serde_json::from_slice(&out.stdout).unwrap();
    let thresholds = turned["thresholds"].as_array().unwrap();
    assert_eq!(thresholds.len(), 2, "{thresholds:?}");
    let want = &backtest_json()["thresholds"][0];
    for key in ["line", "op", "current", "suggested", "candidates"] {
        assert_eq!(thresholds[0][key], want[key], "{key}");
    }
    assert_eq!(thresholds[1]["op"], ">");
    close(&thresholds[1]["current"], 15.0);
}

/// Rows left out for their outcome are said why on standard error (the
/// count alone left a user whose outcome column says `won`/`lost` with
/// "0 used, 200 left out as unreadable" and no reason).
#[test]
fn rows_left_out_for_their_outcome_are_explained() {
    let out = tally(&["backtest", "model.tally", "leads.csv", "--outcome", "won"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "note: `leads.csv`: 1 row left out: its \"won\" cell is not an outcome (a boolean: \
         yes, no, true, false, 1, 0; or a date; empty is not converted)\n"
    );
}

/// Decile 1 holds the highest scores: lead k of n (0-based, highest
/// first) is in decile ⌊10k/n⌋ + 1, so the top lead is always in decile
/// 1 (it was in decile 2 with 8 leads, and in 10 with one lead).
#[test]
fn the_highest_score_is_in_the_first_decile() {
    let report = backtest_json();
    let deciles: Vec<(u64, u64, String)> = report["deciles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let range = format!("{}..{}", d["min"], d["max"]);
            (
                d["decile"].as_u64().unwrap(),
                d["leads"].as_u64().unwrap(),
                range,
            )
        })
        .collect();
    // 8 leads ranked 30, 20, 20, 10, 10, 0, 0, 0: k = 0..7 gives deciles
    // 1, 2, 3, 4, 6, 7, 8, 9.
    let want: Vec<(u64, u64, String)> = [
        (1, "30.0..30.0"),
        (2, "20.0..20.0"),
        (3, "20.0..20.0"),
        (4, "10.0..10.0"),
        (6, "10.0..10.0"),
        (7, "0.0..0.0"),
        (8, "0.0..0.0"),
        (9, "0.0..0.0"),
    ]
    .into_iter()
    .map(|(d, r)| (d, 1, r.to_string()))
    .collect();
    assert_eq!(deciles, want);
    let one = tally(&[
        "backtest",
        "model.tally",
        "one.csv",
        "--outcome",
        "won",
        "--format",
        "json",
    ]);
    let one: Value = serde_json::from_slice(&one.stdout).unwrap();
    assert_eq!(one["deciles"][0]["decile"], 1);
    assert_eq!(one["deciles"].as_array().unwrap().len(), 1);
}

fn sha256_of(path: &str) -> String {
    let out = Command::new("sha256sum")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join(path))
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap()[..64].to_string()
}

#[test]
fn stages_and_rules() {
    let report = backtest_json();
    let stages = &report["stages"];
    assert_eq!(stages[0]["stage"], "SQL");
    assert_eq!(
        (stages[0]["leads"].clone(), stages[0]["converted"].clone()),
        (json!(3), json!(2))
    );
    close(&stages[0]["lift"], (2.0 / 3.0) / 0.5);
    assert_eq!(stages[1]["stage"], "Nurture");
    assert_eq!(
        (stages[1]["leads"].clone(), stages[1]["converted"].clone()),
        (json!(5), json!(2))
    );
    // Demo fired for 3 leads, 2 converted; not fired 5, 2 converted.
    // IV = (2/4 − 1/4)·ln(2) + (2/4 − 3/4)·ln((2/4)/(3/4)).
    let iv = 0.25 * 2f64.ln() - 0.25 * (2.0f64 / 3.0).ln();
    for (rule, reason) in report["rules"]
        .as_array()
        .unwrap()
        .iter()
        .zip(["Demo", "CEO"])
    {
        assert_eq!(rule["reason"], reason);
        assert_eq!(rule["hits"], 3);
        close(&rule["rate_fired"], 2.0 / 3.0);
        close(&rule["rate_not_fired"], 0.4);
        close(&rule["iv"], iv);
    }
}

#[test]
fn thresholds_show_the_values_around_the_ladder_line() {
    let report = backtest_json();
    let threshold = &report["thresholds"][0];
    assert_eq!(threshold["line"], 12);
    assert_eq!(threshold["op"], ">=");
    close(&threshold["current"], 20.0);
    // J is 1/4 at 30, 20 and 10 alike: the tie goes to the current value.
    close(&threshold["suggested"], 20.0);
    let volumes: Vec<(f64, u64, u64)> = threshold["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["value"].as_f64().unwrap(),
                c["leads"].as_u64().unwrap(),
                c["converted"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        volumes,
        [
            (10.0, 5, 3),
            (15.0, 3, 2),
            (20.0, 3, 2),
            (25.0, 1, 1),
            (30.0, 1, 1)
        ]
    );
}

#[test]
fn the_text_report() {
    let out = tally(&["backtest", "model.tally", "leads.csv", "--outcome", "won"]);
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!(String::from_utf8(out.stdout).unwrap());
}

#[test]
fn the_markdown_report() {
    let out = tally(&[
        "backtest",
        "model.tally",
        "leads.csv",
        "--outcome",
        "won",
        "--format",
        "markdown",
    ]);
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!(String::from_utf8(out.stdout).unwrap());
}

#[test]
fn an_outcome_column_not_in_the_file_is_named_with_the_closest() {
    let out = tally(&["backtest", "model.tally", "leads.csv", "--outcome", "Won"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "error: `leads.csv`: the outcome column \"Won\" is not in the header; the closest column is \"won\"\n"
    );
}
