//! The report page: one HTML document with its styles and charts inline.
//! It makes no request when opened, needs no script, and prints.

use maud::{html, Markup, PreEscaped, DOCTYPE};

use super::svg;
use crate::cli::table::{fixed, percent, score};
use crate::quality::{shown, Diff, Report, Stability};

/// PSI above this is worth a look; above [`PSI_SHIFT`], the population
/// has shifted.
const PSI_WATCH: f64 = 0.1;
const PSI_SHIFT: f64 = 0.25;

const STYLE: &str = r#"
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1d2430;
       max-width: 960px; margin: 2em auto; padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: .2em; } h2 { margin-top: 2em; border-bottom: 1px solid #d8dde6; }
.identity { color: #4a5568; } .identity code { background: #f1f4f8; padding: 0 .3em; }
.numbers { display: flex; gap: 1em; flex-wrap: wrap; margin: 1em 0; }
.numbers div { background: #f1f4f8; border-radius: 6px; padding: .6em 1em; min-width: 7em; }
.numbers b { display: block; font-size: 1.4em; }
table { border-collapse: collapse; margin: .6em 0; } th, td { padding: .25em .7em; text-align: right; }
th:first-child, td:first-child { text-align: left; } thead th { border-bottom: 1px solid #aab3c2; }
tbody tr:nth-child(even) { background: #f7f9fb; }
svg.chart { display: block; margin: .6em 0; max-width: 100%; }
svg text { font: 12px system-ui, sans-serif; fill: #1d2430; } svg text.small { font-size: 11px; }
rect.bar { fill: #3b6fd8; } rect.bar.negative { fill: #d8693b; }
line.axis { stroke: #aab3c2; } rect.frame { fill: none; stroke: #aab3c2; }
line.diagonal { stroke: #aab3c2; stroke-dasharray: 4 4; }
polyline.curve { fill: none; stroke: #3b6fd8; stroke-width: 2.5; }
.watch { color: #9a6700; font-weight: 600; } .shift { color: #b42318; font-weight: 700; }
@media print { body { margin: 0; max-width: none; } h2 { break-after: avoid; } svg.chart, table { break-inside: avoid; } }
"#;

/// What the page shows besides the report itself.
pub struct Extras<'a> {
    pub as_of: String,
    pub leads: &'a str,
    pub diff: Option<&'a Diff>,
}

pub fn page(report: &Report, extras: &Extras) -> String {
    let title = report
        .model
        .name
        .clone()
        .unwrap_or_else(|| "Model".to_string());
    let markup = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "Tally report: " (title) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                (identity(report, extras))
                (distribution(report))
                (contributions(report))
                @if report.backtest.is_some() { (outcomes(report)) }
                @if !report.stability.is_empty() { (stability(&report.stability)) }
                @if let Some(diff) = extras.diff { (transitions(diff)) }
            }
        }
    };
    markup.into_string()
}

fn identity(report: &Report, extras: &Extras) -> Markup {
    let m = &report.model;
    html! {
        h1 { (m.name.as_deref().unwrap_or("Unnamed model"))
             @if let Some(v) = &m.version { " — version " (v) } }
        p.identity {
            "Lead file " code { (extras.leads) } ", scored as of " (extras.as_of)
            ". Model SHA-256 " code { (m.sha256) } "."
        }
        div.numbers {
            div { b { (report.rows) } "rows read" }
            div { b { (report.scored) } "scored" }
            div { b { (report.unreadable) } "unreadable, left out" }
        }
    }
}

fn distribution(report: &Report) -> Markup {
    let histogram: Vec<(String, f64)> = report
        .histogram
        .iter()
        .map(|b| (score(b.from), b.leads as f64))
        .collect();
    let whole = |v: f64| format!("{v:.0}");
    html! {
        h2 { "Scores" }
        p { "How many leads got each score, in bars of equal width, each labelled with its lowest score." }
        (svg::columns("Score histogram", &histogram, whole))
        @if !report.stages.is_empty() {
            h2 { "Stages" }
            p { "Leads per stage, in ladder order: the funnel." }
            (svg::bars("Leads per stage", &counted(&report.stages), whole))
        }
        @for (tier, labels) in &report.tiers {
            h2 { "Tier " (tier) }
            (svg::bars(&format!("Leads per {tier} label"), &counted(labels), whole))
        }
    }
}

fn counted(items: &[(String, u64)]) -> Vec<(String, f64)> {
    items.iter().map(|(l, n)| (l.clone(), *n as f64)).collect()
}

fn contributions(report: &Report) -> Markup {
    let share = |v: f64| percent(Some(v));
    html! {
        @if !report.groups.is_empty() {
            h2 { "Group contributions" }
            p { "The mean points each group adds to a lead's score, after its caps." }
            (svg::bars("Mean points per group", &report.groups, shown))
        }
        h2 { "Rule hit rates" }
        p { "The share of scored leads each rule fired for." }
        (svg::bars("Share of leads per rule", &report.rules, share))
    }
}

fn outcomes(report: &Report) -> Markup {
    let Some(b) = &report.backtest else {
        return html! {};
    };
    let stages: Vec<(String, f64)> = b
        .stages
        .iter()
        .map(|s| {
            (
                s.stage.clone().unwrap_or_else(|| "(none)".into()),
                s.rate.unwrap_or(0.0),
            )
        })
        .collect();
    let deciles: Vec<(String, f64)> = b
        .deciles
        .iter()
        .map(|d| (d.decile.to_string(), d.rate.unwrap_or(0.0)))
        .collect();
    let share = |v: f64| percent(Some(v));
    html! {
        h2 { "Outcomes" }
        div.numbers {
            div { b { (percent(b.base_rate)) } "converted (" (b.converted) ")" }
            div { b { (fixed(b.auc, 3)) } "ROC AUC" }
            div { b { (fixed(b.gini, 3)) } "Gini" }
            div { b { (fixed(b.ks, 3)) } "KS" }
        }
        h3 { "Conversion by stage" }
        (svg::bars("Conversion rate per stage", &stages, share))
        h3 { "Conversion by score decile (1 = highest scores)" }
        (svg::columns("Conversion rate per score decile", &deciles, share))
        h3 { "ROC curve" }
        (svg::curve("ROC curve of the score", &report.roc, "false-positive rate", "true-positive rate"))
        h3 { "Rules" }
        table {
            thead { tr { th { "rule" } th { "hits" } th { "rate fired" } th { "rate not fired" } th { "lift" } th { "IV" } } }
            tbody {
                @for r in &b.rules {
                    tr { td { (r.reason) } td { (r.hits) } td { (percent(r.rate_fired)) }
                         td { (percent(r.rate_not_fired)) } td { (fixed(r.lift, 2)) } td { (fixed(r.iv, 3)) } }
                }
            }
        }
        @for t in &b.thresholds {
            h3 { "Threshold score " (t.op) " " (score(t.current)) " (line " (t.line) ", " (t.label) ")" }
            p { @match t.suggested {
                Some(s) => { "Suggested: score " (t.op) " " (score(s)) ", the largest Youden's J." }
                None if b.rows == 0 => { "No suggestion: no lead was scored." }
                None => { "No suggestion: the file has leads of one outcome only." }
            } }
        }
    }
}

fn stability(items: &[Stability]) -> Markup {
    html! {
        h2 { "Population stability against the baseline" }
        p { "PSI above " (PSI_WATCH) " is worth a look; above " (PSI_SHIFT) ", the leads have shifted." }
        table {
            thead { tr { th { "value" } th { "PSI" } th { "" } } }
            tbody {
                @for s in items {
                    tr {
                        td { (s.name) }
                        @match s.psi {
                            Some(psi) => {
                                td { (format!("{psi:.3}")) }
                                td {
                                    @if psi > PSI_SHIFT { span.shift { "shifted" } }
                                    @else if psi > PSI_WATCH { span.watch { "watch" } }
                                }
                            }
                            None => {
                                td { "–" }
                                td { "no lead scored in one of the files" }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn transitions(diff: &Diff) -> Markup {
    let rows: Vec<&String> = diff
        .stages
        .iter()
        .filter(|l| diff.transitions.iter().any(|t| &t.from == *l))
        .collect();
    let columns: Vec<&String> = diff
        .stages
        .iter()
        .filter(|l| diff.transitions.iter().any(|t| &t.to == *l))
        .collect();
    let count = |from: &str, to: &str| {
        diff.transitions
            .iter()
            .find(|t| t.from == from && t.to == to)
            .map_or(0, |t| t.count)
    };
    html! {
        h2 { "Against " (diff.old_model.short()) }
        @if diff.transitions.is_empty() {
            p { "No lead was scored: no transition to show." }
        } @else {
        p { (diff.moved) " of " (diff.rows) " leads (" (percent(diff.moved_share)) ") change stage. Rows: old stage; columns: new stage." }
        table {
            thead { tr { th { "old \\ new" } @for c in &columns { th { (c) } } } }
            tbody {
                @for r in &rows {
                    tr { td { (r) } @for c in &columns { td { (count(r, c)) } } }
                }
            }
        }
        }
    }
}
