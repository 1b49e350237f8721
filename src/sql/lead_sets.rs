//! Event sets that read the lead's fields (language section 10:
//! `count(activity where at >= signup)`; docs/sql.md, "Sets that read
//! the lead").
//!
//! Such a set is not the same for every lead of a key, so it cannot be
//! counted in the per-key pre-aggregation (`sql/events.rs`). It gets a
//! second one, grouped by the key *and* the lead values the sets read:
//! the events are joined to the distinct `(key, values)` of the lead
//! table (read with the lead's own layers, so a value is exactly the one
//! the lead row has), aggregated per such tuple, and joined back to each
//! lead on its key and its values, NULL-safely (a missing value is one
//! value of the tuple: `(a IS NULL) = (b IS NULL) AND COALESCE(a, s) =
//! COALESCE(b, s)`, two equalities every engine hashes, where `IS NOT
//! DISTINCT FROM` is not hashed by PostgreSQL). Leads sharing a key and
//! their values share one group; leads of one key with different values
//! get their own. Inside the set the lead's value is a column of the
//! joined row (`tally_lead`), so a comparison with a missing value is
//! missing and the event is not in the set, as in Tally.
//!
//! Aggregates whose sets read no lead field stay in the per-key
//! pre-aggregation: their cost does not change.

use super::expr::Writer;
use super::query::{self, Join, Layer};
use super::Dialect;
use crate::check::model::{Expr, Field};
use crate::id::{FieldId, Id, SourceId};
use crate::value::FieldType;

/// The alias of the lead row joined to each event in a pre-aggregation
/// of sets that read the lead.
const LEAD: &str = "tally_lead";

/// The column of `tally_lead` (and of the pre-aggregation) holding a lead
/// field's value as read, or folded as text is compared.
pub(super) fn lead_column(id: FieldId, folded: bool) -> String {
    let what = if folded { "folded" } else { "value" };
    format!("lead_{what}_{}", id.index() + 1)
}

impl Writer<'_> {
    /// A lead field: its layer's column, or inside an event set the
    /// column of the lead row joined to the event (recorded in
    /// `lead_reads`, which the pre-aggregation groups by).
    pub(super) fn lead_field(&mut self, expr: &Expr, id: FieldId, folded: bool) -> String {
        let field = self.model.fields.at(id);
        if self.source.is_none() {
            let layer = if folded {
                "tally_folded"
            } else {
                "tally_input"
            };
            return self.col(layer, &field.name);
        }
        if field.ty == FieldType::List {
            let what = format!(
                "the list field `{}` of the lead inside an event set",
                field.name
            );
            // The events are grouped by the lead values a set reads
            // (above); BigQuery cannot group or compare arrays, and one
            // form for every dialect keeps them checked alike.
            let help = "the query groups events by the lead values their set reads, and a list cannot be grouped on in every engine: read a text field of the lead in the set instead, or score with `tally score --events`";
            return self.unsupported(expr, what, Some(help.to_string()));
        }
        if !self.lead_reads.contains(&(id, folded)) {
            self.lead_reads.push((id, folded));
        }
        format!("{LEAD}.{}", self.dialect.ident(&lead_column(id, folded)))
    }
}

/// The lead's value of a read, in the lead's layers.
fn lead_value(w: &Writer<'_>, (id, folded): (FieldId, bool)) -> String {
    let layer = if folded {
        "tally_folded"
    } else {
        "tally_input"
    };
    w.col(layer, &w.model.fields.at(id).name)
}

/// The lead's join key, as the lead's layers hold it: folded text (blank
/// is no key) or a number.
fn lead_key(w: &Writer<'_>, field: &Field) -> String {
    match field.ty {
        FieldType::Text => format!("NULLIF({}, '')", w.col("tally_folded", &field.name)),
        _ => w.col("tally_input", &field.name),
    }
}

/// The distinct `(key, values)` of the lead table's rows, each read as
/// the scoring query reads it: what events are joined to (as
/// `tally_lead`, `ON tally_lead.tally_key = <event's key>`).
pub(super) fn distinct_leads(
    w: &mut Writer<'_>,
    source: SourceId,
    table: &str,
    today: &str,
    reads: &[(FieldId, bool)],
) -> String {
    let model = w.model;
    let key_field = model.events.at(source).lead_key;
    let mut wanted = vec![false; model.fields.len()];
    for id in reads.iter().map(|(id, _)| *id).chain([key_field]) {
        if let Some(slot) = wanted.get_mut(id.index()) {
            *slot = true;
        }
    }
    // The lead's layers, not the event's: no event source is at hand.
    let outer = w.source.take();
    let mut layers = query::inputs(w, model.fields.as_slice(), &wanted);
    w.source = outer;
    keep_folds(w, &mut layers, key_field, reads);
    let key = lead_key(w, model.fields.at(key_field));
    // A plain key, not `events::counted_key`: PostgreSQL takes these
    // rows for one and hashes them, and its estimate of their join to
    // the events is right. Counted, it estimated 100 times the events,
    // and sorted both sides for a merge join (22 s against 16 s, on
    // 20,000 leads and 400,000 events; docs/sql.md).
    let mut columns = vec![format!("{key} AS tally_key")];
    for &read in reads {
        let column = w.dialect.ident(&lead_column(read.0, read.1));
        columns.push(format!("{} AS {column}", lead_value(w, read)));
    }
    let from = if query::nests(w.dialect) {
        let inner = query::nested(w, table, today, &layers);
        format!("FROM (\n{}\n)\n", query::indent(&inner))
    } else {
        query::from_layers(w, table, today, &layers)
    };
    format!(
        "SELECT DISTINCT\n  {}\n{from}WHERE {key} IS NOT NULL",
        columns.join(",\n  ")
    )
}

/// Fold only the key and the values compared as text: folding is the
/// dearest step of reading a cell.
fn keep_folds(w: &Writer<'_>, layers: &mut [Layer], key: FieldId, reads: &[(FieldId, bool)]) {
    let names: Vec<&str> = (reads.iter().filter(|(_, folded)| *folded))
        .map(|(id, _)| *id)
        .chain([key])
        .map(|id| w.model.fields.at(id).name.as_str())
        .collect();
    for layer in layers.iter_mut().filter(|l| l.alias == "tally_folded") {
        layer
            .columns
            .retain(|(_, name)| names.contains(&name.as_str()));
    }
}

/// The `ON` of a lead's join to the pre-aggregation `alias` of sets that
/// read `reads`: its key, and each value NULL-safely.
pub(super) fn join_on(w: &Writer<'_>, alias: &str, key: &str, reads: &[(FieldId, bool)]) -> String {
    let mut tests = vec![format!("{alias}.tally_join = {key}")];
    for &read in reads {
        let theirs = format!("{alias}.{}", w.dialect.ident(&lead_column(read.0, read.1)));
        let ours = lead_value(w, read);
        let stand_in = stand_in(w, read);
        tests.push(format!("({theirs} IS NULL) = ({ours} IS NULL)"));
        tests.push(format!(
            "COALESCE({theirs}, {stand_in}) = COALESCE({ours}, {stand_in})"
        ));
    }
    tests.join("\n  AND ")
}

/// A value of the field's type standing in for a missing one in the
/// join (the `IS NULL` test beside it tells the two apart).
fn stand_in(w: &Writer<'_>, (id, _): (FieldId, bool)) -> String {
    let d = w.dialect;
    match w.model.fields.at(id).ty {
        FieldType::Text => d.text(""),
        FieldType::Number | FieldType::Int => d.number(crate::value::Decimal::ZERO),
        FieldType::Bool => "FALSE".to_string(),
        FieldType::Date => d.date(crate::value::Date::default()),
        // Refused inside a set (`lead_field`): never joined on.
        FieldType::List => "NULL".to_string(),
    }
}

/// The columns a pre-aggregation of such sets adds to its `SELECT` and
/// `GROUP BY`: each lead value read.
pub(super) fn grouped(w: &Writer<'_>, reads: &[(FieldId, bool)]) -> Vec<String> {
    reads
        .iter()
        .map(|&(id, folded)| format!("{LEAD}.{}", w.dialect.ident(&lead_column(id, folded))))
        .collect()
}

/// Join each event (the layer `tally_event`, last of `layers`, may read
/// the lead) to the distinct lead values of its key, and add the values
/// to the pre-aggregation's `columns` and `group`.
///
/// The join stays a `LEFT JOIN`, with no `WHERE` on the lead's side:
/// events of a key no lead has form a group of missing values that no
/// lead joins back to. Filtering them out made PostgreSQL turn it into
/// an inner join and drive it from the distinct leads, reading every
/// event's layers again for each of them (6.5 s, against 0.2 s, for 400
/// leads and 4,000 events).
pub(super) fn join_leads(
    w: &mut Writer<'_>,
    (source, leads, today): (SourceId, &str, &str),
    reads: &[(FieldId, bool)],
    event_key: &str,
    (layers, columns, group): (&mut [Layer], &mut Vec<String>, &mut Vec<String>),
) {
    let query = distinct_leads(w, source, leads, today, reads);
    if let Some(event) = layers.last_mut() {
        event.joins.push(Join {
            comment: "the distinct lead values of the event's key the sets read".to_string(),
            query,
            alias: LEAD.to_string(),
            on: format!("{LEAD}.tally_key = {event_key}"),
        });
    }
    for (column, &(field, folded)) in grouped(w, reads).into_iter().zip(reads) {
        let name = w.dialect.ident(&lead_column(field, folded));
        columns.insert(group.len(), format!("{column} AS {name}"));
        group.push(column);
    }
}

/// Compute only the typed values and folds of the event's fields that
/// the sets (`outputs`, the `tally_event` layer) or the time test read:
/// this pre-aggregation reads the events a second time, and the per-key
/// one reads everything. Every cell is still checked (`tally_error`
/// comes from the cells), so the same events are rejected.
pub(super) fn read_what_sets_read(
    d: Dialect,
    layers: &mut [Layer],
    outputs: &[String],
    time: &str,
) {
    let mut texts: Vec<String> = outputs.to_vec();
    texts.push(time.to_string());
    let event = layers.iter().filter(|l| l.alias == "tally_event");
    texts.extend(event.flat_map(|l| l.columns.iter().map(|(sql, _)| sql.clone())));
    let read = |texts: &[String], layer: &str, name: &str| {
        let reference = format!("{layer}.{}", d.ident(name));
        name == "tally_error" || texts.iter().any(|t| t.contains(&reference))
    };
    for layer in layers.iter_mut().filter(|l| l.alias == "tally_folded") {
        layer
            .columns
            .retain(|(_, name)| read(&texts, "tally_folded", name));
        texts.extend(layer.columns.iter().map(|(sql, _)| sql.clone()));
    }
    for layer in layers.iter_mut().filter(|l| l.alias == "tally_input") {
        layer
            .columns
            .retain(|(_, name)| read(&texts, "tally_input", name));
    }
}
