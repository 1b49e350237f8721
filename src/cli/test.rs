//! `tally test MODEL…`: run the models' `test` blocks.

use std::fmt::Write as _;

use clap::Args;
use serde::Serialize;

use super::render::{escape_data, escape_property, Format};
use super::{load_model, output, parse_date, today_utc, EXIT_FAILURE, EXIT_OK, EXIT_PROBLEMS};
use crate::eval::{run_tests, Outcome, TestResult};
use crate::plan::{self, Plan};
use crate::source::Source;
use crate::value::format_decimal;

#[derive(Debug, Args)]
pub struct TestArgs {
    /// Model files whose tests to run (`-` reads standard input).
    #[arg(required = true, value_name = "MODEL")]
    models: Vec<String>,
    /// The date tests without `as of` are scored on (default: today, UTC).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    as_of: Option<crate::value::Date>,
    /// Run only the tests whose name contains this text.
    #[arg(long, value_name = "TEXT")]
    filter: Option<String>,
    /// How to print results.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

/// The tests of one model file, or `None` when it could not be compiled.
struct FileRun {
    source: Option<Source>,
    path: String,
    plan: Option<Plan>,
    results: Vec<TestResult>,
}

impl FileRun {
    fn failed(&self) -> usize {
        let broken = usize::from(self.plan.is_none());
        broken + self.results.iter().filter(|r| !r.passed()).count()
    }

    fn passed(&self) -> usize {
        self.results.iter().filter(|r| r.passed()).count()
    }
}

/// Run `tally test`; returns the exit status.
pub fn run(args: &TestArgs) -> u8 {
    let today = args.as_of.unwrap_or_else(today_utc);
    let mut runs = Vec::new();
    // A file that cannot be read (its error printed) fails the run with
    // exit 2, after the others' tests have run.
    let mut unreadable = false;
    for path in &args.models {
        match load_model(path) {
            Ok((source, model)) => {
                let plan = plan::compile(&model);
                let mut results = run_tests(&model, &plan, today);
                results.retain(|r| args.filter.as_deref().is_none_or(|f| r.name.contains(f)));
                runs.push(FileRun {
                    source: Some(source),
                    path: path.clone(),
                    plan: Some(plan),
                    results,
                });
            }
            Err(EXIT_FAILURE) => unreadable = true,
            Err(_) => runs.push(FileRun {
                source: None,
                path: path.clone(),
                plan: None,
                results: Vec::new(),
            }),
        }
    }
    let passed: usize = runs.iter().map(FileRun::passed).sum();
    let failed: usize = runs.iter().map(FileRun::failed).sum();
    let mut text = match args.format {
        Format::Human => human(&runs),
        Format::Json => json(&runs, passed, failed),
        Format::Github => github(&runs),
    };
    if args.format != Format::Json {
        let _ = writeln!(text, "{passed} passed, {failed} failed");
    }
    let status = match (unreadable, failed) {
        (true, _) => EXIT_FAILURE,
        (false, 0) => EXIT_OK,
        (false, _) => EXIT_PROBLEMS,
    };
    output::print(&text, status)
}

fn human(runs: &[FileRun]) -> String {
    let mut out = String::new();
    for run in runs {
        match (&run.source, &run.plan) {
            (Some(source), Some(plan)) => run
                .results
                .iter()
                .for_each(|r| out.push_str(&report(source, plan, r))),
            _ => {
                let _ = writeln!(out, "FAILED  {} (the model has errors)", run.path);
            }
        }
    }
    out
}

/// `ok NAME`, or `FAILED NAME` with each failed expectation and the
/// lead's actual outputs.
fn report(source: &Source, plan: &Plan, result: &TestResult) -> String {
    if result.passed() {
        return format!("ok      {}\n", result.name);
    }
    let mut out = format!("FAILED  {}\n", result.name);
    for failure in &result.failures {
        let (line, column) = source.line_col(failure.span.start);
        let _ = writeln!(
            out,
            "  {}:{line}:{column}: expect {} {}",
            source.name(),
            source.slice(failure.span),
            verdict(failure.value)
        );
    }
    let _ = writeln!(out, "  actual: {}", actual(plan, &result.outcome));
    out
}

fn verdict(value: Option<bool>) -> &'static str {
    if value.is_none() {
        "is missing"
    } else {
        "is false"
    }
}

/// The outputs of the test's lead, as `score 20, fit 10, stage SQL, …`.
fn actual(plan: &Plan, outcome: &Outcome) -> String {
    let mut parts = vec![format!("score {}", format_decimal(outcome.score))];
    for (group, value) in plan.groups.iter().zip(&outcome.groups) {
        parts.push(format!("{} {}", group.name, format_decimal(*value)));
    }
    let label = |l: &Option<String>| l.clone().unwrap_or_else(|| "(none)".into());
    if plan.stage.is_some() {
        parts.push(format!("stage {}", label(&outcome.stage)));
    }
    for (tier, value) in plan.tiers.iter().zip(&outcome.tiers) {
        parts.push(format!("{} {}", tier.name, label(value)));
    }
    let fired: Vec<String> = fired(plan, outcome)
        .into_iter()
        .map(|f| format!("{:?} {}", f.reason, format_decimal(f.points)))
        .collect();
    parts.push(format!("fired [{}]", fired.join(", ")));
    parts.join(", ")
}

/// A fired rule: its reason and signed points.
struct FiredRule {
    reason: String,
    points: rust_decimal::Decimal,
}

fn fired(plan: &Plan, outcome: &Outcome) -> Vec<FiredRule> {
    let reason = |f: &crate::eval::Fired| {
        plan.rules.get(f.rule).map(|r| FiredRule {
            reason: r.reason.clone(),
            points: f.points,
        })
    };
    outcome.fired.iter().filter_map(reason).collect()
}

/// A decimal as a JSON number (the report shows values; scores are exact
/// in `tally score`'s output).
fn json_number(d: rust_decimal::Decimal) -> serde_json::Value {
    let text = format_decimal(d);
    match text.parse::<i64>() {
        Ok(whole) => whole.into(),
        Err(_) => text
            .parse::<f64>()
            .map_or(serde_json::Value::String(text), serde_json::Value::from),
    }
}

fn github(runs: &[FileRun]) -> String {
    let mut out = String::new();
    for run in runs {
        let (Some(source), Some(plan)) = (&run.source, &run.plan) else {
            let _ = writeln!(
                out,
                "::error file={}::the model has errors; run `tally check` on it",
                escape_property(&run.path)
            );
            continue;
        };
        for result in run.results.iter().filter(|r| !r.passed()) {
            for failure in &result.failures {
                let (line, column) = source.line_col(failure.span.start);
                let message = format!(
                    "test {:?} failed: expect {} {} (actual: {})",
                    result.name,
                    source.slice(failure.span),
                    verdict(failure.value),
                    actual(plan, &result.outcome)
                );
                let _ = writeln!(
                    out,
                    "::error file={},line={line},col={column},title=tally test::{}",
                    escape_property(source.name()),
                    escape_data(&message)
                );
            }
        }
    }
    out
}

#[derive(Debug, Serialize)]
struct JsonReport {
    files: Vec<JsonFile>,
    passed: usize,
    failed: usize,
}

#[derive(Debug, Serialize)]
struct JsonFile {
    path: String,
    /// False when the model has errors and no test could run.
    compiled: bool,
    tests: Vec<JsonTest>,
}

#[derive(Debug, Serialize)]
struct JsonTest {
    name: String,
    passed: bool,
    line: usize,
    column: usize,
    failures: Vec<JsonFailure>,
    actual: serde_json::Value,
}

#[derive(Debug, Serialize)]
struct JsonFailure {
    expect: String,
    line: usize,
    column: usize,
    /// `false`, or `null` when the expectation was missing.
    value: Option<bool>,
}

fn json(runs: &[FileRun], passed: usize, failed: usize) -> String {
    let files = runs.iter().map(json_file).collect();
    let report = JsonReport {
        files,
        passed,
        failed,
    };
    // Serializing plain structs of strings and numbers cannot fail.
    let mut text = serde_json::to_string_pretty(&report).unwrap_or_default();
    text.push('\n');
    text
}

fn json_file(run: &FileRun) -> JsonFile {
    let tests = match (&run.source, &run.plan) {
        (Some(source), Some(plan)) => run
            .results
            .iter()
            .map(|r| json_test(source, plan, r))
            .collect(),
        _ => Vec::new(),
    };
    JsonFile {
        path: run
            .source
            .as_ref()
            .map_or(run.path.clone(), |s| s.name().to_string()),
        compiled: run.plan.is_some(),
        tests,
    }
}

fn json_test(source: &Source, plan: &Plan, result: &TestResult) -> JsonTest {
    let (line, column) = source.line_col(result.span.start);
    let failures = result
        .failures
        .iter()
        .map(|f| {
            let (line, column) = source.line_col(f.span.start);
            JsonFailure {
                expect: source.slice(f.span).to_string(),
                line,
                column,
                value: f.value,
            }
        })
        .collect();
    JsonTest {
        name: result.name.clone(),
        passed: result.passed(),
        line,
        column,
        failures,
        actual: json_actual(plan, &result.outcome),
    }
}

/// The outputs as a JSON object: score, groups, stage, tiers, fired.
fn json_actual(plan: &Plan, outcome: &Outcome) -> serde_json::Value {
    let groups: serde_json::Map<String, serde_json::Value> = plan
        .groups
        .iter()
        .zip(&outcome.groups)
        .map(|(g, v)| (g.name.clone(), json_number(*v)))
        .collect();
    let tiers: serde_json::Map<String, serde_json::Value> = plan
        .tiers
        .iter()
        .zip(&outcome.tiers)
        .map(|(t, v)| (t.name.clone(), v.clone().into()))
        .collect();
    let fired: Vec<serde_json::Value> = fired(plan, outcome)
        .into_iter()
        .map(|f| serde_json::json!({ "reason": f.reason, "points": json_number(f.points) }))
        .collect();
    serde_json::json!({
        "score": json_number(outcome.score),
        "groups": groups,
        "stage": outcome.stage,
        "tiers": tiers,
        "fired": fired,
    })
}
