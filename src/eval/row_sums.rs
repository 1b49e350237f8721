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
//!
//! Memory is bounded by the file's size otherwise, so the sums are kept
//! up to [`KEPT_BYTES`]: the rows after (of a file of several million
//! leads) are scored in full by the scoring pass, as before, and a file
//! of any length costs at most that much more.

use crate::value::Decimal;

/// The most bytes of sums kept (about 1.3M rows of a model with two
/// groups).
pub const KEPT_BYTES: usize = 64 << 20;

/// Every row's sums (see the module's documentation), by row number.
#[derive(Debug, Default)]
pub struct RowSums {
    /// One more than the plan's groups: the score, then the groups.
    width: usize,
    sums: Vec<Decimal>,
    kept: Vec<bool>,
    /// How many more rows may be kept; once a chunk does not fit, none
    /// after it is (rows are found by number, so there is no gap).
    room: usize,
    /// Whether a chunk did not fit.
    dropped: bool,
    /// The rows kept though a cell was read as missing (first pass of a
    /// split: see `FromMemory`).
    noted: Vec<u64>,
    /// Rows pushed so far.
    len: u64,
}

impl RowSums {
    /// For a plan with `groups` groups, keeping up to [`KEPT_BYTES`].
    pub fn new(groups: usize) -> RowSums {
        RowSums::with_budget(groups, KEPT_BYTES)
    }

    /// For a plan with `groups` groups, keeping up to `bytes`.
    pub fn with_budget(groups: usize, bytes: usize) -> RowSums {
        let row = (groups + 1) * std::mem::size_of::<Decimal>() + 1;
        RowSums {
            width: groups + 1,
            room: bytes / row,
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
        let start = self.len;
        self.len = self.len.saturating_add(rows);
        let rows = usize::try_from(rows).unwrap_or(usize::MAX);
        if rows > self.room {
            self.room = 0;
            self.dropped = true;
            return;
        }
        let noted = chunk
            .noted
            .iter()
            .map(|n| start.saturating_add(n.saturating_sub(1)));
        self.noted.extend(noted);
        self.room -= rows;
        let kept = chunk.kept.iter().copied().chain(std::iter::repeat(false));
        self.kept.extend(kept.take(rows));
        let zero = std::iter::repeat(Decimal::ZERO);
        let sums = chunk.sums.iter().copied().chain(zero);
        self.sums.extend(sums.take(rows.saturating_mul(self.width)));
    }

    /// Row `row`'s sums, to be changed in place (see `FromMemory`).
    pub fn get_mut(&mut self, row: u64) -> Option<&mut [Decimal]> {
        let row = usize::try_from(row).ok()?;
        if !*self.kept.get(row)? {
            return None;
        }
        self.sums.get_mut(row * self.width..(row + 1) * self.width)
    }

    /// The rows in `parts` runs of consecutive rows (the last ones
    /// shorter), each with its first row number, to be changed in place
    /// on as many threads.
    pub fn parts_mut(&mut self, parts: usize) -> Vec<(u64, RowsMut<'_>)> {
        let rows = self.kept.len();
        let per_part = rows.div_ceil(parts.max(1)).max(1);
        let width = self.width;
        let kept = self.kept.chunks(per_part);
        let sums = self.sums.chunks_mut(per_part.saturating_mul(width).max(1));
        (kept.zip(sums).enumerate())
            .map(|(i, (kept, sums))| {
                let first = (i * per_part) as u64;
                (first, RowsMut { width, sums, kept })
            })
            .collect()
    }

    /// How many rows it has (kept or not).
    pub fn len(&self) -> usize {
        self.kept.len()
    }

    /// Whether it has none.
    pub fn is_empty(&self) -> bool {
        self.kept.is_empty()
    }

    /// Whether every chunk pushed fit in the budget.
    pub fn all_kept(&self) -> bool {
        !self.dropped
    }

    /// The rows with a cell read as missing are no longer kept: the
    /// scoring pass scores them in full, to write their notes.
    pub fn forget_noted(&mut self) {
        for row in std::mem::take(&mut self.noted) {
            if let Some(kept) = usize::try_from(row).ok().and_then(|r| self.kept.get_mut(r)) {
                *kept = false;
            }
        }
    }

    /// Done: the memory not needed is given back.
    pub fn finish(mut self) -> RowSums {
        self.sums.shrink_to_fit();
        self.kept.shrink_to_fit();
        self.noted.shrink_to_fit();
        self
    }
}

/// Consecutive rows of [`RowSums`], changed in place (see
/// [`RowSums::parts_mut`]).
pub struct RowsMut<'a> {
    width: usize,
    sums: &'a mut [Decimal],
    kept: &'a [bool],
}

impl RowsMut<'_> {
    /// Its row `row` (counted from its first), if kept.
    pub fn get_mut(&mut self, row: usize) -> Option<&mut [Decimal]> {
        if !*self.kept.get(row)? {
            return None;
        }
        self.sums.get_mut(row * self.width..(row + 1) * self.width)
    }

    /// How many rows it has.
    pub fn len(&self) -> usize {
        self.kept.len()
    }

    /// Whether it has none.
    pub fn is_empty(&self) -> bool {
        self.kept.is_empty()
    }
}

/// One chunk's kept sums, as a worker of the score-level pass finds them.
#[derive(Debug, Default)]
pub struct ChunkSums {
    /// The score and the groups, once a row is kept.
    width: usize,
    sums: Vec<Decimal>,
    kept: Vec<bool>,
    /// Rows (counted from 1) kept though a cell was read as missing.
    noted: Vec<u64>,
}

impl ChunkSums {
    /// Ready for a new chunk.
    pub fn clear(&mut self) {
        self.sums.clear();
        self.kept.clear();
        self.noted.clear();
    }

    /// Row `number`, kept, had a cell read as missing.
    pub fn note(&mut self, number: u64) {
        self.noted.push(number);
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
        // A budget of two rows: the second chunk does not fit, and no
        // later chunk is kept, though it would fit.
        let mut sums = RowSums::with_budget(2, 2 * 49);
        chunk.clear();
        chunk.keep(1, d(10), &[d(1), d(2)]);
        sums.push(1, &chunk);
        sums.push(2, &chunk);
        sums.push(1, &chunk);
        let sums = sums.finish();
        assert_eq!(
            sums.get(0).map(<[Decimal]>::to_vec),
            Some(vec![d(10), d(1), d(2)])
        );
        assert_eq!((sums.get(1), sums.get(2), sums.get(3)), (None, None, None));
        assert_eq!(row(4), None);
        assert_eq!(row(5), Some(vec![d(60), d(5), d(6)]));
        assert_eq!(row(6), None);
    }
}
