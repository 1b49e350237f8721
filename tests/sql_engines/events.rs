//! Events and decay (language sections 10 and 11) against the engines:
//! models with every aggregate, `each` rules with `max` and every decay
//! form, and a decaying `when … since` rule, over generated messy leads
//! and events (key case and outer spaces, Unicode white space, unknown and
//! missing keys, events after the as-of date, RFC 3339 date-times with
//! offsets, rejected events). The interpreter's results come from the
//! binary itself: `tally score … --events NAME=FILE --format ndjson
//! --explain`, and the engine's must equal them row for row.

use std::path::Path;
use std::process::Command;

use serde_json::{json, Value as Json};
use tally::source::Source;
use tally::sql::{compile_sql, Dialect, SqlOptions};
use tally::value::{parse_date_literal, Date};

use super::generate::Rng;
use super::harness::{drive, same};

const ROW: &str = "tally_test_row";

/// A table of text cells; `None` is NULL (an empty CSV cell).
#[derive(Debug, Clone)]
pub struct Table {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Option<String>>>,
}

/// A model, its leads and its events tables.
#[derive(Debug, Clone)]
pub struct EventsJob {
    pub name: String,
    pub model: String,
    pub leads: Table,
    /// `(source, table)`: each events source's rows.
    pub events: Vec<(String, Table)>,
    pub as_of: Date,
    /// Compile without `--as-of`: the engine's today (UTC) must be
    /// `as_of`, in the events' query as in the leads'.
    pub engine_today: bool,
}

const FIELDS: &str = r#"model "Events in SQL" version "1"

fields {
  lead_id:   text
  acct:      int
  last_demo: date
  region:    text required
}

events activity {
  lead_id: text key
  at:      date time
  kind:    text
  page:    text
  minutes: number
}

events orders {
  acct:   int key
  placed: date time
  amount: number
  paid:   bool
}
"#;

/// Every aggregate, each as a group of its own so every value is an
/// output; decaying `when` rules; a tier that reads aggregates.
const AGGREGATES: &str = r#"
when count(activity where kind == "webinar" within 90 days) >= 2 add 10 "Webinar regular"
when last(activity) is missing or not last(activity) within 60 days sub 15 "Gone quiet"

group counts {
  when region is present add count(activity) "All events"
  when region is present add 1000 * count(activity where kind == "webinar" within 90 days) "Webinars 90"
  when exists(orders within 1 year) add 7 "Ordered this year"
  when exists(activity where page == "pricing") add 70000 "Saw pricing"
}

group sums {
  when region is present add sum(activity, minutes) "Minutes"
  when region is present add sum(orders where paid, amount) "Paid"
}

group distincts {
  when region is present add distinct(activity where kind == "page_view", page) "Pages"
  when region is present add 1000 * distinct(activity, kind) "Kinds"
  when region is present add 1000000 * distinct(orders, paid) "Paid states"
}

group extremes {
  when region is present add max(activity, minutes) "Longest"
  when region is present sub min(activity where kind == "page_view", minutes) "Shortest page"
  when region is present add 1000 * max(orders, amount) "Largest order"
}

group dates {
  when region is present add days_since(first(activity)) "First"
  when region is present add 1000 * days_since(last(activity)) "Last"
  when region is present add 1000000 * days_since(max(orders, placed)) "Last order"
  when region is present add 1000000000 * days_since(min(orders where amount > 10, placed)) "First big order"
}

group decaying {
  when last_demo is present add 25 decay 50% every 1 month since last_demo "Demo"
  when last_demo is present add 7.77 decay linear 45 days since last_demo "Demo linear"
  when last_demo is present sub 3 decay half-life 10 days since last_demo "Demo fading"
  when last_demo is present add 13 decay 20% every 1 year since last_demo "Demo yearly"
}

tier heat {
  if exists(activity within 7 days) then Hot
  if count(activity within 30 days) >= 3 then Warm
  else Cold
}
"#;

/// `each` rules: every decay form, `max`, `sub`, `within`, points read
/// from the event, points missing for some events.
const EACH: &str = r#"
each activity where kind == "pricing_view" add 5 max 15 "Pricing views"
each activity where kind == "demo_request" add 25 decay half-life 30 days "Demo requests"
each activity where kind == "email_click" add minutes decay linear 60 days max 12 "Clicks"
each activity where kind == "webinar" within 180 days add 4.5 decay 10% every 1 week "Webinars"
each activity where page contains "pric" sub minutes decay 33.3% every 5 days max 40 "Pricing time"
each activity where kind == "page_view" add 0.0005 decay 30% every 1 day "Fading views"
each orders add amount decay 25% every 2 months max 100 "Orders"
each orders where amount > 50 sub 0.0003 decay 30% every 3 days "Tiny"
each orders where paid add amount / 3 decay half-life 2 weeks "Thirds"
each orders within 2 years add 1 decay 50% every 1 year "Yearly"

if score >= 60 then SQL
if exists(activity where kind == "demo_request" within 30 days) then MQL
else Nurture
"#;

const KEYS: usize = 40;

/// A lead's or an event's key, spelled messily.
pub fn text_key(rng: &mut Rng, known: usize) -> Option<String> {
    let id = rng.below(known);
    let base = match id % 7 {
        0 => format!("Straße-{id}"),
        1 => format!("ΟΔΌΣ-{id}"),
        _ => format!("L{id}"),
    };
    Some(match rng.below(12) {
        0 => return None,
        1 => "   ".to_string(),
        2 => base.to_uppercase(),
        3 => base.to_lowercase(),
        4 => format!("  {base} "),
        5 => format!("\u{a0}{}\u{2003}", base.to_lowercase()),
        6 => format!("X{id}"), // matches no lead
        7 if id.is_multiple_of(7) => format!("STRASSE-{id}"),
        7 if id % 7 == 1 => format!("οδός-{id}"),
        _ => base,
    })
}

pub fn int_key(rng: &mut Rng, bad: bool) -> Option<String> {
    let id = rng.below(12);
    Some(match rng.below(if bad { 10 } else { 5 }) {
        0 => return None,
        1 => format!("00{id}"),
        2 => format!(" {id} "),
        3 => format!("{id}.0"),
        4 => format!("+{id}"),
        5 => "seven".to_string(),     // rejected
        6 => format!("{}", id + 100), // matches no lead
        _ => id.to_string(),
    })
}

/// An event time: mostly a day within a year and a half before `as_of`;
/// some after it, some date-times whose UTC day differs from the local
/// one, some missing or unreadable (rejected events).
pub fn time(rng: &mut Rng, as_of: Date) -> Option<String> {
    let day = |back: i64| {
        (as_of - chrono::Duration::days(back))
            .format("%Y-%m-%d")
            .to_string()
    };
    let back = rng.below(560) as i64 - 20;
    Some(match rng.below(20) {
        0 => return None,
        1 => "2026-02-30".to_string(),
        2 => format!("{}T23:30:00-05:00", day(back)),
        3 => format!("{}T01:15:00+03:00", day(back)),
        4 => format!("{}t12:00:00Z", day(back)),
        5 => format!("{}T23:59:59.5+00:00", day(0)),
        6 => format!("{}T22:00:00-04:00", day(0)),
        7 => format!(" {} ", day(back)),
        8 => day(-1 - rng.below(30) as i64),
        _ => day(back),
    })
}

pub fn number(rng: &mut Rng) -> Option<String> {
    Some(
        rng.pick(&[
            "", "1", "2.5", "30", "0.0001", "-2", " 7 ", "12.3456", "100", "abc", "1e3", "99.99",
            "0",
        ])
        .to_string(),
    )
    .filter(|s| !s.is_empty())
}

pub fn activity(rng: &mut Rng, n: usize, as_of: Date) -> Table {
    let kinds = [
        "webinar",
        "Webinar",
        " WEBINAR ",
        "page_view",
        "Page_View",
        "pricing_view",
        "demo_request",
        "email_click",
        "EMAIL_CLICK",
        "other",
    ];
    let pages = [
        "pricing", "Pricing ", "PRICING", "blog", "Blog", "home", "docs", "", "  ", "ÉCOLE",
        "école",
    ];
    let rows = (0..n)
        .map(|_| {
            vec![
                text_key(rng, KEYS),
                time(rng, as_of),
                Some(rng.pick(&kinds).to_string()),
                Some(rng.pick(&pages).to_string()).filter(|p| !p.is_empty()),
                number(rng),
            ]
        })
        .collect();
    Table {
        columns: ["lead_id", "at", "kind", "page", "minutes"]
            .map(String::from)
            .to_vec(),
        rows,
    }
}

pub fn orders(rng: &mut Rng, n: usize, as_of: Date) -> Table {
    let rows = (0..n)
        .map(|_| {
            let amount = rng.pick(&["10", "55.5", "80", "7.25", "", "-5", "120", "x"]);
            let paid = rng.pick(&["yes", "no", "TRUE", "f", "", "maybe"]);
            vec![
                int_key(rng, true),
                time(rng, as_of),
                Some(amount.to_string()).filter(|a| !a.is_empty()),
                Some(paid.to_string()).filter(|p| !p.is_empty()),
            ]
        })
        .collect();
    Table {
        columns: ["acct", "placed", "amount", "paid"]
            .map(String::from)
            .to_vec(),
        rows,
    }
}

fn leads(rng: &mut Rng, n: usize, as_of: Date) -> Table {
    let rows = (0..n)
        .map(|i| {
            let demo = match rng.below(12) {
                0 => None,
                1 => Some("not a date".to_string()),
                _ => time(rng, as_of),
            };
            let region = Some(
                rng.pick(&["EU", "US", "APAC", "EU", "US", "APAC", "EU", ""])
                    .to_string(),
            )
            .filter(|r| !r.is_empty());
            vec![
                Some(format!("{i:09}")),
                text_key(rng, KEYS + 5),
                int_key(rng, false),
                demo,
                region,
            ]
        })
        .collect();
    Table {
        columns: [ROW, "lead_id", "acct", "last_demo", "region"]
            .map(String::from)
            .to_vec(),
        rows,
    }
}

/// The jobs: both models over generated data, as of two dates, and the
/// first model as of the engine's own today.
pub fn jobs() -> Vec<EventsJob> {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let today = parse_date_literal("1970-01-01").unwrap()
        + chrono::Duration::days((seconds / 86_400) as i64);
    let mut jobs = Vec::new();
    for (seed, (name, rules, as_of)) in [
        ("aggregates", AGGREGATES, parse_date_literal("2026-11-22")),
        ("each", EACH, parse_date_literal("2026-11-22")),
        (
            "aggregates-march",
            AGGREGATES,
            parse_date_literal("2026-03-01"),
        ),
        ("each-march", EACH, parse_date_literal("2026-03-01")),
        ("aggregates-engine-today", AGGREGATES, None),
    ]
    .into_iter()
    .enumerate()
    {
        let engine_today = as_of.is_none();
        let as_of = as_of.unwrap_or(today);
        let mut rng = Rng::new(7_000 + seed as u64);
        jobs.push(EventsJob {
            name: name.to_string(),
            model: format!("{FIELDS}{rules}"),
            leads: leads(&mut rng, 400, as_of),
            events: vec![
                ("activity".to_string(), activity(&mut rng, 4000, as_of)),
                ("orders".to_string(), orders(&mut rng, 600, as_of)),
            ],
            as_of,
            engine_today,
        });
    }
    jobs
}

/// RFC 4180: every cell quoted, quotes doubled.
pub fn csv(table: &Table) -> String {
    let line = |cells: Vec<&str>| {
        let quoted: Vec<String> = cells
            .iter()
            .map(|c| format!("\"{}\"", c.replace('"', "\"\"")))
            .collect();
        quoted.join(",") + "\n"
    };
    let mut out = line(table.columns.iter().map(String::as_str).collect());
    for row in &table.rows {
        out.push_str(&line(
            row.iter().map(|c| c.as_deref().unwrap_or("")).collect(),
        ));
    }
    out
}

/// What the binary says of each lead it scored, by row number: its
/// output columns (numbers as text) and its reasons as `tally score
/// --explain` writes them in CSV.
fn interpreter(job: &EventsJob, dir: &Path) -> std::collections::HashMap<String, Json> {
    let (records, stderr) = score_job(job, dir);
    assert!(
        stderr.contains("events activity") && stderr.contains("rejected"),
        "{}: {stderr}",
        job.name
    );
    records
}

/// Run `tally score --format ndjson --explain` on a job's files in
/// `dir`: its records by row number, and what it wrote to standard error.
pub fn score_job(job: &EventsJob, dir: &Path) -> (std::collections::HashMap<String, Json>, String) {
    let write = |name: &str, text: String| {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_string()
    };
    let model = write("model.tally", job.model.clone());
    let leads = write("leads.csv", csv(&job.leads));
    let mut args = vec![
        "score".to_string(),
        model,
        leads,
        "--as-of".to_string(),
        job.as_of.to_string(),
        "--format".to_string(),
        "ndjson".to_string(),
        "--explain".to_string(),
    ];
    for (source, table) in &job.events {
        let path = write(&format!("{source}.csv"), csv(table));
        args.push("--events".to_string());
        args.push(format!("{source}={path}"));
    }
    let out = Command::new(env!("CARGO_BIN_EXE_tally"))
        .args(&args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    // Rejected leads and events make the status 1; anything else is wrong.
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}: tally score failed: {}",
        job.name,
        String::from_utf8_lossy(&out.stderr)
    );
    let records = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|line| {
            let record: Json = serde_json::from_str(line).unwrap();
            (record[ROW].as_str().unwrap().to_string(), record)
        })
        .collect();
    (records, String::from_utf8_lossy(&out.stderr).into_owned())
}

/// `Reason +points; …`, as the SQL `reasons` column writes them.
pub fn reasons(record: &Json) -> String {
    let parts: Vec<String> = record["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let points: rust_decimal::Decimal = r["points"].to_string().parse().unwrap();
            let signed = if points.is_sign_negative() && !points.is_zero() {
                points.normalize().to_string()
            } else {
                format!("+{}", points.abs().normalize())
            };
            format!("{} {signed}", r["reason"].as_str().unwrap())
        })
        .collect();
    parts.join("; ")
}

/// What one engine run compared.
#[derive(Debug, Default)]
pub struct Compared {
    pub rows: usize,
    pub rejected: usize,
    pub fired: usize,
    pub problems: Vec<String>,
    pub seconds: f64,
}

/// Compile every job for `dialect`, run it in `engine`, and compare each
/// row with the binary's.
pub fn run(engine: &str, dialect: Dialect) -> Compared {
    let (compared, _) = run_jobs(engine, dialect, &jobs());
    compared
}

/// [`run`] for any jobs; also the engine's result of each job.
pub fn run_jobs(engine: &str, dialect: Dialect, jobs: &[EventsJob]) -> (Compared, Vec<Json>) {
    let dir = tempfile::tempdir().unwrap();
    let explain = matches!(dialect, Dialect::DuckDb | Dialect::Postgres);
    let mut payload = Vec::new();
    for (index, job) in jobs.iter().enumerate() {
        let compiled = tally::compile(&Source::new(job.name.as_str(), job.model.clone()));
        let model = compiled
            .model
            .unwrap_or_else(|| panic!("{}: {:?}", job.name, compiled.findings));
        // The second job reads its events from tables of other names.
        let renamed = index % 2 == 1;
        let table_of = |source: &str| match renamed {
            true => format!("crm_{source}_{index}"),
            false => source.to_string(),
        };
        let options = SqlOptions {
            dialect,
            table: format!("leads_{index}"),
            as_of: (!job.engine_today).then_some(job.as_of),
            explain,
            events_tables: match renamed {
                true => job
                    .events
                    .iter()
                    .map(|(s, _)| (s.clone(), table_of(s)))
                    .collect(),
                false => Vec::new(),
            },
        };
        let sql = compile_sql(&model, &options).unwrap_or_else(|e| panic!("{}: {e:?}", job.name));
        let tables: Vec<Json> = (job.events.iter())
            .map(|(s, t)| json!({"table": table_of(s), "columns": t.columns, "rows": t.rows}))
            .collect();
        payload.push(json!({
            "table": format!("leads_{index}"),
            "columns": job.leads.columns,
            "rows": job.leads.rows,
            "tables": tables,
            "sql": sql,
        }));
    }
    let (results, seconds) = drive(engine, &payload);
    let mut compared = Compared {
        seconds,
        ..Compared::default()
    };
    for (job, result) in jobs.iter().zip(&results) {
        let want = interpreter(job, dir.path());
        compare(job, result, &want, &mut compared);
    }
    (compared, results)
}

pub fn compare(
    job: &EventsJob,
    result: &Json,
    want: &std::collections::HashMap<String, Json>,
    compared: &mut Compared,
) {
    if let Some(error) = result.get("error") {
        compared
            .problems
            .push(format!("{}: the engine failed: {error}", job.name));
        return;
    }
    let columns: Vec<&str> = result["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    let at = |name: &str| columns.iter().rposition(|c| *c == name).unwrap();
    let first_output = at("tally_error") + 1;
    let rows = result["rows"].as_array().unwrap();
    assert_eq!(rows.len(), job.leads.rows.len(), "{}", job.name);
    let mut shown = 0;
    for row in rows {
        let row = row.as_array().unwrap();
        compared.rows += 1;
        let number = row[at(ROW)].as_str().unwrap();
        let mut diffs = Vec::new();
        match (row[at("tally_error")].as_str(), want.get(number)) {
            (Some(_), None) => compared.rejected += 1,
            (Some(error), Some(_)) => diffs.push(format!("rejected ({error}), but scored")),
            (None, None) => diffs.push("scored, but rejected".to_string()),
            (None, Some(record)) => {
                for (i, name) in columns.iter().enumerate().skip(first_output) {
                    let value = match *name {
                        "reasons" => Some(reasons(record)),
                        _ => match &record[*name] {
                            Json::Null => None,
                            Json::String(s) if s.is_empty() => None,
                            Json::String(s) => Some(s.clone()),
                            other => Some(other.to_string()),
                        },
                    };
                    if !same(&row[i], value.as_deref()) {
                        diffs.push(format!("{name} {}, wanted {value:?}", row[i]));
                    }
                }
                compared.fired += record["reasons"].as_array().map_or(0, Vec::len);
            }
        }
        if !diffs.is_empty() && shown < 8 {
            shown += 1;
            compared
                .problems
                .push(format!("{} row {number}: {}", job.name, diffs.join("; ")));
        }
    }
}
