//! `score --bad-values missing`: an unreadable cell is read as missing,
//! noted in the rejects file, counted in the summary, and the lead is
//! scored; on the CSV path (through the memo, which must not hide a
//! repeated bad cell) and the NDJSON path alike.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // tests fail by panicking

use std::fmt::Write as _;
use std::process::Command;

const MODEL: &str = "fields { id: text required, n: int }\nwhen n > 5 add 10 \"Big\"\nwhen n is missing add 1 \"No count\"\n";

fn score(file: &str, body: &str, extra: &[&str]) -> (Option<i32>, String, String, String) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("m.tally"), MODEL).unwrap();
    std::fs::write(dir.path().join(file), body).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_tally"))
        .current_dir(dir.path())
        .args(["score", "m.tally", file, "-o", "out", "--format", "csv"])
        .args(extra)
        .output()
        .unwrap();
    let read = |name: &str| std::fs::read_to_string(dir.path().join(name)).unwrap_or_default();
    (
        out.status.code(),
        read("out"),
        read("out.rejects"),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn every_repeated_bad_cell_is_noted_and_its_lead_scored() {
    let mut body = String::from("id,n\n");
    for i in 0..3000 {
        let n = if i % 3 == 0 { "about 50" } else { "7" };
        let _ = writeln!(body, "L{i},{n}");
    }
    let (status, out, rejects, stderr) = score("l.csv", &body, &["--bad-values", "missing"]);
    assert_eq!(status, Some(0), "{stderr}");
    assert_eq!(
        stderr,
        "read 3000 rows: 3000 scored, 0 rejected, 1000 cells read as missing\n"
    );
    assert_eq!(out.lines().count(), 3001);
    assert!(
        out.starts_with("id,n,score\nL0,about 50,1\nL1,7,10\n"),
        "{out:.60}"
    );
    let notes: Vec<&str> = rejects.lines().collect();
    assert_eq!(notes.len(), 1000);
    assert_eq!(
        notes[1],
        "row 4: column \"n\": cannot read \"about 50\" as int: expected a whole number, such as `42` or `-3`; read as missing"
    );
}

#[test]
fn the_default_still_rejects() {
    let (status, out, rejects, stderr) = score("l.csv", "id,n\na,x\nb,9\n", &[]);
    assert_eq!(status, Some(1));
    assert_eq!(out, "id,n,score\nb,9,10\n");
    assert_eq!(
        rejects,
        "row 1: column \"n\": cannot read \"x\" as int: expected a whole number, such as `42` or `-3`\n"
    );
    assert_eq!(stderr, "read 2 rows: 1 scored, 1 rejected\n");
}

#[test]
fn ndjson_cells_are_read_as_missing_too_and_required_fields_still_reject() {
    let body = "{\"id\":\"a\",\"n\":\"x\"}\n{\"id\":\"b\",\"n\":9}\n{\"n\":\"y\"}\n";
    let (status, out, rejects, stderr) = score("l.ndjson", body, &["--bad-values", "missing"]);
    assert_eq!(status, Some(1), "{stderr}");
    assert_eq!(out, "id,n,score\na,x,1\nb,9,10\n");
    assert_eq!(
        rejects,
        "row 1: column \"n\": cannot read \"x\" as int: expected a whole number, such as `42` or `-3`; read as missing\n\
         row 3: column \"id\": no value, but field `id` is required\n"
    );
    assert_eq!(
        stderr,
        "read 3 rows: 2 scored, 1 rejected, 1 cell read as missing\n"
    );
}
