//! Each row's score and capped group sums from the score-level account
//! pass, kept so that the scoring pass need not run the rules again: it
//! runs only the ladder and the tiers (the only parts of a model that
//! may read score-level values) from them, and writes the row.
//!
//! Kept per row: the score and each group's capped sum, 16 bytes each,
//! plus a byte saying whether the row has them (a row rejected, or with
//! a cell read as missing, whose note the scoring pass must write, has
//! not: it is scored in full). On the accounts benchmark (two groups)
//! that is 49 bytes a row, 49 MB for a million leads.

use crate::value::Decimal;

/// Every row's sums (see the module's documentation), by row number.
#[derive(Debug, Default)]
pub struct RowSums {
    /// One more than the plan's groups: the score, then the groups.
    width: usize,
    sums: Vec<Decimal>,
    kept: Vec<bool>,
}

impl RowSums {
    /// For a plan with `groups` groups.
    pub fn new(groups: usize) -> RowSums {
        RowSums {
            width: groups + 1,
            ..RowSums::default()
        }
    }

    /// Row `row`'s score then group sums, if kept.
    pub fn get(&self, row: u64) -> Option<&[Decimal]> {
        let row = usize::try_from(row).ok()?;
        if !*self.kept.get(row)? {
            return None;
        }
        self.sums.get(row * self.width..(row + 1) * self.width)
    }

    /// The next chunk's rows (`rows` of them), in input order.
    pub fn push(&mut self, rows: u64, chunk: &ChunkSums) {
        let rows = usize::try_from(rows).unwrap_or(usize::MAX);
        let kept = chunk.kept.iter().copied().chain(std::iter::repeat(false));
        self.kept.extend(kept.take(rows));
        let zero = std::iter::repeat(Decimal::ZERO);
        let sums = chunk.sums.iter().copied().chain(zero);
        self.sums.extend(sums.take(rows.saturating_mul(self.width)));
    }

    /// Done: the memory not needed is given back.
    pub fn finish(mut self) -> RowSums {
        self.sums.shrink_to_fit();
        self.kept.shrink_to_fit();
        self
    }
}

/// One chunk's kept sums, as a worker of the score-level pass finds them.
#[derive(Debug, Default)]
pub struct ChunkSums {
    /// The score and the groups, once a row is kept.
    width: usize,
    sums: Vec<Decimal>,
    kept: Vec<bool>,
}

impl ChunkSums {
    /// Ready for a new chunk.
    pub fn clear(&mut self) {
        self.sums.clear();
        self.kept.clear();
    }

    /// Row `number` (counted from 1) of the chunk scored `score`, with
    /// these capped groups.
    pub fn keep(&mut self, number: u64, score: Decimal, groups: &[Decimal]) {
        let Some(i) = usize::try_from(number).ok().and_then(|n| n.checked_sub(1)) else {
            return;
        };
        self.width = groups.len() + 1;
        if self.kept.len() <= i {
            self.kept.resize(i + 1, false);
            self.sums.resize((i + 1) * self.width, Decimal::ZERO);
        }
        let (Some(kept), Some(slots)) = (
            self.kept.get_mut(i),
            self.sums.get_mut(i * self.width..(i + 1) * self.width),
        ) else {
            return;
        };
        *kept = true;
        let values = std::iter::once(&score).chain(groups);
        for (slot, value) in slots.iter_mut().zip(values) {
            *slot = *value;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_found_by_number_across_chunks() {
        let d = |n: i64| Decimal::from(n);
        let mut sums = RowSums::new(2);
        let mut chunk = ChunkSums::default();
        chunk.keep(1, d(10), &[d(1), d(2)]);
        chunk.keep(3, d(30), &[d(3), d(4)]);
        sums.push(4, &chunk); // rows 2 and 4 not kept
        chunk.clear();
        chunk.keep(2, d(60), &[d(5), d(6)]);
        sums.push(2, &chunk);
        let sums = sums.finish();
        let row = |r: u64| sums.get(r).map(<[Decimal]>::to_vec);
        assert_eq!(row(0), Some(vec![d(10), d(1), d(2)]));
        assert_eq!(row(1), None);
        assert_eq!(row(2), Some(vec![d(30), d(3), d(4)]));
        assert_eq!(row(3), None);
        assert_eq!(row(4), None);
        assert_eq!(row(5), Some(vec![d(60), d(5), d(6)]));
        assert_eq!(row(6), None);
    }
}
