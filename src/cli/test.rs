//! `tally test MODEL…`: run the models' `test` blocks.

use std::fmt::Write as _;

use clap::Args;

use super::{load_model, parse_date, today_utc, EXIT_FAILURE, EXIT_OK, EXIT_PROBLEMS};
use crate::eval::{run_tests, TestResult};
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
}

/// Run `tally test`; returns the exit status.
pub fn run(args: &TestArgs) -> u8 {
    let today = args.as_of.unwrap_or_else(today_utc);
    let (mut passed, mut failed) = (0, 0);
    for path in &args.models {
        let (source, model) = match load_model(path) {
            Ok(loaded) => loaded,
            Err(status) if status == EXIT_FAILURE => return EXIT_FAILURE,
            Err(_) => {
                failed += 1;
                continue;
            }
        };
        let plan = plan::compile(&model);
        let results = run_tests(&model, &plan, today);
        let wanted = results
            .iter()
            .filter(|r| args.filter.as_deref().is_none_or(|f| r.name.contains(f)));
        for result in wanted {
            print!("{}", report(&source, &plan, result));
            if result.passed() {
                passed += 1;
            } else {
                failed += 1;
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    if failed > 0 {
        EXIT_PROBLEMS
    } else {
        EXIT_OK
    }
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
        let verdict = if failure.value.is_none() {
            "is missing"
        } else {
            "is false"
        };
        let _ = writeln!(
            out,
            "  {}:{line}:{column}: expect {} {verdict}",
            source.name(),
            source.slice(failure.span)
        );
    }
    let _ = writeln!(out, "  actual: {}", actual(plan, result));
    out
}

/// The outputs of the test's lead, as `score 20, fit 10, stage SQL, …`.
fn actual(plan: &Plan, result: &TestResult) -> String {
    let outcome = &result.outcome;
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
    let fired: Vec<String> = outcome
        .fired
        .iter()
        .filter_map(|f| {
            plan.rules
                .get(f.rule)
                .map(|r| format!("{:?} {}", r.reason, format_decimal(f.points)))
        })
        .collect();
    parts.push(format!("fired [{}]", fired.join(", ")));
    parts.join(", ")
}
