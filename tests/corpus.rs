//! Corrupted lead files (`tests/corpus/`), each scored by the `tally`
//! binary with `tests/corpus/model.tally`: every row is scored or
//! rejected, the counts add up, the output parses back and the exit
//! status is the spec's. The expected numbers are written here, worked
//! out from the files and the spec, never taken from the tool.
//! docs/robustness.md describes the corpus.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // tests fail by panicking

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Rows read, scored and rejected, as the closing summary gives them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Counts {
    read: u64,
    scored: u64,
    rejected: u64,
}

/// What a file must give.
#[derive(Debug, Clone, Copy)]
enum Expect {
    /// Rows were read: these counts, exit 0 when none was rejected, else 1.
    Rows(Counts),
    /// A header problem: exit 1 before any row is read, no summary.
    Header,
    /// The file cannot be read: exit 2, no summary, no output file.
    Unreadable,
}

const fn rows(read: u64, scored: u64, rejected: u64) -> Expect {
    Expect::Rows(Counts {
        read,
        scored,
        rejected,
    })
}

fn corpus(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpus")
        .join(name)
}

/// What one run of `tally score` left.
struct Scored {
    status: i32,
    stderr: String,
    out: Option<Vec<u8>>,
    rejects: Option<String>,
}

/// `tally score model.tally LEADS -o DIR/out.EXT --rejects DIR/rejects`.
fn score(leads: &Path) -> Scored {
    let dir = tempfile::tempdir().unwrap();
    let name = leads.file_name().unwrap().to_str().unwrap();
    let ext = if name.contains(".ndjson") {
        "ndjson"
    } else {
        "csv"
    };
    let out = dir.path().join(format!("out.{ext}"));
    let rejects = dir.path().join("rejects");
    let run = Command::new(env!("CARGO_BIN_EXE_tally"))
        .arg("score")
        .arg(corpus("model.tally"))
        .arg(leads)
        .arg("-o")
        .arg(&out)
        .arg("--rejects")
        .arg(&rejects)
        .args(["--as-of", "2026-11-22"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    Scored {
        status: run.status.code().unwrap_or(-1),
        stderr: String::from_utf8_lossy(&run.stderr).into_owned(),
        out: fs::read(&out).ok(),
        rejects: fs::read_to_string(&rejects).ok(),
    }
}

/// The counts of the summary line `read N rows: S scored, R rejected`.
fn summary(stderr: &str) -> Option<Counts> {
    let line = stderr.lines().find(|l| l.starts_with("read "))?;
    let numbers: Vec<u64> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().unwrap())
        .collect();
    match numbers[..] {
        [read, scored, rejected] => Some(Counts {
            read,
            scored,
            rejected,
        }),
        _ => panic!("a summary line without three counts: {line}"),
    }
}

/// The data records of a CSV output, each as wide as its header, whose
/// first column is `id` (no byte order mark, no stray bytes).
fn csv_records(out: &[u8]) -> usize {
    let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(out);
    let header = reader.byte_headers().unwrap().clone();
    assert_eq!(header.get(0), Some(&b"id"[..]), "the output's header");
    assert_eq!(header.get(header.len() - 1), Some(&b"score"[..]));
    let mut count = 0;
    for record in reader.byte_records() {
        let record = record.unwrap_or_else(|e| panic!("the output is not CSV: {e}"));
        assert_eq!(record.len(), header.len());
        count += 1;
    }
    count
}

/// The lines of an NDJSON output, each an object with a `score`.
fn ndjson_records(out: &[u8]) -> usize {
    let text = std::str::from_utf8(out).unwrap();
    for line in text.lines() {
        let value: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(value.get("score").is_some(), "{line}");
    }
    text.lines().count()
}

/// Score `leads` and check everything `expect` says.
fn check(leads: &Path, expect: Expect) {
    let run = score(leads);
    let shown = format!("{}: {}", leads.display(), run.stderr);
    match expect {
        Expect::Header => {
            assert_eq!(run.status, 1, "{shown}");
            assert_eq!(summary(&run.stderr), None, "{shown}");
            assert!(run.stderr.contains("error: "), "{shown}");
        }
        Expect::Unreadable => {
            assert_eq!(run.status, 2, "{shown}");
            assert_eq!(summary(&run.stderr), None, "{shown}");
            assert!(run.stderr.contains("cannot read"), "{shown}");
            assert!(run.out.is_none(), "a failed run left an output: {shown}");
        }
        Expect::Rows(counts) => {
            assert_eq!(summary(&run.stderr), Some(counts), "{shown}");
            check_files(&run, leads, counts, &shown);
        }
    }
}

/// The output holds the scored rows, the rejects the rejected ones, and
/// the exit status says whether any row was rejected.
fn check_files(run: &Scored, leads: &Path, counts: Counts, shown: &str) {
    assert_eq!(counts.read, counts.scored + counts.rejected, "{shown}");
    let status = if counts.rejected == 0 { 0 } else { 1 };
    assert_eq!(run.status, status, "{shown}");
    let out = run
        .out
        .as_deref()
        .unwrap_or_else(|| panic!("no output: {shown}"));
    let records = if leads.to_string_lossy().contains(".ndjson") {
        ndjson_records(out)
    } else {
        csv_records(out)
    };
    assert_eq!(records as u64, counts.scored, "{shown}");
    let rejects = run.rejects.as_deref().unwrap_or_default();
    assert_eq!(rejects.lines().count() as u64, counts.rejected, "{shown}");
    for line in rejects.lines() {
        assert!(line.starts_with("row "), "{line}");
    }
}

macro_rules! corpus {
    ($($test:ident: $file:literal => $expect:expr;)*) => {$(
        #[test]
        fn $test() {
            check(&corpus($file), $expect);
        }
    )*};
}

corpus! {
    // Classic-Mac line ends: two data rows (LANGUAGE.md 7, docs/cli.md).
    lone_cr: "lone-cr.csv" => rows(2, 2, 0);
    // LF, CRLF and lone CR in one file, the header ending in a lone CR.
    mixed_line_endings: "mixed-endings.csv" => rows(4, 4, 0);
    bom: "bom.csv" => rows(2, 2, 0);
    crlf_with_a_line_break_in_quotes: "crlf.csv" => rows(2, 2, 0);
    no_final_newline: "no-final-newline.csv" => rows(2, 2, 0);
    blank_lines: "blank-lines.csv" => rows(2, 2, 0);
    // The quote opened on row 2 is never closed: the rest of the file is
    // that one row, rejected.
    unclosed_quote_at_eof: "unclosed-quote.csv" => rows(2, 1, 1);
    // A NUL in a text cell is text; in an int cell it is not a number.
    nul_bytes: "nul.csv" => rows(2, 1, 1);
    invalid_utf8_cell: "invalid-utf8.csv" => rows(2, 1, 1);
    invalid_utf8_header: "invalid-utf8-header.csv" => Expect::Header;
    wrong_field_counts: "wrong-field-counts.csv" => rows(3, 1, 2);
    // The model reads `n`, which the header has twice.
    duplicate_header_read_by_the_model: "duplicate-header-used.csv" => Expect::Header;
    duplicate_header_not_read: "duplicate-header-unused.csv" => rows(1, 1, 0);
    // An empty file has no header: the model's columns are missing.
    empty_csv: "empty.csv" => Expect::Header;
    header_only: "header-only.csv" => rows(0, 0, 0);
    truncated_gzip: "truncated.csv.gz" => Expect::Unreadable;
    corrupt_gzip: "corrupt.csv.gz" => Expect::Unreadable;
    // An object with a key twice is rejected, naming the key
    // (docs/cli.md): neither value is dropped silently.
    ndjson_duplicate_keys: "duplicate-keys.ndjson" => rows(2, 1, 1);
    // 10,000 nested brackets: past serde_json's depth limit, one rejected row.
    ndjson_deep_nesting: "deep-nesting.ndjson" => rows(2, 1, 1);
    ndjson_non_objects: "non-objects.ndjson" => rows(6, 1, 5);
    ndjson_malformed_line: "malformed.ndjson" => rows(3, 2, 1);
    empty_ndjson: "empty.ndjson" => rows(0, 0, 0);
    // A byte order mark, then numbers kept as written: an exponent read
    // exactly (1e2 is 100), others past the largest decimal or not whole
    // rejected, none through a double.
    ndjson_bom_numbers: "bom-numbers.ndjson" => rows(5, 1, 4);
}

/// A file written into a scratch directory (large cases are generated,
/// not committed).
fn generated(name: &str, bytes: &[u8]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    fs::write(&path, bytes).unwrap();
    (dir, path)
}

#[test]
fn a_hundred_thousand_columns() {
    let extra: Vec<String> = (3..100_000).map(|i| format!("c{i}")).collect();
    let header = format!("id,n,note,{}\n", extra.join(","));
    let row = |id: &str| format!("{id},1,x,{}\n", extra.join(","));
    let text = header + &row("a") + &row("b");
    let (_dir, path) = generated("wide.csv", text.as_bytes());
    check(&path, rows(2, 2, 0));
}

#[test]
fn a_row_longer_than_the_cap_is_rejected_and_a_long_one_under_it_scored() {
    // The default cap on a record is 16 MiB (`--max-row-bytes`).
    let under = "u".repeat(1 << 20);
    let over = "o".repeat(17 << 20);
    let text = format!("id,n,note\na,1,{under}\nb,2,{over}\nc,3,x\n");
    let (_dir, path) = generated("long.csv", text.as_bytes());
    check(&path, rows(3, 2, 1));
    let text =
        format!("{{\"id\":\"a\",\"note\":\"{under}\"}}\n{{\"id\":\"b\",\"note\":\"{over}\"}}\n");
    let (_dir, path) = generated("long.ndjson", text.as_bytes());
    check(&path, rows(2, 1, 1));
}

/// The corpus model with account values of both levels, a rule on one
/// and a ladder on the other: the lead file is read in three passes.
const ACCOUNTS_MODEL: &str = "fields {\n  id: text required\n  n: int\n  note: text\n}\n\
account by note {\n  let people = count(leads)\n  let heat = sum(leads, score)\n}\n\
when n > 0 add n\nwhen note contains \"urgent\" add 5\n\
when account.people >= 2 add 1 \"Shared\"\n\
if account.heat >= 10 then Hot\nelse Cold\n";

/// `tally score MODEL LEADS --threads T`: status, stderr and rejects.
fn score_with(model: &Path, leads: &Path, threads: &str) -> (i32, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let rejects = dir.path().join("rejects");
    let run = Command::new(env!("CARGO_BIN_EXE_tally"))
        .arg("score")
        .arg(model)
        .arg(leads)
        .arg("-o")
        .arg(dir.path().join("out"))
        .arg("--rejects")
        .arg(&rejects)
        .args(["--as-of", "2026-11-22", "--threads", threads])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr).into_owned();
    let rejects = fs::read_to_string(&rejects).unwrap_or_default();
    (run.status.code().unwrap_or(-1), stderr, rejects)
}

/// Every corrupted file read through the account passes (which read it
/// with their own handlers, before the scoring pass) gives what the plain
/// model gives: the same status, summary and rejected rows, with 1 and
/// 2 threads.
#[test]
fn the_account_passes_read_every_corrupted_file_as_scoring_does() {
    let dir = tempfile::tempdir().unwrap();
    let accounts = dir.path().join("accounts.tally");
    fs::write(&accounts, ACCOUNTS_MODEL).unwrap();
    let mut files: Vec<PathBuf> = fs::read_dir(corpus(""))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e != "tally"))
        .collect();
    files.sort();
    assert!(files.len() >= 20, "{files:?}");
    for leads in &files {
        for threads in ["1", "2"] {
            let plain = score_with(&corpus("model.tally"), leads, threads);
            let with = score_with(&accounts, leads, threads);
            let shown = format!("{} --threads {threads}: {}", leads.display(), with.1);
            assert_eq!(with.0, plain.0, "{shown}");
            assert_eq!(summary(&with.1), summary(&plain.1), "{shown}");
            assert_eq!(with.2, plain.2, "{shown}");
        }
    }
}
