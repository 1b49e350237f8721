//! The numbers behind `tally report`: a scored file's histogram, stage
//! and tier counts, group contributions and rule hit rates; with an
//! outcome, the backtest and its ROC curve; with a baseline file, the
//! population stability of the score and of each field the model reads.

use std::collections::BTreeMap;

use rust_decimal::prelude::ToPrimitive;

use super::backtest::{Backtest, BacktestCounter, BacktestPart};
use super::collect::{Fold, Scored};
use super::column::{Cols, Column, OutcomePart};
use super::diff::{DiffCounter, DiffPart, DiffRows};
use super::labels::{count_fired, LabelCounts};
use super::stamp::ModelStamp;
use super::stats;
use crate::check::Model;
use crate::source::Source;
use crate::value::{format_decimal, Decimal, Value};

/// Bars of the score histogram, at most.
const BARS: usize = 20;
/// Points drawn on the ROC curve, at most.
const ROC_POINTS: usize = 200;
/// Values of a text field compared one by one for its PSI; the rest are
/// one bin.
const CATEGORIES: usize = 10;
/// Leads whose field values are kept for the fields' PSI, at most: a
/// systematic sample, so memory does not grow with the file.
const SAMPLE: usize = 50_000;

/// Everything the report page shows.
#[derive(Debug, Clone)]
pub struct Report {
    pub model: ModelStamp,
    pub rows: u64,
    pub scored: u64,
    pub unreadable: u64,
    pub histogram: Vec<Bar>,
    /// Stage labels with their leads, in ladder order, then no stage.
    pub stages: Vec<(String, u64)>,
    pub tiers: Vec<(String, Vec<(String, u64)>)>,
    /// Each group's mean capped subtotal.
    pub groups: Vec<(String, f64)>,
    /// Each rule's reason and share of leads it fired for.
    pub rules: Vec<(String, f64)>,
    pub backtest: Option<Backtest>,
    pub roc: Vec<(f64, f64)>,
    pub stability: Vec<Stability>,
}

/// A bar of the histogram: leads with `from <= score < to` (the last bar
/// includes `to`).
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub from: f64,
    pub to: f64,
    pub leads: u64,
}

/// The population stability index of the score or a field between the
/// baseline file and this one.
#[derive(Debug, Clone, PartialEq)]
pub struct Stability {
    pub name: String,
    /// `None` when either file has no lead scored: no distribution to
    /// compare (it read 0, "stable", for the score).
    pub psi: Option<f64>,
}

/// Counts one lead file (and, with a baseline, a second one).
pub struct ReportCounter {
    scores: Vec<Decimal>,
    /// Leads per label (the second count, of conversions, is not used).
    stages: BTreeMap<Option<String>, (u64, u64)>,
    tiers: Vec<BTreeMap<Option<String>, (u64, u64)>>,
    group_sums: Vec<f64>,
    rule_hits: Vec<u64>,
    backtest: Option<BacktestCounter>,
    /// Per used field: a sample of the values seen (numbers and dates as
    /// numbers, the rest as text), for the PSI against a baseline.
    fields: Vec<(usize, Vec<Option<Key>>)>,
    /// Every `stride`-th lead's values are sampled; `seen` leads so far.
    stride: usize,
    seen: usize,
}

/// A field value as the PSI bins it.
#[derive(Debug, Clone, PartialEq, PartialOrd)]
enum Key {
    Number(f64),
    Text(String),
}

impl ReportCounter {
    /// A counter; `outcome` when the file has an outcome column; field
    /// values are sampled for the fields the plan uses when `stability`.
    pub fn new(
        model: &Model,
        plan_fields_used: &[bool],
        outcome: bool,
        stability: bool,
    ) -> ReportCounter {
        ReportCounter {
            scores: Vec::new(),
            stages: BTreeMap::new(),
            tiers: vec![BTreeMap::new(); model.tiers.len()],
            group_sums: vec![0.0; model.groups.len()],
            rule_hits: vec![0; model.rules.len()],
            backtest: outcome.then(|| BacktestCounter::new(model)),
            fields: plan_fields_used
                .iter()
                .enumerate()
                .filter(|(_, used)| stability && **used)
                .map(|(i, _)| (i, Vec::new()))
                .collect(),
            stride: 1,
            seen: 0,
        }
    }

    /// What to work out on the workers: the outcome from `outcome`'s
    /// cell, and a lead's move from the earlier model with `diff` (the
    /// second model of each row).
    pub fn rows<'c>(
        &self,
        outcome: Option<&'c Column>,
        diff: Option<DiffRows<'c>>,
    ) -> ReportRows<'c> {
        ReportRows {
            outcome,
            diff,
            groups: self.group_sums.len(),
            fields: self.fields.iter().map(|(field, _)| *field).collect(),
        }
    }

    /// Add a chunk's counts (parts come in file order), and its diff
    /// part to `diff`.
    pub fn merge(&mut self, part: ReportPart, diff: Option<&mut DiffCounter>) {
        part.stages.merge_into(&mut self.stages);
        for (table, counts) in self.tiers.iter_mut().zip(part.tiers) {
            counts.merge_into(table);
        }
        // Summed lead by lead in file order, as the sums of floats
        // depend on the order.
        let width = self.group_sums.len();
        if width > 0 {
            for row in part.groups.chunks(width) {
                for (sum, group) in self.group_sums.iter_mut().zip(row) {
                    *sum += group;
                }
            }
        }
        for (hits, (n, _)) in self.rule_hits.iter_mut().zip(&part.rule_hits) {
            *hits += n;
        }
        if let Some(counter) = self.backtest.as_mut() {
            counter.merge(part.backtest);
        }
        if let Some(diff) = diff {
            diff.merge(part.diff);
        }
        let width = self.fields.len();
        for i in 0..part.scores.len() {
            let keys = part.samples.get(i * width..(i + 1) * width);
            self.sample(keys.unwrap_or_default());
        }
        self.scores.extend(part.scores);
    }

    /// Keep every `stride`-th lead's values; when the sample is full, keep
    /// every other one and double the stride.
    fn sample(&mut self, keys: &[Option<Key>]) {
        self.seen += 1;
        if self.fields.is_empty() || !(self.seen - 1).is_multiple_of(self.stride) {
            return;
        }
        for ((_, values), key) in self.fields.iter_mut().zip(keys) {
            values.push(key.clone());
            if values.len() >= SAMPLE {
                let mut i = 0;
                values.retain(|_| {
                    i += 1;
                    i % 2 == 1
                });
            }
        }
        if self
            .fields
            .first()
            .is_some_and(|(_, v)| v.len() == SAMPLE / 2)
        {
            self.stride *= 2;
        }
    }

    /// The report of this file, compared with `baseline` when given.
    pub fn finish(
        self,
        model: &Model,
        source: &Source,
        field_names: &[String],
        counts: super::Counts,
        baseline: Option<ReportCounter>,
    ) -> Report {
        let scored = self.scores.len() as u64;
        let stage_order = model.stage.as_ref().map(|l| l.labels()).unwrap_or_default();
        let mut stability = Vec::new();
        if let Some(base) = &baseline {
            stability.push(Stability {
                name: "score".into(),
                psi: score_psi(&base.scores, &self.scores),
            });
            for ((field, now), (_, then)) in self.fields.iter().zip(&base.fields) {
                if let Some(psi) = field_psi(then, now) {
                    let name = field_names.get(*field).cloned().unwrap_or_default();
                    stability.push(Stability {
                        name,
                        psi: Some(psi),
                    });
                }
            }
        }
        let mean = |sum: f64| if scored > 0 { sum / scored as f64 } else { 0.0 };
        let (backtest, roc) = match self.backtest {
            Some(counter) => {
                let roc = counter.roc(ROC_POINTS);
                (Some(counter.finish(model, source, counts.unreadable)), roc)
            }
            None => (None, Vec::new()),
        };
        Report {
            model: ModelStamp::new(model, source.text().as_bytes()),
            rows: counts.read,
            scored,
            unreadable: counts.unreadable,
            histogram: histogram(&self.scores),
            stages: ordered(&self.stages, &stage_order),
            tiers: model
                .tiers
                .iter()
                .zip(&self.tiers)
                .map(|(t, counts)| (t.name.clone(), ordered(counts, &t.ladder.labels())))
                .collect(),
            groups: model
                .groups
                .iter()
                .zip(&self.group_sums)
                .map(|(g, &sum)| (g.name.clone(), mean(sum)))
                .collect(),
            rules: model
                .rules
                .iter()
                .zip(&self.rule_hits)
                .map(|(r, &hits)| (r.reason.clone(), mean(hits as f64)))
                .collect(),
            backtest,
            roc,
            stability,
        }
    }
}

/// What [`ReportCounter`] keeps of a chunk.
#[derive(Debug, Default)]
pub struct ReportPart {
    scores: Vec<Decimal>,
    stages: LabelCounts,
    tiers: Vec<LabelCounts>,
    /// Each lead's group subtotals, lead after lead.
    groups: Vec<f64>,
    rule_hits: Vec<(u64, u64)>,
    backtest: BacktestPart,
    diff: DiffPart,
    /// Each lead's sampled fields' values, lead after lead (with a
    /// baseline only).
    samples: Vec<Option<Key>>,
}

/// Folds each row (the model's results, and the earlier model's second
/// with `--diff`) into a [`ReportPart`].
pub struct ReportRows<'c> {
    outcome: Option<&'c Column>,
    diff: Option<DiffRows<'c>>,
    /// The model's groups.
    groups: usize,
    /// The fields whose values are sampled.
    fields: Vec<usize>,
}

impl Fold for ReportRows<'_> {
    type Part = ReportPart;

    fn row(&self, part: &mut ReportPart, row: Cols, scored: &[Scored]) -> bool {
        let converted = match self.outcome.map(|c| c.outcome_in(row)) {
            Some(Ok(converted)) => Some(converted),
            Some(Err(_)) => return false,
            None => None,
        };
        let Some(now) = scored.first() else {
            return false;
        };
        part.scores.push(now.score);
        part.stages.add(now.stage, false);
        if part.tiers.len() < now.tiers.len() {
            part.tiers
                .resize_with(now.tiers.len(), LabelCounts::default);
        }
        for (table, label) in part.tiers.iter_mut().zip(now.tiers) {
            table.add(*label, false);
        }
        let group = |i: usize| now.groups.get(i).map_or(0.0, |g| g.to_f64().unwrap_or(0.0));
        part.groups.extend((0..self.groups).map(group));
        count_fired(&mut part.rule_hits, now.points, false);
        if let Some(converted) = converted {
            part.backtest.add(now, converted);
        }
        if let (Some(diff), Some(before)) = (&self.diff, scored.get(1)) {
            diff.add(&mut part.diff, row, before, now);
        }
        if !self.fields.is_empty() {
            let value = |field: &usize| {
                now.lead
                    .and_then(|l| l.values.as_slice().get(*field).cloned().flatten())
            };
            part.samples
                .extend(self.fields.iter().map(|f| value(f).and_then(key)));
        }
        true
    }
}

fn key(value: Value) -> Option<Key> {
    Some(match value {
        Value::Number(n) => Key::Number(n.to_f64()?),
        Value::Date(d) => Key::Number(f64::from(chrono::Datelike::num_days_from_ce(&d))),
        Value::Bool(b) => Key::Text(b.to_string()),
        Value::Text(t) => Key::Text(t.trim().to_lowercase()),
        Value::List(items) => Key::Text(items.len().to_string()),
        other => Key::Text(format!("{other:?}")),
    })
}

/// Labels in ladder order, then others, then no label as `(none)`.
fn ordered(counts: &BTreeMap<Option<String>, (u64, u64)>, order: &[&str]) -> Vec<(String, u64)> {
    let mut out: Vec<(String, u64)> = order
        .iter()
        .map(|l| {
            let n = counts.get(&Some(l.to_string())).map_or(0, |c| c.0);
            (l.to_string(), n)
        })
        .collect();
    for (label, &(n, _)) in counts {
        match label {
            Some(l) if !order.contains(&l.as_str()) => out.push((l.clone(), n)),
            _ => {}
        }
    }
    if let Some(&(n, _)) = counts.get(&None) {
        out.push(("(none)".into(), n));
    }
    out
}

/// Up to [`BARS`] bars of equal width over the scores' range; whole-number
/// widths when the scores are whole numbers.
fn histogram(scores: &[Decimal]) -> Vec<Bar> {
    // Each distinct score once: a bar is worked out per value, not per lead.
    let scores = super::ranked::distinct(scores);
    let (Some(min), Some(max)) = (scores.first(), scores.last()) else {
        return Vec::new();
    };
    let (low, high) = (min.0.to_f64().unwrap_or(0.0), max.0.to_f64().unwrap_or(0.0));
    let whole = scores.iter().all(|s| s.0.fract().is_zero());
    let mut width = ((high - low) / BARS as f64).max(if whole { 1.0 } else { 1e-9 });
    if whole {
        width = width.ceil();
    }
    let bars = (((high - low) / width).floor() as usize + 1).min(BARS + 1);
    let mut out: Vec<Bar> = (0..bars)
        .map(|i| Bar {
            from: low + i as f64 * width,
            to: low + (i + 1) as f64 * width,
            leads: 0,
        })
        .collect();
    for (score, leads) in scores {
        let at = ((score.to_f64().unwrap_or(low) - low) / width).floor() as usize;
        if let Some(bar) = out.get_mut(at.min(bars - 1)) {
            bar.leads += leads;
        }
    }
    out
}

/// The PSI of the score over the baseline's score deciles.
fn score_psi(baseline: &[Decimal], now: &[Decimal]) -> Option<f64> {
    let then: Vec<Option<Key>> = baseline
        .iter()
        .map(|s| s.to_f64().map(Key::Number))
        .collect();
    let now: Vec<Option<Key>> = now.iter().map(|s| s.to_f64().map(Key::Number)).collect();
    field_psi(&then, &now)
}

/// How a field's values are binned for its PSI.
enum Bins {
    /// Text: these most common values, one bin each, then one for the rest.
    Common(Vec<String>),
    /// Numbers and dates: the baseline's deciles, ascending, each once;
    /// with the ones that were two deciles or more (a value a tenth of
    /// the baseline or more has, such as the 0 of leads that fired
    /// nothing), which get a bin of their own.
    Cuts { cuts: Vec<f64>, heavy: Vec<f64> },
}

/// Bins of [`Bins::Cuts`]: missing, then below, at (when heavy) and
/// above each of at most 9 cuts.
const CUT_BINS: usize = 2 * 9 + 2;

impl Bins {
    /// The bins of the baseline's values.
    fn of(then: &[Option<Key>]) -> Bins {
        let mut numbers: Vec<f64> = Vec::new();
        let mut counts: BTreeMap<&str, u64> = BTreeMap::new();
        for key in then.iter().flatten() {
            match key {
                Key::Number(n) => numbers.push(*n),
                Key::Text(t) => *counts.entry(t.as_str()).or_default() += 1,
            }
        }
        if numbers.is_empty() {
            let mut common: Vec<(&str, u64)> = counts.into_iter().collect();
            common.sort_by_key(|c| std::cmp::Reverse(c.1));
            let common = common.into_iter().take(CATEGORIES);
            return Bins::Common(common.map(|(t, _)| t.to_string()).collect());
        }
        numbers.sort_by(f64::total_cmp);
        let mut cuts: Vec<f64> = (1..10)
            .filter_map(|d| numbers.get(d * numbers.len() / 10).copied())
            .collect();
        let mut heavy: Vec<f64> = (cuts.iter().zip(cuts.iter().skip(1)))
            .filter(|(a, b)| a == b)
            .map(|(a, _)| *a)
            .collect();
        cuts.dedup();
        heavy.dedup();
        Bins::Cuts { cuts, heavy }
    }

    /// A value's bin: 0 for missing, then the bins.
    fn of_value(&self, key: &Option<Key>) -> usize {
        match (self, key) {
            (_, None) => 0,
            (Bins::Common(common), Some(Key::Text(t))) => {
                common.iter().position(|c| c == t).map_or(1, |i| i + 2)
            }
            // Between cuts i−1 and i: 1 + 2i; at a heavy cut i: 2 + 2i; a
            // value at another cut goes with the values above it.
            (Bins::Cuts { cuts, heavy }, Some(Key::Number(n))) => {
                let below = cuts.partition_point(|c| c < n);
                match cuts.get(below) == Some(n) {
                    true if heavy.contains(n) => 2 + 2 * below,
                    true => 3 + 2 * below,
                    false => 1 + 2 * below,
                }
            }
            _ => 1,
        }
    }

    fn count(&self, values: &[Option<Key>]) -> Vec<u64> {
        let mut bins = vec![0u64; CUT_BINS.max(CATEGORIES + 2)];
        for value in values {
            if let Some(slot) = bins.get_mut(self.of_value(value)) {
                *slot += 1;
            }
        }
        bins
    }
}

/// The PSI of one field between the baseline's values and these.
fn field_psi(then: &[Option<Key>], now: &[Option<Key>]) -> Option<f64> {
    let bins = Bins::of(then);
    stats::psi(&bins.count(then), &bins.count(now))
}

/// Numbers as the report writes them.
pub fn shown(value: f64) -> String {
    Decimal::from_f64_retain(value)
        .map(|d| format_decimal(d.round_dp(2)))
        .unwrap_or_else(|| value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_scores_get_whole_bars() {
        let scores: Vec<Decimal> = [0, 5, 10, 10, 45].map(Decimal::from).to_vec();
        let bars = histogram(&scores);
        assert_eq!(bars.len(), 16); // width ⌈45 / 20⌉ = 3: 0-3, …, 45-48
        assert_eq!(bars[0].leads, 1);
        assert_eq!((bars[1].from, bars[1].leads), (3.0, 1));
        assert_eq!((bars[3].from, bars[3].leads), (9.0, 2));
        assert_eq!(bars[15].leads, 1);
        assert_eq!(bars.iter().map(|b| b.leads).sum::<u64>(), 5);
    }

    #[test]
    fn the_field_sample_stays_bounded_and_spread_over_the_file() {
        let model =
            crate::compile_bytes("m.tally", b"fields { a: int }\nwhen a > 1 add 1\n".to_vec())
                .1
                .model
                .unwrap();
        let mut counter = ReportCounter::new(&model, &[true], false, true);
        let rows = counter.rows(None, None);
        // Parts of uneven sizes, as chunks of a file are.
        let mut part = ReportPart::default();
        for i in 0..(SAMPLE * 5) {
            let lead = crate::eval::Lead {
                values: vec![Some(Value::Number(Decimal::from(i)))].into(),
            };
            let scored = Scored {
                score: Decimal::ZERO,
                groups: &[],
                stage: None,
                tiers: &[],
                points: &[None],
                lead: Some(&lead),
            };
            let record = crate::io::Record {
                row: 1,
                data: crate::io::RowData::Cells(vec![]),
            };
            assert!(rows.row(&mut part, Cols::Record(&record), &[scored]));
            if i % 7919 == 0 {
                counter.merge(std::mem::take(&mut part), None);
            }
        }
        counter.merge(part, None);
        assert_eq!(counter.seen, SAMPLE * 5);
        let values = &counter.fields[0].1;
        assert!(values.len() < SAMPLE, "{}", values.len());
        assert_eq!(values[0], Some(Key::Number(0.0)));
        let last = match values.last() {
            Some(Some(Key::Number(n))) => *n,
            other => panic!("{other:?}"),
        };
        assert!(last > (SAMPLE * 5) as f64 * 0.9, "{last}");
    }

    #[test]
    fn a_field_that_shifted_has_a_larger_psi() {
        let then: Vec<Option<Key>> = (0..1000).map(|i| Some(Key::Number(i as f64))).collect();
        let same = field_psi(&then, &then).unwrap();
        let later: Vec<Option<Key>> = (0..1000)
            .map(|i| Some(Key::Number(i as f64 + 300.0)))
            .collect();
        let shifted = field_psi(&then, &later).unwrap();
        assert_eq!(same, 0.0);
        assert!(shifted > 0.25, "{shifted}");
    }
}
