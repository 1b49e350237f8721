//! The events benchmark's model (`bench/events.tally`) against the
//! engines, over generated messy leads and events: the model the
//! benchmark times must also be the model the engines score exactly.
//! It holds what the smaller test models do not: an aggregate inside a
//! function of a long argument (`min(sum(…) / 60, 10)`), which DuckDB
//! once bound with a correlated subquery its planner ran out of memory
//! on. The interpreter's results come from the binary itself (`tally
//! score … --format ndjson --explain`), and the engine's must equal them
//! row for row.

use serde_json::json;
use tally::source::Source;
use tally::sql::{compile_sql, Dialect, SqlOptions};
use tally::value::{parse_date_literal, Date};

use super::events::{activity, compare, score_job, text_key, time, Compared, EventsJob, Table};
use super::generate::Rng;
use super::harness::drive;

const ROW: &str = "tally_test_row";

/// Leads with the benchmark model's columns, messy as the benchmark's.
fn leads(rng: &mut Rng, n: usize, as_of: Date) -> Table {
    let cell =
        |rng: &mut Rng, items: &[&str]| Some(rng.pick(items).to_string()).filter(|c| !c.is_empty());
    let rows = (0..n)
        .map(|i| {
            vec![
                Some(format!("{i:09}")),
                text_key(rng, 45),
                cell(rng, &["CEO", " cto", "Founder", "Intern", "", "VP"]),
                cell(rng, &["Software", "saas ", "Retail", ""]),
                cell(
                    rng,
                    &["250", "49", "1000", "", "12.5", " 60 ", "5000", "120"],
                ),
                cell(rng, &["us", "DE", "Brazil", ""]),
                cell(rng, &["yes", "no", "", "maybe", "1", "Y", "false", "no"]),
                cell(rng, &["no", "N", "", "true"]),
                match rng.below(8) {
                    0 => None,
                    1 => Some("yesterday".to_string()),
                    _ => time(rng, as_of),
                },
            ]
        })
        .collect();
    let columns = [
        ROW,
        "lead_id",
        "Job Title",
        "industry",
        "employees",
        "country",
        "clicked_demo",
        "unsubscribed",
        "last_activity",
    ];
    Table {
        columns: columns.map(String::from).to_vec(),
        rows,
    }
}

/// The benchmark model over generated data, as of two dates.
fn jobs() -> Vec<EventsJob> {
    let model = include_str!("../../bench/events.tally").to_string();
    ["2026-11-22", "2026-03-01"]
        .iter()
        .enumerate()
        .map(|(seed, day)| {
            let as_of = parse_date_literal(day).unwrap();
            let mut rng = Rng::new(9_100 + seed as u64);
            EventsJob {
                name: format!("events-benchmark-{day}"),
                model: model.clone(),
                leads: leads(&mut rng, 500, as_of),
                events: vec![("activity".to_string(), activity(&mut rng, 5000, as_of))],
                as_of,
                engine_today: false,
            }
        })
        .collect()
}

/// Compile the benchmark model for `dialect`, run it in `engine`, and
/// compare each row with the binary's.
pub fn run(engine: &str, dialect: Dialect) -> Compared {
    let jobs = jobs();
    let dir = tempfile::tempdir().unwrap();
    let explain = matches!(dialect, Dialect::DuckDb | Dialect::Postgres);
    let mut payload = Vec::new();
    for (index, job) in jobs.iter().enumerate() {
        let compiled = tally::compile(&Source::new(job.name.as_str(), job.model.clone()));
        let model = compiled
            .model
            .unwrap_or_else(|| panic!("{}: {:?}", job.name, compiled.findings));
        let events = format!("bench_activity_{index}");
        let options = SqlOptions {
            dialect,
            table: format!("bench_leads_{index}"),
            as_of: Some(job.as_of),
            explain,
            events_tables: vec![("activity".to_string(), events.clone())],
        };
        let sql = compile_sql(&model, &options).unwrap_or_else(|e| panic!("{}: {e:?}", job.name));
        let (_, table) = &job.events[0];
        payload.push(json!({
            "table": format!("bench_leads_{index}"),
            "columns": job.leads.columns,
            "rows": job.leads.rows,
            "tables": [{"table": events, "columns": table.columns, "rows": table.rows}],
            "sql": sql,
        }));
    }
    let (results, seconds) = drive(engine, &payload);
    let mut compared = Compared {
        seconds,
        ..Compared::default()
    };
    for (job, result) in jobs.iter().zip(&results) {
        let (want, _) = score_job(job, dir.path());
        compare(job, result, &want, &mut compared);
    }
    compared
}

/// PostgreSQL's plan for the benchmark model's query over the first
/// job's tables, analyzed first as a loaded table would be: the lines
/// of `EXPLAIN`.
pub fn postgres_plan() -> Vec<String> {
    let job = &jobs()[0];
    let compiled = tally::compile(&Source::new(job.name.as_str(), job.model.clone()));
    let model = compiled.model.unwrap();
    let options = SqlOptions {
        dialect: Dialect::Postgres,
        table: "bench_leads".to_string(),
        as_of: Some(job.as_of),
        explain: false,
        events_tables: vec![("activity".to_string(), "bench_activity".to_string())],
    };
    let sql = compile_sql(&model, &options).unwrap();
    let (_, table) = &job.events[0];
    let payload = json!({
        "table": "bench_leads",
        "columns": job.leads.columns,
        "rows": job.leads.rows,
        "tables": [{"table": "bench_activity", "columns": table.columns, "rows": table.rows}],
        "setup": ["ANALYZE bench_leads", "ANALYZE bench_activity"],
        "sql": format!("EXPLAIN {sql}"),
    });
    let (results, _) = drive("postgres", &[payload]);
    let rows = results[0]["rows"]
        .as_array()
        .unwrap_or_else(|| panic!("{results:?}"));
    rows.iter()
        .map(|row| row[0].as_str().unwrap_or_default().to_string())
        .collect()
}
