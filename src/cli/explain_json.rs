//! `tally explain --format json`: the same facts as the text, as data.

use serde_json::{json, Map, Value as Json};

use crate::eval::Trace;
use crate::plan::{LadderSpec, Plan};
use crate::quality::ModelStamp;
use crate::value::{format_decimal, Decimal, Value};

/// One `each` rule's events, as data.
fn each_json(rule: &super::events::EachExplained) -> Json {
    let events: Vec<Json> = rule
        .contributions
        .iter()
        .map(|c| {
            json!({
                "time": c.time.format("%Y-%m-%d").to_string(),
                "age": c.age,
                "points": c.points.map(number),
                "factor": c.factor.map(number),
                "added": c.added.map(number),
            })
        })
        .collect();
    json!({"reason": rule.reason, "max": rule.max.map(number), "events": events})
}

/// The lead's account, as `explain` shows it: how many leads formed it
/// (`None`: in no account) and each value, named `account.NAME` as its
/// output column is.
pub struct AccountShown {
    pub leads: Option<u64>,
    pub values: Vec<(String, Option<Value>)>,
}

/// The explanation of one lead as one JSON document.
pub fn render(
    plan: &Plan,
    trace: &Trace,
    row: u64,
    who: Option<(&str, String)>,
    model: &ModelStamp,
    (each, account): (&[super::events::EachExplained], Option<&AccountShown>),
) -> String {
    let outcome = &trace.outcome;
    let mut doc = Map::new();
    doc.insert("model".into(), json!(model));
    doc.insert("row".into(), json!(row));
    if let Some((column, value)) = who {
        doc.insert("lead".into(), json!({"column": column, "value": value}));
    }
    doc.insert("score".into(), number(outcome.score));
    doc.insert("score_before_caps".into(), number(trace.score_sum));
    let groups: Vec<Json> = plan
        .groups
        .iter()
        .enumerate()
        .map(|(g, group)| {
            json!({
                "name": group.name,
                "sum": number(trace.group_sums.get(g).copied().unwrap_or_default()),
                "capped": number(outcome.groups.get(g).copied().unwrap_or_default()),
            })
        })
        .collect();
    doc.insert("groups".into(), Json::Array(groups));
    if let Some(stage) = &plan.stage {
        doc.insert(
            "stage".into(),
            ladder(plan, stage, trace.stage_step, outcome.stage.as_deref()),
        );
    }
    let tiers: Vec<Json> = plan
        .tiers
        .iter()
        .zip(&trace.tier_steps)
        .zip(&outcome.tiers)
        .map(|((tier, step), label)| {
            let mut taken = ladder(plan, &tier.ladder, *step, label.as_deref());
            if let Json::Object(map) = &mut taken {
                map.insert("tier".into(), json!(tier.name));
            }
            taken
        })
        .collect();
    doc.insert("tiers".into(), Json::Array(tiers));
    doc.insert("rules".into(), Json::Array(rules(plan, trace)));
    if !each.is_empty() {
        doc.insert(
            "each".into(),
            Json::Array(each.iter().map(each_json).collect()),
        );
    }
    if let Some(account) = account {
        let values: Map<String, Json> = (account.values.iter())
            .map(|(name, value)| (name.clone(), value.as_ref().map_or(Json::Null, value_json)))
            .collect();
        doc.insert(
            "account".into(),
            json!({"leads": account.leads, "values": values}),
        );
    }
    let mut text = serde_json::to_string_pretty(&Json::Object(doc)).unwrap_or_default();
    text.push('\n');
    text
}

/// `{"label", "line"}`: the label and the 1-based ladder line that gave
/// it (`null` for `else` or none).
fn ladder(plan: &Plan, spec: &LadderSpec, step: Option<usize>, label: Option<&str>) -> Json {
    let condition = step
        .and_then(|s| spec.steps.get(s))
        .map(|(c, _)| plan.show(c));
    json!({
        "label": label,
        "line": step.map(|s| s + 1),
        "condition": condition,
    })
}

fn rules(plan: &Plan, trace: &Trace) -> Vec<Json> {
    plan.rules
        .iter()
        .zip(&trace.rules)
        .map(|(rule, rt)| {
            let inputs: Vec<Json> = rt
                .inputs
                .iter()
                .map(|(field, value)| {
                    let name = plan.fields.get(*field).map_or("", |f| f.name.as_str());
                    json!({"field": name, "value": value.as_ref().map(value_json)})
                })
                .collect();
            json!({
                "reason": rule.reason,
                "group": rule.group.and_then(|g| plan.groups.get(g)).map(|g| g.name.as_str()),
                "condition": rt.condition,
                "fired": rt.condition == Some(true) && rt.points.is_some(),
                "points": rt.points.map(number),
                "inputs": inputs,
                "decay": rt.decay.as_ref().map(|d| json!({
                    "form": d.form.to_string(),
                    "since": d.since.format("%Y-%m-%d").to_string(),
                    "age": d.age,
                    "factor": number(d.factor),
                    "points": number(d.points),
                })),
            })
        })
        .collect()
}

/// An exact decimal as a JSON number (its shortest decimal text).
fn number(value: Decimal) -> Json {
    serde_json::from_str(&format_decimal(value)).unwrap_or(Json::Null)
}

fn value_json(value: &Value) -> Json {
    match value {
        Value::Text(t) => json!(t),
        Value::Number(n) => number(*n),
        Value::Bool(b) => json!(b),
        Value::Date(d) => json!(d.to_string()),
        Value::List(items) => Json::Array(items.iter().map(value_json).collect()),
        Value::Duration(_) => json!(format!("{value:?}")),
    }
}
