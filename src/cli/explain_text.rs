//! The text of `tally explain`: why one lead scored what it did, for a
//! sales rep as much as for the model's author.

use std::fmt::Write;

use crate::check::model::Limits;
use crate::eval::Trace;
use crate::id::{GroupId, Id};
use crate::plan::{LadderSpec, Plan};
use crate::value::{format_decimal, format_signed, Decimal, Value};

/// Render the explanation of one lead (`row` is 1-based, header excluded;
/// `who` names the lead, e.g. `lead_id "L-42"`).
pub fn render(plan: &Plan, trace: &Trace, row: u64, who: Option<&str>) -> String {
    let mut out = String::new();
    let outcome = &trace.outcome;
    let _ = write!(out, "row {row}");
    if let Some(who) = who {
        let _ = write!(out, " ({who})");
    }
    let _ = write!(out, ": score {}", format_decimal(outcome.score));
    if plan.stage.is_some() {
        let _ = write!(out, ", stage {}", shown_label(outcome.stage.as_deref()));
    }
    for (tier, value) in plan.tiers.iter().zip(&outcome.tiers) {
        let _ = write!(out, ", {} {}", tier.name, shown_label(value.as_deref()));
    }
    out.push('\n');
    if let Some(stage) = &plan.stage {
        ladder(
            &mut out,
            plan,
            "stage",
            stage,
            trace.stage_step,
            outcome.stage.as_deref(),
        );
    }
    for ((tier, step), value) in plan.tiers.iter().zip(&trace.tier_steps).zip(&outcome.tiers) {
        ladder(
            &mut out,
            plan,
            &tier.name,
            &tier.ladder,
            *step,
            value.as_deref(),
        );
    }
    score_line(&mut out, plan, trace);
    for (g, group) in plan.groups.enumerate() {
        // The trace's and the outcome's sums are in group order.
        let sum = trace.group_sums.get(g.index()).copied().unwrap_or_default();
        let capped = outcome.groups.get(g.index()).copied().unwrap_or_default();
        let _ = writeln!(
            out,
            "\ngroup {}: {}",
            group.name,
            capped_text(sum, capped, group.limits)
        );
        rules(&mut out, plan, trace, Some(g));
    }
    if plan.rules.iter().any(|r| r.group.is_none()) {
        let _ = writeln!(out, "\nrules outside groups");
        rules(&mut out, plan, trace, None);
    }
    out
}

fn shown_label(label: Option<&str>) -> String {
    label.map_or("(none)".to_string(), str::to_string)
}

/// Each ladder line: not true, taken, or not reached.
fn ladder(
    out: &mut String,
    plan: &Plan,
    name: &str,
    spec: &LadderSpec,
    step: Option<usize>,
    value: Option<&str>,
) {
    let _ = writeln!(out, "\n{name} is {} because", shown_label(value));
    for (i, (condition, label)) in spec.steps.iter().enumerate() {
        let verdict = match step {
            Some(taken) if i < taken => "not true",
            Some(taken) if i == taken => "TAKEN",
            Some(_) => "not reached",
            None => "not true",
        };
        let _ = writeln!(
            out,
            "  {verdict:<11} if {} then {label}",
            plan.show(condition)
        );
    }
    if let Some(otherwise) = &spec.otherwise {
        let verdict = if step.is_none() {
            "TAKEN"
        } else {
            "not reached"
        };
        let _ = writeln!(out, "  {verdict:<11} else {otherwise}");
    }
}

fn score_line(out: &mut String, plan: &Plan, trace: &Trace) {
    let outcome = &trace.outcome;
    let mut parts: Vec<String> = plan
        .groups
        .iter()
        .zip(&outcome.groups)
        .map(|(g, v)| format!("{} {}", g.name, format_decimal(*v)))
        .collect();
    let top: Decimal = outcome
        .fired
        .iter()
        .filter(|f| plan.rules.get(f.rule).is_some_and(|r| r.group.is_none()))
        .map(|f| f.points)
        .sum();
    if plan.rules.iter().any(|r| r.group.is_none()) {
        parts.push(format!("rules outside groups {}", format_decimal(top)));
    }
    let sum = parts.join(" + ");
    let _ = writeln!(
        out,
        "\nscore: {} = {}",
        capped_text(trace.score_sum, outcome.score, plan.score_limits),
        if sum.is_empty() { "0".to_string() } else { sum }
    );
}

/// `30` or `50 (rules add up to 65, capped at max 50)`.
fn capped_text(sum: Decimal, capped: Decimal, limits: Limits) -> String {
    if sum == capped {
        return format_decimal(capped);
    }
    let bound = if Some(capped) == limits.max {
        "max"
    } else {
        "min"
    };
    format!(
        "{} (the rules add up to {}, limited by {bound} {})",
        format_decimal(capped),
        format_decimal(sum),
        format_decimal(capped)
    )
}

/// Every rule of one group (or the top level), fired or not.
fn rules(out: &mut String, plan: &Plan, trace: &Trace, group: Option<GroupId>) {
    for (rule, rt) in plan
        .rules
        .iter()
        .zip(&trace.rules)
        .filter(|(r, _)| r.group == group)
    {
        let (mark, points) = match (rt.condition, rt.points) {
            (Some(true), Some(p)) => ("yes", format_signed(p)),
            (Some(true), None) => ("yes", "+0 (its points are missing)".to_string()),
            (Some(false), _) => ("no", String::new()),
            (None, _) => ("unknown", "(a value it needs is missing)".to_string()),
        };
        let _ = writeln!(
            out,
            "  {mark:<8} {:<6} {}",
            if rt.condition == Some(true) {
                points.as_str()
            } else {
                ""
            },
            rule.reason
        );
        if rt.condition.is_none() {
            let _ = writeln!(out, "  {:<15} {points}", "");
        }
        let looked: Vec<String> = rt
            .inputs
            .iter()
            .map(|(id, value)| {
                let name = plan.fields.get(*id).map_or("?", |f| f.name.as_str());
                format!("{name} = {}", shown_value(value.as_ref()))
            })
            .collect();
        if !looked.is_empty() {
            let _ = writeln!(out, "  {:<15} {}", "", looked.join(", "));
        }
        if let (Some(decay), Some(points)) = (&rt.decay, rt.points) {
            let _ = writeln!(
                out,
                "  {:<15} decay {} since {}: age {} day{}, {} × {} = {}",
                "",
                decay.form,
                decay.since.format("%Y-%m-%d"),
                decay.age,
                if decay.age == 1 { "" } else { "s" },
                format_decimal(decay.points),
                format_decimal(decay.factor),
                format_signed(points)
            );
        }
    }
}

/// Each `each` rule's events: date, age, points, decay factor, what it
/// added, and the `max` applied.
pub fn each_section(each: &[super::events::EachExplained]) -> String {
    let mut out = String::new();
    for rule in each.iter().filter(|r| !r.contributions.is_empty()) {
        let sum: Decimal = rule.contributions.iter().filter_map(|c| c.added).sum();
        let events = match rule.contributions.len() {
            1 => "1 event".to_string(),
            n => format!("{n} events"),
        };
        let _ = write!(out, "  {}: {events}, {}", rule.reason, format_signed(sum));
        match rule.max {
            Some(max) if sum.abs() > max => {
                let _ = write!(out, ", limited to max {}", format_decimal(max));
            }
            Some(max) => {
                let _ = write!(out, " (max {})", format_decimal(max));
            }
            None => {}
        }
        out.push('\n');
        for c in &rule.contributions {
            let points = c.points.map_or("(missing)".to_string(), format_decimal);
            let added = c.added.map_or("nothing".to_string(), format_signed);
            let decay = c
                .factor
                .map_or(String::new(), |f| format!(" × {}", format_decimal(f)));
            let _ = writeln!(
                out,
                "    {}  age {:>4} days  {points}{decay} = {added}",
                c.time.format("%Y-%m-%d"),
                c.age
            );
        }
    }
    if out.is_empty() {
        return out;
    }
    format!("\nevents of this lead, per `each` rule\n{out}")
}

/// A lead value as the rep would recognise it.
pub fn shown_value(value: Option<&Value>) -> String {
    match value {
        None => "(missing)".to_string(),
        Some(Value::Text(t)) => format!("{t:?}"),
        Some(Value::Number(n)) => format_decimal(*n),
        Some(Value::Bool(b)) => b.to_string(),
        Some(Value::Date(d)) => d.format("%Y-%m-%d").to_string(),
        Some(Value::Duration(d)) => d.to_string(),
        Some(Value::List(items)) => {
            let items: Vec<String> = items.iter().map(|i| shown_value(Some(i))).collect();
            format!("[{}]", items.join(", "))
        }
    }
}
