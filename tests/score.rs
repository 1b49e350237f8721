//! `tally score`: formats, passthrough, rejected rows, header errors and
//! atomic output, byte for byte.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // tests fail by panicking

#[path = "support/cli.rs"]
mod support;
use support::text;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use flate2::write::GzEncoder;
use flate2::Compression;

const MODEL: &str = r#"fields {
  id:      text required
  company: text from "Company Name"
  n:       int
  amount:  number
  flag:    bool
  d:       date
  tags:    list
}
group g {
  when n >= 2        add 10           "n at least 2"
  when amount > 100  add amount / 100 "Big amount"
}
when company contains "acme"  add 2  "Acme"
when flag                     sub 5  "Flagged"
when d is present             add 1
when tags contains "vip"      add 3  "VIP"
if score >= 10 then Hot
else Cold
"#;

/// A header the model binds to, with an extra passthrough column.
const HEADER: &str = "id,Company Name,n,amount,flag,d,tags,note";

fn tally(dir: &Path, args: &[&str]) -> Output {
    tally_with_input(dir, args, b"")
}

fn tally_with_input(dir: &Path, args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tally"))
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .arg("score")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

/// A scratch directory with `model.tally` and one lead file.
fn workspace(leads_name: &str, leads: &[u8]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("model.tally"), MODEL).unwrap();
    std::fs::write(dir.path().join(leads_name), leads).unwrap();
    dir
}

/// Run on one lead file; assert the exit status; give stdout and stderr.
fn score(name: &str, leads: &[u8], args: &[&str], exit: i32) -> (String, String) {
    let dir = workspace(name, leads);
    let mut all = vec!["model.tally", name];
    all.extend_from_slice(args);
    let out = tally(dir.path(), &all);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(exit), "stderr: {stderr}");
    (stdout, stderr)
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

// ---- formats and passthrough ----

#[test]
fn csv_to_csv_passes_every_cell_through_exactly() {
    let leads = format!(
        "\u{feff}{HEADER}\r\nq1,\"Acme, Inc.\",2,250.50,no,2026-01-02,vip;x,\"said \"\"hi\"\"\r\nthere\"\r\nq2,Globex,1,,yes,,,\r\n"
    );
    let (stdout, stderr) = score("leads.csv", leads.as_bytes(), &[], 0);
    assert_eq!(
        stdout,
        "id,Company Name,n,amount,flag,d,tags,note,score,g,stage\n\
         q1,\"Acme, Inc.\",2,250.50,no,2026-01-02,vip;x,\"said \"\"hi\"\"\r\nthere\",18.505,12.505,Hot\n\
         q2,Globex,1,,yes,,,,-5,0,Cold\n"
    );
    assert_eq!(stderr, "read 2 rows: 2 scored, 0 rejected\n");
}

#[test]
fn ndjson_to_ndjson_keeps_the_input_keys_in_order() {
    let leads = concat!(
        r#"{"zeta":[1,{"a":null}],"id":"j1","tags":["vip"," x "],"n":2,"Company Name":"ACME","amount":150,"flag":false,"extra":null}"#,
        "\n\n",
        r#"{"n":"3","id":"j2","d":"2026-03-04T10:00:00Z"}"#,
        "\n"
    );
    let (stdout, stderr) = score("leads.ndjson", leads.as_bytes(), &[], 0);
    assert_eq!(
        stdout,
        concat!(
            r#"{"zeta":[1,{"a":null}],"id":"j1","tags":["vip"," x "],"n":2,"Company Name":"ACME","amount":150,"flag":false,"extra":null,"score":16.5,"g":11.5,"stage":"Hot"}"#,
            "\n",
            r#"{"n":"3","id":"j2","d":"2026-03-04T10:00:00Z","score":11,"g":10,"stage":"Hot"}"#,
            "\n"
        )
    );
    assert_eq!(stderr, "read 2 rows: 2 scored, 0 rejected\n");
}

#[test]
fn csv_to_ndjson_gives_string_columns() {
    let leads = format!("{HEADER}\nq1,,2,,,,,\"a,b\"\n");
    let (stdout, _) = score("leads.csv", leads.as_bytes(), &["--format", "ndjson"], 0);
    assert_eq!(
        stdout,
        "{\"id\":\"q1\",\"Company Name\":\"\",\"n\":\"2\",\"amount\":\"\",\"flag\":\"\",\"d\":\"\",\"tags\":\"\",\"note\":\"a,b\",\"score\":10,\"g\":10,\"stage\":\"Hot\"}\n"
    );
}

#[test]
fn ndjson_to_csv_takes_the_columns_from_the_first_object() {
    let leads = concat!(
        r#"{"id":"j1","n":2,"meta":{"k":[1,2]},"note":"x, y"}"#,
        "\n",
        r#"{"note":"only","id":"j2","n":null}"#,
        "\n",
        r#"{"id":"j3","surprise":1}"#,
        "\n"
    );
    let dir = workspace("leads.jsonl", leads.as_bytes());
    let out = tally(dir.path(), &["model.tally", "leads.jsonl", "-o", "out.csv"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("out.csv")).unwrap(),
        "id,n,meta,note,score,g,stage\n\
         j1,2,\"{\"\"k\"\":[1,2]}\",\"x, y\",10,10,Hot\n\
         j2,,,only,0,0,Cold\n"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("out.csv.rejects")).unwrap(),
        "row 3: key `surprise` is not among the columns, which the first line fixed\n"
    );
    assert_eq!(text(&out.stderr), "read 3 rows: 2 scored, 1 rejected\n");
    assert_eq!(text(&out.stdout), "");
}

#[test]
fn prefix_renames_every_output() {
    let leads = format!("{HEADER}\nq1,,2,,,,,\n");
    let (stdout, _) = score(
        "leads.csv",
        leads.as_bytes(),
        &["--prefix", "t_", "--explain"],
        0,
    );
    assert_eq!(
        stdout,
        "id,Company Name,n,amount,flag,d,tags,note,t_score,t_g,t_stage,t_reasons\n\
         q1,,2,,,,,,10,10,Hot,n at least 2 +10\n"
    );
}

#[test]
fn explain_in_csv_shows_signed_points() {
    let leads = format!("{HEADER}\nq1,Acme,2,250.50,yes,2026-01-02,vip,\nq2,,,,,,,\n");
    let (stdout, _) = score("leads.csv", leads.as_bytes(), &["--explain"], 0);
    assert_eq!(
        stdout,
        "id,Company Name,n,amount,flag,d,tags,note,score,g,stage,reasons\n\
         q1,Acme,2,250.50,yes,2026-01-02,vip,,13.505,12.505,Hot,n at least 2 +10; Big amount +2.505; Acme +2; Flagged -5; d is present +1; VIP +3\n\
         q2,,,,,,,,0,0,Cold,\n"
    );
}

#[test]
fn explain_in_ndjson_gives_an_array_of_reasons() {
    let leads = "{\"id\":\"j1\",\"flag\":\"y\"}\n{\"id\":\"j2\"}\n";
    let (stdout, _) = score("leads.ndjson", leads.as_bytes(), &["--explain"], 0);
    assert_eq!(
        stdout,
        "{\"id\":\"j1\",\"flag\":\"y\",\"score\":-5,\"g\":0,\"stage\":\"Cold\",\"reasons\":[{\"reason\":\"Flagged\",\"points\":-5}]}\n\
         {\"id\":\"j2\",\"score\":0,\"g\":0,\"stage\":\"Cold\",\"reasons\":[]}\n"
    );
}

#[test]
fn gzipped_input_is_decompressed() {
    let csv = format!("{HEADER}\nq1,,2,,,,,\n");
    let (stdout, _) = score("leads.csv.gz", &gzip(csv.as_bytes()), &[], 0);
    assert_eq!(
        stdout,
        "id,Company Name,n,amount,flag,d,tags,note,score,g,stage\nq1,,2,,,,,,10,10,Hot\n"
    );
    let ndjson = b"{\"id\":\"j1\",\"n\":2}\n";
    let (stdout, _) = score("leads.ndjson.gz", &gzip(ndjson), &[], 0);
    assert_eq!(
        stdout,
        "{\"id\":\"j1\",\"n\":2,\"score\":10,\"g\":10,\"stage\":\"Hot\"}\n"
    );
}

#[test]
fn gzipped_standard_input_is_recognised_by_its_magic_number() {
    let dir = workspace("unused.csv", b"");
    let csv = format!("{HEADER}\nq1,,2,,,,,\n");
    let out = tally_with_input(
        dir.path(),
        &["model.tally", "-", "--format", "ndjson"],
        &gzip(csv.as_bytes()),
    );
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).starts_with("{\"id\":\"q1\""));
}

#[test]
fn standard_input_defaults_to_csv_and_input_format_overrides() {
    let dir = workspace("unused.csv", b"");
    let csv = format!("{HEADER}\nq1,,,,,,,\n");
    let out = tally_with_input(dir.path(), &["model.tally", "-"], csv.as_bytes());
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).ends_with("q1,,,,,,,,0,0,Cold\n"));
    let out = tally_with_input(
        dir.path(),
        &["model.tally", "-", "--input-format", "jsonl"],
        b"{\"id\":\"j\"}\n",
    );
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        text(&out.stdout),
        "{\"id\":\"j\",\"score\":0,\"g\":0,\"stage\":\"Cold\"}\n"
    );
}

#[test]
fn the_delimiter_applies_to_csv_in_and_out() {
    let leads = "id;n;note\nq1;2;a,b\n";
    let dir = tempfile::tempdir().unwrap();
    let model = "fields {\n  id: text\n  n: int\n}\nwhen n > 1 add 1\n";
    std::fs::write(dir.path().join("m.tally"), model).unwrap();
    std::fs::write(dir.path().join("l.csv"), leads).unwrap();
    let out = tally(dir.path(), &["m.tally", "l.csv", "--delimiter", ";"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(text(&out.stdout), "id;n;note;score\nq1;2;a,b;1\n");
    let out = tally(dir.path(), &["m.tally", "l.csv", "--delimiter", "\\t"]);
    assert_eq!(out.status.code(), Some(1), "the header is one column");
}

/// A comma-separated file read with `--delimiter ';'` (a script reused
/// from another export) is one column too: the error says the file looks
/// comma-separated, as it says `;` for the other way round, instead of
/// naming `id,n,note` as the closest column.
#[test]
fn a_comma_file_read_with_another_delimiter_is_named_so() {
    let dir = tempfile::tempdir().unwrap();
    let model = "fields {\n  id: text\n  n: int\n}\nwhen n > 1 add 1\n";
    std::fs::write(dir.path().join("m.tally"), model).unwrap();
    std::fs::write(dir.path().join("l.csv"), "id,n,note\nq1,2,x\n").unwrap();
    let out = tally(dir.path(), &["m.tally", "l.csv", "--delimiter", ";"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stdout), "");
    assert_eq!(
        text(&out.stderr),
        "tally::wrong_delimiter\n\n  × `l.csv`: the header is one column and no field's column is \
         in it; the file looks `,`-separated\n  help: try `--delimiter ','`\n\n\
         error: `l.csv`: 1 header error; no row was read\n"
    );
}

#[test]
fn results_do_not_depend_on_threads_and_cross_batches_in_order() {
    let mut leads = format!("{HEADER}\n");
    for i in 0..10_000 {
        leads.push_str(&format!("r{i},,{},,,,,\n", i % 4));
    }
    let dir = workspace("leads.csv", leads.as_bytes());
    let one = tally(dir.path(), &["model.tally", "leads.csv", "--threads", "1"]);
    let four = tally(dir.path(), &["model.tally", "leads.csv", "--threads", "4"]);
    assert_eq!(one.status.code(), Some(0));
    assert_eq!(one.stdout, four.stdout);
    let stdout = text(&one.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 10_001);
    assert_eq!(lines[5000], "r4999,,3,,,,,,10,10,Hot");
    assert_eq!(
        text(&one.stderr),
        "read 10000 rows: 10000 scored, 0 rejected\n"
    );
}

/// A lead file whose cells repeat (as real ones do: a few companies,
/// sizes, dates and tag lists) with unique ids and notes, blank cells and
/// unreadable ones, from a fixed seed.
/// The same leads as a CSV file (with the header; every cell quoted when
/// `quote`) and as NDJSON.
fn as_csv_and_ndjson(leads: &[[String; 8]], quote: bool) -> (String, String) {
    let mut csv = format!("{HEADER}\n");
    let mut ndjson = String::new();
    let columns: Vec<&str> = HEADER.split(',').collect();
    for row in leads {
        let cells: Vec<String> = row
            .iter()
            .map(|c| if quote { format!("\"{c}\"") } else { c.clone() })
            .collect();
        csv.push_str(&cells.join(","));
        csv.push('\n');
        let object: serde_json::Map<String, serde_json::Value> = columns
            .iter()
            .zip(row)
            .map(|(k, v)| (k.to_string(), serde_json::Value::String(v.clone())))
            .collect();
        ndjson.push_str(&serde_json::to_string(&object).unwrap());
        ndjson.push('\n');
    }
    (csv, ndjson)
}

fn repetitive_leads(rows: usize) -> Vec<[String; 8]> {
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = move |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        usize::try_from(state % n as u64).unwrap()
    };
    let pick = |options: &[&str], i: usize| options[i % options.len()].to_string();
    (0..rows)
        .map(|i| {
            let mut row = [
                format!("r{i}"),
                pick(
                    &["Acme", " ACME inc", "", "Globex", "acmé", "Initech"],
                    next(6),
                ),
                pick(&["1", "2", " 3 ", "", "2.0", "7", "-2"], next(7)),
                pick(&["50", "150", "250.5", "", "99999", "100"], next(6)),
                pick(&["yes", "no", "T", "", "0"], next(5)),
                pick(&["2026-11-01", "", "2026-11-20T23:30:00-02:00"], next(3)),
                pick(&["vip;x", " VIP ", "", "a;b;c", ";;"], next(5)),
                format!("note {}", next(1_000_000)),
            ];
            // Now and then a cell that cannot be read: no id, a number
            // with an exponent, a fraction in an int, a bad day.
            let wrong = ["", "", "2.5", "1e3", "maybe", "2026-02-30"];
            if next(100) == 0 {
                let column = next(wrong.len());
                row[column] = wrong[column].to_string();
            }
            row
        })
        .collect()
}

#[test]
fn remembered_cells_score_as_cells_read_afresh() {
    // CSV input goes through the memo of repeated cells; NDJSON input is
    // read and tested cell by cell. The same leads must score the same.
    let (csv, ndjson) = as_csv_and_ndjson(&repetitive_leads(12_000), true);
    let args = ["--format", "ndjson", "--explain", "--threads", "2"];
    let (from_csv, csv_summary) = score("leads.csv", csv.as_bytes(), &args, 1);
    let (from_ndjson, ndjson_summary) = score("leads.ndjson", ndjson.as_bytes(), &args, 1);
    assert_eq!(csv_summary.lines().last(), ndjson_summary.lines().last());
    assert!(
        csv_summary.ends_with("read 12000 rows: 11921 scored, 79 rejected\n"),
        "{csv_summary}"
    );
    assert_eq!(from_csv.lines().count(), 11921);
    for (a, b) in from_csv.lines().zip(from_ndjson.lines()) {
        assert_eq!(a, b);
    }
}

/// Rules of every kind the scorer tells apart: local to one field (the
/// memo keeps what they add, computed points too), a condition on one
/// field with points read from another, conditions on two fields.
const MIXED_MODEL: &str = r#"fields {
  id:      text required
  company: text from "Company Name"
  n:       int
  amount:  number
  flag:    bool
  d:       date
  tags:    list
}
group g max 12 {
  when n >= 2                    add n * 3    "n"
  when amount > 100              add n        "Amount, n points"
  when tags contains "vip" and flag add 4     "VIP and flagged"
}
when company contains "acme"     add amount / 50 "Acme amount"
when not d within 30 days        sub 1        "Old"
when tags contains "vip"         add 3        "VIP"
when n between 1 and 3           add 2
if score >= 10 and g >= 6 then Hot
else Cold
"#;

#[test]
fn remembered_cells_score_as_cells_read_afresh_with_mixed_rules() {
    let (csv, ndjson) = as_csv_and_ndjson(&repetitive_leads(6_000), false);
    let run = |name: &str, leads: &[u8]| {
        let dir = workspace(name, leads);
        std::fs::write(dir.path().join("model.tally"), MIXED_MODEL).unwrap();
        let args = ["model.tally", name, "--format", "ndjson", "--explain"];
        let out = tally(dir.path(), &args);
        assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
        (text(&out.stdout), text(&out.stderr))
    };
    let (from_csv, csv_summary) = run("leads.csv", csv.as_bytes());
    let (from_ndjson, ndjson_summary) = run("leads.ndjson", ndjson.as_bytes());
    assert_eq!(csv_summary.lines().last(), ndjson_summary.lines().last());
    assert!(from_csv.lines().count() > 5_900, "{csv_summary}");
    assert!(from_csv.contains(r#""reason":"Acme amount","points":5"#));
    assert!(from_csv.contains(r#""reason":"n","points":21"#));
    assert!(from_csv.contains(r#""reason":"Amount, n points","points":7"#));
    assert!(from_csv.contains(r#""reason":"VIP and flagged","points":4"#));
    for (a, b) in from_csv.lines().zip(from_ndjson.lines()) {
        assert_eq!(a, b);
    }
}

// ---- rejected rows ----

/// Score a CSV with the model's header and the given data lines; the
/// rejects (on standard error, before the summary) must be `rejects`.
fn assert_csv_rejects(rows: &str, scored: usize, rejects: &[&str]) {
    let leads = format!("{HEADER}\n{rows}");
    assert_bytes_reject("leads.csv", leads.as_bytes(), scored, rejects);
}

fn assert_bytes_reject(name: &str, leads: &[u8], scored: usize, rejects: &[&str]) {
    let (stdout, stderr) = score(name, leads, &[], 1);
    let read = scored + rejects.len();
    let mut want: String = rejects.iter().map(|r| format!("{r}\n")).collect();
    want.push_str(&format!(
        "read {read} row{}: {scored} scored, {} rejected\n",
        if read == 1 { "" } else { "s" },
        rejects.len()
    ));
    assert_eq!(stderr, want);
    let records = stdout
        .lines()
        .filter(|l| l.starts_with("{\"id\"") || l.starts_with("ok"))
        .count();
    assert_eq!(records, scored, "rows in = rows out + rows rejected");
}

#[test]
fn a_bad_number_is_rejected() {
    assert_csv_rejects(
        "ok1,,,1e5,,,,\nok2,,,-2.5,,,,\n",
        1,
        &["row 1: column \"amount\": cannot read \"1e5\" as number: expected a number in plain decimal notation, such as `42`, `-3` or `2.5`"],
    );
}

#[test]
fn a_bad_bool_is_rejected() {
    assert_csv_rejects(
        "ok1,,,,maybe,,,\n",
        0,
        &["row 1: column \"flag\": cannot read \"maybe\" as bool: expected one of `true false yes no y n 1 0 t f`"],
    );
}

#[test]
fn a_bad_date_is_rejected() {
    assert_csv_rejects(
        "ok1,,,,,2026-02-30,,\n",
        0,
        &["row 1: column \"d\": cannot read \"2026-02-30\" as date: expected a date as `YYYY-MM-DD`, such as `2026-11-22` (or an RFC 3339 date-time)"],
    );
}

#[test]
fn a_fractional_int_is_rejected() {
    assert_csv_rejects(
        "ok1,,2.5,,,,,\nok2,,2.0,,,,,\n",
        1,
        &["row 1: column \"n\": cannot read \"2.5\" as int: expected a whole number, such as `42` or `-3`"],
    );
}

#[test]
fn a_missing_required_value_is_rejected() {
    assert_csv_rejects(
        ",,,,,,,\nok2,,,,,,,\n",
        1,
        &["row 1: column \"id\": no value, but field `id` is required"],
    );
}

#[test]
fn a_wrong_number_of_fields_is_rejected() {
    assert_csv_rejects(
        "ok1,,,\nok2,,,,,,,,\nok3,,,,,,,\n",
        1,
        &[
            "row 1: expected 8 fields, found 4",
            "row 2: expected 8 fields, found 9",
        ],
    );
}

#[test]
fn invalid_utf8_is_rejected_and_reading_goes_on() {
    let mut leads = format!("{HEADER}\nok1,\"multi\nline\",,,,,,\nok2,").into_bytes();
    leads.extend_from_slice(b"caf\xe9,,,,,,\nok3,,,,,,,\n");
    assert_bytes_reject(
        "leads.csv",
        &leads,
        2,
        &["row 2: column \"Company Name\": \"caf\u{fffd}\" is not valid UTF-8"],
    );
}

#[test]
fn a_character_split_across_two_cells_is_invalid_utf8() {
    // `é` is C3 A9: here C3 ends one cell and A9 starts the next. The
    // unescaped cells are valid UTF-8 back to back, the row is not.
    let mut leads = format!("{HEADER}\nok1,,,,,,,\nok2,").into_bytes();
    leads.extend_from_slice(b"caf\xc3,\xa9,,,,,\nok3,,,,,,,\n");
    assert_bytes_reject(
        "leads.csv",
        &leads,
        2,
        &["row 2: column \"Company Name\": \"caf\u{fffd}\" is not valid UTF-8"],
    );
}

#[test]
fn malformed_json_lines_are_rejected() {
    let leads = concat!(
        "{\"id\":\"ok1\"}\n",
        "{\"id\": \"ok2\",\n",
        "[1,2]\n",
        "\n",
        "{\"id\":\"ok5\",\"n\":2.5}\n",
        "{\"id\":\"ok6\",\"flag\":1}\n",
        "{\"id\":null}\n",
        "{\"id\":\"ok8\",\"tags\":[\"a\",1]}\n",
        "{\"id\":\"ok9\",\"score\":1}\n",
        "{\"id\":\"ok10\",\"n\":\"3\"}\n",
    );
    assert_bytes_reject(
        "leads.ndjson",
        leads.as_bytes(),
        2,
        &[
            "row 2: malformed JSON at column 13: EOF while parsing a value",
            "row 3: expected a JSON object, found an array",
            "row 5: column \"n\": cannot read 2.5 as int: expected a whole number, such as `42` or `-3`",
            "row 6: column \"flag\": cannot read 1 as bool: expected `true`, `false` or a string such as \"yes\"",
            "row 7: column \"id\": no value, but field `id` is required",
            "row 8: column \"tags\": cannot read [\"a\",1] as list: expected an array of strings or a string such as \"a;b\"",
            "row 9: column \"score\": the key has the name of an output; rename the outputs with --prefix",
        ],
    );
}

#[test]
fn rejects_go_beside_the_output_file_or_where_asked() {
    let leads = format!("{HEADER}\nok1,,x,,,,,\nok2,,,,,,,\n");
    let dir = workspace("leads.csv", leads.as_bytes());
    let out = tally(
        dir.path(),
        &["model.tally", "leads.csv", "-o", "out.ndjson"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stderr), "read 2 rows: 1 scored, 1 rejected\n");
    let line = "row 1: column \"n\": cannot read \"x\" as int: expected a whole number, such as `42` or `-3`\n";
    let rejects = std::fs::read_to_string(dir.path().join("out.ndjson.rejects")).unwrap();
    assert_eq!(rejects, line);
    let written = std::fs::read_to_string(dir.path().join("out.ndjson")).unwrap();
    assert_eq!(written.lines().count(), 1);

    let out = tally(
        dir.path(),
        &[
            "model.tally",
            "leads.csv",
            "-o",
            "out.csv",
            "--rejects",
            "bad.txt",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("bad.txt")).unwrap(),
        line
    );
    assert!(!dir.path().join("out.csv.rejects").exists());
}

#[test]
fn a_clean_run_writes_an_empty_rejects_file() {
    let leads = format!("{HEADER}\nok1,,,,,,,\n");
    let dir = workspace("leads.csv", leads.as_bytes());
    std::fs::write(dir.path().join("out.csv.rejects"), "row 9: stale\n").unwrap();
    let out = tally(dir.path(), &["model.tally", "leads.csv", "-o", "out.csv"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("out.csv.rejects")).unwrap(),
        ""
    );
}

// ---- header errors ----

#[test]
fn a_missing_column_is_named_with_the_closest_one() {
    let leads = "id,Company,n,amount,flag,d,tag,note\nq1,,,,,,,\n";
    let dir = workspace("leads.csv", leads.as_bytes());
    let out = tally(dir.path(), &["model.tally", "leads.csv", "-o", "out.csv"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr),
        "tally::missing_column\n\n  \u{d7} `leads.csv`: column \"Company Name\" (field `company`) is not in the header\n  \
         help: the closest column is \"Company\"\n\ntally::missing_column\n\n  \u{d7} `leads.csv`: column \"tags\" \
         (field `tags`) is not in the header\n  help: the closest column is \"tag\"\n\n\
         error: `leads.csv`: 2 header errors; no row was read\n"
    );
    assert_eq!(text(&out.stdout), "");
    assert_eq!(files_in(dir.path()), ["leads.csv", "model.tally"]);
}

#[test]
fn an_output_colliding_with_a_column_is_refused_until_prefixed() {
    let leads = format!("{HEADER},score,stage\nq1,,,,,,,,7,x\n");
    let dir = workspace("leads.csv", leads.as_bytes());
    let out = tally(dir.path(), &["model.tally", "leads.csv"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr),
        "tally::output_collision\n\n  \u{d7} `leads.csv`: output `score` has the name of an input column\n  \
         help: rename the outputs with --prefix, e.g. --prefix tally_\n\ntally::output_collision\n\n  \
         \u{d7} `leads.csv`: output `stage` has the name of an input column\n  \
         help: rename the outputs with --prefix, e.g. --prefix tally_\n\n\
         error: `leads.csv`: 2 header errors; no row was read\n"
    );
    assert_eq!(text(&out.stdout), "");
    let out = tally(
        dir.path(),
        &["model.tally", "leads.csv", "--prefix", "tally_"],
    );
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        text(&out.stdout),
        format!("{HEADER},score,stage,tally_score,tally_g,tally_stage\nq1,,,,,,,,7,x,0,0,Cold\n")
    );
}

#[test]
fn a_prefix_that_still_collides_is_refused() {
    let leads = format!("{HEADER},t_g\nq1,,,,,,,,\n");
    let (stdout, stderr) = score("leads.csv", leads.as_bytes(), &["--prefix", "t_"], 1);
    assert_eq!(stdout, "");
    assert_eq!(
        stderr,
        "tally::output_collision\n\n  \u{d7} `leads.csv`: output `t_g` (with --prefix t_) has the name of an input \
         column\n  help: choose another --prefix\n\nerror: `leads.csv`: 1 header error; no row was read\n"
    );
}

#[test]
fn an_ndjson_first_object_colliding_with_an_output_is_refused() {
    let (stdout, stderr) = score("leads.ndjson", b"{\"id\":\"a\",\"g\":1}\n", &[], 1);
    assert_eq!(stdout, "");
    assert!(
        stderr.contains("output `g` has the name of an input column"),
        "{stderr}"
    );
}

// ---- atomic output ----

#[test]
fn failed_runs_leave_the_previous_output_untouched() {
    let leads = format!("{HEADER}\nq1,,,,,,,\n");
    let dir = workspace("leads.csv", leads.as_bytes());
    std::fs::write(dir.path().join("out.csv"), "previous\n").unwrap();
    std::fs::write(
        dir.path().join("broken.tally"),
        "fields {\n  id: text\n}\nwhen idd == \"x\" add 1\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("nocol.csv"), "name\nx\n").unwrap();
    let before = files_in(dir.path());

    let out = tally(dir.path(), &["broken.tally", "leads.csv", "-o", "out.csv"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("unknown name `idd`"));

    let out = tally(dir.path(), &["model.tally", "nocol.csv", "-o", "out.csv"]);
    assert_eq!(out.status.code(), Some(1));

    let out = tally(dir.path(), &["model.tally", "absent.csv", "-o", "out.csv"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        "error: cannot read `absent.csv`: no such file or directory\n"
    );

    assert_eq!(
        std::fs::read_to_string(dir.path().join("out.csv")).unwrap(),
        "previous\n"
    );
    assert_eq!(
        files_in(dir.path()),
        before,
        "no temporary files left behind"
    );
}

#[test]
fn a_completed_run_replaces_the_output_even_with_rejects() {
    let leads = format!("{HEADER}\nq1,,,,,,,\nq2,,bad,,,,,\n");
    let dir = workspace("leads.csv", leads.as_bytes());
    std::fs::write(dir.path().join("out.csv"), "previous\n").unwrap();
    let out = tally(dir.path(), &["model.tally", "leads.csv", "-o", "out.csv"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("out.csv")).unwrap(),
        "id,Company Name,n,amount,flag,d,tags,note,score,g,stage\nq1,,,,,,,,0,0,Cold\n"
    );
    assert_eq!(
        files_in(dir.path()),
        ["leads.csv", "model.tally", "out.csv", "out.csv.rejects"]
    );
}

#[test]
fn gzip_output_follows_the_name() {
    let leads = format!("{HEADER}\nq1,,,,,,,\n");
    let dir = workspace("leads.csv", leads.as_bytes());
    let out = tally(
        dir.path(),
        &["model.tally", "leads.csv", "-o", "out.ndjson.gz"],
    );
    assert_eq!(out.status.code(), Some(0));
    let bytes = std::fs::read(dir.path().join("out.ndjson.gz")).unwrap();
    let mut decoded = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut decoded)
        .unwrap();
    assert!(decoded.starts_with("{\"id\":\"q1\""), "{decoded}");
}

// ---- arguments ----

#[test]
fn bad_arguments_exit_two() {
    let leads = format!("{HEADER}\n");
    let dir = workspace("leads.csv", leads.as_bytes());
    for args in [
        vec!["model.tally", "leads.csv", "--as-of", "2026-13-01"],
        vec!["model.tally", "leads.csv", "--delimiter", "ab"],
        vec!["model.tally", "leads.csv", "--format", "xml"],
        vec!["model.tally", "leads.csv", "--threads", "0"],
        vec!["-", "-"],
    ] {
        let out = tally(dir.path(), &args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert_eq!(text(&out.stdout), "");
    }
}

#[test]
fn stage_labels_are_written_as_csv_cells() {
    let dir = tempfile::tempdir().unwrap();
    let model = "fields {\n  n: int\n}\nwhen n > 0 add n\n\
                 if score >= 10 then \"Hot, \\\"really\\\"\"\n\
                 if score >= 5 then Warm\n";
    std::fs::write(dir.path().join("m.tally"), model).unwrap();
    std::fs::write(dir.path().join("l.csv"), "n\n12\n6\n1\n").unwrap();
    let out = tally(dir.path(), &["m.tally", "l.csv"]);
    assert_eq!(
        text(&out.stdout),
        "n,score,stage\n12,12,\"Hot, \"\"really\"\"\"\n6,6,Warm\n1,1,\n"
    );
    let with_else = model.to_string() + "else Cold\n";
    std::fs::write(dir.path().join("m.tally"), with_else).unwrap();
    let out = tally(dir.path(), &["m.tally", "l.csv", "--delimiter", ";"]);
    assert_eq!(
        text(&out.stdout),
        "n;score;stage\n12;12;\"Hot, \"\"really\"\"\"\n6;6;Warm\n1;1;Cold\n"
    );
}

#[test]
fn as_of_sets_today() {
    let dir = tempfile::tempdir().unwrap();
    let model = "fields {\n  d: date\n}\nwhen d within 30 days add 1\n";
    std::fs::write(dir.path().join("m.tally"), model).unwrap();
    std::fs::write(dir.path().join("l.csv"), "d\n2026-11-01\n").unwrap();
    let out = tally(dir.path(), &["m.tally", "l.csv", "--as-of", "2026-11-22"]);
    assert_eq!(text(&out.stdout), "d,score\n2026-11-01,1\n");
    let out = tally(dir.path(), &["m.tally", "l.csv", "--as-of", "2027-11-22"]);
    assert_eq!(text(&out.stdout), "d,score\n2026-11-01,0\n");
}

#[test]
fn a_header_that_is_not_utf8_is_refused() {
    let (stdout, stderr) = score("leads.csv", b"id,caf\xe9\nq1,x\n", &[], 1);
    assert_eq!(stdout, "");
    assert_eq!(
        stderr,
        "tally::header_not_utf8\n\n  \u{d7} `leads.csv`: header column 2 \"caf\u{fffd}\" is not valid UTF-8\n  \
         help: re-save the file as UTF-8 (in most editors: Save with Encoding, then UTF-8)\n\n\
         error: `leads.csv`: 1 header error; no row was read\n"
    );
}

#[test]
fn an_interrupted_run_leaves_the_previous_output_whole() {
    let dir = workspace("unused.csv", b"");
    let out = dir.path().join("scored.csv");
    std::fs::write(&out, "the previous output\n").unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_tally"))
        .current_dir(dir.path())
        .args(["score", "model.tally", "-", "-o", "scored.csv"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Feed more rows than one batch, keep standard input open, then kill
    // the run while it waits for the rest.
    let mut stdin = child.stdin.take().unwrap();
    let mut rows = format!("{HEADER}\n");
    for i in 0..10_000 {
        rows.push_str(&format!("r{i},Acme,{},,yes,,vip,\n", i % 9));
    }
    stdin.write_all(rows.as_bytes()).unwrap();
    stdin.flush().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    child.kill().unwrap();
    child.wait().unwrap();
    drop(stdin);
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "the previous output\n"
    );
}

/// Many chunks (the parallel reader splits at about 1 MiB): quoted
/// newlines, CRLF, blank lines and rejected rows spread across chunks.
fn multi_chunk_leads() -> String {
    let mut leads = format!("{HEADER}\r\n");
    for i in 0..60_000u32 {
        let n = if i % 7919 == 0 {
            "x".to_string()
        } else {
            (i % 5).to_string()
        };
        let note = if i % 3 == 0 {
            "\"multi\nline, \"\"quoted\"\" note\""
        } else {
            "plain"
        };
        leads.push_str(&format!(
            "r{i},\"Acme, {i}\",{n},{},yes,2026-01-0{},vip;b,{note}\r\n",
            i % 300,
            i % 9 + 1
        ));
        if i % 10_007 == 0 {
            leads.push_str("\r\n");
        }
    }
    leads.push_str("last,Acme,3,,,,,no newline");
    leads
}

#[test]
fn chunked_scoring_is_the_same_for_any_thread_count() {
    let leads = multi_chunk_leads();
    assert!(leads.len() > 3 << 20, "the input must span several chunks");
    let dir = workspace("leads.csv", leads.as_bytes());
    let one = tally(
        dir.path(),
        &[
            "model.tally",
            "leads.csv",
            "--threads",
            "1",
            "--rejects",
            "r1.txt",
        ],
    );
    let three = tally(
        dir.path(),
        &[
            "model.tally",
            "leads.csv",
            "--threads",
            "3",
            "--rejects",
            "r3.txt",
        ],
    );
    assert_eq!(one.status.code(), Some(1));
    assert!(
        one.stdout == three.stdout,
        "outputs differ between 1 and 3 threads"
    );
    let rejects = std::fs::read_to_string(dir.path().join("r1.txt")).unwrap();
    assert_eq!(
        rejects,
        std::fs::read_to_string(dir.path().join("r3.txt")).unwrap()
    );
    let rows: Vec<&str> = rejects
        .lines()
        .map(|l| l.split(':').next().unwrap())
        .collect();
    let want: Vec<String> = (0..60_000)
        .filter(|i| i % 7919 == 0)
        .map(|i| format!("row {}", i + 1))
        .collect();
    assert_eq!(rows, want);
    assert_eq!(
        text(&one.stderr),
        "read 60001 rows: 59993 scored, 8 rejected\n"
    );
    let stdout = text(&one.stdout);
    assert!(stdout.starts_with(&format!("{HEADER},score,g,stage\n")));
    assert!(stdout.contains("\nr3,\"Acme, 3\",3,3,yes,2026-01-04,vip;b,\"multi\nline, \"\"quoted\"\" note\",11,10,Hot\n"), "passthrough bytes changed");
    assert!(stdout.ends_with("\nlast,Acme,3,,,,,no newline,12,10,Hot\n"));
}
