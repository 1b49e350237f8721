//! `tally diff OLD NEW LEADS`: what a model change does to a lead file.
//! The numbers come from `quality::DiffCounter`; this file reads the two
//! models (files or `REV:PATH`), writes `-o` and renders.

use std::fmt::Write as _;

use clap::Args;

use super::common::{commit_output, compile_model, open_output};
use super::revision::read_model;
use super::style::{print_styled, ReadArgs, Style};
use super::table::{fixed, percent, score, Table};
use super::{io_reason, EXIT_FAILURE, EXIT_OK, EXIT_PROBLEMS};
use crate::check::Model;
use crate::eval::Scorer;
use crate::io::Sink;
use crate::plan;
use crate::quality::{each_folded, Changed, Column, Diff, DiffCounter, Scoring, Side, Transition};
use crate::source::Source;
use crate::value::format_decimal;

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The model before the change: a file, or REV:PATH for the file at a
    /// git revision (`main:models/b2b.tally`).
    #[arg(value_name = "OLD")]
    old: String,
    /// The model after the change: a file or REV:PATH.
    #[arg(value_name = "NEW")]
    new: String,
    /// The lead file both models score: CSV or NDJSON, optionally gzipped.
    #[arg(value_name = "LEADS")]
    leads: String,
    /// How many of the leads whose score changed most to list.
    #[arg(long, value_name = "N", default_value_t = 10)]
    top: usize,
    /// Exit 1 when more than P% of the leads change stage (a CI gate).
    #[arg(long, value_name = "P%", value_parser = parse_percent)]
    fail_if_moved: Option<f64>,
    /// Write one CSV row per lead whose score or stage changed: key, old
    /// score, new score, old stage, new stage.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<String>,
    #[command(flatten)]
    read: ReadArgs,
    /// How to print the results.
    #[arg(long, value_enum, default_value_t = Style::Text)]
    format: Style,
}

/// `5%` or `5`: a share in percent, 0 to 100.
fn parse_percent(text: &str) -> Result<f64, String> {
    let number = text.trim().trim_end_matches('%').trim();
    match number.parse::<f64>() {
        Ok(p) if (0.0..=100.0).contains(&p) => Ok(p),
        _ => Err("expected a percentage from 0 to 100, such as `5%`".into()),
    }
}

pub fn run(args: &DiffArgs) -> u8 {
    let diff = match diff(args) {
        Ok(diff) => diff,
        Err((status, message)) => {
            if !message.is_empty() {
                super::output::errln(&format!("error: {message}"));
            }
            return status;
        }
    };
    let printed = print_styled(&diff, args.format, |markdown| render(&diff, markdown));
    if printed != EXIT_OK {
        return printed;
    }
    match (args.fail_if_moved, diff.moved_share) {
        (Some(limit), Some(share)) if share * 100.0 > limit => {
            super::output::errln(&format!(
                "error: {} of the leads changed stage, more than --fail-if-moved {limit}%",
                percent(Some(share))
            ));
            EXIT_PROBLEMS
        }
        _ => EXIT_OK,
    }
}

fn load(argument: &str) -> Result<(Source, Model), (u8, String)> {
    let (name, bytes) = read_model(argument).map_err(|message| (EXIT_FAILURE, message))?;
    compile_model(&name, bytes).map_err(|status| (status, String::new()))
}

fn diff(args: &DiffArgs) -> Result<Diff, (u8, String)> {
    let inputs = [
        ("OLD", args.old.as_str()),
        ("NEW", &args.new),
        ("LEADS", &args.leads),
    ];
    args.read
        .one_stdin(&inputs)
        .map_err(|m| (super::EXIT_FAILURE, m))?;
    let (old_source, old_model) = load(&args.old)?;
    let (new_source, new_model) = load(&args.new)?;
    let (old_plan, new_plan) = (plan::compile(&old_model), plan::compile(&new_model));
    super::accounts::keep_leads_for(&args.leads, &[&old_plan, &new_plan])
        .map_err(|m| (EXIT_FAILURE, m))?;
    let file = args.read.file(&args.leads);
    let (reader, old_binding) = file.open(&old_plan)?;
    let new_binding = file.bind(&new_plan, reader.header())?;
    let key = new_model
        .fields
        .first()
        .and_then(|f| Column::find(reader.header(), &f.column).ok());
    let today = args.read.today();
    let (old_events, new_events) = (
        args.read
            .events(&old_plan, &[&old_plan, &new_plan], &args.leads)?,
        args.read
            .events(&new_plan, &[&old_plan, &new_plan], &args.leads)?,
    );
    super::events::note_rejected(&[&old_events, &new_events]);
    let old_accounts = args.read.accounts(&old_plan, &args.leads, &old_events)?;
    let new_accounts = args.read.accounts(&new_plan, &args.leads, &new_events)?;
    let old_scorer = Scorer::new(&old_plan, today)
        .with_events(&old_events.tables)
        .with_accounts(&old_accounts);
    let new_scorer = Scorer::new(&new_plan, today)
        .with_events(&new_events.tables)
        .with_accounts(&new_accounts);
    let scoring = [
        Scoring {
            binding: &old_binding,
            scorer: &old_scorer,
            leads: false,
        },
        Scoring {
            binding: &new_binding,
            scorer: &new_scorer,
            leads: false,
        },
    ];
    let inputs = [args.old.as_str(), args.new.as_str(), args.leads.as_str()];
    let inputs: Vec<&str> = inputs.into_iter().chain(args.read.events.paths()).collect();
    let changed = args
        .output
        .as_deref()
        .map(|o| ChangedLeads::create(o, &inputs));
    let mut changed = changed.transpose()?;
    let mut counter = DiffCounter::new(&old_model, &new_model, args.top);
    let mut write_error = None;
    let rows = counter.rows(key.as_ref(), changed.is_some());
    let counts = each_folded(reader, &scoring, &rows, |part| {
        let leads = counter.merge(part);
        if let Some(out) = changed.as_mut() {
            for lead in &leads {
                if let Err(e) = out.write(lead) {
                    write_error.get_or_insert(e);
                }
            }
        }
    })
    .map_err(|e| (EXIT_FAILURE, format!("cannot read {}: {e}", file.shown())))?;
    if let Some(message) = write_error {
        return Err((EXIT_FAILURE, message));
    }
    if let Some(out) = changed {
        out.finish()?;
    }
    let old = Side {
        model: &old_model,
        source: &old_source,
    };
    let new = Side {
        model: &new_model,
        source: &new_source,
    };
    Ok(counter.finish(old, new, counts.unreadable))
}

/// The `-o` file: a CSV row per lead whose score or stage changed.
struct ChangedLeads {
    path: String,
    writer: csv::Writer<Sink>,
}

impl ChangedLeads {
    fn create(path: &str, inputs: &[&str]) -> Result<ChangedLeads, (u8, String)> {
        let sink = open_output(path, inputs).map_err(|message| (EXIT_FAILURE, message))?;
        let mut writer = csv::Writer::from_writer(sink);
        writer
            .write_record(["key", "old_score", "new_score", "old_stage", "new_stage"])
            .map_err(|e| (EXIT_FAILURE, format!("cannot write `{path}`: {e}")))?;
        Ok(ChangedLeads {
            path: path.to_string(),
            writer,
        })
    }

    /// A lead whose score or stage changed.
    fn write(&mut self, lead: &Changed) -> Result<(), String> {
        fn stage(s: &Option<String>) -> &str {
            s.as_deref().unwrap_or_default()
        }
        self.writer
            .write_record([
                lead.key.as_str(),
                &format_decimal(lead.old_score),
                &format_decimal(lead.new_score),
                stage(&lead.old_stage),
                stage(&lead.new_stage),
            ])
            .map_err(|e| format!("cannot write `{}`: {e}", self.path))
    }

    fn finish(self) -> Result<(), (u8, String)> {
        let path = self.path;
        let sink = self
            .writer
            .into_inner()
            .map_err(|e| cannot_write(&path, e.error()))?;
        commit_output(sink).map_err(|e| cannot_write(&path, &e))
    }
}

fn cannot_write(path: &str, error: &std::io::Error) -> (u8, String) {
    (
        EXIT_FAILURE,
        format!("cannot write `{path}`: {}", io_reason(error)),
    )
}

fn render(diff: &Diff, markdown: bool) -> String {
    let table = |t: &Table| if markdown { t.markdown() } else { t.text() };
    let heading = |title: &str| {
        if markdown {
            format!("\n### {title}\n\n")
        } else {
            format!("\n{title}\n")
        }
    };
    let gap = if markdown { "\n" } else { "" };
    let mut out = String::new();
    if markdown {
        out.push_str("## What this model change does\n\n");
    }
    let _ = writeln!(out, "old: {}", diff.old_model.short());
    let _ = writeln!(out, "{gap}new: {}", diff.new_model.short());
    let _ = writeln!(
        out,
        "{gap}leads: {} scored by both, {} left out as unreadable",
        diff.rows, diff.unreadable
    );
    let _ = writeln!(
        out,
        "{gap}stage changed: {} of {} leads ({})",
        diff.moved,
        diff.rows,
        percent(diff.moved_share)
    );
    if let Some(s) = &diff.score_change {
        let signed = |v: f64| {
            let text = score(v);
            if v > 0.0 {
                format!("+{text}")
            } else {
                text
            }
        };
        let _ = writeln!(
            out,
            "{gap}score change (new − old): mean {}, median {}, p10 {}, p90 {}, min {}, max {}",
            fixed(Some(s.mean), 2),
            signed(s.median),
            signed(s.p10),
            signed(s.p90),
            signed(s.min),
            signed(s.max)
        );
    }
    // A file with no lead scored has no transition: a table without
    // rows would be a header alone.
    let transitions = |list: &[Transition], labels: &[String]| match list {
        [] if markdown => "no leads scored\n".to_string(),
        [] => "  no leads scored\n".to_string(),
        _ => table(&matrix(list, labels)),
    };
    out.push_str(&heading(
        "stage transitions (rows: old stage, columns: new)",
    ));
    out.push_str(&transitions(&diff.transitions, &diff.stages));
    for tier in &diff.tiers {
        out.push_str(&heading(&format!(
            "tier {} transitions ({} leads changed)",
            tier.tier, tier.moved
        )));
        out.push_str(&transitions(&tier.transitions, &tier.labels));
    }
    out.push_str(&heading("rules, matched by reason"));
    match diff.rules.is_empty() {
        // A table of headers alone says nothing.
        true => out.push_str(if markdown {
            "neither model has rules\n"
        } else {
            "  neither model has rules\n"
        }),
        false => out.push_str(&table(&rules(diff))),
    }
    if !diff.top.is_empty() {
        out.push_str(&heading("largest score changes"));
        let key = diff.key.clone().unwrap_or_else(|| "lead".to_string());
        let mut t = Table::with_headers(
            [
                key.as_str(),
                "old score",
                "new score",
                "old stage",
                "new stage",
            ]
            .map(str::to_string)
            .to_vec(),
        );
        for m in &diff.top {
            let stage = |s: &Option<String>| s.clone().unwrap_or_else(|| "(none)".into());
            t.row(vec![
                m.key.clone(),
                score(m.old_score),
                score(m.new_score),
                stage(&m.old_stage),
                stage(&m.new_stage),
            ]);
        }
        out.push_str(&table(&t));
    }
    out
}

/// Old labels as rows, new labels as columns, in ladder order; a label
/// no lead has on that side is left out.
fn matrix(transitions: &[Transition], labels: &[String]) -> Table {
    let rows: Vec<&str> = labels
        .iter()
        .filter(|l| transitions.iter().any(|t| &t.from == *l))
        .map(String::as_str)
        .collect();
    let columns: Vec<&str> = labels
        .iter()
        .filter(|l| transitions.iter().any(|t| &t.to == *l))
        .map(String::as_str)
        .collect();
    let mut headers: Vec<String> = vec!["old \\ new".to_string()];
    headers.extend(columns.iter().map(|c| c.to_string()));
    let mut table = Table::with_headers(headers);
    for from in rows {
        let mut cells = vec![from.to_string()];
        for to in &columns {
            let count = transitions
                .iter()
                .find(|t| t.from == from && t.to == *to)
                .map_or(0, |t| t.count);
            cells.push(count.to_string());
        }
        table.row(cells);
    }
    table
}

fn rules(diff: &Diff) -> Table {
    let headers = vec![
        "rule",
        "status",
        "old hits",
        "new hits",
        "old points",
        "new points",
    ];
    let mut t = Table::new(headers);
    let or_dash = |v: Option<String>| v.unwrap_or_else(|| "–".to_string());
    for r in &diff.rules {
        t.row(vec![
            r.reason.clone(),
            r.status.to_string(),
            or_dash(r.old_hits.map(|h| h.to_string())),
            or_dash(r.new_hits.map(|h| h.to_string())),
            or_dash(r.old_points.clone()),
            or_dash(r.new_points.clone()),
        ]);
    }
    t
}
