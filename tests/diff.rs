//! `tally diff` on a fixture checked by hand (tests/diff/: a model
//! change that raises CEO points, adds a VP rule and moves the SQL
//! threshold from 20 to 25; six leads, one unreadable), and on a model
//! read from git as `REV:PATH`.
//!
//! Old and new scores of the five readable leads:
//! 1 (demo, CEO) 30 SQL → 35 SQL; 2 (demo) 20 SQL → 20 Nurture;
//! 3 (CEO) 10 → 15; 4 (VP) 0 → 5; 5 0 → 0, all three Nurture.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // tests fail by panicking

#[path = "support/cli.rs"]
mod support;
use support::tally;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{json, Value};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/diff")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn diff_json() -> Value {
    let args = [
        "diff",
        "old.tally",
        "new.tally",
        "leads.csv",
        "--top",
        "2",
        "--format",
        "json",
    ];
    let out = tally(&fixture(), &args);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn transitions_and_score_changes() {
    let diff = diff_json();
    assert_eq!(diff["rows"], 5);
    assert_eq!(diff["unreadable"], 1);
    assert_eq!(diff["moved"], 1);
    assert_eq!(
        diff["transitions"],
        json!([
            {"from": "SQL", "to": "SQL", "count": 1},
            {"from": "SQL", "to": "Nurture", "count": 1},
            {"from": "Nurture", "to": "Nurture", "count": 3},
        ])
    );
    // Changes sorted: 0 0 5 5 5; nearest rank: p10 the 1st, median the
    // 3rd, p90 the 5th.
    assert_eq!(
        diff["score_change"],
        json!({"mean": 3.0, "median": 5.0, "p10": 0.0, "p90": 5.0, "min": 0.0, "max": 5.0})
    );
    assert_eq!(diff["old_model"]["version"], "1");
    assert_eq!(diff["new_model"]["version"], "2");
}

#[test]
fn rules_are_matched_by_reason() {
    assert_eq!(
        diff_json()["rules"],
        json!([
            {"reason": "Demo", "status": "unchanged", "old_hits": 2, "new_hits": 2,
             "old_points": "+20", "new_points": "+20"},
            {"reason": "CEO", "status": "changed", "old_hits": 2, "new_hits": 2,
             "old_points": "+10", "new_points": "+15"},
            {"reason": "VP", "status": "added", "old_hits": null, "new_hits": 1,
             "old_points": null, "new_points": "+5"},
        ])
    );
}

#[test]
fn the_largest_moves_are_named_by_the_first_field() {
    let diff = diff_json();
    assert_eq!(diff["key"], "id");
    // Three leads moved by 5; of equal moves, the first ones in the file.
    let top: Vec<&str> = diff["top"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["key"].as_str().unwrap())
        .collect();
    assert_eq!(top, ["1", "3"]);
}

#[test]
fn output_lists_the_leads_whose_score_or_stage_changed() {
    let dir = tempfile::tempdir().unwrap();
    let out_file = dir.path().join("changed.csv");
    let out = tally(
        &fixture(),
        &[
            "diff",
            "old.tally",
            "new.tally",
            "leads.csv",
            "-o",
            out_file.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        std::fs::read_to_string(&out_file).unwrap(),
        "key,old_score,new_score,old_stage,new_stage\n\
         1,30,35,SQL,SQL\n\
         2,20,20,SQL,Nurture\n\
         3,10,15,Nurture,Nurture\n\
         4,0,5,Nurture,Nurture\n"
    );
}

#[test]
fn fail_if_moved_gates_on_the_share_of_leads_that_changed_stage() {
    let gate = |limit: &str| {
        tally(
            &fixture(),
            &[
                "diff",
                "old.tally",
                "new.tally",
                "leads.csv",
                "--fail-if-moved",
                limit,
            ],
        )
    };
    // 1 of 5 leads moved: 20%.
    assert_eq!(gate("20%").status.code(), Some(0));
    let failed = gate("19.5%");
    assert_eq!(failed.status.code(), Some(1));
    assert_eq!(
        text(&failed.stderr),
        "error: 20.0% of the leads changed stage, more than --fail-if-moved 19.5%\n"
    );
    assert_eq!(gate("120%").status.code(), Some(2));
}

#[test]
fn the_text_report() {
    let out = tally(
        &fixture(),
        &["diff", "old.tally", "new.tally", "leads.csv", "--top", "2"],
    );
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!(text(&out.stdout));
}

#[test]
fn the_markdown_report() {
    let args = [
        "diff",
        "old.tally",
        "new.tally",
        "leads.csv",
        "--format",
        "markdown",
    ];
    let out = tally(&fixture(), &args);
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!(text(&out.stdout));
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .current_dir(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {}", text(&out.stderr));
}

#[test]
fn a_model_is_read_from_a_git_revision() {
    let repo = tempfile::tempdir().unwrap();
    let models = repo.path().join("models");
    std::fs::create_dir(&models).unwrap();
    for name in ["old.tally", "leads.csv"] {
        std::fs::copy(fixture().join(name), models.join(name)).unwrap();
    }
    std::fs::rename(models.join("old.tally"), models.join("b2b.tally")).unwrap();
    git(repo.path(), &["init", "-q", "-b", "main"]);
    git(repo.path(), &["add", "."]);
    git(repo.path(), &["commit", "-q", "-m", "old"]);
    std::fs::copy(fixture().join("new.tally"), models.join("b2b.tally")).unwrap();
    // From inside `models/`, PATH is relative to it, as a file name is.
    let args = [
        "diff",
        "main:b2b.tally",
        "b2b.tally",
        "leads.csv",
        "--format",
        "json",
    ];
    let out = tally(&models, &args);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let diff: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(diff["old_model"]["version"], "1");
    assert_eq!(diff["new_model"]["version"], "2");
    assert_eq!(diff["moved"], 1);

    let missing = tally(
        &models,
        &["diff", "main:nope.tally", "b2b.tally", "leads.csv"],
    );
    assert_eq!(missing.status.code(), Some(2));
    let stderr = text(&missing.stderr);
    assert!(
        stderr.starts_with("error: cannot read `nope.tally` at revision `main`: git says: "),
        "{stderr}"
    );
}
