//! `tally calibrate MODEL LEADS --outcome COL`: the points the data
//! supports, as the same model file with only rule points changed. The
//! fit is `quality`'s; this file reads, writes and renders.

use std::io::Write as _;

use clap::Args;

use super::common::{commit_output, load_model, open_output};
use super::style::{ReadArgs, Style};
use super::table::{fixed, percent, score, Table};
use super::{io_reason, EXIT_FAILURE, EXIT_OK, EXIT_PROBLEMS};
use crate::plan;
use crate::quality::{rewrite, Calibration, CalibrationCounter, CalibrationError, MIN_CONVERSIONS};
use crate::source::Source;

#[derive(Debug, Args)]
pub struct CalibrateArgs {
    /// The model whose points to fit.
    #[arg(value_name = "MODEL")]
    model: String,
    /// The lead file: CSV or NDJSON, optionally gzipped.
    #[arg(value_name = "LEADS")]
    leads: String,
    /// The column of LEADS that says whether a lead converted (as for
    /// `backtest`).
    #[arg(long, value_name = "COL")]
    outcome: String,
    /// Replace MODEL with the proposed model.
    #[arg(long)]
    write: bool,
    #[command(flatten)]
    read: ReadArgs,
    /// How to print: the model on standard output and the table on
    /// standard error (text), both as Markdown, or the table as JSON.
    #[arg(long, value_enum, default_value_t = Style::Text)]
    format: Style,
}

pub fn run(args: &CalibrateArgs) -> u8 {
    if args.write && args.model == "-" {
        super::output::errln("error: --write needs a model file, not standard input");
        return EXIT_FAILURE;
    }
    let (source, proposal) = match calibrate(args) {
        Ok(done) => done,
        Err((status, message)) => {
            if !message.is_empty() {
                super::output::errln(&format!("error: {message}"));
            }
            return status;
        }
    };
    if args.write {
        return write_model(args, &proposal.text, &proposal.calibration);
    }
    let (stdout, stderr) = match args.format {
        Style::Json => match serde_json::to_string_pretty(&proposal.calibration) {
            Ok(json) => (json + "\n", String::new()),
            Err(e) => {
                super::output::errln(&format!("error: internal error writing JSON: {e}"));
                return EXIT_FAILURE;
            }
        },
        Style::Markdown => (markdown(&source, &proposal), String::new()),
        Style::Text => (
            proposal.text.clone(),
            evidence(&proposal.calibration).text(),
        ),
    };
    super::output::err(&stderr);
    super::output::print(&stdout, EXIT_OK)
}

/// The fitted points and the model text that carries them.
struct Proposal {
    calibration: Calibration,
    text: String,
}

fn calibrate(args: &CalibrateArgs) -> Result<(Source, Proposal), (u8, String)> {
    args.read
        .one_stdin(&[("MODEL", &args.model), ("LEADS", &args.leads)])
        .map_err(|m| (EXIT_FAILURE, m))?;
    let (source, model) = load_model(&args.model).map_err(|status| (status, String::new()))?;
    let plan = plan::compile(&model);
    super::accounts::keep_leads_for(&args.leads, &[&plan]).map_err(|m| (EXIT_FAILURE, m))?;
    let file = args.read.file(&args.leads);
    let mut counter = CalibrationCounter::new(&model);
    let today = args.read.today();
    let events = args.read.events(&plan, &[&plan], &args.leads)?;
    super::events::note_rejected(&[&events]);
    let accounts = args.read.accounts(&plan, &args.leads, &events)?;
    let scoring = (today, events.tables.as_slice(), &accounts);
    let counts = file.score_outcomes(&plan, scoring, &args.outcome, |part| counter.merge(part))?;
    let calibration = counter
        .finish(&model, &source, counts.unreadable)
        .map_err(|e| (EXIT_PROBLEMS, refusal(&e, &file.shown())))?;
    let text = realigned(&source, rewrite(&source, &model, &calibration));
    Ok((source, Proposal { calibration, text }))
}

fn refusal(error: &CalibrationError, shown: &str) -> String {
    match error {
        CalibrationError::TooFewConversions { converted } => format!(
            "{shown} has {converted} converted lead{}; calibrating needs at least \
             {MIN_CONVERSIONS} to tell the rules apart: add more history",
            if *converted == 1 { "" } else { "s" }
        ),
        CalibrationError::OneScore { score } => format!(
            "every lead in {shown} has the score {}, so the data cannot tell what a point \
             is worth: calibrate on leads whose scores differ",
            score.normalize()
        ),
        CalibrationError::AllConverted { rows } => format!(
            "every lead in {shown} converted ({rows} of {rows}), so nothing tells what a \
             rule adds to a lead's chances: calibrate on a file that has leads that did not \
             convert too"
        ),
        CalibrationError::NoFit => format!(
            "the outcomes in {shown} cannot be fitted: the regression of the outcome on the \
             scores found no finite slope"
        ),
    }
}

/// A model that was in canonical layout stays so: the changed points are
/// aligned again by the formatter. Any other model keeps its layout.
fn realigned(original: &Source, proposed: String) -> String {
    let canonical = crate::fmt::format(original).is_ok_and(|t| t == original.text());
    if !canonical {
        return proposed;
    }
    let proposed_source = Source::new(original.name(), proposed.as_str());
    crate::fmt::format(&proposed_source).unwrap_or(proposed)
}

fn evidence(calibration: &Calibration) -> Table {
    let headers = vec![
        "rule",
        "old points",
        "new points",
        "hits",
        "converted",
        "rate fired",
        "weight",
    ];
    let mut t = Table::new(headers);
    for r in &calibration.rules {
        t.row(vec![
            r.reason.clone(),
            r.old_points.map_or("computed".into(), score),
            r.new_points.map_or("kept".into(), |p| p.to_string()),
            r.hits.to_string(),
            r.converted.to_string(),
            percent(r.rate_fired),
            fixed(Some(r.weight), 3),
        ]);
    }
    t
}

fn markdown(source: &Source, proposal: &Proposal) -> String {
    let c = &proposal.calibration;
    let text = &proposal.text;
    let fence = fence_for(text);
    let end = if text.ends_with('\n') { "" } else { "\n" };
    format!(
        "## Calibrated points for `{}`\n\n{} leads, {} converted, {} left out as unreadable.\n\n{}\n{fence}tally\n{text}{end}{fence}\n",
        source.name(),
        c.rows,
        c.converted,
        c.unreadable,
        evidence(c).markdown(),
    )
}

/// A code fence longer than any run of backticks in `text` (a comment
/// holding three of them ended a fence of three, and the rest of the
/// model was read as Markdown).
fn fence_for(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    "`".repeat((longest + 1).max(3))
}

fn write_model(args: &CalibrateArgs, text: &str, calibration: &Calibration) -> u8 {
    let path = args.model.as_str();
    let inputs: Vec<&str> = std::iter::once(args.leads.as_str())
        .chain(args.read.events.paths())
        .collect();
    let sink = match open_output(path, &inputs) {
        Ok(sink) => sink,
        Err(message) => {
            super::output::errln(&format!("error: {message}"));
            return EXIT_FAILURE;
        }
    };
    let written = (|| {
        let mut sink = sink;
        sink.write_all(text.as_bytes())?;
        commit_output(sink)
    })();
    match written {
        Ok(()) => {
            super::output::err(&evidence(calibration).text());
            super::output::errln(&format!("wrote the calibrated points to `{path}`"));
            EXIT_OK
        }
        Err(e) => {
            super::output::errln(&format!("error: cannot write `{path}`: {}", io_reason(&e)));
            EXIT_FAILURE
        }
    }
}
