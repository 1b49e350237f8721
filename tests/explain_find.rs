//! `tally explain` finds a lead by `--row`, by its first field (`--id`) or
//! by any field or column (`--where`), explains it as text or JSON, and
//! reads unreadable cells as missing with `--bad-values missing`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // tests fail by panicking

#[path = "support/cli.rs"]
mod support;
use support::tally;

use std::path::Path;
use std::process::Output;

use serde_json::Value;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn explain(args: &[&str]) -> Output {
    let mut all = vec![
        "explain",
        "examples/b2b_inbound.tally",
        "examples/leads.csv",
    ];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--as-of", "2026-11-22"]);
    tally(root(), &all)
}

#[test]
fn id_and_where_find_the_lead_row_finds() {
    let by_row = explain(&["--row", "7"]);
    assert_eq!(by_row.status.code(), Some(0));
    // The first field is lead_id; `==` ignores case and outer spaces.
    for args in [
        &["--id", "L00007"][..],
        &["--id", " l00007 "],
        &["--where", "lead_id=L00007"],
    ] {
        let found = explain(args);
        assert_eq!(found.status.code(), Some(0), "{args:?}");
        assert_eq!(found.stdout, by_row.stdout, "{args:?}");
    }
    let text = String::from_utf8(by_row.stdout).unwrap();
    assert!(
        text.starts_with("row 7 (lead_id \"L00007\"): score 35, stage MQL, grade B\n"),
        "{text}"
    );
}

#[test]
fn where_takes_a_column_name_and_finds_the_first_match() {
    // "Job Title" is the column of the field job_title; the first lead
    // whose title is "vp" in any case and spacing is row 11.
    let by_column = explain(&["--where", "Job Title=vp", "--format", "json"]);
    let by_field = explain(&["--where", "job_title=VP", "--format", "json"]);
    assert_eq!(by_column.stdout, by_field.stdout);
    let doc: Value = serde_json::from_slice(&by_column.stdout).unwrap();
    assert_eq!(doc["row"], 11);
    assert_eq!(doc["lead"]["value"], "L00011");
}

#[test]
fn json_gives_the_same_facts_as_the_text() {
    let doc: Value =
        serde_json::from_slice(&explain(&["--row", "7", "--format", "json"]).stdout).unwrap();
    assert_eq!(doc["model"]["name"], "B2B inbound");
    assert_eq!(doc["score"], 35);
    assert_eq!(doc["stage"]["label"], "MQL");
    assert_eq!(doc["tiers"][0]["tier"], "grade");
    assert_eq!(doc["tiers"][0]["label"], "B");
    let rules = doc["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 13);
    let fired: i64 = rules
        .iter()
        .filter(|r| r["fired"] == true)
        .map(|r| r["points"].as_i64().unwrap())
        .sum();
    let groups: i64 = doc["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["sum"].as_i64().unwrap())
        .sum();
    assert_eq!(
        fired, groups,
        "the fired rules' points are the groups' sums"
    );
}

#[test]
fn a_lead_that_is_not_there_is_named_in_the_error() {
    let out = explain(&["--id", "L99999"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "error: `examples/leads.csv` has no lead whose \"lead_id\" is \"L99999\"\n"
    );
    let out = explain(&["--where", "title=vp"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "error: `examples/leads.csv`: \"title\" is neither a field of the model nor a column of the file; did you mean \"job_title\"?\n"
    );
}

#[test]
fn bad_values_missing_explains_a_lead_with_an_unreadable_cell() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("m.tally"),
        "fields { id: text, n: int }\nwhen n is missing add 1 \"No count\"\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("l.csv"), "id,n\na,about 50\n").unwrap();
    let refused = tally(dir.path(), &["explain", "m.tally", "l.csv", "--row", "1"]);
    assert_eq!(refused.status.code(), Some(1));
    let out = tally(
        dir.path(),
        &[
            "explain",
            "m.tally",
            "l.csv",
            "--row",
            "1",
            "--bad-values",
            "missing",
        ],
    );
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "note: row 1: column \"n\": cannot read \"about 50\" as int: expected a whole number, such as `42` or `-3`; read as missing\n"
    );
    assert!(String::from_utf8(out.stdout)
        .unwrap()
        .starts_with("row 1 (id \"a\"): score 1\n"));
}
