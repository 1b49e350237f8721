//! Behaviour over time (language 1.1): scoring with events files, as a
//! user runs it: exact scores, the summary, rejected events, formats,
//! thread counts and `tally test` with events in `given`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // tests fail by panicking

#[path = "support/cli.rs"]
mod cli;

use std::io::Write;
use std::path::Path;

use cli::{piped, tally, text};

const MODEL: &str = r#"fields {
  lead_id: text required
  last_demo: date
}

events activity {
  lead_id: text key
  at:      date time
  kind:    text
  page:    text
  minutes: number
}

when count(activity where kind == "webinar" within 90 days) >= 2 add 10 "Webinar regular"
when not exists(activity within 60 days)                       sub 15 "Gone quiet"
when distinct(activity where kind == "page_view", page) >= 2   add 5  "Browses widely"
when exists(activity) add sum(activity, minutes) / 10 "Minutes"
when last(activity) within 7 days add 1 "Seen this week"
when first(activity) is present and not first(activity) within 100 days add 2 "Long-time visitor"
when max(activity, minutes) >= 30 add 3 "Long session"
when min(activity, minutes) < 5 sub 1 "Short session"
when last_demo is present add 20 decay 50% every 1 month since last_demo "Demo"
each activity where kind == "pricing" add 5 decay half-life 7 days max 8 "Pricing"
each activity where kind == "click" add 4 decay linear 20 days "Clicks"
"#;

const LEADS: &str = "lead_id,last_demo\nL1,2026-10-22\nl2,\nL3,2026-11-22\nL4,\n";

const EVENTS: &str = "lead_id,at,kind,page,minutes\n\
L1,2026-11-01,webinar,,40\n\
L1,2026-09-01,webinar,,10\n\
 l1 ,2026-11-20,page_view,/pricing,2\n\
L1,2026-11-21T23:30:00-02:00,page_view,/docs,\n\
L1,2026-11-22,pricing,,\n\
L1,2026-11-15,pricing,,\n\
L1,2026-11-15,pricing,,\n\
L2,2026-11-17,click,,\n\
L2,2026-12-01,webinar,,\n\
L3,2026-06-01,page_view,/a,7\n\
L9,2026-11-01,webinar,,\n\
,2026-11-01,webinar,,\n\
L4,yesterday,webinar,,\n";

/// Write `files` into a fresh directory.
fn dir_with(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, body) in files {
        std::fs::write(dir.path().join(name), body).unwrap();
    }
    dir
}

fn score(dir: &Path, events: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "score",
        "m.tally",
        "leads.csv",
        "--as-of",
        "2026-11-22",
        "--events",
        events,
        "--format",
        "ndjson",
    ];
    args.extend_from_slice(extra);
    tally(dir, &args)
}

#[test]
fn events_score_exactly_with_a_summary_and_rejected_events() {
    let dir = dir_with(&[
        ("m.tally", MODEL.as_bytes()),
        ("leads.csv", LEADS.as_bytes()),
        ("events.csv", EVENTS.as_bytes()),
    ]);
    let out = score(dir.path(), "events.csv", &[]);
    // L1: webinars within 90 days: 1 (11-01; 09-01 is 82 days… no: 82 ≤ 90) → 2 → +10;
    // page views /pricing and /docs: distinct 2 → +5; minutes 40+10+2 = 52 → +5.2;
    // last 11-22 → +1; first 09-01 is 82 days ago → no; max 40 → +3; min 2 → −1;
    // demo 1 month ago → 20 × 0.5 = 10; pricing 5 + 2.5 + 2.5 = 10, max 8 → 8.
    // l2: click 5 days ago: 4 × 15/20 = 3; a future webinar is ignored;
    // exists within 60 days → not quiet.
    // L3: one page view 174 days ago → quiet −15; minutes 0.7; first is 174
    // days ago → +2; min 7. Demo today → +20.
    // L4: its only event is rejected → quiet −15.
    assert_eq!(
        text(&out.stdout),
        "{\"lead_id\":\"L1\",\"last_demo\":\"2026-10-22\",\"score\":41.2}\n\
         {\"lead_id\":\"l2\",\"last_demo\":\"\",\"score\":4}\n\
         {\"lead_id\":\"L3\",\"last_demo\":\"2026-11-22\",\"score\":7.7}\n\
         {\"lead_id\":\"L4\",\"last_demo\":\"\",\"score\":-15}\n"
    );
    assert_eq!(
        text(&out.stderr),
        "events activity row 13: column \"at\": cannot read \"yesterday\" as date: expected a date as `YYYY-MM-DD`, such as `2026-11-22` (or an RFC 3339 date-time)\n\
         read 4 rows: 4 scored, 0 rejected\n\
         events activity: 13 read, 9 used, 1 rejected, 2 matching no lead, 1 after the as-of date\n"
    );
    assert_eq!(out.status.code(), Some(1), "a rejected event fails the run");
}

#[test]
fn explain_shows_aggregates_and_each_event_with_its_decay() {
    let dir = dir_with(&[
        ("m.tally", MODEL.as_bytes()),
        ("leads.csv", LEADS.as_bytes()),
        ("events.csv", EVENTS.as_bytes()),
    ]);
    let args = [
        "explain",
        "m.tally",
        "leads.csv",
        "--id",
        "L1",
        "--as-of",
        "2026-11-22",
        "--events",
        "events.csv",
    ];
    let out = tally(dir.path(), &args);
    let stdout = text(&out.stdout);
    for line in [
        "row 1 (lead_id \"L1\"): score 41.2\n",
        "  yes      +10    Webinar regular\n                  count(activity where kind == \"webinar\" within 90 days) = 2\n",
        "                  exists(activity) = true, sum(activity, minutes) = 52\n",
        "                  distinct(activity where kind == \"page_view\", page) = 2\n",
        "  yes      +8     Pricing\n",
        // Spec section 11: each decayed contribution with its age and
        // factor, the `when … since` rule's too.
        "  yes      +10    Demo\n                  last_demo = 2026-10-22\n                  \
         decay 50% every 1 month since 2026-10-22: age 31 days, 20 × 0.5 = +10\n",
        "\nevents of this lead, per `each` rule\n  Pricing: 3 events, +10, limited to max 8\n    2026-11-15  age    7 days  5 × 0.5 = +2.5\n    2026-11-15  age    7 days  5 × 0.5 = +2.5\n    2026-11-22  age    0 days  5 × 1 = +5\n",
    ] {
        assert!(stdout.contains(line), "{line}\nnot in\n{stdout}");
    }
    assert!(!stdout.contains("Clicks: "), "no events, no list: {stdout}");
    let json = tally(dir.path(), &[&args[..], &["--format", "json"]].concat());
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(doc["each"][0]["reason"], "Pricing");
    assert_eq!(doc["each"][0]["events"][0]["factor"], 0.5);
    assert_eq!(doc["each"][0]["events"][2]["added"], 5);
    let demo = &doc["rules"][8];
    assert_eq!(demo["reason"], "Demo");
    assert_eq!(
        demo["decay"],
        serde_json::json!({"form": "50% every 1 month", "since": "2026-10-22",
                           "age": 31, "factor": 0.5, "points": 20})
    );
    assert_eq!(doc["rules"][0]["decay"], serde_json::Value::Null);
}

#[test]
fn the_quality_commands_read_events_too() {
    let new = MODEL.replace(
        "add 5 decay half-life 7 days max 8 \"Pricing\"",
        "add 50 \"Pricing\"",
    );
    let dir = dir_with(&[
        ("m.tally", MODEL.as_bytes()),
        ("new.tally", new.as_bytes()),
        ("leads.csv", LEADS.as_bytes()),
        ("events.csv", EVENTS.as_bytes()),
    ]);
    let out = tally(
        dir.path(),
        &[
            "diff",
            "m.tally",
            "new.tally",
            "leads.csv",
            "--as-of",
            "2026-11-22",
            "--events",
            "events.csv",
            "--format",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // L1's three pricing views: 150 instead of 8 (decayed 10, limited).
    assert_eq!(doc["score_change"]["max"], 142.0);
    assert_eq!(doc["rows"], 4);
}

#[test]
fn ndjson_and_gzipped_events_score_as_csv_does() {
    let ndjson = "{\"lead_id\":\"L1\",\"at\":\"2026-11-01\",\"kind\":\"webinar\",\"minutes\":40}\n\
                  {\"lead_id\":\" l1\",\"at\":\"2026-11-10\",\"kind\":\"webinar\"}\n\
                  {\"lead_id\":\"L2\",\"at\":\"2026-11-17T10:00:00Z\",\"kind\":\"click\"}\n";
    let csv = "lead_id,at,kind,page,minutes\nL1,2026-11-01,webinar,,40\n l1,2026-11-10,webinar,,\nL2,2026-11-17T10:00:00Z,click,,\n";
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(csv.as_bytes()).unwrap();
    let gz = gz.finish().unwrap();
    let dir = dir_with(&[
        ("m.tally", MODEL.as_bytes()),
        ("leads.csv", LEADS.as_bytes()),
        ("e.csv", csv.as_bytes()),
        ("e.ndjson", ndjson.as_bytes()),
        ("e.csv.gz", &gz),
    ]);
    let from_csv = score(dir.path(), "e.csv", &[]);
    assert_eq!(
        from_csv.status.code(),
        Some(0),
        "{}",
        text(&from_csv.stderr)
    );
    for other in ["e.ndjson", "activity=e.csv.gz"] {
        let out = score(dir.path(), other, &[]);
        assert_eq!(out.stdout, from_csv.stdout, "{other}");
        assert_eq!(out.status.code(), Some(0), "{other}");
    }
    assert!(text(&from_csv.stdout)
        .starts_with("{\"lead_id\":\"L1\",\"last_demo\":\"2026-10-22\",\"score\":27}\n"));
}

#[test]
fn bytes_do_not_depend_on_threads_or_the_order_of_events() {
    let mut leads = String::from("lead_id,last_demo\n");
    let mut events = String::from("lead_id,at,kind,page,minutes\n");
    for i in 0..20_000u32 {
        leads.push_str(&format!("L{i},\n"));
        for j in 0..3u32 {
            let day = 1 + (i * 7 + j * 3) % 28;
            let kind = ["webinar", "pricing", "click", "page_view"][((i + j) % 4) as usize];
            events.push_str(&format!(
                "{}L{i},2026-11-{day:02},{kind},/p{},{}.{}\n",
                if j == 1 { " " } else { "" },
                (i + j) % 5,
                (i * j) % 60,
                j
            ));
        }
    }
    let mut reversed: Vec<&str> = events.lines().skip(1).collect();
    reversed.reverse();
    let reversed = format!("lead_id,at,kind,page,minutes\n{}\n", reversed.join("\n"));
    let dir = dir_with(&[
        ("m.tally", MODEL.as_bytes()),
        ("leads.csv", leads.as_bytes()),
        ("e.csv", events.as_bytes()),
        ("r.csv", reversed.as_bytes()),
    ]);
    let one = score(dir.path(), "e.csv", &["--threads", "1"]);
    assert_eq!(one.status.code(), Some(0), "{}", text(&one.stderr));
    let two = score(dir.path(), "e.csv", &["--threads", "2"]);
    let backwards = score(dir.path(), "r.csv", &["--threads", "2"]);
    assert_eq!(one.stdout, two.stdout);
    assert_eq!(one.stdout, backwards.stdout);
    assert_eq!(text(&one.stdout).lines().count(), 20_000);
}

#[test]
fn the_events_option_names_what_is_wrong() {
    let dir = dir_with(&[
        ("m.tally", MODEL.as_bytes()),
        ("leads.csv", LEADS.as_bytes()),
        ("e.csv", b"lead_id,when,kind\n"),
    ]);
    let cases: [(&[&str], &str); 4] = [
        (
            &[],
            "error: the model reads the events `activity`: give their file with `--events activity=FILE`\n",
        ),
        (
            &["--events", "clicks=e.csv", "--events", "x.csv"],
            "error: cannot tell which events `clicks=e.csv` are: the model has no events block `clicks`; its blocks: `activity`\n",
        ),
        (
            &["--events", "missing.csv"],
            "error: cannot read `missing.csv`: no such file or directory\n",
        ),
        (&["--events", "e.csv"], "column"),
    ];
    for (extra, wanted) in cases {
        let mut args = vec!["score", "m.tally", "leads.csv", "--as-of", "2026-11-22"];
        args.extend_from_slice(extra);
        let out = tally(dir.path(), &args);
        let stderr = text(&out.stderr);
        assert!(stderr.contains(wanted), "{extra:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{extra:?}: nothing is scored");
        assert_ne!(out.status.code(), Some(0), "{extra:?}");
    }
}

#[test]
fn events_on_standard_input_are_named_so_and_never_shared() {
    let dir = dir_with(&[
        ("m.tally", MODEL.as_bytes()),
        ("leads.csv", LEADS.as_bytes()),
    ]);
    let as_of = ["--as-of", "2026-11-22"];
    // Events from standard input score as from a file.
    let from_file = dir_with(&[("e.csv", EVENTS.as_bytes())]);
    let path = from_file.path().join("e.csv");
    let file = score(dir.path(), path.to_str().unwrap(), &[]);
    let stdin = piped(
        dir.path(),
        &[
            "score",
            "m.tally",
            "leads.csv",
            "--events",
            "-",
            "--format",
            "ndjson",
            as_of[0],
            as_of[1],
        ],
        EVENTS,
    );
    assert!(text(&file.stdout).starts_with("{\"lead_id\":\"L1\""));
    assert_eq!(text(&stdin.stdout), text(&file.stdout));
    // A bad header names standard input, not `-`.
    let bad = piped(
        dir.path(),
        &[
            "score",
            "m.tally",
            "leads.csv",
            "--events",
            "-",
            as_of[0],
            as_of[1],
        ],
        "x,y\n1,2\n",
    );
    let stderr = text(&bad.stderr);
    assert!(
        stderr.contains("× standard input: column \"lead_id\""),
        "{stderr}"
    );
    assert!(!stderr.contains("`-`"), "{stderr}");
    // One stream cannot be two files.
    for (args, wanted) in [
        (
            ["score", "m.tally", "-", "--events", "-"],
            "error: LEADS and `--events` cannot both be standard input: give one of them by name\n",
        ),
        (
            ["score", "-", "leads.csv", "--events", "-"],
            "error: MODEL and `--events` cannot both be standard input\n",
        ),
    ] {
        let out = piped(dir.path(), &args, EVENTS);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_eq!(text(&out.stderr), wanted, "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
}

#[test]
fn an_events_header_that_is_not_utf8_is_the_inputs_problem() {
    let dir = dir_with(&[
        ("m.tally", MODEL.as_bytes()),
        ("leads.csv", LEADS.as_bytes()),
        ("e.csv", b"lead_id,\xffat,kind\nL1,2026-11-01,webinar\n"),
    ]);
    let out = score(dir.path(), "e.csv", &[]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("tally::header_not_utf8"), "{stderr}");
    assert!(
        stderr.ends_with("error: `e.csv`: 1 header error; no row was read\n"),
        "{stderr}"
    );
}

#[test]
fn tests_give_events_in_given() {
    let model = format!(
        "{MODEL}\n\
test \"Two recent webinars\" as of 2026-11-22 {{\n\
  given {{\n\
    lead_id: \"L1\",\n\
    activity: [ {{ kind: \"webinar\", at: 2026-11-01 }},\n\
                {{ kind: \"webinar\", at: 2026-10-02, minutes: 50 }} ]\n\
  }}\n\
  expect fired(\"Webinar regular\")\n\
  expect fired(\"Minutes\")\n\
  expect count(activity) == 2\n\
  expect not fired(\"Gone quiet\")\n\
}}\n\
test \"No events\" as of 2026-11-22 {{\n\
  given {{ lead_id: \"L2\" }}\n\
  expect fired(\"Gone quiet\")\n\
  expect score == -15\n\
}}\n\
test \"Wrong\" as of 2026-11-22 {{\n\
  given {{ activity: [ {{ kind: \"pricing\", at: 2026-11-22 }} ] }}\n\
  expect score == 7\n\
}}\n"
    );
    let dir = dir_with(&[("m.tally", model.as_bytes())]);
    let out = tally(dir.path(), &["test", "m.tally"]);
    let stdout = text(&out.stdout);
    assert!(stdout.contains("2 passed, 1 failed"), "{stdout}");
    assert!(stdout.contains("Wrong"), "{stdout}");
    assert_eq!(out.status.code(), Some(1));
}
