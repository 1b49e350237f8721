//! `tally score --stamp`: a last column `tally_model` naming the model and
//! the start of its file's SHA-256, on every output path.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // tests fail by panicking

use std::path::Path;
use std::process::{Command, Output};

const MODEL: &str =
    "model \"Stamped\" version 2\nfields { id: text, demo: bool }\nwhen demo add 20 \"Demo\"\n";

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tally"))
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}

fn stamp() -> String {
    // The first 12 hex digits of the model file's SHA-256, worked out
    // by `sha256sum`, not by tally.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("m.tally"), MODEL).unwrap();
    let out = Command::new("sha256sum")
        .arg(dir.path().join("m.tally"))
        .output()
        .unwrap();
    let hex = String::from_utf8(out.stdout).unwrap();
    format!("Stamped v2 sha256:{}", &hex[..12])
}

fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("m.tally"), MODEL).unwrap();
    std::fs::write(dir.path().join("l.csv"), "id,demo\n1,yes\n2,no\n").unwrap();
    std::fs::write(
        dir.path().join("l.ndjson"),
        "{\"id\":\"1\",\"demo\":true}\n",
    )
    .unwrap();
    dir
}

#[test]
fn csv_rows_end_with_the_stamp() {
    let dir = workspace();
    let out = run(dir.path(), &["score", "m.tally", "l.csv", "--stamp"]);
    assert_eq!(out.status.code(), Some(0));
    let s = stamp();
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        format!("id,demo,score,tally_model\n1,yes,20,{s}\n2,no,0,{s}\n")
    );
}

#[test]
fn ndjson_objects_end_with_the_stamp_after_the_reasons() {
    let dir = workspace();
    let out = run(
        dir.path(),
        &["score", "m.tally", "l.ndjson", "--stamp", "--explain"],
    );
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        format!(
            "{{\"id\":\"1\",\"demo\":true,\"score\":20,\"reasons\":[{{\"reason\":\"Demo\",\"points\":20}}],\"tally_model\":\"{}\"}}\n",
            stamp()
        )
    );
    let csv = run(
        dir.path(),
        &["score", "m.tally", "l.csv", "--stamp", "--format", "ndjson"],
    );
    let first = String::from_utf8(csv.stdout).unwrap();
    assert!(first
        .lines()
        .all(|l| l.ends_with(&format!(",\"tally_model\":\"{}\"}}", stamp()))));
}

#[test]
fn an_input_column_named_tally_model_needs_a_prefix() {
    let dir = workspace();
    std::fs::write(dir.path().join("t.csv"), "id,demo,tally_model\n1,yes,old\n").unwrap();
    let out = run(dir.path(), &["score", "m.tally", "t.csv", "--stamp"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "tally::output_collision\n\n  \u{d7} `t.csv`: output `tally_model` has the name of an input column\n  \
         help: rename the outputs with --prefix, e.g. --prefix tally_\n\n\
         error: `t.csv`: 1 header error; no row was read\n"
    );
    let out = run(
        dir.path(),
        &["score", "m.tally", "t.csv", "--stamp", "--prefix", "new_"],
    );
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8(out.stdout)
        .unwrap()
        .starts_with("id,demo,tally_model,new_score,new_tally_model\n"));
}
