//! `tally backtest`: how well a model's scores and stages predict an
//! outcome, and which score thresholds the data supports.
//!
//! A [`BacktestPart`] takes a chunk's scored leads on a worker, counting
//! by stage, tier and rule and keeping each lead's score and outcome (the
//! ranking statistics need them sorted); [`BacktestCounter`] merges the
//! parts in file order, and [`BacktestCounter::finish`] turns the counts
//! into a [`Backtest`].

use std::collections::BTreeMap;

use serde::Serialize;

use super::collect::Scored;
use super::labels::{count_fired, merge_fired, LabelCounts};
use super::ranked::Ranked;
use super::stamp::ModelStamp;
use super::stats::{self, Level};
use crate::check::model::ExprKind;
use crate::check::Model;
use crate::source::Source;
use crate::syntax::ast::CompareOp;
use crate::value::{Decimal, Value};

/// Everything `backtest` reports.
#[derive(Debug, Clone, Serialize)]
pub struct Backtest {
    pub model: ModelStamp,
    /// Leads used (readable, with a readable outcome).
    pub rows: u64,
    /// Rows left out because they could not be read.
    pub unreadable: u64,
    pub converted: u64,
    pub base_rate: Option<f64>,
    pub auc: Option<f64>,
    pub gini: Option<f64>,
    pub ks: Option<f64>,
    pub stages: Vec<Segment>,
    pub tiers: Vec<TierTable>,
    pub deciles: Vec<Decile>,
    pub rules: Vec<RuleStats>,
    pub thresholds: Vec<Threshold>,
}

/// Leads with one stage (or tier label); `null` is no stage.
#[derive(Debug, Clone, Serialize)]
pub struct Segment {
    pub stage: Option<String>,
    pub leads: u64,
    pub converted: u64,
    pub rate: Option<f64>,
    /// The rate over the base rate.
    pub lift: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TierTable {
    pub tier: String,
    /// Each label's leads (`stage` holds the label).
    pub labels: Vec<Segment>,
}

/// A tenth of the leads by score, highest first.
#[derive(Debug, Clone, Serialize)]
pub struct Decile {
    pub decile: u32,
    pub min: f64,
    pub max: f64,
    pub leads: u64,
    pub converted: u64,
    pub rate: Option<f64>,
    pub lift: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RuleStats {
    pub reason: String,
    pub hits: u64,
    pub converted: u64,
    pub rate_fired: Option<f64>,
    pub rate_not_fired: Option<f64>,
    pub lift: Option<f64>,
    pub iv: Option<f64>,
}

/// A `score >= T` (or `>`) test of the stage ladder.
#[derive(Debug, Clone, Serialize)]
pub struct Threshold {
    /// The ladder line's line number in the model file.
    pub line: usize,
    pub label: String,
    pub op: &'static str,
    pub current: f64,
    pub suggested: Option<f64>,
    pub candidates: Vec<Candidate>,
}

/// What the threshold would give at one value.
#[derive(Debug, Clone, Serialize)]
pub struct Candidate {
    pub value: f64,
    /// Leads at or above it, and how many of them converted.
    pub leads: u64,
    pub converted: u64,
    pub rate: Option<f64>,
    /// Youden's J: true-positive rate minus false-positive rate.
    pub j: Option<f64>,
}

/// Counts the scored leads of a backtest.
pub struct BacktestCounter {
    stages: BTreeMap<Option<String>, (u64, u64)>,
    tiers: Vec<BTreeMap<Option<String>, (u64, u64)>>,
    /// Per rule: hits, and hits that converted.
    rules: Vec<(u64, u64)>,
    scores: Vec<(Decimal, bool)>,
}

impl BacktestCounter {
    pub fn new(model: &Model) -> BacktestCounter {
        BacktestCounter {
            stages: BTreeMap::new(),
            tiers: vec![BTreeMap::new(); model.tiers.len()],
            rules: vec![(0, 0); model.rules.len()],
            scores: Vec::new(),
        }
    }

    /// Add a chunk's counts; parts come in file order.
    pub fn merge(&mut self, part: BacktestPart) {
        part.stages.merge_into(&mut self.stages);
        for (table, counts) in self.tiers.iter_mut().zip(part.tiers) {
            counts.merge_into(table);
        }
        merge_fired(&mut self.rules, &part.rules);
        self.scores.extend(part.scores);
    }

    /// The ROC curve of the leads so far, at most `points` points.
    pub fn roc(&self, points: usize) -> Vec<(f64, f64)> {
        stats::roc(&Ranked::new(&self.scores).levels, points)
    }

    /// The report, for `unreadable` rows left out.
    pub fn finish(self, model: &Model, source: &Source, unreadable: u64) -> Backtest {
        let rows = self.scores.len() as u64;
        let converted = self.scores.iter().filter(|s| s.1).count() as u64;
        let base = rate(converted, rows);
        let ranked = Ranked::new(&self.scores);
        let deciles = deciles(&ranked, &self.scores, base);
        let levels = ranked.levels;
        let auc = stats::auc(&levels);
        let stage_order: Vec<&str> = model.stage.as_ref().map(|l| l.labels()).unwrap_or_default();
        Backtest {
            model: ModelStamp::new(model, source.text().as_bytes()),
            rows,
            unreadable,
            converted,
            base_rate: base,
            auc,
            gini: auc.map(|a| 2.0 * a - 1.0),
            ks: stats::ks(&levels),
            // A model without a ladder has no stages to compare.
            stages: match model.stage {
                Some(_) => segments(&self.stages, &stage_order, base),
                None => Vec::new(),
            },
            tiers: model
                .tiers
                .iter()
                .zip(&self.tiers)
                .map(|(tier, counts)| TierTable {
                    tier: tier.name.clone(),
                    labels: segments(counts, &tier.ladder.labels(), base),
                })
                .collect(),
            deciles,
            rules: rule_stats(model, &self.rules, rows, converted, base),
            thresholds: thresholds(model, source, &levels),
        }
    }
}

/// A chunk's leads, counted on a worker (see [`BacktestCounter`]).
#[derive(Debug, Default)]
pub struct BacktestPart {
    stages: LabelCounts,
    tiers: Vec<LabelCounts>,
    /// Per rule: hits, and hits that converted.
    rules: Vec<(u64, u64)>,
    scores: Vec<(Decimal, bool)>,
}

impl super::OutcomePart for BacktestPart {
    /// Count one scored lead.
    #[inline]
    fn add(&mut self, lead: &Scored, converted: bool) {
        self.stages.add(lead.stage, converted);
        if self.tiers.len() < lead.tiers.len() {
            self.tiers
                .resize_with(lead.tiers.len(), LabelCounts::default);
        }
        for (table, label) in self.tiers.iter_mut().zip(lead.tiers) {
            table.add(*label, converted);
        }
        count_fired(&mut self.rules, lead.points, converted);
        self.scores.push((lead.score, converted));
    }
}

fn rate(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

fn lift(rate: Option<f64>, base: Option<f64>) -> Option<f64> {
    match (rate, base) {
        (Some(r), Some(b)) if b > 0.0 => Some(r / b),
        _ => None,
    }
}

/// Segments in ladder order, then any label not in it, then no stage.
fn segments(
    counts: &BTreeMap<Option<String>, (u64, u64)>,
    order: &[&str],
    base: Option<f64>,
) -> Vec<Segment> {
    let mut keys: Vec<Option<String>> = order.iter().map(|l| Some(l.to_string())).collect();
    let others: Vec<Option<String>> = counts
        .keys()
        .filter(|k| !keys.contains(k))
        .cloned()
        .collect();
    keys.extend(others);
    keys.sort_by_key(|k| k.is_none());
    keys.into_iter()
        .map(|key| {
            let (leads, converted) = counts.get(&key).copied().unwrap_or_default();
            let r = rate(converted, leads);
            Segment {
                stage: key,
                leads,
                converted,
                rate: r,
                lift: lift(r, base),
            }
        })
        .collect()
}

/// Ten groups of leads by score, highest first; lead k of n (sorted by
/// score, descending, ties in file order) is in decile ⌊10k/n⌋ + 1, so
/// tied scores may sit in two deciles.
fn deciles(ranked: &Ranked, scores: &[(Decimal, bool)], base: Option<f64>) -> Vec<Decile> {
    let cuts = ranked.deciles(scores).into_iter().zip(1..);
    cuts.filter_map(|(cut, decile)| {
        let cut = cut?;
        let r = rate(cut.converted, cut.leads);
        Some(Decile {
            decile,
            max: number(cut.max),
            min: number(cut.min),
            leads: cut.leads,
            converted: cut.converted,
            rate: r,
            lift: lift(r, base),
        })
    })
    .collect()
}

fn number(value: Decimal) -> f64 {
    use rust_decimal::prelude::ToPrimitive;
    value.to_f64().unwrap_or(f64::NAN)
}

fn rule_stats(
    model: &Model,
    counts: &[(u64, u64)],
    rows: u64,
    converted: u64,
    base: Option<f64>,
) -> Vec<RuleStats> {
    model
        .rules
        .iter()
        .zip(counts)
        .map(|(rule, &(hits, hit_converted))| {
            let rate_fired = rate(hit_converted, hits);
            let (misses, miss_converted) = (rows - hits, converted - hit_converted);
            RuleStats {
                reason: rule.reason.clone(),
                hits,
                converted: hit_converted,
                rate_fired,
                rate_not_fired: rate(miss_converted, misses),
                lift: lift(rate_fired, base),
                iv: stats::information_value(&[
                    (hit_converted, hits - hit_converted),
                    (miss_converted, misses - miss_converted),
                ]),
            }
        })
        .collect()
}

/// The `score >= T` and `score > T` tests of the stage ladder (alone or
/// `and`-ed with others), each with the values around it.
fn thresholds(model: &Model, source: &Source, levels: &[Level]) -> Vec<Threshold> {
    let Some(ladder) = &model.stage else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for step in &ladder.steps {
        for (current, strict) in score_tests(&step.condition.kind) {
            let candidate = |value: Decimal| {
                let (pos, neg) = stats::above(levels, value, strict);
                Candidate {
                    value: number(value),
                    leads: pos + neg,
                    converted: pos,
                    rate: rate(pos, pos + neg),
                    j: stats::youden(levels, value, strict),
                }
            };
            let steps = [-10, -5, 0, 5, 10].map(|d| current + Decimal::from(d));
            let suggested = stats::best_threshold(levels, current, strict);
            let mut values: Vec<Decimal> = steps.to_vec();
            values.extend(suggested.filter(|s| !steps.contains(s)));
            values.sort();
            out.push(Threshold {
                line: source.line_col(step.span.start).0,
                label: step.label.clone(),
                op: if strict { ">" } else { ">=" },
                current: number(current),
                suggested: suggested.map(number),
                candidates: values.into_iter().map(candidate).collect(),
            });
        }
    }
    out
}

/// `(T, strict)` of each `score >= T` / `score > T` (or `T <= score`,
/// `T < score`) in a condition's top-level conjunction.
fn score_tests(kind: &ExprKind) -> Vec<(Decimal, bool)> {
    match kind {
        ExprKind::And(parts) => parts.iter().flat_map(|p| score_tests(&p.kind)).collect(),
        // `T <= score` is `score >= T` written the other way round.
        ExprKind::Compare(op, left, right) => match (op, &left.kind, &right.kind) {
            (CompareOp::Ge | CompareOp::Gt, ExprKind::Score, ExprKind::Const(Value::Number(t)))
            | (CompareOp::Le | CompareOp::Lt, ExprKind::Const(Value::Number(t)), ExprKind::Score) =>
            {
                vec![(*t, matches!(op, CompareOp::Gt | CompareOp::Lt))]
            }
            _ => Vec::new(),
        },
        _ => Vec::new(),
    }
}
