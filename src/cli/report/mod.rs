//! `tally report MODEL LEADS -o report.html`: one self-contained HTML page
//! with the pictures of a scored file, for people who will not read a
//! CSV: the numbers come from `quality`, the page from `page.rs`.

mod page;
mod svg;

use std::io::Write as _;

use clap::Args;

use super::common::{commit_output, compile_model, load_model, open_output};
use super::revision::read_model;
use super::style::ReadArgs;
use super::{io_reason, EXIT_FAILURE, EXIT_OK};
use crate::check::Model;
use crate::eval::Scorer;
use crate::plan::{self, Plan};
use crate::quality::{
    closest, each_folded, Counts, Diff, DiffCounter, ReportCounter, Scoring, Side,
};
use crate::source::Source;

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The model.
    #[arg(value_name = "MODEL")]
    model: String,
    /// The lead file: CSV or NDJSON, optionally gzipped.
    #[arg(value_name = "LEADS")]
    leads: String,
    /// Where to write the page.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: String,
    /// A column of LEADS saying whether the lead converted: adds
    /// conversion by stage and decile, the ROC curve and the backtest.
    #[arg(long, value_name = "COL")]
    outcome: Option<String>,
    /// Another lead file (an earlier month, say): adds the population
    /// stability index of the score and of each field the model reads.
    #[arg(long, value_name = "LEADS")]
    baseline: Option<String>,
    /// An earlier model (a file or REV:PATH): adds the stage transitions.
    #[arg(long, value_name = "OLD_MODEL")]
    diff: Option<String>,
    #[command(flatten)]
    read: ReadArgs,
}

type Failure = (u8, String);

pub fn run(args: &ReportArgs) -> u8 {
    match report(args) {
        Ok(()) => EXIT_OK,
        Err((status, message)) => {
            if !message.is_empty() {
                crate::cli::output::errln(&format!("error: {message}"));
            }
            status
        }
    }
}

fn report(args: &ReportArgs) -> Result<(), Failure> {
    let inputs = [
        ("MODEL", args.model.as_str()),
        ("LEADS", &args.leads),
        ("`--baseline`", args.baseline.as_deref().unwrap_or_default()),
        ("`--diff`", args.diff.as_deref().unwrap_or_default()),
    ];
    args.read
        .one_stdin(&inputs)
        .map_err(|m| (EXIT_FAILURE, m))?;
    let (source, model) = load_model(&args.model).map_err(|status| (status, String::new()))?;
    let old = match &args.diff {
        Some(argument) => {
            let (name, bytes) = read_model(argument).map_err(|m| (EXIT_FAILURE, m))?;
            Some(compile_model(&name, bytes).map_err(|status| (status, String::new()))?)
        }
        None => None,
    };
    let plan = plan::compile(&model);
    let today = args.read.today();
    let (counter, counts, diff) = read_file(
        args,
        (&args.leads, true),
        (&source, &model, &plan),
        old.as_ref(),
        today,
    )?;
    let baseline = match &args.baseline {
        Some(path) => {
            let subject = (&source, &model, &plan);
            Some(read_file(args, (path, false), subject, None, today)?.0)
        }
        None => None,
    };
    let names: Vec<String> = plan.fields.iter().map(|f| f.name.clone()).collect();
    let report = counter.finish(&model, &source, &names, counts, baseline);
    let extras = page::Extras {
        as_of: today.to_string(),
        leads: &args.leads,
        diff: diff.as_ref(),
    };
    let html = page::page(&report, &extras);
    let inputs = [args.model.as_str(), args.leads.as_str()];
    let inputs: Vec<&str> = (inputs.into_iter())
        .chain(args.baseline.as_deref())
        .chain(args.read.events.paths())
        .collect();
    let sink = open_output(&args.output, &inputs).map_err(|m| (EXIT_FAILURE, m))?;
    let written = (|| {
        let mut sink = sink;
        sink.write_all(html.as_bytes())?;
        commit_output(sink)
    })();
    written.map_err(|e| {
        let path = &args.output;
        (
            EXIT_FAILURE,
            format!("cannot write `{path}`: {}", io_reason(&e)),
        )
    })
}

/// The model a report is about: its source, checked model and plan.
type Subject<'a> = (&'a Source, &'a Model, &'a Plan);

/// Read one lead file: its report counter, its counts and the diff
/// against `old`. The outcome column is read from the main file only
/// (`main`; the baseline may be the same path), and the events left out
/// are noted for it only (the baseline reads the same events files).
fn read_file(
    args: &ReportArgs,
    (path, main): (&str, bool),
    (source, model, plan): Subject,
    old: Option<&(Source, Model)>,
    today: crate::value::Date,
) -> Result<(ReportCounter, Counts, Option<Diff>), Failure> {
    let old_plan = old.map(|(_, m)| plan::compile(m));
    let plans: Vec<&Plan> = std::iter::once(plan).chain(old_plan.as_ref()).collect();
    super::accounts::keep_leads_for(path, &plans).map_err(|m| (EXIT_FAILURE, m))?;
    let file = args.read.file(path);
    let (reader, binding) = file.open(plan)?;
    let outcome = match &args.outcome {
        Some(name) if main => Some(file.outcome_column(reader.header(), name)?),
        _ => None,
    };
    let hint = (args.outcome.as_deref()).and_then(|name| closest(reader.header(), name));
    let old_binding = match &old_plan {
        Some(p) => Some(file.bind(p, reader.header())?),
        None => None,
    };
    let events = args.read.events(plan, &plans, path)?;
    let old_events = match &old_plan {
        Some(p) => Some(args.read.events(p, &plans, path)?),
        None => None,
    };
    if main {
        let read: Vec<_> = std::iter::once(&events).chain(&old_events).collect();
        super::events::note_rejected(&read);
    }
    let accounts = args.read.accounts(plan, path, &events)?;
    let old_accounts = match (&old_plan, &old_events) {
        (Some(p), Some(e)) => Some(args.read.accounts(p, path, e)?),
        _ => None,
    };
    let scorer = Scorer::new(plan, today)
        .with_events(&events.tables)
        .with_accounts(&accounts);
    let old_scorer = (old_plan
        .as_ref()
        .zip(old_events.as_ref())
        .zip(old_accounts.as_ref()))
    .map(|((p, e), a)| {
        Scorer::new(p, today)
            .with_events(&e.tables)
            .with_accounts(a)
    });
    // Lead values are sampled only to compare fields with a baseline.
    let mut scoring = vec![Scoring {
        binding: &binding,
        scorer: &scorer,
        leads: args.baseline.is_some(),
    }];
    if let (Some(b), Some(s)) = (&old_binding, &old_scorer) {
        scoring.push(Scoring {
            binding: b,
            scorer: s,
            leads: false,
        });
    }
    let used: Vec<bool> = plan.fields.iter().map(|f| f.used).collect();
    let mut counter = ReportCounter::new(model, &used, outcome.is_some(), args.baseline.is_some());
    let mut diff = old.map(|(_, m)| DiffCounter::new(m, model, 0));
    let rows = counter.rows(outcome.as_ref(), diff.as_ref().map(|d| d.rows(None, false)));
    let counts = each_folded(reader, &scoring, &rows, |part| {
        counter.merge(part, diff.as_mut());
    })
    .map_err(|e| (EXIT_FAILURE, format!("cannot read {}: {e}", file.shown())))?;
    if let Some(column) = &outcome {
        file.outcome_seen(column, counts.used, hint)?;
    }
    let diff = match (diff, old) {
        (Some(counter), Some((old_source, old_model))) => Some(counter.finish(
            Side {
                model: old_model,
                source: old_source,
            },
            Side { model, source },
            counts.unreadable,
        )),
        _ => None,
    };
    Ok((counter, counts, diff))
}
