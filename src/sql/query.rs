//! The scoring query: the lead table joined, row by row, to a chain of
//! one-row layers (`CROSS JOIN LATERAL`), each computing one step from the
//! ones before it, so every step reads like the interpreter's:
//!
//! `tally_consts` (whitespace set, today) → `tally_cells` (cells trimmed)
//! → `tally_input` (typed values, `tally_error`) → `tally_folded` (text as
//! compared) → `tally_rules` (each rule's points) → `tally_groups` (capped
//! subtotals) → `tally_score` → `tally_stage` → one layer per tier.
//!
//! Layers keep the input row untouched, so the result is `tally_row.*`
//! followed by the outputs, whatever columns the table has. In BigQuery
//! and DuckDB ([`nests`]) the same layers are nested derived tables,
//! each a `STRUCT` column, instead of lateral joins.

use super::arith::Fault;
use super::expr::{tier_layer, Writer};
use super::read::{self, whitespace};
use super::{accounts, events};
use super::{Dialect, SqlOptions};
use crate::check::model::{Field, Ladder, Limits, Model};
use crate::id::{FieldId, Id, IdVec, RuleId};
use crate::syntax::ast::Effect;
use crate::value::FieldType;

/// One layer: an alias and its `(expression, column)` pairs, after the
/// tables it joins first (`LEFT JOIN`s of the events' aggregates).
pub(super) struct Layer {
    pub alias: String,
    pub comment: String,
    pub columns: Vec<(String, String)>,
    pub joins: Vec<Join>,
}

/// `LEFT JOIN (query) AS alias ON on`, between two layers.
pub(super) struct Join {
    pub comment: String,
    pub query: String,
    pub alias: String,
    pub on: String,
}

/// Build the whole query; errors are left in the writer.
pub(super) fn build(w: &mut Writer<'_>, options: &SqlOptions, used: &[bool]) -> String {
    let d = w.dialect;
    let model = w.model;
    let today = match options.as_of {
        Some(date) => d.date(date),
        None => d.current_date(),
    };
    let mut layers = Vec::new();
    let mut wanted: IdVec<FieldId, bool> = (w.model.fields.enumerate())
        .map(|(i, f)| used.get(i.index()).copied().unwrap_or(true) || f.required)
        .collect();
    for key in events::lead_keys(model) {
        *wanted.at_mut(key) = true;
    }
    layers.extend(inputs(w, model.fields.as_slice(), wanted.as_slice()));
    layers.extend(events::layer(w, options, &today));
    // Account values (sql/accounts.rs): each window layer ends a level.
    let mut windows = Vec::new();
    layers.extend(accounts::key_layer(w));
    if let Some(window) = accounts::window_layer(w, false) {
        windows.push(layers.len());
        layers.push(window);
    }
    layers.push(rules(w));
    layers.push(groups(w));
    layers.push(score(w));
    if let Some(window) = accounts::window_layer(w, true) {
        windows.push(layers.len());
        layers.push(window);
    }
    if let Some(ladder) = &model.stage {
        let case = ladder_case(w, ladder);
        let mut columns = vec![(case, "stage".to_string())];
        columns.extend(fault_column(d, std::mem::take(&mut w.faults)));
        layers.push(Layer {
            alias: "tally_stage".to_string(),
            comment: "the stage ladder: the first line that holds".to_string(),
            columns,
            joins: Vec::new(),
        });
    }
    for (index, tier) in model.tiers.enumerate() {
        let case = ladder_case(w, &tier.ladder);
        let mut columns = vec![(case, tier.name.clone())];
        columns.extend(fault_column(d, std::mem::take(&mut w.faults)));
        layers.push(Layer {
            alias: tier_layer(index),
            comment: format!("tier {}", comment_text(&tier.name)),
            columns,
            joins: Vec::new(),
        });
    }
    unused_folds(d, &mut layers);
    let mut out = String::new();
    out.push_str(&header(model, options));
    out.push_str(d.preamble());
    let input_error = checked_error(d);
    // Layers whose arithmetic can fault (`arith.rs`) add their own
    // `tally_fault`: the row's error is the first cell's, else theirs.
    let faults: Vec<String> = layers
        .iter()
        .filter(|l| l.columns.iter().any(|(_, name)| name == FAULT))
        .map(|l| format!("{}.{}", l.alias, d.own(FAULT)))
        .collect();
    let (error, error_column) = if faults.is_empty() {
        (input_error.clone(), input_error)
    } else {
        let error = format!("COALESCE({input_error}, {})", faults.join(", "));
        let column = format!("{error} AS {}", d.ident("tally_error"));
        (error, column)
    };
    let (from, row) = match d {
        _ if nests(d) => {
            let inner = nested(w, &options.table, &today, &layers);
            (format!("FROM (\n{inner}\n)"), "tally_row.*".to_string())
        }
        _ => accounts::from_levels(w, &options.table, &today, &layers, &windows),
    };
    out.push_str(&format!("SELECT\n  {row},\n  {error_column}"));
    for (expr, name) in outputs(w, options.explain) {
        let masked = format!("CASE WHEN {error} IS NULL THEN {expr} END");
        out.push_str(&format!(",\n  {masked} AS {}", d.ident(&name)));
    }
    out.push('\n');
    out.push_str(&from);
    out.push_str(";\n");
    out
}

/// `FROM table AS tally_row`, the constants, then each layer joined to
/// the ones before it (lateral dialects).
pub(super) fn from_layers(w: &Writer<'_>, name: &str, today: &str, layers: &[Layer]) -> String {
    let d = w.dialect;
    let mut out = format!("FROM {} AS tally_row\n", table(w, name));
    out.push_str(&format!(
        "{}(\n  SELECT\n    {} AS ws,\n    {today} AS today\n) AS tally_consts\n",
        d.cross_join(),
        whitespace(d),
    ));
    for layer in layers {
        for join in &layer.joins {
            out.push_str(&format!(
                "-- {}\nLEFT JOIN (\n{}\n) AS {} ON {}\n",
                join.comment,
                indent(&join.query),
                join.alias,
                join.on
            ));
        }
        out.push_str(&render_layer(w, layer));
    }
    out
}

/// Each line of `text` indented by two spaces.
pub(super) fn indent(text: &str) -> String {
    let lines: Vec<String> = text.lines().map(|l| format!("  {l}")).collect();
    lines.join("\n")
}

/// Whether the layers nest as derived tables, each a `STRUCT` column
/// (see [`nested`]), rather than join as `LATERAL` subqueries. BigQuery
/// has no `LATERAL`. DuckDB decorrelates lateral layers with a "delim
/// join" (a copy of every row, a hash aggregate over its columns and a
/// join back) as soon as a list crosses them: nested, the 1M-row
/// benchmark took a fifth of the memory and half the time.
pub(super) fn nests(d: Dialect) -> bool {
    matches!(d, Dialect::BigQuery | Dialect::DuckDb)
}

/// A `STRUCT` value of `(expression, field name as written)` pairs.
fn struct_value(d: Dialect, fields: &[(String, String)], indent: &str) -> String {
    let items: Vec<String> = match d {
        Dialect::DuckDb => (fields.iter())
            .map(|(expr, name)| format!("{indent}{name} := {expr}"))
            .collect(),
        _ => (fields.iter())
            .map(|(expr, name)| format!("{indent}{expr} AS {name}"))
            .collect(),
    };
    let open = match d {
        Dialect::DuckDb => "struct_pack",
        _ => "STRUCT",
    };
    if indent.is_empty() {
        format!("{open}({})", items.join(", "))
    } else {
        format!("{open}(\n{}\n  )", items.join(",\n"))
    }
}

/// Layers as nested derived tables ([`nests`]): each layer is a `STRUCT`
/// column added by a query around the previous one, so `tally_cells.x`
/// still names a field. A join keeps the columns so far and adds the
/// joined row as a `STRUCT` named by its alias.
pub(super) fn nested(w: &Writer<'_>, name: &str, today: &str, layers: &[Layer]) -> String {
    let d = w.dialect;
    let consts = [
        (whitespace(d), "ws".to_string()),
        (today.to_string(), "today".to_string()),
    ];
    let mut inner = format!(
        "SELECT\n  tally_row,\n  {} AS tally_consts\nFROM {} AS tally_row",
        struct_value(d, &consts, ""),
        table(w, name)
    );
    for layer in layers {
        for join in &layer.joins {
            inner = format!(
                "-- {}\nSELECT\n  tally_so_far.*,\n  {alias}\nFROM (\n{inner}\n) AS tally_so_far\nLEFT JOIN (\n{}\n) AS {alias} ON {}",
                join.comment,
                indent(&join.query),
                join.on,
                alias = join.alias,
            );
        }
        let mut columns: Vec<(String, String)> = (layer.columns.iter())
            .map(|(expr, name)| (expr.clone(), d.ident(name)))
            .collect();
        if columns.is_empty() {
            columns.push(("NULL".to_string(), "tally_nothing".to_string()));
        }
        inner = format!(
            "-- {}\nSELECT\n  *,\n  {} AS {}\nFROM (\n{inner}\n)",
            layer.comment,
            struct_value(d, &columns, "    "),
            layer.alias
        );
    }
    inner
}

fn header(model: &Model, options: &SqlOptions) -> String {
    let name = model.name.as_deref().unwrap_or("model");
    let mut text = format!("-- Tally model {}", comment_text(name));
    if let Some(version) = &model.version {
        text.push_str(&format!(" version {}", comment_text(version)));
    }
    text.push_str(&format!(
        "\n-- Scores table {} in {}; today is {}.\n",
        comment_text(&options.table),
        options.dialect.name(),
        options
            .as_of
            .map_or("the engine's current date".to_string(), |d| d.to_string())
    ));
    text
}

/// Text safe inside a `--` comment: one line, no control characters.
pub(super) fn comment_text(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// A possibly qualified table name (`schema.leads`), each part quoted.
pub(super) fn table(w: &Writer<'_>, name: &str) -> String {
    let parts: Vec<String> = name.split('.').map(|p| w.dialect.ident(p)).collect();
    parts.join(".")
}

pub(super) fn render_layer(w: &Writer<'_>, layer: &Layer) -> String {
    let mut columns: Vec<String> = layer
        .columns
        .iter()
        .map(|(expr, name)| format!("    {expr} AS {}", w.dialect.ident(name)))
        .collect();
    if columns.is_empty() {
        // A SELECT needs a column; this layer has nothing to compute.
        columns.push("    NULL AS tally_nothing".to_string());
    }
    format!(
        "-- {}\n{} (\n  SELECT\n{}{}\n) AS {}\n",
        layer.comment,
        w.dialect.lateral_join(),
        columns.join(",\n"),
        w.dialect.layer_fence(),
        layer.alias
    )
}

/// The cells, typed values (and `tally_error`) and folded text of the
/// `wanted` fields of a lead (or of an event).
pub(super) fn inputs(w: &mut Writer<'_>, fields: &[Field], wanted: &[bool]) -> Vec<Layer> {
    let d = w.dialect;
    let mut cells = Vec::new();
    let mut days = Vec::new();
    let mut shifts = Vec::new();
    let mut values = Vec::new();
    let mut folded = Vec::new();
    let mut words = Vec::new();
    let mut checks: Vec<(String, String)> = Vec::new();
    for (index, field) in fields.iter().enumerate() {
        if !wanted.get(index).copied().unwrap_or(true) {
            continue;
        }
        // Cast: a typed column (INTEGER, DATE) is read from its text form.
        let source = format!(
            "CAST(tally_row.{} AS {})",
            d.ident(&field.column),
            d.text_type()
        );
        let cell = format!("tally_cells.{}", d.ident(&field.name));
        let read = read::field(d, field, &source, &cell);
        cells.push((read.cell, field.name.clone()));
        if field.ty == FieldType::Date {
            let date = read::field_date(d, field, &cell);
            days.push((date.day, field.name.clone()));
            shifts.push((date.shift, field.name.clone()));
        }
        values.push((read.value, field.name.clone()));
        checks.extend(read.checks);
        words.extend(read.words.map(|w| (w, field.name.clone())));
        if field.ty == FieldType::Text {
            let value = format!("tally_input.{}", d.ident(&field.name));
            let fold = d.fold(&value, "tally_consts.ws");
            folded.push((fold, field.name.clone()));
        }
    }
    let error = if checks.is_empty() {
        format!("CAST(NULL AS {})", d.text_type())
    } else {
        let arms: Vec<String> = checks
            .iter()
            .map(|(c, m)| format!("      WHEN {c} THEN {m}"))
            .collect();
        format!("CASE\n{}\n    END", arms.join("\n"))
    };
    // Nested (DuckDB, BigQuery): the error is a layer of its own, read
    // from the cells alone. A filter on it (`WHERE tally_error IS NULL`)
    // is pushed down into the layer computing it, where the engine
    // evaluates `struct_extract(struct_pack(…))` with every field of the
    // `STRUCT`: inside `tally_input` that cost every typed value twice
    // (15% of the 1M-row benchmark's time). `tally_input` keeps a copy,
    // which the events' queries read.
    let checks = nests(d).then(|| {
        values.push((checked_error(d), "tally_error".to_string()));
        let mut columns = vec![(error.clone(), "tally_error".to_string())];
        if d == Dialect::DuckDb {
            // DuckDB pushes no filter through a projection with a volatile
            // expression: the filter then reads the computed error instead
            // of computing the checks a second time. The value is unused.
            columns.push(("random()".to_string(), "tally_fence".to_string()));
        }
        columns
    });
    if checks.is_none() {
        values.push((error, "tally_error".to_string()));
    }
    let layer = |alias: &str, comment: &str, columns| Layer {
        alias: alias.to_string(),
        comment: comment.to_string(),
        columns,
        joins: Vec::new(),
    };
    let mut layers = vec![layer(
        "tally_cells",
        "cells as read: text as is, other types trimmed; empty is missing",
        cells,
    )];
    if !days.is_empty() {
        layers.push(layer(
            "tally_days",
            "date cells: the day, if the cell is a date or date-time naming a real day",
            days,
        ));
        layers.push(layer(
            "tally_shifts",
            "date cells: days from that day to the UTC day (date-times), if the clock is valid",
            shifts,
        ));
    }
    if !words.is_empty() {
        layers.push(layer(
            "tally_words",
            "bool cells with extra words: folded as text is compared",
            words,
        ));
    }
    if let Some(checks) = checks {
        layers.push(layer(
            "tally_checks",
            "tally_error: the first cell Tally would reject",
            checks,
        ));
    }
    layers.push(layer(
        "tally_input",
        "typed values; tally_error names the first cell Tally would reject",
        values,
    ));
    layers.push(layer(
        "tally_folded",
        "text as compared: trimmed, NFC, case-folded",
        folded,
    ));
    layers
}

/// Drop the folded text no later layer reads (a field read only as
/// written, by `matches` or `is missing`, such as an id or an e-mail):
/// folding is the dearest step of reading a cell. A later layer reads
/// `tally_folded."x"` in its text, so a fold whose reference is not
/// there is unused; one that a longer name or a literal happens to
/// contain is kept, which costs time, never a wrong result.
fn unused_folds(d: Dialect, layers: &mut [Layer]) {
    let Some(at) = layers.iter().position(|l| l.alias == "tally_folded") else {
        return;
    };
    let Some((folded, later)) = layers.get_mut(at..).and_then(|l| l.split_first_mut()) else {
        return;
    };
    let read = |name: &str| {
        let reference = format!("tally_folded.{}", d.ident(name));
        later.iter().any(|l| {
            let columns = l.columns.iter().map(|(expr, _)| expr);
            let joins = (l.joins.iter()).flat_map(|j| [&j.query, &j.on]);
            columns.chain(joins).any(|text| text.contains(&reference))
        })
    };
    folded.columns.retain(|(_, name)| read(name));
}

/// The row's first unreadable cell: from `tally_checks` where the layers
/// nest (see [`inputs`]), else from `tally_input`.
fn checked_error(d: Dialect) -> String {
    let layer = if nests(d) {
        "tally_checks"
    } else {
        "tally_input"
    };
    format!("{layer}.{}", d.own("tally_error"))
}

fn rule_column(id: RuleId) -> String {
    format!("rule_{}", id.index() + 1)
}

/// The column naming a layer's fault.
const FAULT: &str = "tally_fault";

/// Longest rule condition copied into the faults of its points.
const GUARD: usize = 2_000;

/// A layer's `tally_fault`: the message of the first fault that holds.
fn fault_column(d: Dialect, faults: Vec<Fault>) -> Option<(String, String)> {
    if faults.is_empty() {
        return None;
    }
    let arms: Vec<String> = faults
        .iter()
        .map(|f| format!("      WHEN {} THEN {}", f.condition, d.text(&f.message)))
        .collect();
    let case = format!("CASE\n{}\n    END", arms.join("\n"));
    Some((case, FAULT.to_string()))
}

fn rules(w: &mut Writer<'_>) -> Layer {
    let model = w.model;
    let mut columns = Vec::new();
    let mut faults = Vec::new();
    for (id, rule) in model.rules.enumerate() {
        let condition = w.condition(&rule.condition);
        faults.append(&mut w.faults);
        let points = w.value(&rule.points);
        // Points are computed only when the condition holds (a long
        // condition is not copied: the fault is then the points' alone).
        let guard = condition.len() <= GUARD;
        faults.extend(w.faults.drain(..).map(|f| Fault {
            condition: if guard {
                format!("({condition}) AND {}", f.condition)
            } else {
                f.condition
            },
            message: f.message,
        }));
        let signed = match rule.effect {
            Effect::Add => points,
            Effect::Sub => format!("-({points})"),
        };
        let expr = format!(
            "-- {}\n    CASE WHEN {condition} THEN {signed} END",
            comment_text(&rule.reason)
        );
        columns.push((expr, rule_column(id)));
    }
    columns.extend(fault_column(w.dialect, faults));
    Layer {
        alias: "tally_rules".to_string(),
        comment: "each rule's points when its condition holds".to_string(),
        columns,
        joins: Vec::new(),
    }
}

/// A sum of rule points (missing points add nothing), within limits.
fn capped_sum(w: &Writer<'_>, terms: Vec<String>, limits: Limits) -> String {
    let d = w.dialect;
    let mut sum = if terms.is_empty() {
        d.number(crate::value::Decimal::ZERO)
    } else {
        let zero = d.number(crate::value::Decimal::ZERO);
        let parts: Vec<String> = terms
            .iter()
            .map(|t| format!("COALESCE({t}, {zero})"))
            .collect();
        parts.join(" + ")
    };
    if let Some(max) = limits.max {
        sum = format!("LEAST({sum}, {})", d.number(max));
    }
    if let Some(min) = limits.min {
        sum = format!("GREATEST({sum}, {})", d.number(min));
    }
    sum
}

fn groups(w: &mut Writer<'_>) -> Layer {
    let columns = w
        .model
        .groups
        .iter()
        .map(|g| {
            let terms = g
                .rules
                .iter()
                .map(|r| format!("tally_rules.{}", w.dialect.own(&rule_column(*r))))
                .collect();
            (capped_sum(w, terms, g.limits), g.name.clone())
        })
        .collect();
    Layer {
        alias: "tally_groups".to_string(),
        comment: "each group's subtotal, capped".to_string(),
        columns,
        joins: Vec::new(),
    }
}

fn score(w: &mut Writer<'_>) -> Layer {
    let d = w.dialect;
    let model = w.model;
    let mut terms: Vec<String> = model
        .groups
        .iter()
        .map(|g| format!("tally_groups.{}", d.ident(&g.name)))
        .collect();
    let top_level = model.rules.enumerate().filter(|(_, r)| r.group.is_none());
    terms.extend(top_level.map(|(id, _)| format!("tally_rules.{}", d.own(&rule_column(id)))));
    Layer {
        alias: "tally_score".to_string(),
        comment: "the score: groups and top-level rules, capped".to_string(),
        columns: vec![(
            capped_sum(w, terms, model.score_limits),
            "score".to_string(),
        )],
        joins: Vec::new(),
    }
}

fn ladder_case(w: &mut Writer<'_>, ladder: &Ladder) -> String {
    let d = w.dialect;
    let mut arms: Vec<String> = ladder
        .steps
        .iter()
        .map(|s| {
            let condition = w.condition(&s.condition);
            format!("      WHEN {condition} THEN {}", d.text(&s.label))
        })
        .collect();
    let otherwise = match &ladder.otherwise {
        Some(label) => d.text(label),
        None => format!("CAST(NULL AS {})", d.text_type()),
    };
    arms.push(format!("      ELSE {otherwise}"));
    format!("CASE\n{}\n    END", arms.join("\n"))
}

/// The outputs in `tally score`'s order: score, groups, stage, tiers,
/// account values.
fn outputs(w: &Writer<'_>, explain: bool) -> Vec<(String, String)> {
    let d = w.dialect;
    let model = w.model;
    let mut out = vec![(
        format!("tally_score.{}", d.own("score")),
        "score".to_string(),
    )];
    let reasons = explain.then(|| reasons(w));
    for g in &model.groups {
        out.push((format!("tally_groups.{}", d.ident(&g.name)), g.name.clone()));
    }
    if model.stage.is_some() {
        out.push((
            format!("tally_stage.{}", d.own("stage")),
            "stage".to_string(),
        ));
    }
    for (index, t) in model.tiers.enumerate() {
        out.push((
            format!("{}.{}", tier_layer(index), d.ident(&t.name)),
            t.name.clone(),
        ));
    }
    let accounts = model.account.iter().flat_map(|a| a.values.enumerate());
    for (id, value) in accounts {
        out.push((w.account(id), format!("account.{}", value.name)));
    }
    out.extend(reasons.map(|r| (r, "reasons".to_string())));
    out
}

/// `Decision maker +20; Unsubscribed -10`: each fired rule (points not
/// missing) in file order, points signed and without trailing zeros.
fn reasons(w: &Writer<'_>) -> String {
    let d = w.dialect;
    let parts: Vec<String> = (w.model.rules.enumerate())
        .map(|(id, rule)| {
            let points = format!("tally_rules.{}", d.own(&rule_column(id)));
            let signed = format!(
                "CASE WHEN {points} < 0 THEN {} ELSE '+' || {} END",
                d.plain_number(&points),
                d.plain_number(&format!("ABS({points})"))
            );
            let reason = d.text(&format!("{} ", rule.reason));
            format!("\n      CASE WHEN {points} IS NOT NULL THEN {reason} || {signed} END")
        })
        .collect();
    if parts.is_empty() {
        return "''".to_string();
    }
    format!("concat_ws('; ',{}\n    )", parts.join(","))
}
