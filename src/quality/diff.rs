//! `tally diff`: what a model change does to a lead file — the stage and
//! tier transitions, the score changes, each rule's hits before and after
//! (matched by reason) and the leads that moved most.
//!
//! [`DiffRows`] folds each lead's two results into a [`DiffPart`] on a
//! worker; [`DiffCounter`] merges the parts in file order. Per lead only
//! the score change is kept (for the median and percentiles); a part
//! keeps its `top` largest moves, and the merge the `top` of those.

use std::collections::BTreeMap;

use serde::Serialize;

use super::collect::{Fold, Scored};
use super::column::{Cols, Column};
use super::labels::{count_fired, PairCounts};
use super::stamp::ModelStamp;
use crate::check::Model;
use crate::source::Source;
use crate::syntax::ast::Effect;
use crate::value::Decimal;

/// One side of the diff: a compiled model and its source.
pub struct Side<'a> {
    pub model: &'a Model,
    pub source: &'a Source,
}

/// Everything `diff` reports.
#[derive(Debug, Clone, Serialize)]
pub struct Diff {
    pub old_model: ModelStamp,
    pub new_model: ModelStamp,
    /// Leads both models scored.
    pub rows: u64,
    /// Rows left out because one of the models could not read them.
    pub unreadable: u64,
    /// Leads whose stage changed.
    pub moved: u64,
    pub moved_share: Option<f64>,
    pub transitions: Vec<Transition>,
    /// The stage labels: the old ladder's, then the new one's, then
    /// `(none)`; transitions are listed in this order.
    pub stages: Vec<String>,
    /// The same per tier both models have, by name.
    pub tiers: Vec<TierTransitions>,
    pub score_change: Option<Spread>,
    pub rules: Vec<RuleChange>,
    /// The column that names a lead: the new model's first field's.
    pub key: Option<String>,
    pub top: Vec<Mover>,
}

/// Leads that went from one stage (or tier label) to another; `(none)`
/// is no stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Transition {
    pub from: String,
    pub to: String,
    pub count: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct TierTransitions {
    pub tier: String,
    pub moved: u64,
    pub transitions: Vec<Transition>,
    pub labels: Vec<String>,
}

/// The distribution of `new score − old score`.
#[derive(Debug, Clone, Serialize)]
pub struct Spread {
    pub mean: f64,
    pub median: f64,
    pub p10: f64,
    pub p90: f64,
    pub min: f64,
    pub max: f64,
}

/// A rule, by reason, in the old and the new model.
#[derive(Debug, Clone, Serialize)]
pub struct RuleChange {
    pub reason: String,
    /// `unchanged`, `changed` (its condition or points), `added`, `removed`.
    pub status: &'static str,
    pub old_hits: Option<u64>,
    pub new_hits: Option<u64>,
    /// The points as written, signed: `+20`, `-10`, `+5 * webinars`.
    pub old_points: Option<String>,
    pub new_points: Option<String>,
}

/// A lead whose score changed.
#[derive(Debug, Clone, Serialize)]
pub struct Mover {
    /// The value of the new model's first field (its column is
    /// [`Diff::key`]).
    pub key: String,
    pub old_score: f64,
    pub new_score: f64,
    pub old_stage: Option<String>,
    pub new_stage: Option<String>,
    #[serde(skip)]
    change: Decimal,
}

const NONE: &str = "(none)";

/// Leads counted by (old label, new label).
type Matrix = BTreeMap<(String, String), u64>;

/// A tier both models have: its index in each, its name, its counts.
struct SharedTier {
    old: usize,
    new: usize,
    name: String,
    counts: Matrix,
}

/// Counts the two outcomes of each lead.
pub struct DiffCounter {
    top: usize,
    transitions: Matrix,
    tiers: Vec<SharedTier>,
    changes: Vec<Decimal>,
    old_hits: Vec<u64>,
    new_hits: Vec<u64>,
    movers: Vec<Mover>,
}

impl DiffCounter {
    /// A counter keeping the `top` largest score changes.
    pub fn new(old: &Model, new: &Model, top: usize) -> DiffCounter {
        let tiers = old
            .tiers
            .iter()
            .enumerate()
            .filter_map(|(i, tier)| {
                let j = new.tiers.iter().position(|t| t.name == tier.name)?;
                Some(SharedTier {
                    old: i,
                    new: j,
                    name: tier.name.clone(),
                    counts: Matrix::new(),
                })
            })
            .collect();
        DiffCounter {
            top,
            transitions: BTreeMap::new(),
            tiers,
            changes: Vec::new(),
            old_hits: vec![0; old.rules.len()],
            new_hits: vec![0; new.rules.len()],
            movers: Vec::new(),
        }
    }

    /// What to work out on the workers: each lead named by `key`'s
    /// cell, and listed for `-o` when `changed`.
    pub fn rows<'c>(&self, key: Option<&'c Column>, changed: bool) -> DiffRows<'c> {
        DiffRows {
            tiers: self.tiers.iter().map(|t| (t.old, t.new)).collect(),
            top: self.top,
            key,
            changed,
        }
    }

    /// Add a chunk's counts (parts come in file order); its changed
    /// leads come back, for `-o`.
    pub fn merge(&mut self, part: DiffPart) -> Vec<Changed> {
        add_pairs(&mut self.transitions, &part.transitions);
        for (tier, counts) in self.tiers.iter_mut().zip(&part.tiers) {
            add_pairs(&mut tier.counts, counts);
        }
        for (hits, add) in [
            (&mut self.old_hits, &part.old_hits),
            (&mut self.new_hits, &part.new_hits),
        ] {
            for (total, (n, _)) in hits.iter_mut().zip(add) {
                *total += n;
            }
        }
        self.changes.extend(part.changes);
        // A part's movers are in order (largest first, then file order),
        // and parts come in file order: the same `top` as lead by lead.
        for mover in part.movers {
            keep_mover(&mut self.movers, self.top, mover);
        }
        part.changed
    }

    pub fn finish(mut self, old: Side, new: Side, unreadable: u64) -> Diff {
        let rows = self.changes.len() as u64;
        let moved = count_moved(&self.transitions);
        let stages = order(&stage_labels(old.model), &stage_labels(new.model));
        Diff {
            old_model: ModelStamp::new(old.model, old.source.text().as_bytes()),
            new_model: ModelStamp::new(new.model, new.source.text().as_bytes()),
            rows,
            unreadable,
            moved,
            moved_share: (rows > 0).then(|| moved as f64 / rows as f64),
            transitions: listed(&self.transitions, &stages),
            stages,
            tiers: self
                .tiers
                .iter()
                .map(|tier| {
                    let labels = order(
                        &tier_labels(old.model, tier.old),
                        &tier_labels(new.model, tier.new),
                    );
                    TierTransitions {
                        tier: tier.name.clone(),
                        moved: count_moved(&tier.counts),
                        transitions: listed(&tier.counts, &labels),
                        labels,
                    }
                })
                .collect(),
            score_change: spread(&mut self.changes),
            rules: rule_changes(&old, &new, &self.old_hits, &self.new_hits),
            key: new.model.fields.first().map(|f| f.column.clone()),
            top: self.movers,
        }
    }
}

/// What [`DiffCounter`] keeps of a chunk.
#[derive(Debug, Default)]
pub struct DiffPart {
    transitions: PairCounts,
    /// Per tier both models have.
    tiers: Vec<PairCounts>,
    changes: Vec<Decimal>,
    /// Per rule, its hits (and a count not used here).
    old_hits: Vec<(u64, u64)>,
    new_hits: Vec<(u64, u64)>,
    movers: Vec<Mover>,
    changed: Vec<Changed>,
}

/// A lead whose score or stage changed, for `diff -o`.
#[derive(Debug, Clone, PartialEq)]
pub struct Changed {
    pub key: String,
    pub old_score: Decimal,
    pub new_score: Decimal,
    pub old_stage: Option<String>,
    pub new_stage: Option<String>,
}

/// Folds each row's two results (old model, new model) into a
/// [`DiffPart`].
pub struct DiffRows<'c> {
    /// The shared tiers' indices in the old and the new model.
    tiers: Vec<(usize, usize)>,
    top: usize,
    key: Option<&'c Column>,
    changed: bool,
}

impl DiffRows<'_> {
    /// Count one lead.
    #[inline]
    pub fn add(&self, part: &mut DiffPart, row: Cols, old: &Scored, new: &Scored) {
        part.transitions.add(old.stage, new.stage);
        if part.tiers.len() != self.tiers.len() {
            part.tiers
                .resize_with(self.tiers.len(), PairCounts::default);
        }
        for (counts, &(i, j)) in part.tiers.iter_mut().zip(&self.tiers) {
            let from = old.tiers.get(i).copied().flatten();
            counts.add(from, new.tiers.get(j).copied().flatten());
        }
        count_fired(&mut part.old_hits, old.points, false);
        count_fired(&mut part.new_hits, new.points, false);
        let change = new.score - old.score;
        part.changes.push(change);
        let key = || self.key.map(|k| k.text_in(row)).unwrap_or_default();
        let stage = |s: Option<&str>| s.map(str::to_string);
        if !change.is_zero() && fits(&part.movers, self.top, change) {
            let mover = Mover {
                key: key(),
                old_score: number(old.score),
                new_score: number(new.score),
                old_stage: stage(old.stage),
                new_stage: stage(new.stage),
                change,
            };
            keep_mover(&mut part.movers, self.top, mover);
        }
        if self.changed && (old.score != new.score || old.stage != new.stage) {
            part.changed.push(Changed {
                key: key(),
                old_score: old.score,
                new_score: new.score,
                old_stage: stage(old.stage),
                new_stage: stage(new.stage),
            });
        }
    }
}

impl Fold for DiffRows<'_> {
    type Part = DiffPart;

    fn row(&self, part: &mut DiffPart, row: Cols, scored: &[Scored]) -> bool {
        let [old, new] = scored else { return false };
        self.add(part, row, old, new);
        true
    }
}

/// Whether a move of `change` would be among the `top` kept in `movers`.
fn fits(movers: &[Mover], top: usize, change: Decimal) -> bool {
    match movers.last() {
        _ if top == 0 => false,
        Some(last) if movers.len() >= top => last.change.abs() < change.abs(),
        _ => true,
    }
}

/// Keep the `top` largest moves; of equal ones, the earliest lead.
fn keep_mover(movers: &mut Vec<Mover>, top: usize, mover: Mover) {
    if !fits(movers, top, mover.change) {
        return;
    }
    if movers.len() >= top {
        movers.pop();
    }
    let at = movers.partition_point(|m| m.change.abs() >= mover.change.abs());
    movers.insert(at, mover);
}

/// Add a chunk's label pairs to `table`, `None` as `(none)`.
fn add_pairs(table: &mut Matrix, part: &PairCounts) {
    let label = |l: Option<String>| l.unwrap_or_else(|| NONE.to_string());
    for (from, to, n) in part.pairs() {
        *table.entry((label(from), label(to))).or_default() += n;
    }
}

fn count_moved(table: &Matrix) -> u64 {
    table
        .iter()
        .filter(|((from, to), _)| from != to)
        .map(|(_, n)| n)
        .sum()
}

fn stage_labels(model: &Model) -> Vec<&str> {
    model.stage.as_ref().map(|l| l.labels()).unwrap_or_default()
}

fn tier_labels(model: &Model, tier: usize) -> Vec<&str> {
    model
        .tiers
        .as_slice()
        .get(tier)
        .map(|t| t.ladder.labels())
        .unwrap_or_default()
}

/// Labels of two ladders, old first, without repeats, then `(none)`.
fn order(old: &[&str], new: &[&str]) -> Vec<String> {
    let mut labels: Vec<String> = Vec::new();
    for label in old.iter().chain(new).copied().chain([NONE]) {
        if !labels.iter().any(|l| l == label) {
            labels.push(label.to_string());
        }
    }
    labels
}

/// The transitions, sorted by the labels' order (from, then to).
fn listed(table: &Matrix, labels: &[String]) -> Vec<Transition> {
    let rank = |label: &String| {
        labels
            .iter()
            .position(|l| l == label)
            .unwrap_or(labels.len())
    };
    let mut list: Vec<Transition> = table
        .iter()
        .map(|((from, to), &count)| Transition {
            from: from.clone(),
            to: to.clone(),
            count,
        })
        .collect();
    list.sort_by_key(|t| (rank(&t.from), rank(&t.to)));
    list
}

fn number(value: Decimal) -> f64 {
    use rust_decimal::prelude::ToPrimitive;
    value.to_f64().unwrap_or(f64::NAN)
}

/// Mean, nearest-rank percentiles, extremes.
fn spread(changes: &mut [Decimal]) -> Option<Spread> {
    changes.sort_unstable();
    let n = changes.len();
    let at = |p: usize| {
        // Nearest rank: the ⌈p·n/100⌉-th smallest.
        let rank = (p * n).div_ceil(100).max(1);
        changes.get(rank - 1).copied().map(number)
    };
    let sum: f64 = changes.iter().copied().map(number).sum();
    Some(Spread {
        mean: sum / n as f64,
        median: at(50)?,
        p10: at(10)?,
        p90: at(90)?,
        min: number(*changes.first()?),
        max: number(*changes.last()?),
    })
}

/// A rule's points as written, with their sign: `+20`, `-10`.
fn points(source: &Source, rule: &crate::check::model::Rule) -> String {
    let sign = match rule.effect {
        Effect::Add => "+",
        Effect::Sub => "-",
    };
    format!("{sign}{}", squeeze(source.slice(rule.points.span)))
}

fn squeeze(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Old rules in old order, then rules only the new model has.
fn rule_changes(old: &Side, new: &Side, old_hits: &[u64], new_hits: &[u64]) -> Vec<RuleChange> {
    let find = |side: &Side, reason: &str| side.model.rules.iter().position(|r| r.reason == reason);
    let mut out = Vec::new();
    for (i, rule) in old.model.rules.iter().enumerate() {
        let j = find(new, &rule.reason);
        let old_points = points(old.source, rule);
        let new_rule = j.and_then(|j| new.model.rules.as_slice().get(j));
        let status = match new_rule {
            None => "removed",
            Some(other) => {
                let same_points = points(new.source, other) == old_points;
                let same_condition = squeeze(old.source.slice(rule.condition.span))
                    == squeeze(new.source.slice(other.condition.span));
                if same_points && same_condition {
                    "unchanged"
                } else {
                    "changed"
                }
            }
        };
        out.push(RuleChange {
            reason: rule.reason.clone(),
            status,
            old_hits: old_hits.get(i).copied(),
            new_hits: j.and_then(|j| new_hits.get(j).copied()),
            old_points: Some(old_points),
            new_points: new_rule.map(|r| points(new.source, r)),
        });
    }
    for (j, rule) in new.model.rules.iter().enumerate() {
        if find(old, &rule.reason).is_none() {
            out.push(RuleChange {
                reason: rule.reason.clone(),
                status: "added",
                old_hits: None,
                new_hits: new_hits.get(j).copied(),
                old_points: None,
                new_points: Some(points(new.source, rule)),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let mut changes: Vec<Decimal> = (1..=10).map(Decimal::from).collect();
        let s = spread(&mut changes).unwrap();
        assert_eq!((s.p10, s.median, s.p90), (1.0, 5.0, 9.0));
        assert_eq!((s.min, s.max, s.mean), (1.0, 10.0, 5.5));
        assert!(spread(&mut []).is_none());
    }

    /// The `--top` list merged from parts of any size is the one a single
    /// pass gives: the largest moves, ties in file order; and the changed
    /// leads come back in file order.
    #[test]
    fn top_moves_do_not_depend_on_how_the_file_is_cut() {
        let text = b"fields { id: text }\nwhen id == \"x\" add 1\nif score >= 1 then hot\n";
        let model = crate::compile_bytes("m.tally", text.to_vec())
            .1
            .model
            .unwrap();
        let header = crate::io::Header {
            format: crate::io::Format::Csv,
            columns: vec!["id".to_string()],
        };
        let key = Column::find(&header, "id").unwrap();
        // Moves of a few sizes, many tied, both signs.
        let moves: Vec<i64> = (0..500).map(|i: i64| ((i * 37) % 11) - 5).collect();
        let run = |cut: usize| {
            let mut counter = DiffCounter::new(&model, &model, 7);
            let rows = counter.rows(Some(&key), true);
            let (mut part, mut changed) = (DiffPart::default(), Vec::new());
            for (i, &m) in moves.iter().enumerate() {
                let record = crate::io::Record {
                    row: i as u64 + 1,
                    data: crate::io::RowData::Cells(vec![format!("L{i}")]),
                };
                let scored = |score: i64| Scored {
                    score: Decimal::from(score),
                    groups: &[],
                    stage: None,
                    tiers: &[],
                    points: &[None],
                    lead: None,
                };
                rows.add(&mut part, Cols::Record(&record), &scored(0), &scored(m));
                if (i + 1) % cut == 0 {
                    changed.extend(counter.merge(std::mem::take(&mut part)));
                }
            }
            changed.extend(counter.merge(part));
            let top: Vec<(String, f64)> = counter
                .movers
                .iter()
                .map(|m| (m.key.clone(), m.new_score))
                .collect();
            let keys: Vec<String> = changed.into_iter().map(|c| c.key).collect();
            (top, keys)
        };
        let mut by_size: Vec<(usize, i64)> = moves
            .iter()
            .copied()
            .enumerate()
            .filter(|m| m.1 != 0)
            .collect();
        by_size.sort_by_key(|m| std::cmp::Reverse(m.1.abs())); // stable: file order
        let want: Vec<(String, f64)> = by_size
            .iter()
            .take(7)
            .map(|&(i, m)| (format!("L{i}"), m as f64))
            .collect();
        let changed: Vec<String> = (0..500)
            .filter(|&i| moves[i] != 0)
            .map(|i| format!("L{i}"))
            .collect();
        for cut in [1, 3, 7, 64, 500, 1000] {
            assert_eq!(run(cut), (want.clone(), changed.clone()), "parts of {cut}");
        }
    }
}
