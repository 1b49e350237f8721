//! The model-quality commands (`diff`, `backtest`, `calibrate`,
//! `report`) on awkward input, as a hostile user gives it: NDJSON whose
//! objects leave keys out, degenerate outcomes, standard input.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // tests fail by panicking

#[path = "support/cli.rs"]
mod cli;

use std::path::Path;

use cli::{tally, text};

const MODEL: &str = r#"model "Edges" version 1

fields {
  id:    text
  demo:  bool
  title: text
}

when demo           add 20 "Demo"
when title == "CEO" add 10 "CEO"

if score >= 20 then SQL
else Nurture
"#;

/// Write `files` into a fresh directory.
fn dir_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, body) in files {
        std::fs::write(dir.path().join(name), body).unwrap();
    }
    dir
}

/// `n` leads as CSV and as NDJSON; lead i converted when `won(i)`, its
/// outcome key left out of the NDJSON object when not converted (an
/// absent key is a missing value, "not converted").
fn leads(n: usize, won: impl Fn(usize) -> bool) -> (String, String) {
    let mut csv = String::from("id,demo,title,won\n");
    let mut ndjson = String::new();
    for i in 0..n {
        let (demo, title) = (i % 3 == 0, if i % 4 == 0 { "CEO" } else { "x" });
        let outcome = if won(i) { "yes" } else { "" };
        csv.push_str(&format!("{i},{demo},{title},{outcome}\n"));
        let key = if won(i) { ",\"won\":\"yes\"" } else { "" };
        ndjson.push_str(&format!(
            "{{\"id\":\"{i}\",\"demo\":{demo},\"title\":\"{title}\"{key}}}\n"
        ));
    }
    (csv, ndjson)
}

/// The three commands that read an outcome column, on lead file `file`
/// (`report` writing `r.html`).
fn outcome_commands(file: &str) -> [Vec<&str>; 3] {
    let outcome = ["--outcome", "won"];
    [
        [&["backtest", "m.tally", file][..], &outcome].concat(),
        [&["calibrate", "m.tally", file][..], &outcome].concat(),
        [
            &["report", "m.tally", file][..],
            &outcome,
            &["-o", "r.html"],
        ]
        .concat(),
    ]
}

fn run(dir: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let out = tally(dir, args);
    (out.status.code(), text(&out.stdout), text(&out.stderr))
}

/// The first object has no outcome key: the later ones' still count, and
/// every command reads the file as it reads the same leads in CSV.
#[test]
fn an_ndjson_outcome_key_is_found_in_any_object() {
    let (csv, ndjson) = leads(120, |i| i % 7 == 1 || i % 3 == 2);
    let dir = dir_with(&[
        ("m.tally", MODEL),
        ("leads.csv", &csv),
        ("leads.ndjson", &ndjson),
    ]);
    assert!(!ndjson.lines().next().unwrap().contains("won"));
    for command in ["backtest", "calibrate"] {
        let args = |file| {
            vec![
                command,
                "m.tally",
                file,
                "--outcome",
                "won",
                "--format",
                "json",
            ]
        };
        let from_csv = run(dir.path(), &args("leads.csv"));
        assert_eq!(from_csv.0, Some(0), "{command}: {}", from_csv.2);
        let from_ndjson = run(dir.path(), &args("leads.ndjson"));
        assert_eq!(from_ndjson, from_csv, "{command}");
    }
    let doc: serde_json::Value = serde_json::from_str(
        &run(
            dir.path(),
            &[
                "backtest",
                "m.tally",
                "leads.ndjson",
                "--outcome",
                "won",
                "--format",
                "json",
            ],
        )
        .1,
    )
    .unwrap();
    // i % 3 == 2: 40 leads; i % 7 == 1: 17 leads, 6 of them already
    // counted (8, 29, 50, 71, 92, 113): 11 more.
    assert_eq!(
        (doc["rows"].as_u64(), doc["converted"].as_u64()),
        (Some(120), Some(51))
    );
    let report = |file: &str, out: &str| {
        let args = [
            "report",
            "m.tally",
            file,
            "--outcome",
            "won",
            "-o",
            out,
            "--as-of",
            "2026-11-22",
        ];
        let (status, _, stderr) = run(dir.path(), &args);
        assert_eq!(status, Some(0), "{stderr}");
        std::fs::read_to_string(dir.path().join(out))
            .unwrap()
            .replace(file, "LEADS")
    };
    assert_eq!(
        report("leads.ndjson", "n.html"),
        report("leads.csv", "c.html")
    );
}

/// No object has the key: an error, as a CSV header without the column
/// is (every lead would otherwise count as not converted).
#[test]
fn an_ndjson_outcome_key_in_no_object_is_an_error() {
    let (_, ndjson) = leads(5, |_| false);
    let dir = dir_with(&[("m.tally", MODEL), ("leads.ndjson", &ndjson)]);
    let wanted = "error: `leads.ndjson`: no object has the outcome key \"won\"; the first \
                  object's closest key is \"id\"\n";
    for command in outcome_commands("leads.ndjson") {
        let command = &command[..];
        let (status, stdout, stderr) = run(dir.path(), command);
        assert_eq!(
            (status, stdout.as_str(), stderr.as_str()),
            (Some(1), "", wanted),
            "{command:?}"
        );
    }
    assert!(!dir.path().join("r.html").exists());
}

/// `explain --where` looks a column up the same way: a key the first
/// object leaves out is still a column of the file.
#[test]
fn explain_finds_a_lead_by_a_key_the_first_object_lacks() {
    let ndjson =
        "{\"id\":\"1\",\"demo\":true}\n{\"id\":\"2\",\"title\":\"CEO\",\"email\":\"a@b.c\"}\n";
    let dir = dir_with(&[("m.tally", MODEL), ("leads.ndjson", ndjson)]);
    let (status, stdout, stderr) = run(
        dir.path(),
        &[
            "explain",
            "m.tally",
            "leads.ndjson",
            "--where",
            "email=a@b.c",
            "--as-of",
            "2026-11-22",
        ],
    );
    assert_eq!(status, Some(0), "{stderr}");
    assert!(
        stdout.starts_with("row 2 (id \"2\"): score 10, stage Nurture\n"),
        "{stdout}"
    );
    // A key no object has is said to be so (a misspelling, most likely).
    let args = [
        "explain",
        "m.tally",
        "leads.ndjson",
        "--where",
        "emial=a@b.c",
    ];
    let wanted = "error: `leads.ndjson`: no object has the key \"emial\"\n";
    assert_eq!(
        run(dir.path(), &args),
        (Some(1), String::new(), wanted.to_string())
    );
    let args = [
        "explain",
        "m.tally",
        "leads.ndjson",
        "--where",
        "email=x@y.z",
    ];
    let wanted = "error: `leads.ndjson` has no lead whose \"email\" is \"x@y.z\"\n";
    assert_eq!(
        run(dir.path(), &args),
        (Some(1), String::new(), wanted.to_string())
    );
}

/// A model with errors: its report and one closing line, as every
/// command gives them (backtest added an empty `error: ` line).
#[test]
fn a_model_with_errors_is_reported_once() {
    let broken = "fields {\n  id: text\n}\nwhen nosuch add 1\n";
    let dir = dir_with(&[("bad.tally", broken), ("leads.csv", "id,won\n1,yes\n")]);
    for command in [
        &["backtest", "bad.tally", "leads.csv", "--outcome", "won"][..],
        &["calibrate", "bad.tally", "leads.csv", "--outcome", "won"],
        &["report", "bad.tally", "leads.csv", "-o", "r.html"],
        &["diff", "bad.tally", "bad.tally", "leads.csv"],
    ] {
        let (status, stdout, stderr) = run(dir.path(), command);
        assert_eq!((status, stdout.as_str()), (Some(1), ""), "{command:?}");
        let last = "error: bad.tally has 1 error; run `tally check bad.tally` for details\n";
        assert!(stderr.ends_with(last), "{command:?}: {stderr}");
        assert_eq!(
            stderr.matches("error: ").count(),
            1,
            "{command:?}: {stderr}"
        );
    }
}

/// Every lead at one score: no threshold separates better than the
/// current one (J is 0 at every value), so it is not moved (it was to
/// `score >= 0`, the one score seen, which puts every lead in SQL).
#[test]
fn a_threshold_is_kept_when_all_scores_are_equal() {
    let csv = "id,demo,title,won\n1,no,x,yes\n2,no,x,no\n3,no,x,1\n4,no,x,0\n";
    let dir = dir_with(&[("m.tally", MODEL), ("leads.csv", csv)]);
    let (status, stdout, stderr) = run(
        dir.path(),
        &["backtest", "m.tally", "leads.csv", "--outcome", "won"],
    );
    assert_eq!(status, Some(0), "{stderr}");
    let tail = "threshold `score >= 20` (line 12, SQL)\n  \
                suggested: score >= 20 (the largest Youden's J)\n  \
                threshold  leads  converted  rate      J\n  \
                >= 10          0          0     –  0.000\n  \
                >= 15          0          0     –  0.000\n  \
                >= 20          0          0     –  0.000\n  \
                >= 25          0          0     –  0.000\n  \
                >= 30          0          0     –  0.000\n";
    assert!(stdout.ends_with(tail), "{stdout}");
    assert!(
        stdout.contains("ranking: AUC 0.500, Gini 0.000, KS 0.000\n"),
        "{stdout}"
    );
}

/// Every lead converted: calibrate says so, with the count.
#[test]
fn calibrate_refuses_a_file_where_every_lead_converted() {
    let (csv, _) = leads(40, |_| true);
    let dir = dir_with(&[("m.tally", MODEL), ("leads.csv", &csv)]);
    let got = run(
        dir.path(),
        &["calibrate", "m.tally", "leads.csv", "--outcome", "won"],
    );
    let wanted = "error: every lead in `leads.csv` converted (40 of 40), so nothing tells what a \
                  rule adds to a lead's chances: calibrate on a file that has leads that did \
                  not convert too\n";
    assert_eq!(got, (Some(1), String::new(), wanted.to_string()));
}

/// A lead file with a header and no row: `diff` says there is nothing to
/// compare rather than print a table of headers alone.
#[test]
fn diff_of_a_file_without_leads() {
    let new = MODEL.replace("add 20 \"Demo\"", "add 25 \"Demo\"");
    let dir = dir_with(&[
        ("m.tally", MODEL),
        ("new.tally", &new),
        ("leads.csv", "id,demo,title\n"),
    ]);
    let (status, stdout, stderr) = run(dir.path(), &["diff", "m.tally", "new.tally", "leads.csv"]);
    assert_eq!(status, Some(0), "{stderr}");
    let wanted = "leads: 0 scored by both, 0 left out as unreadable\n\
                  stage changed: 0 of 0 leads (–)\n\n\
                  stage transitions (rows: old stage, columns: new)\n  no leads scored\n\n\
                  rules, matched by reason\n\
                  \x20 rule  status     old hits  new hits  old points  new points\n\
                  \x20 Demo  changed           0         0         +20         +25\n\
                  \x20 CEO   unchanged         0         0         +10         +10\n";
    assert!(stdout.ends_with(wanted), "{stdout}");
    let args = [
        "diff",
        "m.tally",
        "new.tally",
        "leads.csv",
        "--format",
        "markdown",
    ];
    let markdown = run(dir.path(), &args).1;
    assert!(
        markdown.contains(
            "### stage transitions (rows: old stage, columns: new)\n\nno leads scored\n\n### rules"
        ),
        "{markdown}"
    );
}

/// NDJSON outcomes: `true`/`false`, strings read as cells, and the
/// numbers 1 and 0 as the cells `1` and `0`; any other number (`1.0`,
/// `2`) is not an outcome, as the cell `2` is not.
#[test]
fn ndjson_outcomes_read_numbers_one_and_zero() {
    let ndjson = "{\"id\":\"1\",\"won\":1}\n{\"id\":\"2\",\"won\":0}\n{\"id\":\"3\",\"won\":\"y\"}\n\
                  {\"id\":\"4\",\"won\":false}\n{\"id\":\"5\",\"won\":1.0}\n{\"id\":\"6\",\"won\":2}\n\
                  {\"id\":\"7\",\"won\":null}\n{\"id\":\"8\",\"won\":[1]}\n";
    let dir = dir_with(&[("m.tally", MODEL), ("leads.ndjson", ndjson)]);
    let args = [
        "backtest",
        "m.tally",
        "leads.ndjson",
        "--outcome",
        "won",
        "--format",
        "json",
    ];
    let (status, stdout, stderr) = run(dir.path(), &args);
    assert_eq!(status, Some(0), "{stderr}");
    let doc: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    // Read: 1 yes, 2 no, 3 yes, 4 no, 7 no; left out: 5, 6, 8.
    assert_eq!(
        (doc["rows"].as_u64(), doc["converted"].as_u64()),
        (Some(5), Some(2))
    );
    assert_eq!(doc["unreadable"], 3);
    assert_eq!(
        stderr,
        "note: `leads.ndjson`: 3 rows left out: their \"won\" cell is not an outcome (a \
         boolean: yes, no, true, false, 1, 0; or a date; empty is not converted)\n"
    );
}

/// Standard input named for two inputs: refused before anything is read
/// (the second reader found it empty and reported a header error, or a
/// model without `fields`).
#[test]
fn standard_input_is_one_input_at_most() {
    let dir = dir_with(&[
        ("m.tally", MODEL),
        ("leads.csv", "id,demo,title,won\n1,yes,CEO,yes\n"),
    ]);
    let cases: [(&[&str], &str); 7] = [
        (
            &["backtest", "-", "-", "--outcome", "won"],
            "MODEL and LEADS",
        ),
        (
            &["calibrate", "-", "-", "--outcome", "won"],
            "MODEL and LEADS",
        ),
        (&["explain", "-", "-", "--row", "1"], "MODEL and LEADS"),
        (&["diff", "-", "-", "leads.csv"], "OLD and NEW"),
        (&["diff", "m.tally", "-", "-"], "NEW and LEADS"),
        (
            &["report", "m.tally", "-", "--baseline", "-", "-o", "r.html"],
            "LEADS and `--baseline`",
        ),
        (
            &["report", "-", "leads.csv", "--diff", "-", "-o", "r.html"],
            "MODEL and `--diff`",
        ),
    ];
    for (args, which) in cases {
        let out = cli::piped(dir.path(), args, MODEL);
        let wanted =
            format!("error: {which} cannot both be standard input: give one of them by name\n");
        assert_eq!(
            (out.status.code(), text(&out.stdout), text(&out.stderr)),
            (Some(2), String::new(), wanted),
            "{args:?}"
        );
    }
}

/// A file with a header and no row: the report and the backtest say no
/// lead was scored, rather than "one outcome only", a PSI of 0 (stable)
/// or a transition table of headers alone.
#[test]
fn a_report_of_a_file_without_leads_says_so() {
    let new = MODEL.replace("add 20 \"Demo\"", "add 25 \"Demo\"");
    let dir = dir_with(&[
        ("m.tally", MODEL),
        ("new.tally", &new),
        ("leads.csv", "id,demo,title,won\n"),
    ]);
    let args = [
        "report",
        "m.tally",
        "leads.csv",
        "-o",
        "r.html",
        "--outcome",
        "won",
        "--baseline",
        "leads.csv",
        "--diff",
        "new.tally",
    ];
    let (status, _, stderr) = run(dir.path(), &args);
    assert_eq!(status, Some(0), "{stderr}");
    let page = std::fs::read_to_string(dir.path().join("r.html")).unwrap();
    for wanted in [
        "<td>score</td><td>–</td><td>no lead scored in one of the files</td>",
        "<p>No suggestion: no lead was scored.</p>",
        "<p>No lead was scored: no transition to show.</p>",
    ] {
        assert!(page.contains(wanted), "{wanted}");
    }
    assert!(!page.contains("old \\ new"));
    let (_, stdout, _) = run(
        dir.path(),
        &["backtest", "m.tally", "leads.csv", "--outcome", "won"],
    );
    assert!(
        stdout.contains("\n  no suggestion: no lead was scored\n"),
        "{stdout}"
    );
}

/// `--format markdown` goes into a pull-request comment: a stage label
/// with a pipe splits no table (headers included), and a reason holding
/// HTML is text there.
#[test]
fn markdown_tables_escape_what_the_model_wrote() {
    let model = MODEL
        .replace("then SQL", "then \"S|QL\"")
        .replace("\"Demo\"", "\"Demo <img src=//x.example/p.gif> & co\"");
    let dir = dir_with(&[
        ("m.tally", &model),
        ("leads.csv", "id,demo,title\n1,yes,x\n2,no,x\n"),
    ]);
    let args = [
        "diff",
        "m.tally",
        "m.tally",
        "leads.csv",
        "--format",
        "markdown",
    ];
    let (status, stdout, stderr) = run(dir.path(), &args);
    assert_eq!(status, Some(0), "{stderr}");
    for wanted in [
        "| old \\ new | S\\|QL | Nurture |\n| --- | ---: | ---: |\n| S\\|QL | 1 | 0 |\n",
        "| Demo &lt;img src=//x.example/p.gif> &amp; co | unchanged | 1 | 1 | +20 | +20 |\n",
    ] {
        assert!(stdout.contains(wanted), "{wanted}\n{stdout}");
    }
}

/// Two columns named like the outcome: which one holds it is not guessed
/// (the first was taken silently), as for a field's column.
#[test]
fn an_outcome_column_given_twice_is_refused() {
    let csv = "id,demo,title,won,won\n1,yes,x,yes,no\n2,no,x,,yes\n";
    let dir = dir_with(&[("m.tally", MODEL), ("leads.csv", csv)]);
    let wanted = "error: `leads.csv`: the outcome column \"won\" is in the header more than once \
                  (columns 4 and 5): rename or remove all but one\n";
    for command in outcome_commands("leads.csv") {
        let command = &command[..];
        let got = run(dir.path(), command);
        assert_eq!(
            got,
            (Some(1), String::new(), wanted.to_string()),
            "{command:?}"
        );
    }
}

/// `calibrate --format markdown` puts the model in a code fence longer
/// than any run of backticks in it: a comment holding three ended the
/// fence and the rest of the model was read as Markdown.
#[test]
fn calibrate_markdown_fences_a_model_holding_backticks() {
    let model = format!("# Fenced in Markdown as ```tally blocks.\n{MODEL}");
    let (csv, _) = leads(120, |i| i % 7 == 1 || i % 3 == 2);
    let dir = dir_with(&[("m.tally", &model), ("leads.csv", &csv)]);
    let args = [
        "calibrate",
        "m.tally",
        "leads.csv",
        "--outcome",
        "won",
        "--format",
        "markdown",
    ];
    let (status, stdout, stderr) = run(dir.path(), &args);
    assert_eq!(status, Some(0), "{stderr}");
    let start = stdout.find("\n````tally\n# Fenced in Markdown as ```tally blocks.\n");
    assert!(start.is_some(), "{stdout}");
    assert!(stdout.ends_with("else Nurture\n````\n"), "{stdout}");
}

/// NDJSON lines that are no objects: left out as unreadable, not taken
/// for objects without the outcome key.
#[test]
fn an_ndjson_file_of_broken_lines_is_not_said_to_lack_the_outcome() {
    let dir = dir_with(&[
        ("m.tally", MODEL),
        ("leads.ndjson", "{\"id\":\"1\",\n[1,2]\n\"x\"\n"),
    ]);
    let (status, stdout, stderr) = run(
        dir.path(),
        &["backtest", "m.tally", "leads.ndjson", "--outcome", "won"],
    );
    assert_eq!((status, stderr.as_str()), (Some(0), ""));
    assert!(
        stdout.contains("\nleads: 0 used, 3 left out as unreadable; 0 converted (–)\n"),
        "{stdout}"
    );
}

/// A model without rules: the rule sections say so instead of printing
/// a table of headers alone.
#[test]
fn a_model_without_rules_says_so() {
    let dir = dir_with(&[
        ("bare.tally", "fields {\n  id: text\n}\n"),
        ("leads.csv", "id,won\n1,yes\n2,no\n"),
    ]);
    let (status, stdout, stderr) = run(
        dir.path(),
        &["backtest", "bare.tally", "leads.csv", "--outcome", "won"],
    );
    assert_eq!(status, Some(0), "{stderr}");
    assert!(
        stdout.ends_with("\nby rule\n  the model has no rules\n"),
        "{stdout}"
    );
    let args = [
        "diff",
        "bare.tally",
        "bare.tally",
        "leads.csv",
        "--format",
        "markdown",
    ];
    let (_, stdout, _) = run(dir.path(), &args);
    assert!(
        stdout.ends_with("\n### rules, matched by reason\n\nneither model has rules\n"),
        "{stdout}"
    );
}
