//! Events and decay in SQL (language sections 10 and 11; docs/sql.md).
//!
//! Each events source with aggregates becomes one pre-aggregation, as an
//! engineer would write it by hand: its table read cell by cell with the
//! lead's own layers (`tally_cells` … `tally_folded`, so an event is read
//! exactly like a lead row and a rejected event, or one without a time,
//! is left out), its key folded as `==` folds text (a blank key is no
//! key; the `tally_event` layer, which also holds each `each` rule's
//! decayed contribution of the event), events after `today` left out,
//! then `GROUP BY` the key with one
//! filtered aggregate per aggregate of the model (`COUNT(*) FILTER
//! (WHERE set)`, `SUM(value) FILTER (WHERE set)`, …; in Snowflake and
//! BigQuery, which have no `FILTER`, `COUNT(CASE WHEN set THEN 1 END)`). It is `LEFT
//! JOIN`ed to the leads on their folded key after `tally_folded`, and the
//! `tally_events` layer gives each aggregate's value, with the empty
//! set's (0, false, missing) where no event joined.
//!
//! Decay multiplies each contribution by its factor and rounds it half
//! away from zero to 4 places, once per event (before the sum) or once
//! per `when` rule: `linear` exactly (the dialect's exact division),
//! `P% every D` from the factor's binary powers, computed by Tally to
//! 18 places and multiplied in `DECIMAL`, `half-life` as a double cast to
//! `DECIMAL(38, 18)`, as the language computes it.

use rust_decimal::RoundingStrategy;

use super::expr::Writer;
use super::lead_sets;
use super::query::{self, Join, Layer};
use super::{Dialect, SqlOptions};
use crate::check::model::{Aggregate, AggregateKind, DecayForm, Expr, ExprKind, Function, Model};
use crate::check::Type;
use crate::id::{AggregateId, EventFieldId, FieldId, Id, SourceId};
use crate::value::{Decimal, DurationUnit, FieldType};

/// Places decay factors are held to in SQL.
const FACTOR_PLACES: u32 = 18;

/// At most this many binary powers of a `P% every` factor: a period
/// count (days since year 1 at most) is below 2^22.
const MAX_POWERS: usize = 23;

/// The lead fields an events source joins on (of sources with
/// aggregates), and the lead fields their sets read, which the query
/// must read.
pub(super) fn lead_keys(model: &Model) -> Vec<FieldId> {
    let keys = (model.events.enumerate())
        .filter(|(id, _)| model.aggregates.iter().any(|a| a.source == *id))
        .map(|(_, s)| s.lead_key);
    let read = model.aggregates.iter().flat_map(|a| a.lead_fields());
    keys.chain(read).collect()
}

/// The pre-aggregation of a source's aggregates: per key, or (`lead`)
/// per key and lead values, for sets that read the lead.
fn source_alias(source: SourceId, lead: bool) -> String {
    let of = if lead { "_per_lead" } else { "" };
    format!("tally_source_{}{of}", source.index() + 1)
}

fn aggregate_column(id: AggregateId) -> String {
    format!("aggregate_{}", id.index() + 1)
}

fn contribution_column(id: AggregateId) -> String {
    format!("contribution_{}", id.index() + 1)
}

/// The `tally_events` layer: each aggregate's value for the lead, after
/// the `LEFT JOIN` of each source's pre-aggregation. None without
/// aggregates.
pub(super) fn layer(w: &mut Writer<'_>, options: &SqlOptions, today: &str) -> Option<Layer> {
    let model = w.model;
    if model.aggregates.is_empty() {
        return None;
    }
    let d = w.dialect;
    let mut joins = Vec::new();
    for (id, source) in model.events.enumerate() {
        let table = (options.events_tables.iter())
            .find(|(name, _)| *name == source.name)
            .map_or(source.name.as_str(), |(_, table)| table.as_str());
        let lead_key = match model.fields.get(source.lead_key) {
            Some(f) if f.ty == FieldType::Text => w.col("tally_folded", &f.name),
            Some(f) => w.col("tally_input", &f.name),
            None => "NULL".to_string(),
        };
        // Sets that read no lead field are counted per key; the others
        // per key and lead values (`sql/lead_sets.rs`).
        for lead in [false, true] {
            let ids: Vec<AggregateId> = (model.aggregates.enumerate())
                .filter(|(_, a)| a.source == id && reads_lead(a) == lead)
                .map(|(i, _)| i)
                .collect();
            if ids.is_empty() {
                continue;
            }
            // Faults (`arith.rs`) name the columns of the layer they are
            // found in; inside a pre-aggregation those are the events',
            // which the lead's layers cannot see: an event's product past
            // what SQL holds stays the engine's error there (docs/sql.md).
            let outer = std::mem::take(&mut w.faults);
            let leads = lead.then_some(options.table.as_str());
            let (query, reads) = pre_aggregation(w, id, (table, leads), today, &ids);
            w.faults = outer;
            let alias = source_alias(id, lead);
            let (on, per) = match lead {
                true => (
                    lead_sets::join_on(w, &alias, &lead_key, &reads),
                    "per key and lead values",
                ),
                false => (format!("{alias}.tally_join = {lead_key}"), "per key"),
            };
            joins.push(Join {
                comment: format!(
                    "events {} (table {}), aggregated {per}",
                    query::comment_text(&source.name),
                    query::comment_text(table)
                ),
                query,
                on,
                alias,
            });
        }
    }
    let zero = d.number(Decimal::ZERO);
    let ty = d.number_type();
    let columns = (model.aggregates.enumerate())
        .map(|(id, a)| {
            let raw = format!(
                "{}.{}",
                source_alias(a.source, reads_lead(a)),
                d.ident(&aggregate_column(id))
            );
            let value = match a.kind {
                AggregateKind::Count | AggregateKind::Distinct => {
                    format!("CAST(COALESCE({raw}, 0) AS {ty})")
                }
                AggregateKind::Exists => format!("(COALESCE({raw}, 0) > 0)"),
                AggregateKind::First
                | AggregateKind::Last
                | AggregateKind::Min
                | AggregateKind::Max => raw,
                AggregateKind::Sum => format!("CAST(COALESCE({raw}, {zero}) AS {ty})"),
                AggregateKind::Each => {
                    let sum = format!("COALESCE({raw}, {zero})");
                    let limited = match a.max {
                        Some(max) => format!(
                            "LEAST(GREATEST({sum}, {}), {})",
                            d.number(-max),
                            d.number(max)
                        ),
                        None => sum,
                    };
                    format!("CAST({limited} AS {ty})")
                }
            };
            let expr = format!("-- {}\n    {value}", query::comment_text(&a.text));
            (expr, aggregate_column(id))
        })
        .collect();
    Some(Layer {
        alias: "tally_events".to_string(),
        comment: "each aggregate over the lead's events (0, false or missing without any)"
            .to_string(),
        columns,
        joins,
    })
}

/// Whether an aggregate's set (or value) reads a lead field.
fn reads_lead(a: &Aggregate) -> bool {
    !a.lead_fields().is_empty()
}

/// One source's events (from `table`), read like lead rows, aggregated
/// per folded key; with the lead table (`leads`), joined to its
/// distinct lead values and aggregated per key and the values its sets
/// read, which are returned (`sql/lead_sets.rs`).
fn pre_aggregation(
    w: &mut Writer<'_>,
    id: SourceId,
    (table, leads): (&str, Option<&str>),
    today: &str,
    aggregates: &[AggregateId],
) -> (String, Vec<(FieldId, bool)>) {
    let model = w.model;
    let d = w.dialect;
    let source = model.events.at(id);
    let outer = w.source.replace(id);
    w.lead_reads.clear();
    // Every field of an event is read; one without its time is rejected.
    let fields: Vec<_> = (source.fields.enumerate())
        .map(|(i, f)| {
            let mut f = f.clone();
            f.required |= i == source.time;
            f
        })
        .collect();
    let mut layers = query::inputs(w, &fields, &vec![true; fields.len()]);
    let key = match source.fields.at(source.key) {
        f if f.ty == FieldType::Text => {
            format!("NULLIF({}, '')", w.col("tally_folded", &f.name))
        }
        f => w.col("tally_input", &f.name),
    };
    let event_key = key.clone();
    let mut columns = vec![(key, "key".to_string())];
    // Each `each` rule's contribution of an event of its set, rounded
    // once (computed only for those, as Tally computes it).
    for &a in aggregates {
        let aggregate = model.aggregates.at(a);
        if aggregate.kind != AggregateKind::Each {
            continue;
        }
        let points = aggregate
            .value
            .as_ref()
            .map_or("NULL".to_string(), |v| w.value(v));
        let contribution = match &aggregate.decay {
            Some(decay) => decayed(w, &points, decay.form, &time_of(model, id)),
            None => points,
        };
        let tests = set_tests(w, a);
        let contribution = match tests.is_empty() {
            true => contribution,
            false => format!("CASE WHEN {} THEN {contribution} END", tests.join(" AND ")),
        };
        columns.push((contribution, contribution_column(a)));
    }
    layers.push(Layer {
        alias: "tally_event".to_string(),
        comment: "the key the event joins on (folded as `==` compares; blank is none), and each `each` rule's points for the event, decayed"
            .to_string(),
        columns,
        joins: Vec::new(),
    });
    let key = format!("tally_event.{}", d.ident("key"));
    let column = &source.fields.at(source.key).column;
    let grouped = counted_key(d, &key, column);
    let why = match grouped == key {
        true => "",
        false => "-- the key: the table's column only tells PostgreSQL how many keys there are\n  ",
    };
    let mut columns = vec![format!("{why}{grouped} AS tally_join")];
    for &a in aggregates {
        let sql = aggregate(w, a);
        let text = &model.aggregates.at(a).text;
        columns.push(format!(
            "-- {}\n  {sql} AS {}",
            query::comment_text(text),
            d.ident(&aggregate_column(a))
        ));
    }
    let reads = std::mem::take(&mut w.lead_reads);
    let mut group = vec![grouped];
    let time = w.col("tally_input", &source.fields.at(source.time).name);
    if let Some(leads) = leads {
        let at = (id, leads, today);
        let query = (layers.as_mut_slice(), &mut columns, &mut group);
        lead_sets::join_leads(w, at, &reads, &event_key, query);
        lead_sets::read_what_sets_read(d, &mut layers, &columns, &time);
    }
    let from = if query::nests(d) {
        let inner = query::nested(w, table, today, &layers);
        format!("FROM (\n{}\n)\n", query::indent(&inner))
    } else {
        query::from_layers(w, table, today, &layers)
    };
    w.source = outer;
    let sql = format!(
        "SELECT\n  {}\n{from}WHERE tally_input.{} IS NULL\n  AND {time} <= tally_consts.today\n  AND {key} IS NOT NULL\nGROUP BY {}",
        columns.join(",\n  "),
        d.own("tally_error"),
        group.join(", "),
    );
    (sql, reads)
}

/// The key a pre-aggregation groups on, from a `key` of one-row layers
/// over `tally_row`, whose key cell is the table's `column`.
///
/// PostgreSQL takes a one-row layer's column to have one value, so it
/// estimated one group per pre-aggregation and joined it to the leads
/// with a nested loop, leads × keys (on 20,000 leads and 400,000 events
/// that join took 44 s of a 45 s query; docs/sql.md). A `CASE` whose
/// branches are both the key is the key, but it reads the table's
/// column too, which PostgreSQL has statistics for: it then estimates
/// about as many groups as the column has values, and hashes the join
/// (31 s became 7.3 s). Other engines do not need it: their query is
/// unchanged.
fn counted_key(d: Dialect, key: &str, column: &str) -> String {
    match d {
        Dialect::Postgres => format!(
            "CASE WHEN tally_row.{} IS NULL THEN {key} ELSE {key} END",
            d.ident(column)
        ),
        _ => key.to_string(),
    }
}

/// The event at hand's time, as an expression.
fn time_of(model: &Model, source: SourceId) -> Expr {
    let time = model.events.at(source).time;
    Expr {
        kind: ExprKind::EventField(time),
        ty: Type::Date,
        span: Default::default(),
    }
}

/// The tests an event passes to be in an aggregate's set: its `where`
/// condition and its `within` window.
fn set_tests(w: &mut Writer<'_>, id: AggregateId) -> Vec<String> {
    let model = w.model;
    let a = model.aggregates.at(id);
    let mut tests = Vec::new();
    if let Some(condition) = &a.condition {
        tests.push(format!("({})", w.condition(condition)));
    }
    if let Some(within) = a.within {
        let within = Expr {
            kind: ExprKind::Within(Box::new(time_of(model, a.source)), within),
            ty: Type::Bool,
            span: Default::default(),
        };
        tests.push(w.condition(&within));
    }
    tests
}

/// One aggregate over the events of one key: filtered to its set.
fn aggregate(w: &mut Writer<'_>, id: AggregateId) -> String {
    let model = w.model;
    let a = model.aggregates.at(id);
    let time = time_of(model, a.source);
    let tests = set_tests(w, id);
    // `AGG(x) FILTER (WHERE set)` where the dialect has it; else the
    // value only for events of the set (`CASE WHEN` without `ELSE`),
    // which the aggregates skip like a missing value.
    let filter = matches!(
        w.dialect,
        Dialect::DuckDb | Dialect::Postgres | Dialect::Spark
    );
    let of = |function: &str, v: &str| {
        let (distinct, v) = match v.strip_prefix("DISTINCT ") {
            Some(v) => ("DISTINCT ", v),
            None => ("", v),
        };
        let set = tests.join(" AND ");
        match (tests.is_empty(), filter) {
            (true, _) => format!("{function}({distinct}{v})"),
            (false, true) => format!("{function}({distinct}{v}) FILTER (WHERE {set})"),
            (false, false) => format!("{function}({distinct}CASE WHEN {set} THEN {v} END)"),
        }
    };
    let time_sql = w.value(&time);
    let value = |w: &mut Writer<'_>| a.value.as_ref().map_or("NULL".to_string(), |v| w.value(v));
    match a.kind {
        AggregateKind::Count | AggregateKind::Exists => match filter {
            true => of("COUNT", "*"),
            false => of("COUNT", "1"),
        },
        AggregateKind::First => of("MIN", &time_sql),
        AggregateKind::Last => of("MAX", &time_sql),
        AggregateKind::Sum => of("SUM", &value(w)),
        AggregateKind::Min => of("MIN", &value(w)),
        AggregateKind::Max => of("MAX", &value(w)),
        AggregateKind::Distinct => {
            // Text as `==` compares it: folded.
            let v = a
                .value
                .as_ref()
                .map_or("NULL".to_string(), |v| w.operand(v));
            of("COUNT", &format!("DISTINCT {v}"))
        }
        // The contribution is there only for events of the set.
        AggregateKind::Each => format!(
            "SUM(tally_event.{})",
            w.dialect.ident(&contribution_column(id))
        ),
    }
}

impl Writer<'_> {
    /// The lead's value of an aggregate (the `tally_events` layer).
    pub(super) fn aggregate(&mut self, id: AggregateId) -> String {
        format!("tally_events.{}", self.dialect.ident(&aggregate_column(id)))
    }

    /// A field of the event at hand, from `layer` of the events' query.
    pub(super) fn event_field(&mut self, id: EventFieldId, layer: &str) -> String {
        // INVARIANT: an event's field is written only inside its source's
        // pre-aggregation, which sets `source`.
        let name = self
            .source
            .map(|s| &self.model.events.at(s).fields.at(id).name);
        match name {
            Some(name) => self.col(layer, name),
            None => "NULL".to_string(),
        }
    }

    /// A `when` rule's `POINTS decay FORM since DATE`: missing when the
    /// points or the date are.
    pub(super) fn decayed(&mut self, points: &Expr, form: DecayForm, since: &Expr) -> String {
        let p = self.value(points);
        let s = self.value(since);
        let contribution = decayed(self, &p, form, since);
        format!("CASE WHEN {s} IS NOT NULL THEN {contribution} END")
    }
}

/// `points` times the factor of `form` at the age of `since`, rounded
/// half away from zero to 4 places.
fn decayed(w: &mut Writer<'_>, points: &str, form: DecayForm, since: &Expr) -> String {
    let d = w.dialect;
    let date = w.value(since);
    let days = d.days_between(&date, "tally_consts.today");
    let age = format!("CASE WHEN {days} < 0 THEN 0 ELSE {days} END");
    let (double, factor_type) = types(d);
    match form {
        DecayForm::HalfLife { days } => {
            // 2^(-age / D) in double precision, as Tally computes it.
            let factor = format!(
                "CAST(POWER(CAST(2 AS {double}), -CAST({age} AS {double}) / CAST({days} AS {double})) AS {factor_type})"
            );
            d.round(&format!("({points} * {factor})"), 4)
        }
        DecayForm::Linear { days } => {
            // points × (D − age) / D, exactly, then rounded.
            let left = format!("CASE WHEN {age} >= {days} THEN 0 ELSE {days} - {age} END");
            let product = d.multiply(points, &format!("CAST({left} AS {})", d.number_type()));
            // Loud: a quotient past what SQL holds is the engine's error
            // (no fault column reaches a pre-aggregation).
            super::arith::divide(d, &product, &d.number(Decimal::from(days)), true)
        }
        DecayForm::Every { percent, period } => {
            let periods = match period.unit {
                DurationUnit::Day => format!("CAST({age} AS {double}) / {}", period.amount),
                DurationUnit::Week => {
                    format!(
                        "CAST({age} AS {double}) / {}",
                        period.amount.saturating_mul(7)
                    )
                }
                DurationUnit::Month | DurationUnit::Year => {
                    let call = Expr {
                        kind: ExprKind::Call(Function::MonthsSince, vec![since.clone()]),
                        ty: Type::Number,
                        span: Default::default(),
                    };
                    let months = w.value(&call);
                    let per = match period.unit {
                        DurationUnit::Year => period.amount.saturating_mul(12),
                        _ => period.amount,
                    };
                    format!(
                        "CAST(CASE WHEN {months} < 0 THEN 0 ELSE {months} END AS {double}) / {per}"
                    )
                }
            };
            let k = format!("FLOOR({periods})");
            let powers = powers(percent);
            let one = format!("CAST(1 AS {factor_type})");
            let mut factor = one.clone();
            for (bit, power) in powers.iter().enumerate() {
                let set = d.modulo(&format!("CAST(FLOOR({k} / {}) AS BIGINT)", 1u64 << bit), 2);
                let power = factor_constant(d, *power);
                factor = format!(
                    "CAST({factor} * CASE WHEN {set} = 1 THEN {power} ELSE {one} END AS {factor_type})"
                );
            }
            let factor = format!(
                "CASE WHEN {k} >= {} THEN CAST(0 AS {factor_type}) ELSE {factor} END",
                1u64 << powers.len()
            );
            d.round(&format!("({points} * {factor})"), 4)
        }
    }
}

/// `(1 − P/100)^(2^b)` for b = 0, 1, …, as Tally squares it, to
/// [`FACTOR_PLACES`]; the list ends at the first that is 0 there (a
/// period count with that bit set keeps nothing).
fn powers(percent: Decimal) -> Vec<Decimal> {
    let hundred = Decimal::ONE_HUNDRED;
    let mut square = (hundred - percent) / hundred;
    let mut out = Vec::new();
    while out.len() < MAX_POWERS {
        let rounded =
            square.round_dp_with_strategy(FACTOR_PLACES, RoundingStrategy::MidpointAwayFromZero);
        if rounded.is_zero() {
            break;
        }
        out.push(rounded.normalize());
        square = square.checked_mul(square).unwrap_or(Decimal::ZERO);
    }
    out
}

/// The double type and the decimal type factors are held in.
fn types(d: Dialect) -> (&'static str, String) {
    let places = FACTOR_PLACES;
    match d {
        Dialect::Postgres => ("DOUBLE PRECISION", format!("NUMERIC(38, {places})")),
        Dialect::Snowflake => ("DOUBLE", format!("NUMBER(38, {places})")),
        Dialect::BigQuery => ("FLOAT64", format!("BIGNUMERIC(38, {places})")),
        Dialect::DuckDb | Dialect::Spark => ("DOUBLE", format!("DECIMAL(38, {places})")),
    }
}

/// A factor constant in the factor type.
fn factor_constant(d: Dialect, value: Decimal) -> String {
    let (_, ty) = types(d);
    match d {
        // A literal with a point is a FLOAT64 in BigQuery: from text.
        Dialect::BigQuery => format!("CAST('{value}' AS {ty})"),
        _ => format!("CAST({value} AS {ty})"),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn powers_square_until_nothing_is_left() {
        let half = powers(Decimal::from(50));
        assert_eq!(half[0], Decimal::new(5, 1));
        assert_eq!(half[1], Decimal::new(25, 2));
        assert_eq!(half[2], Decimal::new(625, 4));
        // 0.5^64 is below 10^-18.
        assert_eq!(half.len(), 6);
        assert!(powers(Decimal::from(100)).is_empty());
        assert_eq!(powers(Decimal::new(1, 3)).len(), MAX_POWERS);
    }
}
