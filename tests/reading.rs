//! Reading lead files loses nothing: line ends of every kind, a quote left
//! open at the end, rows past `--max-row-bytes`, a column named twice, a
//! score past the largest number. `tally score` and `tally explain` read
//! every such file into the same rows with the same numbers.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // tests fail by panicking

use std::path::Path;
use std::process::Command;

/// Reads only the id, so every row scores 0.
const IDS: &str = "fields { id: text required }\n";

const UNCLOSED: &str = "a quoted field is never closed (the file ends inside quotes); \
                        look for a stray `\"` in this row";

/// The exit status, standard output and standard error of `tally ARGS`
/// run in `dir`.
fn tally(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_tally"))
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .unwrap();
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (
        out.status.code().unwrap(),
        text(&out.stdout),
        text(&out.stderr),
    )
}

/// A scratch directory with `m.tally` and `leads.EXT`.
fn workspace(model: &str, name: &str, leads: &[u8]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("m.tally"), model).unwrap();
    std::fs::write(dir.path().join(name), leads).unwrap();
    dir
}

/// `tally score m.tally NAME --as-of … EXTRA`, the same for 1 and 3
/// threads: (exit status, stdout, stderr).
fn score(dir: &Path, name: &str, extra: &[&str]) -> (i32, String, String) {
    let mut runs = [1, 3].map(|threads| {
        let threads = threads.to_string();
        let mut args = vec!["score", "m.tally", name, "--as-of", "2026-11-22"];
        args.extend_from_slice(&["--threads", &threads]);
        args.extend_from_slice(extra);
        tally(dir, &args)
    });
    assert_eq!(runs[0], runs[1], "the thread count changed the result");
    std::mem::take(&mut runs[0])
}

/// What `tally explain` says of row `row`: `Ok(first line)` or
/// `Err(error message)`.
fn explain(dir: &Path, name: &str, row: u64, extra: &[&str]) -> Result<String, String> {
    let row = row.to_string();
    let mut args = vec!["explain", "m.tally", name, "--as-of", "2026-11-22"];
    args.extend_from_slice(&["--row", &row]);
    args.extend_from_slice(extra);
    let (code, stdout, stderr) = tally(dir, &args);
    match code {
        0 => Ok(stdout.lines().next().unwrap_or_default().to_string()),
        _ => Err(stderr.trim_end().to_string()),
    }
}

// ---- line ends ----

#[test]
fn lone_carriage_returns_end_rows() {
    let dir = workspace(IDS, "f.csv", b"id,b\rx,2\ry,3\r");
    let (code, stdout, stderr) = score(dir.path(), "f.csv", &[]);
    assert_eq!(stdout, "id,b,score\nx,2,0\ny,3,0\n");
    assert_eq!(stderr, "read 2 rows: 2 scored, 0 rejected\n");
    assert_eq!(code, 0);
    assert_eq!(
        explain(dir.path(), "f.csv", 2, &[]).unwrap(),
        "row 2 (id \"y\"): score 0"
    );
}

#[test]
fn mixed_line_ends_give_the_same_rows_to_score_and_explain() {
    // LF, lone CR, CRLF, a CR inside quotes (data), a header ended by a
    // lone CR followed by CRLF rows, and blank lines of each kind.
    let leads = b"id,b\rx,2\ry,3\r\nz,\"4\r5\"\n\r\n\"q\",5\r\rw,6";
    let dir = workspace(IDS, "f.csv", leads);
    let (code, stdout, stderr) = score(dir.path(), "f.csv", &[]);
    assert_eq!(
        stdout,
        "id,b,score\nx,2,0\ny,3,0\nz,\"4\r5\",0\n\"q\",5,0\nw,6,0\n"
    );
    assert_eq!(stderr, "read 5 rows: 5 scored, 0 rejected\n");
    assert_eq!(code, 0);
    let ids = ["x", "y", "z", "q", "w"];
    for (row, id) in (1..).zip(ids) {
        let want = format!("row {row} (id \"{id}\"): score 0");
        assert_eq!(explain(dir.path(), "f.csv", row, &[]), Ok(want));
    }
    assert_eq!(
        explain(dir.path(), "f.csv", 6, &[]),
        Err("error: `f.csv` has no row 6".to_string())
    );
}

#[test]
fn a_large_file_with_lone_carriage_returns_is_read_in_chunks_losing_nothing() {
    // About 2.5 MB: several chunks, each ending at a lone CR.
    let mut leads = String::from("id,n\r");
    let mut want = String::from("id,n,score\n");
    for i in 0..200_000 {
        leads.push_str(&format!("L{i},{}\r", i % 7));
        want.push_str(&format!("L{i},{},0\n", i % 7));
    }
    let dir = workspace(IDS, "big.csv", leads.as_bytes());
    let (code, stdout, stderr) = score(dir.path(), "big.csv", &[]);
    assert_eq!(stderr, "read 200000 rows: 200000 scored, 0 rejected\n");
    assert!(stdout == want, "the output differs from the input's rows");
    assert_eq!(code, 0);
}

// ---- a quote never closed ----

#[test]
fn a_quote_left_open_at_the_end_is_one_rejected_row() {
    let leads = b"id,b\nx,1\ny,\"abc\nz,2\nw,3\n";
    let dir = workspace(IDS, "f.csv", leads);
    let (code, stdout, stderr) = score(dir.path(), "f.csv", &[]);
    assert_eq!(stdout, "id,b,score\nx,1,0\n");
    assert_eq!(
        stderr,
        format!("row 2: {UNCLOSED}\nread 2 rows: 1 scored, 1 rejected\n")
    );
    assert_eq!(code, 1);
    assert_eq!(
        explain(dir.path(), "f.csv", 2, &[]),
        Err(format!(
            "error: this row cannot be scored: row 2: {UNCLOSED}"
        ))
    );
    assert_eq!(
        explain(dir.path(), "f.csv", 3, &[]),
        Err("error: `f.csv` has no row 3".to_string())
    );
}

#[test]
fn a_quote_left_open_after_many_chunks_is_numbered_as_its_row() {
    let mut leads = String::from("id,b\n");
    for i in 0..150_000 {
        leads.push_str(&format!("L{i},\"a\nb\"\n"));
    }
    leads.push_str("last,\"open\n,,,\n");
    let dir = workspace(IDS, "f.csv", leads.as_bytes());
    let (code, stdout, stderr) = score(dir.path(), "f.csv", &[]);
    assert_eq!(
        stderr,
        format!("row 150001: {UNCLOSED}\nread 150001 rows: 150000 scored, 1 rejected\n")
    );
    assert_eq!(stdout.matches(",0\n").count(), 150_000);
    assert_eq!(code, 1);
    assert_eq!(
        explain(dir.path(), "f.csv", 150_001, &[]),
        Err(format!(
            "error: this row cannot be scored: row 150001: {UNCLOSED}"
        ))
    );
}

#[test]
fn a_header_left_open_is_a_header_error() {
    let dir = workspace(IDS, "f.csv", b"id,\"b\nx,1\n");
    let (code, stdout, stderr) = score(dir.path(), "f.csv", &[]);
    assert_eq!(
        stderr,
        "tally::header_unclosed_quote\n\n  \u{d7} `f.csv`: the header row has a quoted field that is never \
         closed (the file ends inside quotes)\n  help: look for a stray `\"` in the header row\n\n\
         error: `f.csv`: 1 header error; no row was read\n"
    );
    assert_eq!((code, stdout.as_str()), (1, ""));
}

// ---- rows past the limit ----

#[test]
fn a_row_past_max_row_bytes_is_rejected_and_reading_goes_on() {
    let leads = format!("id,b\nx,1\ny,{}\nz,2\n", "a".repeat(200));
    let dir = workspace(IDS, "f.csv", leads.as_bytes());
    let limit = ["--max-row-bytes", "100"];
    let (code, stdout, stderr) = score(dir.path(), "f.csv", &limit);
    let reason = "the row is longer than 100 bytes (--max-row-bytes raises the limit)";
    assert_eq!(stdout, "id,b,score\nx,1,0\nz,2,0\n");
    assert_eq!(
        stderr,
        format!("row 2: {reason}\nread 3 rows: 2 scored, 1 rejected\n")
    );
    assert_eq!(code, 1);
    assert_eq!(
        explain(dir.path(), "f.csv", 2, &limit),
        Err(format!("error: this row cannot be scored: row 2: {reason}"))
    );
    assert_eq!(
        explain(dir.path(), "f.csv", 3, &limit),
        Ok("row 3 (id \"z\"): score 0".to_string())
    );
    // Raised (with a unit), the row is read.
    let (code, stdout, _) = score(dir.path(), "f.csv", &["--max-row-bytes", "1k"]);
    assert_eq!((code, stdout.lines().count()), (0, 4));
}

#[test]
fn rows_past_sixteen_mib_are_skipped_by_default() {
    let field = "a".repeat(17 << 20);
    let leads = format!("id,b\nx,1\ny,{field}\nz,2\nw,\"{field}");
    let dir = workspace(IDS, "f.csv", leads.as_bytes());
    let (code, stdout, stderr) = score(dir.path(), "f.csv", &[]);
    let reason = "the row is longer than 16 MiB (--max-row-bytes raises the limit)";
    assert_eq!(stdout, "id,b,score\nx,1,0\nz,2,0\n");
    assert_eq!(
        stderr,
        format!("row 2: {reason}\nrow 4: {UNCLOSED}\nread 4 rows: 2 scored, 2 rejected\n")
    );
    assert_eq!(code, 1);
    for (row, want) in [
        (
            2,
            Err(format!("error: this row cannot be scored: row 2: {reason}")),
        ),
        (3, Ok("row 3 (id \"z\"): score 0".to_string())),
        (
            4,
            Err(format!(
                "error: this row cannot be scored: row 4: {UNCLOSED}"
            )),
        ),
    ] {
        assert_eq!(explain(dir.path(), "f.csv", row, &[]), want);
    }
}

#[test]
fn a_header_past_the_limit_is_a_header_error() {
    let leads = format!("id,{}\nx,1\n", "h".repeat(2000));
    let dir = workspace(IDS, "f.csv", leads.as_bytes());
    let limit = ["--max-row-bytes", "1000"];
    let message =
        "tally::header_too_long\n\n  \u{d7} `f.csv`: the header row is longer than 1000 bytes\n  \
                   help: --max-row-bytes raises the limit\n\n\
                   error: `f.csv`: 1 header error; no row was read";
    let (code, stdout, stderr) = score(dir.path(), "f.csv", &limit);
    assert_eq!(stderr, format!("{message}\n"));
    assert_eq!((code, stdout.as_str()), (1, ""));
    assert_eq!(
        explain(dir.path(), "f.csv", 1, &limit),
        Err(message.to_string())
    );
}

#[test]
fn an_ndjson_line_past_the_limit_is_rejected() {
    let leads = format!(
        "{{\"id\":\"x\"}}\n{{\"id\":\"{}\"}}\n{{\"id\":\"z\"}}\n",
        "y".repeat(100)
    );
    let dir = workspace(IDS, "f.ndjson", leads.as_bytes());
    let limit = ["--max-row-bytes", "50"];
    let (code, stdout, stderr) = score(dir.path(), "f.ndjson", &limit);
    let reason = "the row is longer than 50 bytes (--max-row-bytes raises the limit)";
    assert_eq!(
        stdout,
        "{\"id\":\"x\",\"score\":0}\n{\"id\":\"z\",\"score\":0}\n"
    );
    assert_eq!(
        stderr,
        format!("row 2: {reason}\nread 3 rows: 2 scored, 1 rejected\n")
    );
    assert_eq!(code, 1);
    assert_eq!(
        explain(dir.path(), "f.ndjson", 2, &limit),
        Err(format!("error: this row cannot be scored: row 2: {reason}"))
    );
}

#[test]
fn max_row_bytes_takes_bytes_or_a_binary_unit() {
    let dir = workspace(IDS, "f.csv", b"id\nx\n");
    for good in ["64MiB", "64M", "2g", "100"] {
        let (code, _, stderr) = score(dir.path(), "f.csv", &["--max-row-bytes", good]);
        assert_eq!(code, 0, "{good}: {stderr}");
    }
    for bad in ["0", "-1", "ten", "5 parsecs"] {
        let arg = format!("--max-row-bytes={bad}");
        let (code, _, stderr) = score(dir.path(), "f.csv", &[&arg]);
        assert_eq!(code, 2, "{bad}: {stderr}");
        assert!(stderr.contains("--max-row-bytes"), "{stderr}");
    }
}

// ---- a column named twice ----

#[test]
fn a_field_bound_to_a_column_named_twice_is_a_header_error() {
    let model = "fields { email: text required }\n";
    let dir = workspace(model, "f.csv", b"id,email,x,y,email\n1,a,b,c,d\n");
    let (code, stdout, stderr) = score(dir.path(), "f.csv", &[]);
    let message =
        "tally::repeated_column\n\n  \u{d7} `f.csv`: column \"email\" appears twice in the header \
                   (columns 2 and 5); the model's field\n  \u{2502} `email` reads it\n  \
                   help: rename one of them in the file, so that the field reads one column\n\n\
                   error: `f.csv`: 1 header error; no row was read";
    assert_eq!(stderr, format!("{message}\n"));
    assert_eq!((code, stdout.as_str()), (1, ""));
    assert_eq!(
        explain(dir.path(), "f.csv", 1, &[]),
        Err(message.to_string())
    );
    // Three times.
    let dir = workspace(model, "f.csv", b"email,email,email\n1,2,3\n");
    let (_, _, stderr) = score(dir.path(), "f.csv", &[]);
    assert!(
        stderr.contains("appears 3 times in the header (columns 1, 2 and 3)"),
        "{stderr}"
    );
}

#[test]
fn a_column_named_twice_that_no_field_reads_passes_through() {
    let dir = workspace(IDS, "f.csv", b"id,x,x\n1,a,b\n");
    let (code, stdout, stderr) = score(dir.path(), "f.csv", &[]);
    assert_eq!(stdout, "id,x,x,score\n1,a,b,0\n");
    assert_eq!(
        (code, stderr.as_str()),
        (0, "read 1 row: 1 scored, 0 rejected\n")
    );
}

#[test]
fn an_ndjson_object_with_a_key_twice_is_rejected() {
    let leads = b"{\"id\":\"a\",\"id\":\"b\"}\n{\"id\":\"c\"}\n";
    let dir = workspace(IDS, "f.ndjson", leads);
    let (code, stdout, stderr) = score(dir.path(), "f.ndjson", &[]);
    assert_eq!(stdout, "{\"id\":\"c\",\"score\":0}\n");
    assert_eq!(
        stderr,
        "row 1: column \"id\": the key appears more than once in this object; \
         keep one of them\nread 2 rows: 1 scored, 1 rejected\n"
    );
    assert_eq!(code, 1);
}

/// Spec section 7: other columns pass through untouched, and numbers are
/// exact decimals. A native JSON number was read as a double: the output
/// rewrote `1e2` as `100.0` and a 23-digit id as `1.2345678901234568e22`,
/// and a number field's `1.0000000000000001` was read as 1. (An
/// exponent gets its sign written: `1e2` passes through as `1e+2`.)
#[test]
fn ndjson_numbers_pass_through_as_written_and_read_exactly() {
    let model = "fields { id: text required, x: number }\nwhen x > 1 add 1 \"above one\"\n";
    let leads = b"{\"id\":\"a\",\"x\":1.0000000000000001,\"ref\":12345678901234567890123,\"r\":1e2,\"p\":2.50,\"z\":-0}\n\
                  {\"id\":\"b\",\"x\":123456789012345678901234567890}\n";
    let dir = workspace(model, "f.ndjson", leads);
    let (code, stdout, stderr) = score(dir.path(), "f.ndjson", &[]);
    assert_eq!(
        stdout,
        "{\"id\":\"a\",\"x\":1.0000000000000001,\"ref\":12345678901234567890123,\"r\":1e+2,\"p\":2.50,\"z\":-0,\"score\":1}\n"
    );
    assert_eq!(
        stderr,
        "row 2: column \"x\": cannot read 123456789012345678901234567890 as number: expected a \
         number in plain decimal notation, such as `42`, `-3` or `2.5`\nread 2 rows: 1 scored, 1 rejected\n"
    );
    assert_eq!(code, 1);
}

/// Spec section 7: lead files are UTF-8 with or without a byte order
/// mark. An NDJSON file saved with one (as Windows tools write it) had
/// its first lead rejected as malformed JSON; the mark is dropped, as a
/// CSV file's is.
#[test]
fn an_ndjson_file_with_a_byte_order_mark_reads_its_first_line() {
    let leads = b"\xef\xbb\xbf{\"id\":\"a\"}\r\n{\"id\":\"b\"}\r\n";
    let dir = workspace(IDS, "f.ndjson", leads);
    let (code, stdout, stderr) = score(dir.path(), "f.ndjson", &[]);
    assert_eq!(
        stdout,
        "{\"id\":\"a\",\"score\":0}\n{\"id\":\"b\",\"score\":0}\n"
    );
    assert_eq!(stderr, "read 2 rows: 2 scored, 0 rejected\n");
    assert_eq!(code, 0);
    assert_eq!(
        explain(dir.path(), "f.ndjson", 1, &[]),
        Ok("row 1 (id \"a\"): score 0".into())
    );
}

// ---- a score past the largest number ----

const SUMS: &str = r#"fields { id: text required, a: number, b: number }
group g { when a > 0 add a "a"; when a > 0 add a "a again" }
when b > 0 add b "b"
when b > 0 add b "b again"
"#;

#[test]
fn a_score_that_overflows_is_a_rejected_row() {
    let big = "79228162514264337593543950335";
    let leads = format!("id,a,b\nx,1,{big}\ny,{big},1\nz,2,3\n");
    let dir = workspace(SUMS, "f.csv", leads.as_bytes());
    let why = |sum: &str| {
        format!(
            "the score overflows: {sum} add up past {big}, the largest number Tally holds; \
             check the points the rules take from this row's values"
        )
    };
    let (row1, row2) = (why("its points"), why("the points of group `g`"));
    let (code, stdout, stderr) = score(dir.path(), "f.csv", &[]);
    assert_eq!(stdout, "id,a,b,score,g\nz,2,3,10,4\n");
    assert_eq!(
        stderr,
        format!("row 1: {row1}\nrow 2: {row2}\nread 3 rows: 1 scored, 2 rejected\n")
    );
    assert_eq!(code, 1);
    assert_eq!(
        explain(dir.path(), "f.csv", 1, &[]),
        Err(format!("error: this row cannot be scored: row 1: {row1}"))
    );
    // NDJSON goes the row-by-row way: the same rejections.
    let ndjson = format!(
        "{{\"id\":\"x\",\"a\":1,\"b\":\"{big}\"}}\n{{\"id\":\"y\",\"a\":\"{big}\",\"b\":1}}\n"
    );
    let dir = workspace(SUMS, "f.ndjson", ndjson.as_bytes());
    let (code, stdout, stderr) = score(dir.path(), "f.ndjson", &[]);
    assert_eq!(stdout, "");
    assert_eq!(
        stderr,
        format!("row 1: {row1}\nrow 2: {row2}\nread 2 rows: 0 scored, 2 rejected\n")
    );
    assert_eq!(code, 1);
}

// ---- score and explain agree on any bytes ----

const ID_AND_N: &str = "fields { id: text required, n: int }\n";

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]

    /// Random bodies of quotes, commas, line ends of every kind and a
    /// few letters and digits: every row `score` rejects, `explain`
    /// refuses with the same words, every row it scores `explain`
    /// explains, and there are no more rows.
    #[test]
    fn score_and_explain_cut_any_file_into_the_same_rows(
        header_end in proptest::sample::select(vec![&b"\n"[..], b"\r", b"\r\n"]),
        body in proptest::collection::vec(
            proptest::sample::select(vec![
                &b"a"[..], b"7", b",", b",", b"\"", b"\n", b"\r", b"\r\n", b"x,1\n", b"y,2\r",
            ]),
            0..40,
        ),
    ) {
        let leads = [&b"id,n"[..], header_end, &body.concat()].concat();
        let dir = workspace(ID_AND_N, "f.csv", &leads);
        let (code, _, stderr) = score(dir.path(), "f.csv", &[]);
        let mut lines: Vec<&str> = stderr.lines().collect();
        let summary = lines.pop().unwrap();
        let read: u64 = summary
            .strip_prefix("read ")
            .and_then(|s| s.split(' ').next())
            .unwrap()
            .parse()
            .unwrap();
        proptest::prop_assert_eq!(code, if lines.is_empty() { 0 } else { 1 });
        for row in 1..=read {
            let rejected = lines
                .iter()
                .find(|l| l.starts_with(&format!("row {row}: ")));
            match (explain(dir.path(), "f.csv", row, &[]), rejected) {
                (Ok(_), None) => {}
                (Err(e), Some(line)) => proptest::prop_assert_eq!(
                    e,
                    format!("error: this row cannot be scored: {line}")
                ),
                (said, rejected) => proptest::prop_assert!(
                    false,
                    "row {}: explain {:?}, score {:?}",
                    row,
                    said,
                    rejected
                ),
            }
        }
        proptest::prop_assert_eq!(
            explain(dir.path(), "f.csv", read + 1, &[]),
            Err(format!("error: `f.csv` has no row {}", read + 1))
        );
    }
}
