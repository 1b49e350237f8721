//! Leads ranked by score without sorting the leads.
//!
//! A model's scores take few distinct values (the sums its points can
//! make), so the distinct scores are found by hashing and only they are
//! sorted: a million leads cost a hash lookup each, not a sort of a
//! million exact decimals (which took a third of `backtest` after the
//! rows were read). The deciles, which cut the leads sorted by score with
//! ties in file order, need the order inside a score only where a cut
//! falls: one more pass in file order counts those leads.

use rustc_hash::FxHashMap;

use super::stats::Level;
use crate::value::Decimal;

/// The distinct scores of some leads, and each lead's.
pub struct Ranked {
    /// The distinct scores, ascending, with their leads by outcome.
    pub levels: Vec<Level>,
    /// Each lead's index in `levels`, in file order.
    of_lead: Vec<u32>,
}

/// A tenth of the leads sorted by score, highest first (see
/// [`Ranked::deciles`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cut {
    pub leads: u64,
    pub converted: u64,
    pub max: Decimal,
    pub min: Decimal,
}

impl Ranked {
    /// Rank `(score, converted)` pairs given in file order.
    pub fn new(scores: &[(Decimal, bool)]) -> Ranked {
        // Keyed by the decimal's parts, which hash fast; equal scores
        // written with other places (`1.0`, `1`) are merged below.
        let mut slots: FxHashMap<(i128, u32), u32> = FxHashMap::default();
        let mut found: Vec<Level> = Vec::new();
        let mut of_lead: Vec<u32> = Vec::with_capacity(scores.len());
        for &(score, converted) in scores {
            let key = (score.mantissa(), score.scale());
            let slot = *slots.entry(key).or_insert_with(|| {
                found.push(Level {
                    score,
                    converted: 0,
                    not_converted: 0,
                });
                u32::try_from(found.len() - 1).unwrap_or(u32::MAX)
            });
            if let Some(level) = found.get_mut(slot as usize) {
                match converted {
                    true => level.converted += 1,
                    false => level.not_converted += 1,
                }
            }
            of_lead.push(slot);
        }
        let mut order: Vec<u32> = (0..found.len() as u32).collect();
        order.sort_by_key(|&slot| found.get(slot as usize).map(|l| l.score));
        let mut levels: Vec<Level> = Vec::with_capacity(found.len());
        let mut level_of_slot = vec![0u32; found.len()];
        for slot in order {
            let Some(level) = found.get(slot as usize) else {
                continue;
            };
            match levels.last_mut() {
                Some(last) if last.score == level.score => {
                    last.converted += level.converted;
                    last.not_converted += level.not_converted;
                }
                _ => levels.push(*level),
            }
            if let Some(at) = level_of_slot.get_mut(slot as usize) {
                *at = levels.len() as u32 - 1;
            }
        }
        for lead in &mut of_lead {
            *lead = level_of_slot.get(*lead as usize).copied().unwrap_or(0);
        }
        Ranked { levels, of_lead }
    }

    /// The leads sorted by score, highest first, ties in file order, cut
    /// into ten: lead k of n is in decile ⌊10k/n⌋ + 1. Empty deciles (n <
    /// 10) are `None`. `scores` are the pairs this was made from.
    pub fn deciles(&self, scores: &[(Decimal, bool)]) -> Vec<Option<Cut>> {
        let n = self.of_lead.len();
        let leads = |l: &Level| l.converted + l.not_converted;
        // Highest first: each level's first rank, and the conversions
        // before it.
        let mut starts = vec![(0u64, 0u64); self.levels.len()];
        let (mut rank, mut converted) = (0u64, 0u64);
        for (level, start) in self.levels.iter().zip(&mut starts).rev() {
            *start = (rank, converted);
            rank += leads(level);
            converted += level.converted;
        }
        // Decile d starts at the first k with ⌊10k/n⌋ = d, ⌈dn/10⌉ (⌊dn/10⌋
        // put the top lead of 8 in decile 2, the one lead of 1 in 10).
        let cuts: Vec<u64> = (0..=10).map(|d| (d * n).div_ceil(10) as u64).collect();
        // Where each cut falls: its level and how far into it.
        let place = |k: u64| -> Option<(usize, u64)> {
            let at = starts
                .iter()
                .zip(&self.levels)
                .position(|(s, l)| s.0 <= k && k < s.0 + leads(l))?;
            Some((at, k - starts.get(at)?.0))
        };
        let placed: Vec<Option<(usize, u64)>> = cuts.iter().map(|&k| place(k)).collect();
        // Conversions among the first `offset` leads (in file order) of
        // the level each cut falls in.
        let mut partial = vec![0u64; cuts.len()];
        if placed.iter().flatten().any(|&(_, offset)| offset > 0) {
            let mut seen = vec![0u64; self.levels.len()];
            for (&level, &(_, converted)) in self.of_lead.iter().zip(scores) {
                let level = level as usize;
                let Some(count) = seen.get_mut(level) else {
                    continue;
                };
                if converted {
                    for (cut, at) in partial.iter_mut().zip(&placed) {
                        if matches!(at, Some((l, offset)) if *l == level && *count < *offset) {
                            *cut += 1;
                        }
                    }
                }
                *count += 1;
            }
        }
        // Conversions among the first k leads by rank.
        let before = |i: usize| -> u64 {
            match placed.get(i).copied().flatten() {
                Some((level, _)) => {
                    starts.get(level).map_or(0, |s| s.1) + partial.get(i).unwrap_or(&0)
                }
                None => converted, // k = n: every lead
            }
        };
        let score_at = |k: u64| {
            place(k)
                .and_then(|(l, _)| self.levels.get(l))
                .map(|l| l.score)
        };
        (0..10)
            .map(|d| {
                let (from, to) = (*cuts.get(d)?, *cuts.get(d + 1)?);
                if from == to {
                    return None;
                }
                Some(Cut {
                    leads: to - from,
                    converted: before(d + 1) - before(d),
                    max: score_at(from)?,
                    min: score_at(to - 1)?,
                })
            })
            .collect()
    }
}

/// The distinct values of `scores`, ascending, each with how many times
/// it occurs (equal values written with other places count as one).
pub fn distinct(scores: &[Decimal]) -> Vec<(Decimal, u64)> {
    let mut counts: FxHashMap<(i128, u32), (Decimal, u64)> = FxHashMap::default();
    for &score in scores {
        counts
            .entry((score.mantissa(), score.scale()))
            .or_insert((score, 0))
            .1 += 1;
    }
    let mut found: Vec<(Decimal, u64)> = counts.into_values().collect();
    found.sort_by_key(|f| f.0);
    let mut out: Vec<(Decimal, u64)> = Vec::with_capacity(found.len());
    for (score, n) in found {
        match out.last_mut() {
            Some(last) if last.0 == score => last.1 += n,
            _ => out.push((score, n)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The deciles and levels of a sort, with ties in file order, for
    /// many shapes of data: few levels, many, cuts inside a level.
    #[test]
    fn ranking_agrees_with_a_stable_sort() {
        let mut seed = 7u64;
        let mut next = |m: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % m
        };
        for (n, distinct) in [
            (0, 1),
            (3, 2),
            (10, 1),
            (17, 3),
            (1000, 4),
            (999, 1000),
            (5003, 40),
        ] {
            let scores: Vec<(Decimal, bool)> = (0..n)
                .map(|_| {
                    // Some scores written with a place more: equal values.
                    let v = Decimal::from(next(distinct));
                    let v = if next(3) == 0 {
                        v.round_dp(1) + Decimal::new(0, 1)
                    } else {
                        v
                    };
                    (v, next(4) == 0)
                })
                .collect();
            let ranked = Ranked::new(&scores);
            let mut sorted = scores.clone();
            let levels = super::super::stats::levels(&mut sorted);
            assert_eq!(ranked.levels, levels, "n {n}");
            let mut desc = scores.clone();
            desc.sort_by_key(|s| std::cmp::Reverse(s.0));
            let want: Vec<Option<Cut>> = (0..10)
                .map(|d| {
                    // Lead k is in decile ⌊10k/n⌋ + 1.
                    let mut ks = (0..n).filter(|k| 10 * k / n == d);
                    let from = ks.next()?;
                    let slice = desc.get(from..=ks.next_back().unwrap_or(from))?;
                    Some(Cut {
                        leads: slice.len() as u64,
                        converted: slice.iter().filter(|s| s.1).count() as u64,
                        max: slice.first()?.0,
                        min: slice.last()?.0,
                    })
                })
                .collect();
            assert_eq!(ranked.deciles(&scores), want, "n {n}");
        }
    }
}
