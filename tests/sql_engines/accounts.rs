//! Accounts (language section 12) against the engines: a model with
//! every kind of account value (input-level ones with and without
//! conditions, reading fields, lets and aggregates over events;
//! score-level ones reading `score` and a group) and a ladder and a tier
//! that use them, over generated leads in many accounts with messy
//! company keys (case, outer and Unicode white space, blank, missing,
//! `ß`/`SS` and `Σ`/`ς` spellings; the company also tested by a rule
//! with `in`, which the interpreter's memo decides without its value)
//! and rejected rows. The interpreter's
//! results come from the binary itself (`tally score … --format ndjson
//! --explain`, which runs the account passes), and the engine's must
//! equal them row for row: score, groups, stage, tiers, every
//! `account.NAME` (and the reasons where the dialect has them).

use serde_json::{json, Value as Json};
use tally::source::Source;
use tally::sql::{compile_sql, Dialect, SqlOptions};
use tally::value::{parse_date_literal, Date};

use super::events::{compare, score_job, Compared, EventsJob, Table};
use super::generate::Rng;
use super::harness::drive;

const ROW: &str = "tally_test_row";

const MODEL: &str = r#"model "Accounts in SQL" version "1"

fields {
  lead_id:   text
  company:   text
  title:     text
  employees: int
  pages:     number
  seen:      date
  tags:      list
}

events activity {
  lead_id: text key
  at:      date time
  kind:    text
}

let deciders = [CEO, CTO, VP]

account by company {
  let people    = count(leads)
  let readers   = count(leads where pages >= 3)
  let deciding  = count(leads where title in deciders)
  let any_ceo   = exists(leads where title == "CEO")
  let any_tag   = exists(leads where tags contains "pricing")
  let anyone    = exists(leads)
  let reading   = sum(leads, pages)
  let big_pages = sum(leads where employees > 100, pages / 3)
  let smallest  = min(leads, employees)
  let largest   = max(leads where title is present, pages)
  let first     = min(leads, seen)
  let last      = max(leads where pages > 0, seen)
  let titles    = distinct(leads, title)
  let sizes     = distinct(leads where pages > 1, employees)
  let days      = distinct(leads, seen)
  let webinars  = sum(leads, count(activity where kind == "webinar"))
  let active    = count(leads where exists(activity))
  let heat      = sum(leads, score)
  let top       = max(leads, score)
  let low       = min(leads where fit > 0, score)
  let fits      = sum(leads where fit > 0, fit)
  let hot       = count(leads where score >= 30)
  let levels    = distinct(leads, score)
}

group fit max 40 {
  when title in deciders add 20 "Decision maker"
  when employees between 50 and 500 add 10 "Mid-size"
}

when pages >= 3 add 10 "Reader"
when company in ["Co3", "acme 2 gmbh", "STRASSE 6"] add 2 "Listed company"
when account.readers >= 2 add 15 "Committee is reading"
when account.deciding >= 2 and account.any_ceo add 5 "CEO and deciders"
when account.webinars >= 2 add 3 "Account at webinars"
when account.people is missing sub 5 "No account"

if account.heat >= 100 and score >= 30 then SQL
if account.hot >= 2 or account.top >= 50 then MQL
if account.fits > 20 then Warm
else Nurture

tier size {
  if account.people >= 5 then Large
  if account.levels >= 3 and account.low is present then Varied
  else Small
}
"#;

/// Accounts by an `int` field: `007`, `7.0`, `+7` and ` 7 ` are one
/// account; a cell that is not an int rejects the row.
const BY_INT: &str = r#"model "Accounts by shop"

fields {
  lead_id: text
  shop:    int
  title:   text
  pages:   number
  seen:    date
}

account by shop {
  let people  = count(leads)
  let readers = count(leads where pages >= 3)
  let days    = distinct(leads where title is present, seen)
  let last    = max(leads, seen)
  let pages   = distinct(leads, pages)
  let heat    = sum(leads, score)
}

when title in [CEO, VP] add 20 "Decision maker"
when account.readers >= 2 add 10 "Readers"

if account.heat >= 50 then Hot
else Cold
"#;

/// Accounts by a `date` field (an unreadable date rejects the row) and
/// by a `bool` one: `==` compares both, so leads sharing one form an
/// account (`yes` and `TRUE` are one).
const BY_DATE: &str = r#"model "Accounts by day"

fields {
  lead_id: text
  title:   text
  pages:   number
  seen:    date
}

account by seen {
  let people  = count(leads)
  let readers = count(leads where pages >= 3)
  let heat    = sum(leads, score)
}

when title in [CEO, VP] add 20 "Decision maker"
when account.readers >= 2 add 10 "Readers"

if account.heat >= 60 then Hot
else Cold
"#;

const BY_BOOL: &str = r#"model "Accounts by flag"

fields {
  lead_id: text
  title:   text
  pages:   number
  active:  bool
}

account by active {
  let people = count(leads)
  let most   = max(leads, pages)
}

when title in [CEO, VP] add 20 "Decision maker"
when account.people >= 400 add 5 "Crowd"
when pages >= account.most add 1 "Most pages"
"#;

fn shop(rng: &mut Rng) -> Option<String> {
    let id = rng.below(25);
    Some(match rng.below(9) {
        0 => return None,
        1 => format!("00{id}"),
        2 => format!(" {id} "),
        3 => format!("{id}.0"),
        4 => format!("+{id}"),
        5 if id == 3 => "three".to_string(),
        _ => id.to_string(),
    })
}

/// A company cell: one of `known` companies, spelled messily.
fn company(rng: &mut Rng, known: usize) -> Option<String> {
    let id = rng.below(known);
    let base = match id % 6 {
        0 => format!("Straße {id}"),
        1 => format!("ΟΔΌΣ {id}"),
        2 => format!("Acme {id} GmbH"),
        _ => format!("Co{id}"),
    };
    Some(match rng.below(14) {
        0 => return None,
        1 => "   ".to_string(),
        2 => base.to_uppercase(),
        3 => base.to_lowercase(),
        4 => format!("  {base} "),
        5 => format!("\u{a0}{}\u{2003}", base.to_lowercase()),
        6 if id.is_multiple_of(6) => format!("STRASSE {id}"),
        6 if id % 6 == 1 => format!("οδός {id}"),
        7 => format!("\t{base}"),
        _ => base,
    })
}

fn leads(rng: &mut Rng, n: usize, as_of: Date) -> Table {
    let titles = [
        "CEO", "ceo", " VP ", "cto", "Engineer", "Analyst", "", "CFO", "Intern",
    ];
    let employees = [
        "", "10", "50", "120", "500", "501", "3000", " 75 ", "12.0", "lots", "-1",
    ];
    let pages = [
        "", "0", "1", "2.5", "3", "4.25", "10", "0.3333", "x", "7", "-2",
    ];
    let tags = ["", "pricing", "blog;PRICING", "docs", " pricing ; news"];
    let flags = ["", "true", "no", " YES ", "False", "maybe"];
    let rows = (0..n)
        .map(|i| {
            let seen = match rng.below(10) {
                0 => None,
                1 => Some("2026-13-01".to_string()),
                _ => Some(
                    (as_of - chrono::Duration::days(rng.below(400) as i64))
                        .format("%Y-%m-%d")
                        .to_string(),
                ),
            };
            let cell = |s: &&str| Some(s.to_string()).filter(|s: &String| !s.is_empty());
            vec![
                Some(format!("{i:09}")),
                Some(format!("L{}", i % 300)),
                shop(rng),
                company(rng, 60),
                cell(rng.pick(&titles)),
                cell(rng.pick(&employees)),
                cell(rng.pick(&pages)),
                seen,
                cell(rng.pick(&tags)),
                cell(rng.pick(&flags)),
            ]
        })
        .collect();
    Table {
        columns: [
            ROW,
            "lead_id",
            "shop",
            "company",
            "title",
            "employees",
            "pages",
            "seen",
            "tags",
            "active",
        ]
        .map(String::from)
        .to_vec(),
        rows,
    }
}

fn activity(rng: &mut Rng, n: usize, as_of: Date) -> Table {
    let kinds = ["webinar", " WEBINAR", "page_view", "demo"];
    let rows = (0..n)
        .map(|_| {
            let at = (as_of - chrono::Duration::days(rng.below(200) as i64))
                .format("%Y-%m-%d")
                .to_string();
            vec![
                Some(format!("l{}", rng.below(320))),
                Some(at),
                Some(rng.pick(&kinds).to_string()),
            ]
        })
        .collect();
    Table {
        columns: ["lead_id", "at", "kind"].map(String::from).to_vec(),
        rows,
    }
}

/// The jobs: the model over two generated lead tables, the second as of
/// the engine's own today; then accounts by an `int` field.
pub fn jobs() -> Vec<EventsJob> {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let today = parse_date_literal("1970-01-01").unwrap()
        + chrono::Duration::days((seconds / 86_400) as i64);
    let mut jobs = Vec::new();
    for (seed, (name, model, as_of)) in [
        ("accounts", MODEL, parse_date_literal("2026-11-22")),
        ("accounts-engine-today", MODEL, None),
        ("accounts-by-int", BY_INT, parse_date_literal("2026-11-22")),
        (
            "accounts-by-date",
            BY_DATE,
            parse_date_literal("2026-11-22"),
        ),
        (
            "accounts-by-bool",
            BY_BOOL,
            parse_date_literal("2026-11-22"),
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let engine_today = as_of.is_none();
        let as_of = as_of.unwrap_or(today);
        let mut rng = Rng::new(9_000 + seed as u64);
        jobs.push(EventsJob {
            name: name.to_string(),
            model: model.to_string(),
            leads: leads(&mut rng, 1000, as_of),
            events: match model.contains("events activity") {
                true => vec![("activity".to_string(), activity(&mut rng, 1500, as_of))],
                false => Vec::new(),
            },
            as_of,
            engine_today,
        });
    }
    jobs
}

/// What one engine run compared, and how many account values were
/// present (not missing) among the compared rows.
pub fn run(engine: &str, dialect: Dialect) -> (Compared, usize) {
    let jobs = jobs();
    let dir = tempfile::tempdir().unwrap();
    let explain = matches!(dialect, Dialect::DuckDb | Dialect::Postgres);
    let mut payload = Vec::new();
    let mut values = Vec::new();
    for (index, job) in jobs.iter().enumerate() {
        let compiled = tally::compile(&Source::new(job.name.as_str(), job.model.clone()));
        let model = compiled
            .model
            .unwrap_or_else(|| panic!("{}: {:?}", job.name, compiled.findings));
        values.push(model.account.as_ref().map_or(0, |a| a.values.len()));
        let options = SqlOptions {
            dialect,
            table: format!("account_leads_{index}"),
            as_of: (!job.engine_today).then_some(job.as_of),
            explain,
            events_tables: (job.events.iter())
                .map(|(s, _)| (s.clone(), format!("account_activity_{index}")))
                .collect(),
        };
        let sql = compile_sql(&model, &options).unwrap_or_else(|e| panic!("{}: {e:?}", job.name));
        let tables: Vec<Json> = (job.events.iter())
            .map(|(_, t)| {
                json!({"table": format!("account_activity_{index}"), "columns": t.columns, "rows": t.rows})
            })
            .collect();
        payload.push(json!({
            "table": format!("account_leads_{index}"),
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
    let mut present = 0;
    for ((job, result), values) in jobs.iter().zip(&results).zip(values) {
        let (want, _) = score_job(job, dir.path());
        present += want
            .values()
            .flat_map(|r| r.as_object().unwrap().iter())
            .filter(|(k, v)| k.starts_with("account.") && !v.is_null())
            .count();
        if let Some(columns) = result.get("columns").and_then(Json::as_array) {
            let accounts = columns
                .iter()
                .filter(|c| c.as_str().is_some_and(|c| c.starts_with("account.")))
                .count();
            assert_eq!(accounts, values, "{}: {columns:?}", job.name);
        }
        compare(job, result, &want, &mut compared);
    }
    (compared, present)
}
