//! `tally backtest MODEL LEADS --outcome COL`: how well the model's scores
//! and stages predict an outcome column, and which thresholds the data
//! supports. The numbers come from `quality`; this file only renders.

use std::fmt::Write as _;

use clap::Args;

use super::common::load_model;
use super::style::{print_styled, ReadArgs, Style};
use super::table::{fixed, percent, score, Table};
use crate::plan;
use crate::quality::{Backtest, BacktestCounter, Segment};

#[derive(Debug, Args)]
pub struct BacktestArgs {
    /// The model (`-` reads standard input).
    #[arg(value_name = "MODEL")]
    model: String,
    /// The lead file: CSV or NDJSON, optionally gzipped.
    #[arg(value_name = "LEADS")]
    leads: String,
    /// The column of LEADS that says whether a lead converted: a boolean,
    /// or a date (present means converted); empty means not converted.
    #[arg(long, value_name = "COL")]
    outcome: String,
    #[command(flatten)]
    read: ReadArgs,
    /// How to print the results.
    #[arg(long, value_enum, default_value_t = Style::Text)]
    format: Style,
}

pub fn run(args: &BacktestArgs) -> u8 {
    match backtest(args) {
        Ok(report) => print_styled(&report, args.format, |markdown| render(&report, markdown)),
        Err((status, message)) => {
            // An empty message: already reported (a model's errors).
            if !message.is_empty() {
                super::output::errln(&format!("error: {message}"));
            }
            status
        }
    }
}

fn backtest(args: &BacktestArgs) -> Result<Backtest, (u8, String)> {
    args.read
        .one_stdin(&[("MODEL", &args.model), ("LEADS", &args.leads)])
        .map_err(|m| (super::EXIT_FAILURE, m))?;
    let (source, model) = load_model(&args.model).map_err(|status| (status, String::new()))?;
    let plan = plan::compile(&model);
    super::accounts::keep_leads_for(&args.leads, &[&plan]).map_err(|m| (super::EXIT_FAILURE, m))?;
    let file = args.read.file(&args.leads);
    let mut counter = BacktestCounter::new(&model);
    let today = args.read.today();
    let events = args.read.events(&plan, &[&plan], &args.leads)?;
    super::events::note_rejected(&[&events]);
    let accounts = args.read.accounts(&plan, &args.leads, &events)?;
    let scoring = (today, events.tables.as_slice(), &accounts);
    let counts = file.score_outcomes(&plan, scoring, &args.outcome, |part| counter.merge(part))?;
    Ok(counter.finish(&model, &source, counts.unreadable))
}

/// The report as text or Markdown: the same sections and tables.
fn render(report: &Backtest, markdown: bool) -> String {
    let table = |t: &Table| if markdown { t.markdown() } else { t.text() };
    let heading = |title: &str| {
        if markdown {
            format!("\n### {title}\n\n")
        } else {
            format!("\n{title}\n")
        }
    };
    let mut out = String::new();
    if markdown {
        out.push_str("## Backtest\n\n");
    }
    let _ = writeln!(out, "model: {}", report.model.short());
    let _ = writeln!(
        out,
        "{}leads: {} used, {} left out as unreadable; {} converted ({})",
        if markdown { "\n" } else { "" },
        report.rows,
        report.unreadable,
        report.converted,
        percent(report.base_rate)
    );
    let _ = writeln!(
        out,
        "{}ranking: AUC {}, Gini {}, KS {}",
        if markdown { "\n" } else { "" },
        fixed(report.auc, 3),
        fixed(report.gini, 3),
        fixed(report.ks, 3)
    );
    if !report.stages.is_empty() {
        out.push_str(&heading("by stage"));
        out.push_str(&table(&segments("stage", &report.stages)));
    }
    for tier in &report.tiers {
        out.push_str(&heading(&format!("by tier {}", tier.tier)));
        out.push_str(&table(&segments("label", &tier.labels)));
    }
    out.push_str(&heading("by score decile (1 = highest scores)"));
    out.push_str(&table(&deciles(report)));
    out.push_str(&heading("by rule"));
    match report.rules.is_empty() {
        // A table of headers alone says nothing.
        true => out.push_str(if markdown {
            "the model has no rules\n"
        } else {
            "  the model has no rules\n"
        }),
        false => out.push_str(&table(&rules(report))),
    }
    for threshold in &report.thresholds {
        out.push_str(&heading(&format!(
            "threshold `score {} {}` (line {}, {})",
            threshold.op,
            score(threshold.current),
            threshold.line,
            threshold.label
        )));
        let suggestion = threshold.suggested.map_or_else(
            || match report.rows {
                0 => "no suggestion: no lead was scored".to_string(),
                _ => "no suggestion: the file has leads of one outcome only".to_string(),
            },
            |s| {
                format!(
                    "suggested: score {} {} (the largest Youden's J)",
                    threshold.op,
                    score(s)
                )
            },
        );
        let _ = writeln!(out, "{}{suggestion}", if markdown { "" } else { "  " });
        if markdown {
            out.push('\n');
        }
        let mut t = Table::new(vec!["threshold", "leads", "converted", "rate", "J"]);
        for c in &threshold.candidates {
            t.row(vec![
                format!("{} {}", threshold.op, score(c.value)),
                c.leads.to_string(),
                c.converted.to_string(),
                percent(c.rate),
                fixed(c.j, 3),
            ]);
        }
        out.push_str(&table(&t));
    }
    out
}

fn segments(first: &'static str, rows: &[Segment]) -> Table {
    let mut t = Table::new(vec![first, "leads", "converted", "rate", "lift"]);
    for s in rows {
        t.row(vec![
            s.stage.clone().unwrap_or_else(|| "(none)".to_string()),
            s.leads.to_string(),
            s.converted.to_string(),
            percent(s.rate),
            fixed(s.lift, 2),
        ]);
    }
    t
}

fn deciles(report: &Backtest) -> Table {
    let mut t = Table::new(vec![
        "decile",
        "scores",
        "leads",
        "converted",
        "rate",
        "lift",
    ]);
    for d in &report.deciles {
        t.row(vec![
            d.decile.to_string(),
            format!("{} to {}", score(d.min), score(d.max)),
            d.leads.to_string(),
            d.converted.to_string(),
            percent(d.rate),
            fixed(d.lift, 2),
        ]);
    }
    t
}

fn rules(report: &Backtest) -> Table {
    let headers = vec!["rule", "hits", "rate fired", "rate not fired", "lift", "IV"];
    let mut t = Table::new(headers);
    for r in &report.rules {
        t.row(vec![
            r.reason.clone(),
            r.hits.to_string(),
            percent(r.rate_fired),
            percent(r.rate_not_fired),
            fixed(r.lift, 2),
            fixed(r.iv, 3),
        ]);
    }
    t
}
