//! `tally calibrate`: the points the data supports for each rule.
//!
//! The leads are grouped by which rules fired (memory grows with the
//! distinct patterns, at most one per lead) and by score. A logistic
//! regression of the outcome on the rules' fired indicators gives each
//! rule a weight; its prior is the rule's current points in log-odds (the
//! current points times the slope of a regression on the current score),
//! so a rule with little evidence stays near its points. The weights are
//! then scaled so the rules' points span what they span now, and rounded.
//! Only rules with constant points are changed; computed points are kept
//! (their indicator stays in the regression).

// Fx: a lookup per lead, keyed by a few words (the std hasher cost a
// fifth of `calibrate`); the rows are sorted before the fit.
use rustc_hash::FxHashMap as HashMap;

use rust_decimal::prelude::ToPrimitive;
use serde::Serialize;

use super::collect::Scored;
use super::labels::{count_fired, merge_fired};
use super::logistic::{self, Prior, Row};
use super::stamp::ModelStamp;
use crate::check::model::ExprKind;
use crate::check::Model;
use crate::source::Source;
use crate::syntax::ast::Effect;
use crate::value::{Decimal, Value};

/// Fewer converted leads than this and `calibrate` refuses.
pub const MIN_CONVERSIONS: u64 = 30;

/// How strongly each weight is held at its prior, in leads' worth of
/// evidence: a rule fired for far more leads than this moves freely.
const PRIOR_STRENGTH: f64 = 2.0;

/// The proposal.
#[derive(Debug, Clone, Serialize)]
pub struct Calibration {
    pub model: ModelStamp,
    pub rows: u64,
    pub unreadable: u64,
    pub converted: u64,
    pub rules: Vec<RulePoints>,
}

/// One rule's points, now and proposed, and the evidence.
#[derive(Debug, Clone, Serialize)]
pub struct RulePoints {
    pub reason: String,
    /// Signed: `sub 10` is -10.
    pub old_points: Option<f64>,
    /// `None` for a rule whose points are computed (kept as they are).
    pub new_points: Option<i64>,
    pub hits: u64,
    pub converted: u64,
    pub rate_fired: Option<f64>,
    /// The fitted log-odds weight of the rule's indicator.
    pub weight: f64,
    #[serde(skip)]
    rule: usize,
}

/// Why no proposal can be made.
#[derive(Debug, Clone, PartialEq)]
pub enum CalibrationError {
    TooFewConversions {
        converted: u64,
    },
    /// Every lead has this score: nothing tells what a point is worth.
    OneScore {
        score: Decimal,
    },
    /// Every lead converted (the number of leads).
    AllConverted {
        rows: u64,
    },
    NoFit,
}

/// The rules that fired for a lead, a bit each: rules 0 to 63, then the
/// others' words (none, and nothing allocated, for most models).
type Pattern = (u64, Box<[u64]>);

/// Counts leads by the rules that fired and by score.
pub struct CalibrationCounter {
    patterns: HashMap<Pattern, (u64, u64)>,
    scores: HashMap<Decimal, (u64, u64)>,
    hits: Vec<(u64, u64)>,
    rules: usize,
}

impl CalibrationCounter {
    pub fn new(model: &Model) -> CalibrationCounter {
        CalibrationCounter {
            patterns: HashMap::default(),
            scores: HashMap::default(),
            hits: vec![(0, 0); model.rules.len()],
            rules: model.rules.len(),
        }
    }

    /// Add a chunk's counts.
    pub fn merge(&mut self, part: CalibrationPart) {
        add_counts(&mut self.patterns, part.patterns);
        add_counts(&mut self.scores, part.scores);
        merge_fired(&mut self.hits, &part.hits);
    }

    pub fn finish(
        self,
        model: &Model,
        source: &Source,
        unreadable: u64,
    ) -> Result<Calibration, CalibrationError> {
        let rows: u64 = self.patterns.values().map(|p| p.0).sum();
        let converted: u64 = self.patterns.values().map(|p| p.1).sum();
        if converted < MIN_CONVERSIONS {
            return Err(CalibrationError::TooFewConversions { converted });
        }
        // Nothing tells a converted lead from another: the fit has no
        // lead to weigh against.
        if converted == rows {
            return Err(CalibrationError::AllConverted { rows });
        }
        // With one score the slope below is 0, so every prior, and every
        // proposed point, would be 0 (even a rule that never fired).
        if let (1, Some(&score)) = (self.scores.len(), self.scores.keys().next()) {
            return Err(CalibrationError::OneScore { score });
        }
        let old: Vec<Option<f64>> = model.rules.iter().map(constant_points).collect();
        let slope = score_slope(&self.scores).ok_or(CalibrationError::NoFit)?;
        let centre = old.iter().map(|p| p.unwrap_or(0.0) * slope).collect();
        let prior = Prior {
            centre,
            strength: vec![PRIOR_STRENGTH; self.rules],
        };
        let rows_of_patterns = self.pattern_rows();
        let (_, weights) =
            logistic::fit(&rows_of_patterns, &prior).ok_or(CalibrationError::NoFit)?;
        let points = scaled(&old, &weights);
        let rules = model
            .rules
            .iter()
            .enumerate()
            .map(|(i, rule)| {
                let (hits, hit_converted) = self.hits.get(i).copied().unwrap_or_default();
                RulePoints {
                    reason: rule.reason.clone(),
                    old_points: old.get(i).copied().flatten(),
                    new_points: points.get(i).copied().flatten(),
                    hits,
                    converted: hit_converted,
                    rate_fired: (hits > 0).then(|| hit_converted as f64 / hits as f64),
                    weight: weights.get(i).copied().unwrap_or(0.0),
                    rule: i,
                }
            })
            .collect();
        Ok(Calibration {
            model: ModelStamp::new(model, source.text().as_bytes()),
            rows,
            unreadable,
            converted,
            rules,
        })
    }

    /// One row per pattern, in the patterns' order: the fit's sums then
    /// add up in the same order every run (a hash map's order changes
    /// from run to run, and so did the weights' last digits).
    fn pattern_rows(&self) -> Vec<Row> {
        let mut patterns: Vec<_> = self.patterns.iter().collect();
        patterns.sort_unstable_by_key(|p| p.0);
        patterns
            .into_iter()
            .map(|((first, rest), &(count, successes))| Row {
                features: (0..self.rules)
                    .map(|r| {
                        let word = match r / 64 {
                            0 => *first,
                            i => rest.get(i - 1).copied().unwrap_or(0),
                        };
                        f64::from(u8::from(word & (1 << (r % 64)) != 0))
                    })
                    .collect(),
                count: count as f64,
                successes: successes as f64,
            })
            .collect()
    }
}

/// A chunk's leads, counted on a worker (see [`CalibrationCounter`]).
#[derive(Debug, Default)]
pub struct CalibrationPart {
    patterns: HashMap<Pattern, (u64, u64)>,
    scores: HashMap<Decimal, (u64, u64)>,
    hits: Vec<(u64, u64)>,
}

impl super::OutcomePart for CalibrationPart {
    #[inline]
    fn add(&mut self, lead: &Scored, converted: bool) {
        let (first, rest) = lead.points.split_at(lead.points.len().min(64));
        let word = |points: &[Option<Decimal>]| {
            let fired = points.iter().enumerate().filter(|(_, p)| p.is_some());
            fired.fold(0u64, |word, (rule, _)| word | 1 << rule)
        };
        let pattern = (word(first), rest.chunks(64).map(word).collect());
        count_fired(&mut self.hits, lead.points, converted);
        let hit = u64::from(converted);
        let slot = self.patterns.entry(pattern).or_default();
        *slot = (slot.0 + 1, slot.1 + hit);
        let slot = self.scores.entry(lead.score).or_default();
        *slot = (slot.0 + 1, slot.1 + hit);
    }
}

fn add_counts<K: std::hash::Hash + Eq>(
    into: &mut HashMap<K, (u64, u64)>,
    part: HashMap<K, (u64, u64)>,
) {
    for (key, (leads, converted)) in part {
        let slot = into.entry(key).or_default();
        *slot = (slot.0 + leads, slot.1 + converted);
    }
}

/// A rule's points when they are a constant, signed.
fn constant_points(rule: &crate::check::model::Rule) -> Option<f64> {
    let ExprKind::Const(Value::Number(points)) = &rule.points.kind else {
        return None;
    };
    let value = points.to_f64()?;
    Some(match rule.effect {
        Effect::Add => value,
        Effect::Sub => -value,
    })
}

/// The log-odds a point of score is worth now: the slope of a logistic
/// regression of the outcome on the current score.
fn score_slope(scores: &HashMap<Decimal, (u64, u64)>) -> Option<f64> {
    let mut scores: Vec<_> = scores.iter().collect();
    scores.sort_unstable_by_key(|s| s.0); // the same order every run
    let rows: Vec<Row> = scores
        .into_iter()
        .map(|(score, &(count, successes))| Row {
            features: vec![score.to_f64().unwrap_or(0.0)],
            count: count as f64,
            successes: successes as f64,
        })
        .collect();
    let flat = Prior {
        centre: vec![0.0],
        strength: vec![1e-6],
    };
    let (_, slope) = logistic::fit(&rows, &flat)?;
    slope.first().copied().filter(|s| s.is_finite())
}

/// New points for the rules with constant points: weights scaled so their
/// absolute sum equals the current points' absolute sum, rounded.
fn scaled(old: &[Option<f64>], weights: &[f64]) -> Vec<Option<i64>> {
    let span_now: f64 = old.iter().flatten().map(|p| p.abs()).sum();
    let span_fit: f64 = old
        .iter()
        .zip(weights)
        .filter(|(p, _)| p.is_some())
        .map(|(_, w)| w.abs())
        .sum();
    let scale = if span_fit > 0.0 {
        span_now / span_fit
    } else {
        0.0
    };
    old.iter()
        .zip(weights)
        .map(|(p, w)| p.map(|_| (w * scale).round() as i64))
        .collect()
}

/// The model's text with each changed rule's `add N` / `sub N` replaced,
/// everything else (comments, layout, other rules) as it was.
pub fn rewrite(source: &Source, model: &Model, calibration: &Calibration) -> String {
    let text = source.text();
    let mut edits: Vec<(usize, usize, String)> = Vec::new();
    for proposal in &calibration.rules {
        let (Some(new), Some(rule)) = (
            proposal.new_points,
            model.rules.as_slice().get(proposal.rule),
        ) else {
            continue;
        };
        let end = rule.points.span.end;
        // The `add` or `sub` keyword is the last word before the points.
        let before = text.get(..rule.points.span.start).unwrap_or_default();
        let keyword = before.trim_end();
        if !(keyword.ends_with("add") || keyword.ends_with("sub")) {
            continue;
        }
        let start = keyword.len() - 3;
        let effect = if new < 0 { "sub" } else { "add" };
        edits.push((start, end, format!("{effect} {}", new.unsigned_abs())));
    }
    edits.sort_by_key(|e| std::cmp::Reverse(e.0));
    let mut out = text.to_string();
    for (start, end, replacement) in edits {
        if out.is_char_boundary(start) && out.is_char_boundary(end) && start <= end {
            out.replace_range(start..end, &replacement);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quality::OutcomePart;

    /// A lead's fired rules come back as its features, past rule 64 too,
    /// and leads with the same rules fired are one row, across parts.
    #[test]
    fn patterns_keep_every_rule_and_merge_across_parts() {
        let mut text = String::from("fields { n: int }\n");
        for i in 0..70 {
            text.push_str(&format!("when n > {i} add 1 \"r{i}\"\n"));
        }
        let model = crate::compile_bytes("m.tally", text.into_bytes())
            .1
            .model
            .unwrap();
        let mut counter = CalibrationCounter::new(&model);
        let mut points = vec![None; 70];
        points[3] = Some(Decimal::ONE);
        points[66] = Some(Decimal::ONE);
        let lead = Scored {
            score: Decimal::TWO,
            groups: &[],
            stage: None,
            tiers: &[],
            points: &points,
            lead: None,
        };
        for converted in [true, false] {
            let mut part = CalibrationPart::default();
            part.add(&lead, converted);
            counter.merge(part);
        }
        let rows = counter.pattern_rows();
        assert_eq!(rows.len(), 1);
        let fired: Vec<usize> = (0..70).filter(|&r| rows[0].features[r] == 1.0).collect();
        assert_eq!(fired, [3, 66]);
        assert_eq!((rows[0].count, rows[0].successes), (2.0, 1.0));
        assert_eq!(counter.hits[66], (2, 1));
    }
}
