//! Accounts in SQL (language section 12; docs/sql.md): the values of an
//! `account by FIELD { … }` block as window functions partitioned by the
//! account key, as an engineer would write them by hand.
//!
//! The key (`tally_account`) is the lead's `by` field as `==` compares it
//! (text folded, blank none; a number, date or bool as is), and none
//! for a rejected row, so rejected and keyless rows share the NULL
//! partition, whose values are masked to NULL. Each value is one
//! aggregate `OVER (PARTITION BY key)`, filtered to `leads where COND`
//! (`FILTER (WHERE …)` where the dialect has it in windows, else `CASE
//! WHEN` inside): the input-level ones in `tally_accounts`, after the
//! lead's values and events, the score-level ones in
//! `tally_score_accounts`, after the score, before the ladder.
//!
//! A window sees every row only at the level of a query, not inside the
//! one-row lateral layers: so in the lateral dialects each window layer
//! ends a level. The query so far becomes a derived table
//! (`tally_level_N`) that carries the table row (PostgreSQL: its
//! composite value; Spark: a struct; Snowflake: its columns, dropped at
//! the end with `EXCLUDE`), every layer later layers read, and the
//! windows; the next level names them again as lateral layers of the
//! same aliases (`tally_input."x"`), so every expression reads the same
//! there. BigQuery's and DuckDB's layers are nested `STRUCT`s already
//! (`query::nests`): a window layer is one more.

use super::expr::Writer;
use super::query::{self, Layer};
use super::Dialect;
use crate::check::model::AggregateKind;
use crate::check::Type;
use crate::id::AccountValueId;
use crate::value::{Decimal, FieldType};

/// The layer holding the account key.
const KEY_LAYER: &str = "tally_account";

/// Layers only `tally_input` reads: not carried past a level.
const READING_LAYERS: [&str; 4] = ["tally_cells", "tally_days", "tally_shifts", "tally_words"];

/// The layer of a value's level.
fn layer_of(score_level: bool) -> &'static str {
    match score_level {
        false => "tally_accounts",
        true => "tally_score_accounts",
    }
}

fn level_alias(level: usize) -> String {
    format!("tally_level_{level}")
}

/// The name a level gives its `n`-th carried column.
fn carried(n: usize) -> String {
    format!("tally_c_{n}")
}

impl Writer<'_> {
    /// The lead's account value `id` (its layer's column).
    pub(super) fn account(&self, id: AccountValueId) -> String {
        // INVARIANT: the checker resolved `account.NAME` in the block.
        match &self.model.account {
            Some(account) => {
                let v = account.values.at(id);
                self.col(layer_of(v.score_level), &v.name)
            }
            None => "NULL".to_string(),
        }
    }
}

/// The `tally_account` layer: the account key. None without an account.
pub(super) fn key_layer(w: &mut Writer<'_>) -> Option<Layer> {
    let account = w.model.account.as_ref()?;
    let d = w.dialect;
    let key = match w.model.fields.get(account.by) {
        Some(f) if f.ty == FieldType::Text => {
            format!("NULLIF({}, '')", w.col("tally_folded", &f.name))
        }
        // Numbers, dates and booleans as read: `==` compares them so.
        Some(f)
            if matches!(
                f.ty,
                FieldType::Int | FieldType::Number | FieldType::Date | FieldType::Bool
            ) =>
        {
            w.col("tally_input", &f.name)
        }
        // A list groups no leads (the checker refuses one).
        _ => format!("CAST(NULL AS {})", d.text_type()),
    };
    let error = format!("tally_input.{}", d.own("tally_error"));
    Some(Layer {
        alias: KEY_LAYER.to_string(),
        comment: "the lead's account: its grouping field as `==` compares it (folded, blank is none); none for a rejected row".to_string(),
        columns: vec![(
            format!("CASE WHEN {error} IS NULL THEN {key} END"),
            "key".to_string(),
        )],
        joins: Vec::new(),
    })
}

/// The window layer of the values of one level (input or score); None
/// when the model has none of that level.
pub(super) fn window_layer(w: &mut Writer<'_>, score_level: bool) -> Option<Layer> {
    let model = w.model;
    let account = model.account.as_ref()?;
    let d = w.dialect;
    let key = format!("{KEY_LAYER}.{}", d.ident("key"));
    let over = format!("OVER (PARTITION BY {key})");
    let ty = d.number_type();
    let zero = d.number(Decimal::ZERO);
    // FILTER in a window: DuckDB, PostgreSQL and Spark have it.
    let filter = matches!(d, Dialect::DuckDb | Dialect::Postgres | Dialect::Spark);
    let mut columns = Vec::new();
    for value in account
        .values
        .iter()
        .filter(|v| v.score_level == score_level)
    {
        let condition = value.condition.as_ref().map(|c| w.condition(c));
        let filtered = |function: &str, v: &str| match (&condition, filter) {
            (None, _) => format!("{function}({v}) {over}"),
            (Some(c), true) => format!("{function}({v}) FILTER (WHERE {c}) {over}"),
            (Some(c), false) => {
                let v = if v == "*" { "1" } else { v };
                format!("{function}(CASE WHEN {c} THEN {v} END) {over}")
            }
        };
        let of = |w: &mut Writer<'_>| {
            value
                .value
                .as_ref()
                .map_or("NULL".to_string(), |v| w.value(v))
        };
        let sql = match value.kind {
            AggregateKind::Count => format!("CAST({} AS {ty})", filtered("COUNT", "*")),
            AggregateKind::Exists => format!("({} > 0)", filtered("COUNT", "*")),
            AggregateKind::Sum => {
                let sum = filtered("SUM", &of(w));
                format!("CAST(COALESCE({sum}, {zero}) AS {ty})")
            }
            // A date stays a date (sqlglot's DuckDB spelling of BigQuery's
            // date arithmetic gives timestamps).
            AggregateKind::Min | AggregateKind::Max if value.ty == Type::Date => {
                let function = if value.kind == AggregateKind::Min {
                    "MIN"
                } else {
                    "MAX"
                };
                format!("CAST({} AS DATE)", filtered(function, &of(w)))
            }
            AggregateKind::Min => filtered("MIN", &of(w)),
            AggregateKind::Max => filtered("MAX", &of(w)),
            AggregateKind::Distinct => {
                // Text as `==` compares it: folded.
                let v = value
                    .value
                    .as_ref()
                    .map_or("NULL".to_string(), |v| w.operand(v));
                let v = match &condition {
                    Some(c) => format!("CASE WHEN {c} THEN {v} END"),
                    None => v,
                };
                format!("CAST({} AS {ty})", distinct(d, &v, &key, &over))
            }
            // Not account aggregates (the checker refuses them).
            AggregateKind::First | AggregateKind::Last | AggregateKind::Each => "NULL".to_string(),
        };
        let text = match value.kind {
            AggregateKind::Count => "count",
            AggregateKind::Exists => "exists",
            AggregateKind::Sum => "sum",
            AggregateKind::Min => "min",
            AggregateKind::Max => "max",
            _ => "distinct",
        };
        let expr = format!(
            "-- {} = {text}(leads{}{})\n    CASE WHEN {key} IS NOT NULL THEN {sql} END",
            query::comment_text(&value.name),
            if value.condition.is_some() {
                " where …"
            } else {
                ""
            },
            if value.value.is_some() { ", …" } else { "" },
        );
        columns.push((expr, value.name.clone()));
    }
    if columns.is_empty() {
        return None;
    }
    let comment = match score_level {
        false => "input-level account values: windows over the leads of the account",
        true => "score-level account values: windows over the scored leads of the account",
    };
    Some(Layer {
        alias: layer_of(score_level).to_string(),
        comment: comment.to_string(),
        columns,
        joins: Vec::new(),
    })
}

/// The number of distinct values `v` (NULL for a lead outside the set)
/// among the account's leads.
fn distinct(d: Dialect, v: &str, key: &str, over: &str) -> String {
    match d {
        // No DISTINCT in windows: the set of values, counted.
        Dialect::Spark => format!("size(collect_set({v}) {over})"),
        // No DISTINCT in windows either: the values ranked both ways give
        // the number of distinct values (NULL counted as one), less one
        // if some lead has none.
        Dialect::Postgres => format!(
            "dense_rank() OVER (PARTITION BY {key} ORDER BY {v} ASC NULLS LAST) + dense_rank() OVER (PARTITION BY {key} ORDER BY {v} DESC NULLS FIRST) - 1 - MAX(CASE WHEN {v} IS NULL THEN 1 ELSE 0 END) {over}"
        ),
        _ => format!("COUNT(DISTINCT {v}) {over}"),
    }
}

/// The table row as the last of `levels` levels carries it.
fn row_star(d: Dialect, levels: usize, carried_count: usize) -> String {
    let last = level_alias(levels);
    match d {
        Dialect::Postgres => format!("({last}.tally_row).*"),
        Dialect::DuckDb => format!("unnest({last}.tally_row)"),
        Dialect::Spark => format!("{last}.tally_row.*"),
        Dialect::Snowflake | Dialect::BigQuery => exclude(d, &last, carried_count),
    }
}

/// `level.* EXCLUDE ("tally_c_1", …)`: the table's columns among a
/// Snowflake level's.
fn exclude(d: Dialect, level: &str, carried_count: usize) -> String {
    let names: Vec<String> = (1..=carried_count).map(|n| d.ident(&carried(n))).collect();
    format!("{level}.* EXCLUDE ({})", names.join(", "))
}

/// `FROM …` for the lateral dialects, the layers' windows (indices in
/// `layers`) each ending a level (see the module's comment); and how the
/// outermost query names the table row (`tally_row.*` without levels).
pub(super) fn from_levels(
    w: &Writer<'_>,
    table: &str,
    today: &str,
    layers: &[Layer],
    windows: &[usize],
) -> (String, String) {
    if windows.is_empty() {
        let from = query::from_layers(w, table, today, layers);
        return (from, "tally_row.*".to_string());
    }
    let d = w.dialect;
    // Layers later levels may read: (alias, column names).
    let mut visible: Vec<(String, Vec<String>)> = vec![(
        "tally_consts".to_string(),
        vec!["ws".to_string(), "today".to_string()],
    )];
    let mut from = String::new();
    let mut start = 0;
    let mut counts: Vec<usize> = Vec::new();
    for (index, &at) in windows.iter().enumerate() {
        let (Some(before), Some(window)) = (layers.get(start..at), layers.get(at)) else {
            break;
        };
        let body = match index {
            0 => query::from_layers(w, table, today, before),
            _ => {
                let mut body = std::mem::take(&mut from);
                body.push_str(&layers_text(w, before));
                body
            }
        };
        visible.extend(
            (before.iter())
                .filter(|l| !READING_LAYERS.contains(&l.alias.as_str()))
                .map(|l| {
                    (
                        l.alias.clone(),
                        l.columns.iter().map(|(_, n)| n.clone()).collect(),
                    )
                }),
        );
        let row = match (d, index) {
            (Dialect::Spark, 0) => "struct(tally_row.*) AS tally_row".to_string(),
            (Dialect::Snowflake, 0) => "tally_row.*".to_string(),
            (Dialect::Snowflake, _) => {
                exclude(d, &level_alias(index), counts.last().copied().unwrap_or(0))
            }
            (_, 0) => "tally_row".to_string(),
            (_, _) => format!("{}.tally_row AS tally_row", level_alias(index)),
        };
        let mut items = vec![row];
        let mut exposed: Vec<Layer> = Vec::new();
        let level = level_alias(index + 1);
        let mut n = 0;
        for (alias, names) in &visible {
            let mut columns = Vec::new();
            for name in names {
                n += 1;
                items.push(format!(
                    "{alias}.{} AS {}",
                    d.ident(name),
                    d.ident(&carried(n))
                ));
                columns.push((format!("{level}.{}", d.own(&carried(n))), name.clone()));
            }
            exposed.push(Layer {
                alias: alias.clone(),
                comment: String::new(),
                columns,
                joins: Vec::new(),
            });
        }
        let mut columns = Vec::new();
        for (expr, name) in &window.columns {
            n += 1;
            items.push(format!("{expr} AS {}", d.ident(&carried(n))));
            columns.push((format!("{level}.{}", d.own(&carried(n))), name.clone()));
        }
        exposed.push(Layer {
            alias: window.alias.clone(),
            comment: window.comment.clone(),
            columns: columns.clone(),
            joins: Vec::new(),
        });
        counts.push(n);
        from = format!(
            "-- {}\nFROM (\n  SELECT\n    {}\n{}\n) AS {level}\n-- the layers again, from {level}\n",
            window.comment,
            items.join(",\n    "),
            query::indent(body.trim_end()),
        );
        for layer in exposed.iter().filter(|l| !l.columns.is_empty()) {
            let columns: Vec<String> = (layer.columns.iter())
                .map(|(expr, name)| format!("    {expr} AS {}", d.ident(name)))
                .collect();
            from.push_str(&format!(
                "{} (\n  SELECT\n{}\n) AS {}\n",
                d.lateral_join(),
                columns.join(",\n"),
                layer.alias
            ));
        }
        visible.push((
            window.alias.clone(),
            window.columns.iter().map(|(_, n)| n.clone()).collect(),
        ));
        start = at + 1;
    }
    if let Some(rest) = layers.get(start..) {
        from.push_str(&layers_text(w, rest));
    }
    let star = row_star(d, counts.len(), counts.last().copied().unwrap_or(0));
    (from, star)
}

/// Layers (and their joins) after the first level's `FROM`.
fn layers_text(w: &Writer<'_>, layers: &[Layer]) -> String {
    let mut out = String::new();
    for layer in layers {
        for join in &layer.joins {
            out.push_str(&format!(
                "-- {}\nLEFT JOIN (\n{}\n) AS {} ON {}\n",
                join.comment,
                query::indent(&join.query),
                join.alias,
                join.on
            ));
        }
        out.push_str(&query::render_layer(w, layer));
    }
    out
}
