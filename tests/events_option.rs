//! `--events [NAME=]FILE` written wrong, and events read by every command
//! that scores (CLI.md: `explain`, `diff`, `backtest`, `calibrate` and
//! `report` take it as `score` does): each mistake gets a message that
//! says what is wrong and how to write it, before any lead is read.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // tests fail by panicking

#[path = "support/cli.rs"]
mod cli;

use cli::{tally, text};

const ONE: &str = r#"fields {
  lead_id: text required
}

events activity {
  lead_id: text key
  at:      date time
  kind:    text
}

when count(activity where kind == "webinar") >= 1 add 10 "Webinar"
"#;

const TWO: &str = r#"fields {
  lead_id: text required
}

events activity {
  lead_id: text key
  at:      date time
  kind:    text
}

events tickets {
  lead_id: text key
  opened:  date time
}

when count(activity where kind == "webinar") >= 1 add 10 "Webinar"
when exists(tickets) sub 5 "Has tickets"
"#;

const LEADS: &str = "lead_id\nL1\nL2\n";

/// Write `files` into a fresh directory.
fn dir_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, body) in files {
        std::fs::write(dir.path().join(name), body).unwrap();
    }
    dir
}

/// `tally score MODEL leads.csv` with `events`: its exit status, output
/// and standard error.
fn score_with(
    dir: &std::path::Path,
    model: &str,
    events: &[&str],
) -> (Option<i32>, String, String) {
    let mut args = vec!["score", model, "leads.csv", "--as-of", "2026-11-22"];
    for e in events {
        args.extend(["--events", e]);
    }
    let out = tally(dir, &args);
    (out.status.code(), text(&out.stdout), text(&out.stderr))
}

#[test]
fn a_misspelt_events_option_says_how_to_write_it() {
    let dir = dir_with(&[
        ("one.tally", ONE),
        ("two.tally", TWO),
        ("leads.csv", LEADS),
        ("e.csv", "lead_id,at,kind\nL1,2026-11-01,webinar\n"),
    ]);
    let cases: [(&str, &[&str], &str); 8] = [
        (
            "one.tally",
            &["activity="],
            "`--events activity=` names no file: write the file of the events `activity` \
             after `=`, as `--events activity=activity.csv`",
        ),
        (
            "one.tally",
            &["=e.csv"],
            "`--events =e.csv` names no events block before `=`: write `--events activity=e.csv`",
        ),
        (
            "one.tally",
            &[""],
            "`--events` names no file: write `--events activity=activity.csv`",
        ),
        (
            "one.tally",
            &["nosuch=e.csv"],
            "cannot tell which events `nosuch=e.csv` are: the model has no events block \
             `nosuch`; its blocks: `activity`",
        ),
        (
            "two.tally",
            &["e.csv"],
            "cannot tell which events `e.csv` are: the model has several events blocks \
             (`activity`, `tickets`): write `--events NAME=FILE` for each",
        ),
        (
            "two.tally",
            &["=e.csv"],
            "`--events =e.csv` names no events block before `=`: write `--events NAME=FILE` \
             with NAME one of `activity`, `tickets`",
        ),
        (
            "two.tally",
            &["tickets=", "activity=e.csv"],
            "`--events tickets=` names no file: write the file of the events `tickets` after \
             `=`, as `--events tickets=tickets.csv`",
        ),
        (
            "two.tally",
            &["activity=e.csv"],
            "the model reads the events `tickets`: give their file with `--events tickets=FILE`",
        ),
    ];
    for (model, events, wanted) in cases {
        let got = score_with(dir.path(), model, events);
        let wanted = (Some(2), String::new(), format!("error: {wanted}\n"));
        assert_eq!(got, wanted, "{model} {events:?}");
    }
}

#[test]
fn a_path_with_an_equals_sign_is_read_as_a_path() {
    let dir = dir_with(&[
        ("one.tally", ONE),
        ("leads.csv", LEADS),
        ("a=b.csv", "lead_id,at,kind\nL2,2026-11-01,webinar\n"),
    ]);
    let got = score_with(dir.path(), "one.tally", &["./a=b.csv"]);
    assert_eq!(
        got,
        (
            Some(0),
            "lead_id,score\nL1,0\nL2,10\n".to_string(),
            "read 2 rows: 2 scored, 0 rejected\n\
             events activity: 1 read, 1 used, 0 rejected, 0 matching no lead\n"
                .to_string()
        )
    );
}

const NO_EVENTS: &str = r#"fields {
  lead_id: text required
}

when lead_id == "L1" add 1 "First"
"#;

const EVENTS: &str =
    "lead_id,at,kind\nL1,2026-11-01,webinar\nL2,2026-11-02,click\nL2,someday,webinar\n";

fn run(dir: &std::path::Path, args: &[&str]) -> (Option<i32>, String, String) {
    let out = tally(dir, args);
    (out.status.code(), text(&out.stdout), text(&out.stderr))
}

fn run_piped(dir: &std::path::Path, args: &[&str], input: &str) -> (Option<i32>, String, String) {
    let out = cli::piped(dir, args, input);
    (out.status.code(), text(&out.stdout), text(&out.stderr))
}

const NOTE: &str = "note: 1 event left out as unreadable, as `score` rejects them: events \
                    activity row 3: column \"at\": cannot read \"someday\" as date: expected a \
                    date as `YYYY-MM-DD`, such as `2026-11-22` (or an RFC 3339 date-time)\n";

/// `diff OLD NEW` where one model reads events and the other does not:
/// `--events` gives the file of the one that does.
#[test]
fn diff_takes_the_events_of_either_model() {
    let dir = dir_with(&[
        ("old.tally", NO_EVENTS),
        ("new.tally", ONE),
        ("leads.csv", LEADS),
        ("e.csv", EVENTS),
    ]);
    for (old, new, change) in [
        ("old.tally", "new.tally", 10.0),
        ("new.tally", "old.tally", -10.0),
    ] {
        let args = [
            "diff",
            old,
            new,
            "leads.csv",
            "--events",
            "e.csv",
            "--as-of",
            "2026-11-22",
            "--format",
            "json",
        ];
        let (status, stdout, stderr) = run(dir.path(), &args);
        assert_eq!((status, stderr.as_str()), (Some(0), NOTE), "{old} {new}");
        let doc: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        // L1: +1 in the old model against +10 (its webinar) in the new.
        let wanted = if change > 0.0 { 9.0 } else { -9.0 };
        let field = if change > 0.0 { "max" } else { "min" };
        assert_eq!(doc["score_change"][field], wanted, "{old} {new}");
        assert_eq!(doc["rows"], 2);
    }
    let args = [
        "diff",
        "old.tally",
        "old.tally",
        "leads.csv",
        "--events",
        "e.csv",
    ];
    let wanted = "error: `--events` was given, but neither model has an `events` block\n";
    assert_eq!(
        run(dir.path(), &args),
        (Some(2), String::new(), wanted.into())
    );
}

/// `--events -` read once per model (`diff`) or twice (`explain`, for the
/// lead's own events): standard input is kept and read again, so the
/// results are those of the file given by name.
#[test]
fn events_on_standard_input_can_be_read_again() {
    let dir = dir_with(&[
        ("old.tally", NO_EVENTS),
        ("new.tally", ONE),
        (
            "each.tally",
            &format!("{ONE}each activity add 2 \"Each event\"\n"),
        ),
        ("leads.csv", LEADS),
        ("e.csv", EVENTS),
    ]);
    let cases: [&[&str]; 3] = [
        &[
            "diff",
            "new.tally",
            "each.tally",
            "leads.csv",
            "--as-of",
            "2026-11-22",
        ],
        &[
            "diff",
            "old.tally",
            "new.tally",
            "leads.csv",
            "--as-of",
            "2026-11-22",
        ],
        &[
            "explain",
            "each.tally",
            "leads.csv",
            "--row",
            "2",
            "--as-of",
            "2026-11-22",
        ],
    ];
    for args in cases {
        let by_name = run(dir.path(), &[args, &["--events", "e.csv"]].concat());
        assert_eq!(by_name.0, Some(0), "{args:?}: {}", by_name.2);
        let piped = run_piped(dir.path(), &[args, &["--events", "-"]].concat(), EVENTS);
        assert_eq!(piped, by_name, "{args:?}");
    }
    let explained = run(dir.path(), &[cases[2], &["--events", "e.csv"]].concat()).1;
    assert!(
        explained.contains("  Each event: 1 event, +2\n"),
        "{explained}"
    );
}

#[test]
fn explain_reports_an_events_header_as_score_does() {
    let dir = dir_with(&[
        ("one.tally", ONE),
        ("leads.csv", LEADS),
        ("e.csv", "lead_id,when,kind\n"),
    ]);
    let wanted = "tally::missing_column\n\n  × `e.csv`: column \"at\" (field `at`) is not in the \
                  header\n  help: the closest column is \"when\"\n\nerror: `e.csv`: 1 header \
                  error; no row was read\n";
    for command in ["score", "explain", "backtest"] {
        let mut args = vec![command, "one.tally", "leads.csv", "--events", "e.csv"];
        match command {
            "explain" => args.extend(["--row", "1"]),
            "backtest" => args.extend(["--outcome", "lead_id"]),
            _ => {}
        }
        let got = run(dir.path(), &args);
        assert_eq!(
            got,
            (Some(1), String::new(), wanted.to_string()),
            "{command}"
        );
    }
    let args = ["explain", "one.tally", "-", "--row", "1", "--events", "-"];
    let wanted = "error: LEADS and `--events` cannot both be standard input: give one of them \
                  by name\n";
    let got = run_piped(dir.path(), &args, LEADS);
    assert_eq!(got, (Some(2), String::new(), wanted.to_string()));
}

/// Commands without a rejects file say how many events they left out.
#[test]
fn rejected_events_are_noted_by_commands_without_a_rejects_file() {
    let dir = dir_with(&[
        ("one.tally", ONE),
        ("leads.csv", "lead_id,won\nL1,yes\nL2,no\n"),
        ("e.csv", EVENTS),
    ]);
    for command in [
        &["backtest", "one.tally", "leads.csv", "--outcome", "won"][..],
        &["explain", "one.tally", "leads.csv", "--row", "1"],
        &[
            "report",
            "one.tally",
            "leads.csv",
            "-o",
            "r.html",
            "--baseline",
            "leads.csv",
        ],
    ] {
        let args = [command, &["--events", "e.csv", "--as-of", "2026-11-22"]].concat();
        let (status, _, stderr) = run(dir.path(), &args);
        assert_eq!((status, stderr.as_str()), (Some(0), NOTE), "{command:?}");
    }
}
