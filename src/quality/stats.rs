//! Ranking statistics of scores against a binary outcome: ROC AUC, the
//! Kolmogorov–Smirnov statistic, information value, Youden's J. Pure
//! functions over `(score, converted)` pairs; the scores are exact
//! decimals, so ties are ties.

use crate::value::Decimal;

/// Positives and negatives at one score, scores ascending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Level {
    pub score: Decimal,
    pub converted: u64,
    pub not_converted: u64,
}

/// Group sorted-or-not pairs into levels of equal score, ascending.
pub fn levels(pairs: &mut [(Decimal, bool)]) -> Vec<Level> {
    pairs.sort_unstable_by_key(|p| p.0);
    let mut out: Vec<Level> = Vec::new();
    for &(score, converted) in pairs.iter() {
        let level = match out.last_mut() {
            Some(last) if last.score == score => last,
            _ => {
                out.push(Level {
                    score,
                    converted: 0,
                    not_converted: 0,
                });
                match out.last_mut() {
                    Some(level) => level,
                    None => continue,
                }
            }
        };
        if converted {
            level.converted += 1;
        } else {
            level.not_converted += 1;
        }
    }
    out
}

fn totals(levels: &[Level]) -> (u64, u64) {
    levels
        .iter()
        .fold((0, 0), |(p, n), l| (p + l.converted, n + l.not_converted))
}

/// The ROC AUC: the chance that a converted lead outscores one that did
/// not, ties counted as one half (the Mann–Whitney U over P·N). `None`
/// without both kinds of lead.
pub fn auc(levels: &[Level]) -> Option<f64> {
    let (positives, negatives) = totals(levels);
    if positives == 0 || negatives == 0 {
        return None;
    }
    let mut below = 0u64;
    let mut wins = 0f64;
    for level in levels {
        wins += level.converted as f64 * (below as f64 + 0.5 * level.not_converted as f64);
        below += level.not_converted;
    }
    Some(wins / (positives as f64 * negatives as f64))
}

/// The KS statistic: the largest gap between the converted and the
/// not-converted leads' cumulative score distributions.
pub fn ks(levels: &[Level]) -> Option<f64> {
    let (positives, negatives) = totals(levels);
    if positives == 0 || negatives == 0 {
        return None;
    }
    let (mut tp, mut fp, mut best) = (0u64, 0u64, 0f64);
    for level in levels.iter().rev() {
        tp += level.converted;
        fp += level.not_converted;
        let gap = tp as f64 / positives as f64 - fp as f64 / negatives as f64;
        best = best.max(gap.abs());
    }
    Some(best)
}

/// Youden's J of the rule "converted when score ≥ t" (or `> t` when
/// `strict`): true-positive rate minus false-positive rate.
pub fn youden(levels: &[Level], threshold: Decimal, strict: bool) -> Option<f64> {
    let (positives, negatives) = totals(levels);
    if positives == 0 || negatives == 0 {
        return None;
    }
    let (tp, fp) = above(levels, threshold, strict);
    Some(tp as f64 / positives as f64 - fp as f64 / negatives as f64)
}

/// Converted and not-converted leads at or above a threshold.
pub fn above(levels: &[Level], threshold: Decimal, strict: bool) -> (u64, u64) {
    levels
        .iter()
        .filter(|l| {
            if strict {
                l.score > threshold
            } else {
                l.score >= threshold
            }
        })
        .fold((0, 0), |(p, n), l| (p + l.converted, n + l.not_converted))
}

/// The threshold that maximises Youden's J, among the scores seen and
/// `current` itself; of equal ones, the closest to `current`. So a
/// threshold no other does better than is kept: with every lead at one
/// score, `score >= 20` is as good as `score >= 0` (both J = 0) and is
/// not moved. One pass from the highest score down, carrying the leads
/// at or above each level.
pub fn best_threshold(levels: &[Level], current: Decimal, strict: bool) -> Option<Decimal> {
    let seen = best_seen(levels, current, strict)?;
    let (best_j, at_current) = (
        youden(levels, seen, strict),
        youden(levels, current, strict),
    );
    match (best_j, at_current) {
        (Some(best), Some(now)) if now >= best - 1e-12 => Some(current),
        _ => Some(seen),
    }
}

/// [`best_threshold`] among the scores seen.
fn best_seen(levels: &[Level], current: Decimal, strict: bool) -> Option<Decimal> {
    let (positives, negatives) = totals(levels);
    if positives == 0 || negatives == 0 {
        return None;
    }
    let (mut tp, mut fp) = (0u64, 0u64);
    let mut best: Option<(f64, Decimal)> = None;
    for level in levels.iter().rev() {
        // `score >= t` counts this level; `score > t` only those above it.
        let (above_tp, above_fp) = (tp, fp);
        tp += level.converted;
        fp += level.not_converted;
        let (tp_t, fp_t) = if strict {
            (above_tp, above_fp)
        } else {
            (tp, fp)
        };
        let j = tp_t as f64 / positives as f64 - fp_t as f64 / negatives as f64;
        let better = match best {
            None => true,
            Some((best_j, best_t)) => {
                j > best_j + 1e-12
                    || ((j - best_j).abs() <= 1e-12
                        && (level.score - current).abs() < (best_t - current).abs())
            }
        };
        if better {
            best = Some((j, level.score));
        }
    }
    best.map(|(_, t)| t)
}

/// The ROC curve: (false-positive rate, true-positive rate) for every
/// threshold from above the highest score down, at most `points` of them
/// (evenly thinned), from (0, 0) to (1, 1).
pub fn roc(levels: &[Level], points: usize) -> Vec<(f64, f64)> {
    let (positives, negatives) = totals(levels);
    if positives == 0 || negatives == 0 {
        return Vec::new();
    }
    let mut curve = vec![(0.0, 0.0)];
    let (mut tp, mut fp) = (0u64, 0u64);
    for level in levels.iter().rev() {
        tp += level.converted;
        fp += level.not_converted;
        curve.push((fp as f64 / negatives as f64, tp as f64 / positives as f64));
    }
    let keep = points.max(2);
    if curve.len() > keep {
        let last = curve.len() - 1;
        curve = (0..keep)
            .filter_map(|i| curve.get(i * last / (keep - 1)).copied())
            .collect();
    }
    curve
}

/// The population stability index of two distributions over the same
/// bins, each given as counts: Σ (a − e) · ln(a / e) over the shares; an
/// empty bin counts as a share of 0.0001, so the index stays finite.
pub fn psi(expected: &[u64], actual: &[u64]) -> Option<f64> {
    let (e_total, a_total): (u64, u64) = (expected.iter().sum(), actual.iter().sum());
    if e_total == 0 || a_total == 0 {
        return None;
    }
    let share = |count: u64, total: u64| (count as f64 / total as f64).max(0.0001);
    Some(
        expected
            .iter()
            .zip(actual)
            .map(|(&e, &a)| {
                let (e, a) = (share(e, e_total), share(a, a_total));
                (a - e) * (a / e).ln()
            })
            .sum(),
    )
}

/// The information value of a split of the leads into bins, each given as
/// (converted, not converted): Σ (c/C − n/N) · ln((c/C) / (n/N)). A bin
/// with no lead of one kind counts half a lead there, so the value stays
/// finite. `None` without both kinds of lead.
pub fn information_value(bins: &[(u64, u64)]) -> Option<f64> {
    let positives: u64 = bins.iter().map(|b| b.0).sum();
    let negatives: u64 = bins.iter().map(|b| b.1).sum();
    if positives == 0 || negatives == 0 {
        return None;
    }
    let smooth = |count: u64| if count == 0 { 0.5 } else { count as f64 };
    let iv = bins
        .iter()
        .filter(|(c, n)| c + n > 0)
        .map(|&(c, n)| {
            let good = smooth(c) / positives as f64;
            let bad = smooth(n) / negatives as f64;
            (good - bad) * (good / bad).ln()
        })
        .sum();
    Some(iv)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(items: &[(i64, bool)]) -> Vec<Level> {
        let mut pairs: Vec<(Decimal, bool)> =
            items.iter().map(|&(s, c)| (Decimal::from(s), c)).collect();
        levels(&mut pairs)
    }

    /// AUC by its definition: every converted lead against every other.
    fn auc_by_pairs(items: &[(i64, bool)]) -> f64 {
        let (mut wins, mut pairs) = (0f64, 0f64);
        for &(sp, _) in items.iter().filter(|i| i.1) {
            for &(sn, _) in items.iter().filter(|i| !i.1) {
                pairs += 1.0;
                wins += match sp.cmp(&sn) {
                    std::cmp::Ordering::Greater => 1.0,
                    std::cmp::Ordering::Equal => 0.5,
                    std::cmp::Ordering::Less => 0.0,
                };
            }
        }
        wins / pairs
    }

    // Worked by hand: scores 10 20 20 30 40; converted at 20 and 40.
    // Converted 40 beats all 3 others (3); converted 20 beats 10 (1) and
    // ties the other 20 (0.5): AUC = 4.5 / (2 · 3) = 0.75.
    const HAND: [(i64, bool); 5] = [
        (10, false),
        (20, true),
        (20, false),
        (30, false),
        (40, true),
    ];

    #[test]
    fn auc_counts_ties_as_one_half() {
        assert_eq!(auc(&pairs(&HAND)), Some(0.75));
        assert_eq!(auc(&pairs(&[(5, true), (5, false)])), Some(0.5));
        assert_eq!(auc(&pairs(&[(1, true), (2, true)])), None);
    }

    #[test]
    fn auc_agrees_with_the_pairwise_definition() {
        // A fixed pseudo-random sample with many ties.
        let mut state = 7u64;
        let mut items = Vec::new();
        for _ in 0..400 {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let score = ((state >> 33) % 20) as i64;
            let converted = (state >> 20) % 100 < (score as u64 * 4);
            items.push((score, converted));
        }
        let fast = auc(&pairs(&items)).unwrap();
        assert!((fast - auc_by_pairs(&items)).abs() < 1e-12, "{fast}");
    }

    #[test]
    fn ks_is_the_largest_gap_of_the_cumulative_rates() {
        // From the top: ≥40: tpr 1/2, fpr 0 → 0.5; ≥30: 1/2, 1/3 → 0.167;
        // ≥20: 1, 2/3 → 0.333; ≥10: 1, 1 → 0.
        assert_eq!(ks(&pairs(&HAND)), Some(0.5));
    }

    #[test]
    fn youden_picks_the_threshold_that_separates_best() {
        let levels = pairs(&HAND);
        assert_eq!(youden(&levels, Decimal::from(40), false), Some(0.5));
        assert_eq!(above(&levels, Decimal::from(20), false), (2, 2));
        assert_eq!(above(&levels, Decimal::from(20), true), (1, 1));
        assert_eq!(
            best_threshold(&levels, Decimal::from(25), false),
            Some(Decimal::from(40))
        );
        // Against J computed threshold by threshold.
        for strict in [false, true] {
            let by_level = levels
                .iter()
                .map(|l| (youden(&levels, l.score, strict).unwrap(), l.score))
                .fold(None, |best: Option<(f64, Decimal)>, (j, t)| match best {
                    Some((b, _)) if b >= j => best,
                    _ => Some((j, t)),
                });
            let t = best_threshold(&levels, Decimal::from(1000), strict).unwrap();
            assert_eq!(youden(&levels, t, strict), by_level.map(|b| b.0));
        }
    }

    #[test]
    fn a_threshold_as_good_as_the_best_is_kept() {
        // ≥35 holds the leads ≥40 do: J 0.5, the best; it stays.
        let levels = pairs(&HAND);
        assert_eq!(
            best_threshold(&levels, Decimal::from(35), false),
            Some(Decimal::from(35))
        );
        // ≥45 holds none (J 0): 40 is better.
        assert_eq!(
            best_threshold(&levels, Decimal::from(45), false),
            Some(Decimal::from(40))
        );
        // Every lead at one score: no threshold beats any other.
        let flat = pairs(&[(0, true), (0, false), (0, true)]);
        assert_eq!(
            best_threshold(&flat, Decimal::from(20), false),
            Some(Decimal::from(20))
        );
        assert_eq!(
            best_threshold(&flat, Decimal::from(20), true),
            Some(Decimal::from(20))
        );
    }

    #[test]
    fn roc_runs_from_the_highest_score_down() {
        let curve = roc(&pairs(&HAND), 100);
        assert_eq!(
            curve,
            [
                (0.0, 0.0),
                (0.0, 0.5),
                (1.0 / 3.0, 0.5),
                (2.0 / 3.0, 1.0),
                (1.0, 1.0)
            ]
        );
        assert_eq!(roc(&pairs(&HAND), 2), [(0.0, 0.0), (1.0, 1.0)]);
    }

    #[test]
    fn psi_by_hand() {
        // Shares 0.5/0.5 against 0.25/0.75.
        let want = (0.25 - 0.5) * (0.25f64 / 0.5).ln() + (0.75 - 0.5) * (0.75f64 / 0.5).ln();
        assert!((psi(&[50, 50], &[25, 75]).unwrap() - want).abs() < 1e-12);
        assert_eq!(psi(&[10, 10], &[1, 1]), Some(0.0));
        assert_eq!(psi(&[0, 0], &[1, 1]), None);
    }

    #[test]
    fn information_value_by_hand() {
        // Fired: 30 converted, 20 not; not fired: 10 converted, 40 not.
        // C = 40, N = 60. Fired: 0.75 − 1/3; not fired: 0.25 − 2/3.
        let want = (0.75 - 1.0 / 3.0) * (0.75f64 / (1.0 / 3.0)).ln()
            + (0.25 - 2.0 / 3.0) * (0.25f64 / (2.0 / 3.0)).ln();
        let got = information_value(&[(30, 20), (10, 40)]).unwrap();
        assert!((got - want).abs() < 1e-12);
        assert!((got - 0.7466).abs() < 1e-4, "{got}");
        // An empty side counts half a lead.
        let half = information_value(&[(4, 0), (0, 4)]).unwrap();
        let want = 2.0 * 0.875 * 8f64.ln();
        assert!((half - want).abs() < 1e-12);
        assert_eq!(information_value(&[(3, 0)]), None);
    }
}
