//! Jobs (a model, a table of text cells, an as-of date), the interpreter's
//! expected results, and the engine run through the Python driver.

use std::fmt;
use std::path::Path;
use std::process::Command;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde_json::{json, Value as Json};
use tally::eval::{output_values, Lead, Scorer};
use tally::plan;
use tally::source::Source;
use tally::sql::{compile_sql, Dialect, SqlOptions};
use tally::value::{read_cell, Date, Value};

/// The column that numbers rows, so results can be put back in order.
const ROW: &str = "tally_test_row";

/// One model and its leads.
#[derive(Debug, Clone)]
pub struct Job {
    pub name: String,
    pub model: String,
    pub columns: Vec<String>,
    /// Cells; `None` is SQL NULL (the interpreter reads it as empty).
    pub rows: Vec<Vec<Option<String>>>,
    pub as_of: Date,
    /// Compile without `--as-of`: the engine's today must be `as_of`.
    pub engine_today: bool,
}

/// What the interpreter says of one row.
#[derive(Debug, Clone, PartialEq)]
struct Expected {
    error: Option<String>,
    /// Output name and value, in `tally score` order, then `reasons`.
    outputs: Vec<(String, Option<String>)>,
}

/// `+20`, `-10`, `+0`, as `tally score --explain` writes points in CSV.
fn signed(points: Decimal) -> String {
    if points.is_sign_negative() && !points.is_zero() {
        points.normalize().to_string()
    } else {
        format!("+{}", points.abs().normalize())
    }
}

/// How an engine run went.
#[derive(Debug, Default)]
pub struct Report {
    pub rows: usize,
    pub jobs: usize,
    pub rejected: usize,
    pub skipped: Vec<String>,
    pub problems: Vec<String>,
    pub seconds: f64,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} models, {} rows compared ({} rejected), {} models skipped, {:.1} s in the engine",
            self.jobs,
            self.rows,
            self.rejected,
            self.skipped.len(),
            self.seconds
        )
    }
}

fn model_of(job: &Job) -> tally::check::Model {
    let compiled = tally::compile(&Source::new(job.name.as_str(), job.model.clone()));
    compiled.model.unwrap_or_else(|| {
        panic!(
            "{} has errors: {:?}\n{}",
            job.name, compiled.findings, job.model
        )
    })
}

/// The interpreter's results, read the way `io::Binding` reads a row:
/// used or required fields in order, the first bad cell rejecting it.
fn expected(job: &Job) -> Vec<Expected> {
    let model = model_of(job);
    let plan = plan::compile(&model);
    let scorer = Scorer::new(&plan, job.as_of);
    let names = plan.output_names();
    // Account values need every lead: the binary's passes give them.
    let accounts = model.account.is_some().then(|| from_binary(job));
    job.rows
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let mut values: Vec<Option<Value>> = vec![None; plan.fields.len()];
            let mut error = None;
            for (index, field) in plan.fields.iter().enumerate() {
                if !(field.used || field.required) || !field.is_column() {
                    continue;
                }
                let position = job.columns.iter().position(|c| *c == field.column).unwrap();
                let cell = row[position].as_deref().unwrap_or("");
                match read_cell(field.ty, cell, &field.read) {
                    Err(_) => {
                        let ty = field.ty.keyword();
                        error = Some(format!("column {:?}: cannot read as {ty}", field.column));
                        break;
                    }
                    Ok(None) if field.required => {
                        error = Some(format!(
                            "column {:?}: no value, but field `{}` is required",
                            field.column, field.name
                        ));
                        break;
                    }
                    Ok(value) => values[index] = value,
                }
            }
            if error.is_some() {
                let mut outputs: Vec<_> = names.iter().map(|n| (n.clone(), None)).collect();
                outputs.push(("reasons".to_string(), None));
                return Expected { error, outputs };
            }
            if let Some(records) = &accounts {
                return from_record(&names, records.get(&format!("{i:09}")));
            }
            let outcome = scorer.score(&Lead {
                values: values.into(),
            });
            let outputs = output_values(&plan, &outcome)
                .into_iter()
                .map(|v| match v {
                    Some(Value::Number(n)) => Some(n.normalize().to_string()),
                    Some(Value::Text(t)) => Some(t),
                    Some(other) => Some(format!("{other:?}")),
                    None => None,
                })
                .collect::<Vec<_>>();
            let reasons: Vec<String> = outcome
                .fired
                .iter()
                .map(|f| format!("{} {}", plan.rules[f.rule].reason, signed(f.points)))
                .collect();
            let mut outputs: Vec<_> = names.iter().cloned().zip(outputs).collect();
            outputs.push(("reasons".to_string(), Some(reasons.join("; "))));
            Expected {
                error: None,
                outputs,
            }
        })
        .collect()
}

/// What `tally score --format ndjson --explain` writes for each lead of
/// `job` it scores (after its account passes), by row number.
fn from_binary(job: &Job) -> std::collections::HashMap<String, Json> {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("model.tally");
    std::fs::write(&model, &job.model).unwrap();
    let mut columns = vec![ROW.to_string()];
    columns.extend(job.columns.iter().cloned());
    let rows = (job.rows.iter().enumerate())
        .map(|(i, r)| {
            let mut row = vec![Some(format!("{i:09}"))];
            row.extend(r.iter().cloned());
            row
        })
        .collect();
    let table = super::events::Table { columns, rows };
    let leads = dir.path().join("leads.csv");
    std::fs::write(&leads, super::events::csv(&table)).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_tally"))
        .arg("score")
        .arg(&model)
        .arg(&leads)
        .args(["--as-of", &job.as_of.to_string()])
        .args(["--format", "ndjson", "--explain"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}: tally score failed: {}",
        job.name,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|line| {
            let record: Json = serde_json::from_str(line).unwrap();
            (record[ROW].as_str().unwrap().to_string(), record)
        })
        .collect()
}

/// A row's expected outputs from the binary's record of it.
fn from_record(names: &[String], record: Option<&Json>) -> Expected {
    let Some(record) = record else {
        panic!("the binary scored no lead where the reading found no error");
    };
    let mut outputs: Vec<(String, Option<String>)> = (names.iter())
        .map(|name| {
            let value = match &record[name.as_str()] {
                Json::Null => None,
                Json::String(s) if s.is_empty() => None,
                Json::String(s) => Some(s.clone()),
                other => Some(other.to_string()),
            };
            (name.clone(), value)
        })
        .collect();
    let reasons = super::events::reasons(record);
    outputs.push(("reasons".to_string(), Some(reasons)));
    Expected {
        error: None,
        outputs,
    }
}

/// Run every job in one engine session and compare with the interpreter.
pub fn run_engine(engine: &str, dialect: Dialect, jobs: &[Job]) -> Report {
    let mut report = Report::default();
    let mut payload = Vec::new();
    let mut compared = Vec::new();
    for (index, job) in jobs.iter().enumerate() {
        let table = format!("job_{index}");
        let options = SqlOptions {
            dialect,
            table: table.clone(),
            as_of: (!job.engine_today).then_some(job.as_of),
            // Every other model also gets `reasons` (not offered in Spark,
            // Snowflake or BigQuery).
            explain: index % 2 == 0
                && !matches!(
                    dialect,
                    Dialect::Spark | Dialect::Snowflake | Dialect::BigQuery
                ),
            events_tables: Vec::new(),
        };
        let sql = match compile_sql(&model_of(job), &options) {
            Ok(sql) => sql,
            Err(errors) => {
                report.skipped.push(format!("{}: {:?}", job.name, errors));
                continue;
            }
        };
        let mut columns = vec![ROW.to_string()];
        columns.extend(job.columns.iter().cloned());
        let rows: Vec<Vec<Option<String>>> = job
            .rows
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let mut row = vec![Some(format!("{i:09}"))];
                row.extend(r.iter().cloned());
                row
            })
            .collect();
        payload.push(json!({"table": table, "columns": columns, "rows": rows, "sql": sql}));
        compared.push(job);
    }
    let (results, seconds) = drive(engine, &payload);
    report.seconds = seconds;
    for (job, result) in compared.iter().zip(&results) {
        report.jobs += 1;
        compare(job, result, &mut report);
    }
    report
}

/// Run `payload` (jobs as `tests/engines/run_sql.py` takes them) in one
/// engine session: each job's result, and the seconds the engine took.
pub fn drive(engine: &str, payload: &[Json]) -> (Vec<Json>, f64) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("jobs.json");
    std::fs::write(&path, serde_json::to_vec(payload).unwrap()).unwrap();
    // TALLY_SQL_JOBS=DIR keeps the job file, to rerun the driver by hand.
    if let Some(keep) = std::env::var_os("TALLY_SQL_JOBS") {
        std::fs::copy(&path, Path::new(&keep).join(format!("{engine}.json"))).unwrap();
    }
    let driver = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/engines/run_sql.py");
    let started = std::time::Instant::now();
    let out = Command::new("python3")
        .arg(&driver)
        .arg(engine)
        .arg(&path)
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run python3 ({e}); install the test engines with `bash scripts/test`")
        });
    let seconds = started.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&out.stderr);
    // Status 3: the engine is not installed (the driver says which).
    assert!(out.status.code() != Some(3), "{stderr}");
    assert!(out.status.success(), "the {engine} driver failed: {stderr}");
    let results: Vec<Json> = serde_json::from_slice(&out.stdout).unwrap();
    (results, seconds)
}

fn compare(job: &Job, result: &Json, report: &mut Report) {
    if let Some(error) = result.get("error") {
        report.problems.push(format!(
            "{}: the engine failed: {error}\n{}",
            job.name, job.model
        ));
        return;
    }
    let columns: Vec<&str> = result["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    let at = |name: &str| columns.iter().rposition(|c| *c == name).unwrap();
    let mut rows: Vec<&Vec<Json>> = result["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_array().unwrap())
        .collect();
    rows.sort_by_key(|r| r[at(ROW)].as_str().unwrap().to_string());
    let want = expected(job);
    if rows.len() != want.len() {
        report.problems.push(format!(
            "{}: {} rows, wanted {}",
            job.name,
            rows.len(),
            want.len()
        ));
        return;
    }
    let mut shown = 0;
    for (i, (got, want)) in rows.iter().zip(&want).enumerate() {
        report.rows += 1;
        report.rejected += usize::from(want.error.is_some());
        let mut diffs = Vec::new();
        let error = got[at("tally_error")].as_str().map(str::to_string);
        if error != want.error {
            diffs.push(format!("tally_error {error:?}, wanted {:?}", want.error));
        }
        for (name, value) in &want.outputs {
            if !columns.contains(&name.as_str()) {
                continue; // `reasons` without explain
            }
            let cell = &got[at(name)];
            if !same(cell, value.as_deref()) {
                diffs.push(format!("{name} {cell}, wanted {value:?}"));
            }
        }
        if !diffs.is_empty() && shown < 5 {
            shown += 1;
            let cells: Vec<String> = job
                .columns
                .iter()
                .zip(&job.rows[i])
                .map(|(c, v)| format!("{c}={v:?}"))
                .collect();
            report.problems.push(format!(
                "{} row {i} [{}]: {}",
                job.name,
                cells.join(", "),
                diffs.join("; ")
            ));
        }
    }
    if shown > 0 {
        report
            .problems
            .push(format!("model {}:\n{}", job.name, job.model));
    }
}

/// An engine value against the interpreter's (numbers as decimals).
pub fn same(got: &Json, want: Option<&str>) -> bool {
    match (got, want) {
        (Json::Null, None) => true,
        (Json::String(g), Some(w)) => {
            g == w
                || matches!((Decimal::from_str(g), Decimal::from_str(w)), (Ok(a), Ok(b)) if a == b)
        }
        (Json::Number(g), Some(w)) => {
            Decimal::from_str(&g.to_string()).ok() == Decimal::from_str(w).ok()
        }
        // `exists` account values.
        (Json::Bool(g), Some(w)) => g.to_string() == w,
        _ => false,
    }
}
