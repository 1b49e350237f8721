//! Logistic regression with a Gaussian prior on each weight (L2 towards a
//! given value), by Newton's method, over grouped rows: rows with the same
//! features are one row with a count and a number of successes.
//!
//! Hand-written (about sixty lines) rather than a crate: the problems are
//! small (one weight per rule, a few thousand distinct rows of fired
//! rules), the prior centred on the current points is not what the
//! logistic-regression crates offer (they shrink towards zero), and the
//! linear-algebra crates that would solve the Newton step bring far more
//! than a k×k elimination.

/// Rows with these features: how many, and how many succeeded.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub features: Vec<f64>,
    pub count: f64,
    pub successes: f64,
}

/// The penalty on each weight: `½ · strength · (weight − centre)²`; the
/// intercept is not penalised.
#[derive(Debug, Clone, PartialEq)]
pub struct Prior {
    pub centre: Vec<f64>,
    pub strength: Vec<f64>,
}

/// The intercept and the weights that maximise the penalised likelihood;
/// `None` when a Newton step cannot be solved (no data).
pub fn fit(rows: &[Row], prior: &Prior) -> Option<(f64, Vec<f64>)> {
    let k = prior.centre.len();
    // θ = [intercept, weights…], started at the prior's centre.
    let mut theta: Vec<f64> = std::iter::once(0.0)
        .chain(prior.centre.iter().copied())
        .collect();
    for _ in 0..100 {
        let (gradient, mut hessian) = derivatives(rows, prior, &theta);
        let step = solve(&mut hessian, gradient)?;
        for (t, s) in theta.iter_mut().zip(&step) {
            *t += s;
        }
        if step.iter().all(|s| s.abs() < 1e-10) {
            break;
        }
    }
    let intercept = *theta.first()?;
    Some((intercept, theta.get(1..=k)?.to_vec()))
}

/// The gradient and the negated Hessian of the penalised log-likelihood.
fn derivatives(rows: &[Row], prior: &Prior, theta: &[f64]) -> (Vec<f64>, Vec<Vec<f64>>) {
    let n = theta.len();
    let mut gradient = vec![0.0; n];
    let mut hessian = vec![vec![0.0; n]; n];
    for row in rows {
        let x: Vec<f64> = std::iter::once(1.0)
            .chain(row.features.iter().copied())
            .collect();
        let eta: f64 = x.iter().zip(theta).map(|(a, b)| a * b).sum();
        let p = 1.0 / (1.0 + (-eta).exp());
        let w = row.count * p * (1.0 - p);
        for (i, xi) in x.iter().enumerate() {
            if let Some(g) = gradient.get_mut(i) {
                *g += xi * (row.successes - row.count * p);
            }
            if let Some(h) = hessian.get_mut(i) {
                for (hij, xj) in h.iter_mut().zip(&x) {
                    *hij += w * xi * xj;
                }
            }
        }
    }
    for j in 0..prior.centre.len() {
        let (centre, strength) = (prior.centre.get(j), prior.strength.get(j));
        let (Some(centre), Some(strength), Some(t)) = (centre, strength, theta.get(j + 1)) else {
            continue;
        };
        if let Some(g) = gradient.get_mut(j + 1) {
            *g -= strength * (t - centre);
        }
        if let Some(h) = hessian.get_mut(j + 1).and_then(|r| r.get_mut(j + 1)) {
            *h += strength;
        }
    }
    (gradient, hessian)
}

/// `a[i][j]`, or 0 outside the matrix.
fn at(a: &[Vec<f64>], i: usize, j: usize) -> f64 {
    a.get(i).and_then(|row| row.get(j)).copied().unwrap_or(0.0)
}

/// Solve `a · x = b` by Gaussian elimination with partial pivoting.
fn solve(a: &mut [Vec<f64>], mut b: Vec<f64>) -> Option<Vec<f64>> {
    let n = b.len();
    for col in 0..n {
        let pivot = (col..n).fold(col, |best, i| {
            if at(a, i, col).abs() > at(a, best, col).abs() {
                i
            } else {
                best
            }
        });
        a.swap(col, pivot);
        b.swap(col, pivot);
        let diagonal = at(a, col, col);
        if diagonal.abs() < 1e-300 {
            return None;
        }
        let head = a.get(col)?.clone();
        let head_b = *b.get(col)?;
        for row in col + 1..n {
            let factor = at(a, row, col) / diagonal;
            let r = a.get_mut(row)?;
            for (x, h) in r.iter_mut().zip(&head).skip(col) {
                *x -= factor * h;
            }
            *b.get_mut(row)? -= factor * head_b;
        }
    }
    let mut x = vec![0.0; n];
    for row in (0..n).rev() {
        let known: f64 = (row + 1..n)
            .map(|j| at(a, row, j) * x.get(j).copied().unwrap_or(0.0))
            .sum();
        *x.get_mut(row)? = (b.get(row)? - known) / at(a, row, row);
    }
    Some(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_feature_recovers_the_log_odds() {
        // Without the feature: 20 of 100 succeed (log-odds ln 0.25); with
        // it: 60 of 100 (ln 1.5). The weight is the difference.
        let rows = vec![
            Row {
                features: vec![0.0],
                count: 100.0,
                successes: 20.0,
            },
            Row {
                features: vec![1.0],
                count: 100.0,
                successes: 60.0,
            },
        ];
        let prior = Prior {
            centre: vec![0.0],
            strength: vec![0.0],
        };
        let (intercept, weights) = fit(&rows, &prior).unwrap();
        assert!((intercept - 0.25f64.ln()).abs() < 1e-9, "{intercept}");
        assert!((weights[0] - (1.5f64.ln() - 0.25f64.ln())).abs() < 1e-9);
    }

    #[test]
    fn a_strong_prior_holds_a_weight_at_its_centre() {
        let rows = vec![
            Row {
                features: vec![0.0],
                count: 10.0,
                successes: 5.0,
            },
            Row {
                features: vec![1.0],
                count: 1.0,
                successes: 1.0,
            },
        ];
        let prior = Prior {
            centre: vec![0.3],
            strength: vec![1e9],
        };
        let (_, weights) = fit(&rows, &prior).unwrap();
        assert!((weights[0] - 0.3).abs() < 1e-6, "{}", weights[0]);
    }

    #[test]
    fn elimination_solves_a_system_that_needs_a_pivot() {
        let mut a = vec![vec![0.0, 2.0], vec![3.0, 1.0]];
        let x = solve(&mut a, vec![4.0, 5.0]).unwrap();
        assert!(
            (x[0] - 1.0).abs() < 1e-12 && (x[1] - 2.0).abs() < 1e-12,
            "{x:?}"
        );
    }
}
