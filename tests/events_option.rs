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
