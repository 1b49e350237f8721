//! Event sets that read the lead's fields (LANGUAGE.md §10: inside a set,
//! a name the event does not have is the lead's field): two leads of one
//! key count different events, exactly, whatever the threads, format or
//! input; `tally test`, `explain` and `plan` show the same.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // tests fail by panicking

#[path = "support/cli.rs"]
mod cli;

use std::path::Path;

use cli::{piped, tally, text};

const MODEL: &str = r#"fields {
  lead_id: text required
  signup:  date
  region:  text
  team:    text
}

events activity {
  lead_id: text key
  at:      date time
  kind:    text
  region:  text
  owner:   text
  minutes: number
}

when count(activity where kind == "webinar" and at >= signup) >= 2 add 10 "Webinars since signup"
when sum(activity where region == "EU", minutes) > 10 add 3 "EU minutes"
when exists(activity where owner == team) add 4 "Own team's events"
when distinct(activity where at >= signup, kind) >= 2 add 1 "Varied since signup"
when max(activity where at < signup, minutes) >= 5 add 7 "Long session before signup"
each activity where at >= signup add 2 decay linear 200 days max 5 "Activity since signup"
if score >= 10 then SQL
"#;

// "a" and "A " are one key (text keys compare as `==` does) with
// different signups and teams; b has no signup; c's only event is after
// the as-of date.
const LEADS: &str = "lead_id,signup,region,team\n\
a,2026-01-01,EU,Sales\n\
A ,2026-06-01,US, sales\n\
b,,EU,\n\
c,2026-01-01,US,Ops\n";

const EVENTS: &str = "lead_id,at,kind,region,owner,minutes\n\
a,2026-02-01,webinar,EU,SALES,5\n\
a,2026-07-01,webinar,EU,ops,6\n\
a,2026-08-01,page,US,ops,1\n\
a,2026-09-01,webinar,us,,\n\
b,2026-03-01,webinar,EU,,20\n\
c,2026-12-05,page,US,Ops,1\n";

fn dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let files = [("m.tally", MODEL), ("leads.csv", LEADS), ("ev.csv", EVENTS)];
    for (name, body) in files {
        std::fs::write(dir.path().join(name), body).unwrap();
    }
    dir
}

fn score(dir: &Path, leads: &str, events: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["score", "m.tally", leads, "--events", events];
    args.extend_from_slice(&["--as-of", "2026-12-01", "--explain"]);
    args.extend_from_slice(extra);
    tally(dir, &args)
}

/// Worked by hand, as of 2026-12-01:
/// - a (signup 2026-01-01, team Sales): 3 webinars since signup (+10);
///   EU minutes 5 + 6 = 11 (+3, `region` is the event's); owner SALES is
///   the team (+4); kinds webinar and page (+1); nothing before signup;
///   each: 4 events of linear 200 days at ages 303, 153, 122, 91 give
///   0 + 0.47 + 0.78 + 1.09 = 2.34.
/// - A (signup 2026-06-01, team " sales"): 2 webinars since signup (+10);
///   +3; owner SALES is " sales" folded (+4); +1; before signup the
///   webinar of 5 minutes (+7); each: 0.47 + 0.78 + 1.09 = 2.34.
/// - b (no signup): a comparison with a missing date is false: only the
///   EU minutes (20, +3); no team, so no owner matches.
/// - c: its event is after the as-of date: nothing.
const SCORED: &str = "lead_id,signup,region,team,score,stage,reasons\n\
a,2026-01-01,EU,Sales,20.34,SQL,Webinars since signup +10; EU minutes +3; Own team's events +4; Varied since signup +1; Activity since signup +2.34\n\
A ,2026-06-01,US, sales,27.34,SQL,Webinars since signup +10; EU minutes +3; Own team's events +4; Varied since signup +1; Long session before signup +7; Activity since signup +2.34\n\
b,,EU,,3,,EU minutes +3\n\
c,2026-01-01,US,Ops,0,,\n";

#[test]
fn two_leads_of_one_key_count_their_own_events() {
    let dir = dir();
    let out = score(dir.path(), "leads.csv", "ev.csv", &["--threads", "1"]);
    assert_eq!(text(&out.stdout), SCORED, "{}", text(&out.stderr));
    assert_eq!(out.status.code(), Some(0));
    let summary = text(&out.stderr);
    assert!(
        summary.contains("events activity: 6 read, 5 used, 0 rejected, 0 matching no lead, 1 after the as-of date"),
        "{summary}"
    );
}

#[test]
fn threads_formats_and_standard_input_give_the_same_bytes() {
    let dir = dir();
    let two = score(dir.path(), "leads.csv", "ev.csv", &["--threads", "2"]);
    assert_eq!(text(&two.stdout), SCORED);
    // Events as NDJSON, in another order.
    let lines: Vec<&str> = EVENTS.lines().skip(1).collect();
    let ndjson: String = (lines.iter().rev())
        .map(|line| {
            let c: Vec<&str> = line.split(',').collect();
            let minutes = if c[5].is_empty() { "null" } else { c[5] };
            format!(
                "{{\"lead_id\":\"{}\",\"at\":\"{}\",\"kind\":\"{}\",\"region\":\"{}\",\"owner\":\"{}\",\"minutes\":{minutes}}}\n",
                c[0], c[1], c[2], c[3], c[4]
            )
        })
        .collect();
    std::fs::write(dir.path().join("ev.ndjson"), ndjson).unwrap();
    let json = score(dir.path(), "leads.csv", "ev.ndjson", &[]);
    assert_eq!(text(&json.stdout), SCORED, "{}", text(&json.stderr));
    let args = [
        "score",
        "m.tally",
        "-",
        "--events",
        "ev.csv",
        "--as-of",
        "2026-12-01",
        "--explain",
    ];
    let stdin = piped(dir.path(), &args, LEADS);
    assert_eq!(text(&stdin.stdout), SCORED, "{}", text(&stdin.stderr));
}

#[test]
fn explain_counts_the_leads_own_events() {
    let dir = dir();
    let args = [
        "explain",
        "m.tally",
        "leads.csv",
        "--events",
        "ev.csv",
        "--as-of",
        "2026-12-01",
        "--row",
        "2",
    ];
    let out = tally(dir.path(), &args);
    let shown = text(&out.stdout);
    assert!(
        shown.contains("count(activity where kind == \"webinar\" and at >= signup) = 2"),
        "{shown}"
    );
    assert!(
        shown.contains(
            "  Activity since signup: 3 events, +2.34 (max 5)\n    \
             2026-07-01  age  153 days  2 × 0.235 = +0.47\n"
        ),
        "{shown}"
    );
    let plan = tally(dir.path(), &["plan", "m.tally"]);
    assert!(text(&plan.stdout).contains(
        "= count(activity where kind == \"webinar\" and at >= signup) (reads the lead's signup: its events are kept, then counted per lead)"
    ));
}

#[test]
fn tests_give_the_leads_fields_to_its_sets() {
    let model = format!(
        "{MODEL}\n\
test \"Since signup\" as of 2026-12-01 {{\n\
  given {{\n\
    signup: 2026-07-01, team: \"ops\",\n\
    activity: [ {{ kind: \"webinar\", at: 2026-11-01, owner: \"OPS\" }},\n\
                {{ kind: \"webinar\", at: 2026-10-02 }},\n\
                {{ kind: \"webinar\", at: 2026-06-02 }} ]\n\
  }}\n\
  expect count(activity where kind == \"webinar\" and at >= signup) == 2\n\
  expect fired(\"Own team's events\")\n\
  expect score == 17.1\n\
}}\n"
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("m.tally"), model).unwrap();
    let out = tally(dir.path(), &["test", "m.tally"]);
    let stdout = text(&out.stdout);
    assert!(stdout.contains("1 passed, 0 failed"), "{stdout}");
    assert_eq!(out.status.code(), Some(0));
}
