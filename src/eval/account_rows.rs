//! Each row's account, as the first account pass found it, so that the
//! later passes (the score-level one, the scoring pass) read an account
//! by its index instead of folding and hashing its key again: 4 bytes a
//! row (4 MB for a million leads), up to [`KEPT_ROWS`] rows: past them
//! (a file of more than 16 million leads) rows are looked up by key, so
//! the memory stays bounded whatever the file's length.
//!
//! A row is known by its number in the file (0 is the first after the
//! header), and a pass finds the number of a chunk's first row from the
//! chunk's byte offset: the first pass keeps, for each chunk it read,
//! where it began and how many rows came before. Every pass reads the
//! file in the same chunks (the same splitter over the same bytes), but
//! nothing depends on it: a chunk that begins where no first-pass chunk
//! began has its rows' accounts looked up by key, as before.

use super::row_sums::ChunkSums;

/// The account of a row, as a later pass reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowAccount {
    /// The account with this dense index.
    In(u32),
    /// A row with a blank grouping value: in no account.
    None,
    /// Not known (a row the first pass rejected or did not see, a chunk
    /// it did not have): looked up by the row's grouping value.
    Unknown,
}

/// Blank grouping value (see [`RowAccount::None`]).
const NONE: u32 = u32::MAX;
/// See [`RowAccount::Unknown`]; also what a row never given an account
/// (a rejected one) reads as.
const UNKNOWN: u32 = u32::MAX - 1;
/// The most accounts a table numbers: the two codes above are not indices.
pub const MAX_ACCOUNTS: u32 = UNKNOWN;

/// Rows are read in batches of this many for [`warm`].
pub const WARM_ROWS: u64 = 64;

/// Touch the data of each account of `accounts` (`touch(i)`, a cheap
/// read of every value of account `i`: all its cache lines), so that the rows
/// that read them next find them in the cache. In a table of 200,000
/// accounts, each row's account is a cache miss (and, as the tables are
/// tens of megabytes, a page-table walk); a batch's misses are
/// independent loads, so the processor waits for them together, where
/// row by row it waited for each in turn. `std::hint::black_box` keeps
/// the reads from being optimised away.
pub fn warm(accounts: impl Iterator<Item = u32>, touch: impl Fn(usize) -> usize) {
    let mut seen = 0usize;
    for account in accounts {
        let index = usize::try_from(account).unwrap_or(usize::MAX);
        seen = seen.wrapping_add(touch(index));
    }
    std::hint::black_box(seen);
}

/// The most rows whose accounts are kept (64 MB).
pub const KEPT_ROWS: usize = 1 << 24;

impl RowAccount {
    fn code(self) -> u32 {
        match self {
            RowAccount::In(index) => index,
            RowAccount::None => NONE,
            RowAccount::Unknown => UNKNOWN,
        }
    }

    fn of_code(code: u32) -> RowAccount {
        match code {
            NONE => RowAccount::None,
            UNKNOWN => RowAccount::Unknown,
            index => RowAccount::In(index),
        }
    }
}

/// Every row's account (see the module's documentation).
#[derive(Debug, Default)]
pub struct RowAccounts {
    /// By row number.
    accounts: Vec<u32>,
    /// Per chunk of the first pass, in input order: its byte offset
    /// (counted from the first byte after the header) and the number of
    /// rows before it.
    starts: Vec<(u64, u64)>,
}

impl RowAccounts {
    /// The number of the first row of the chunk at byte `offset`, if the
    /// first pass had a chunk begin there.
    pub fn first_row_at(&self, offset: u64) -> Option<u64> {
        let found = self.starts.binary_search_by_key(&offset, |(o, _)| *o);
        found
            .ok()
            .and_then(|i| self.starts.get(i))
            .map(|(_, row)| *row)
    }

    /// Row `row`'s account (unknown past the rows the first pass saw).
    pub fn get(&self, row: u64) -> RowAccount {
        let code = usize::try_from(row)
            .ok()
            .and_then(|row| self.accounts.get(row));
        code.map_or(RowAccount::Unknown, |c| RowAccount::of_code(*c))
    }

    /// How many rows the first pass saw.
    pub fn len(&self) -> usize {
        self.accounts.len()
    }

    /// Whether it saw none.
    pub fn is_empty(&self) -> bool {
        self.accounts.is_empty()
    }

    /// The accounts of rows `rows` (those in one), for [`warm`].
    pub fn accounts_of(&self, rows: std::ops::Range<u64>) -> impl Iterator<Item = u32> + '_ {
        let at = |row: u64| usize::try_from(row).unwrap_or(usize::MAX);
        let codes = self.accounts.get(at(rows.start)..at(rows.end));
        let codes = codes.or_else(|| self.accounts.get(at(rows.start)..));
        let codes = codes.unwrap_or_default().iter();
        codes.copied().filter(|&code| code < MAX_ACCOUNTS)
    }

    /// The row number of `number` (counted from 1) in a chunk whose first
    /// row is `first`.
    pub fn row_of(first: u64, number: u64) -> u64 {
        first.saturating_add(number.saturating_sub(1))
    }

    /// How many bytes the table holds (for the docs' figures and tests).
    pub fn heap_bytes(&self) -> usize {
        self.accounts.capacity() * 4 + self.starts.capacity() * 16
    }
}

/// Builds [`RowAccounts`] from the first pass's chunks, taken in input
/// order, whose rows hold the indices of their worker's own table; once
/// the workers' tables are merged, [`RowsBuilder::finish`] maps them to
/// the merged table's indices.
#[derive(Debug)]
pub struct RowsBuilder {
    rows: RowAccounts,
    /// Per chunk: its worker and the range of its rows.
    chunks: Vec<(usize, std::ops::Range<usize>)>,
    /// How many more rows may be kept; once a chunk does not fit, none
    /// after it is (rows are numbered from the chunks kept).
    room: usize,
}

impl Default for RowsBuilder {
    fn default() -> RowsBuilder {
        RowsBuilder::with_budget(KEPT_ROWS)
    }
}

/// One chunk's rows, as a worker of the first pass found them.
#[derive(Debug, Default)]
pub struct ChunkAccounts {
    /// Which worker's table the indices are of.
    pub worker: usize,
    /// Per row of the chunk (number − 1), its account in that table;
    /// rows past the end, or the handler never saw, are unknown.
    codes: Vec<u32>,
    /// The score-level pass's rows' sums.
    pub sums: ChunkSums,
}

impl ChunkAccounts {
    /// Ready for a new chunk of worker `worker`.
    pub fn reset(&mut self, worker: usize) {
        self.worker = worker;
        self.codes.clear();
        self.sums.clear();
    }

    /// Row `number` (counted from 1) of the chunk is in `account`.
    pub fn set(&mut self, number: u64, account: RowAccount) {
        let Some(i) = usize::try_from(number).ok().and_then(|n| n.checked_sub(1)) else {
            return;
        };
        if self.codes.len() <= i {
            self.codes.resize(i + 1, UNKNOWN);
        }
        if let Some(slot) = self.codes.get_mut(i) {
            *slot = account.code();
        }
    }
}

impl RowsBuilder {
    /// Keeping the accounts of up to `rows` rows.
    pub fn with_budget(rows: usize) -> RowsBuilder {
        RowsBuilder {
            rows: RowAccounts::default(),
            chunks: Vec::new(),
            room: rows,
        }
    }

    /// The next chunk: it began at byte `start`, held `rows` rows, whose
    /// accounts (of its worker's table) are `chunk`'s.
    pub fn push(&mut self, start: u64, rows: u64, chunk: &ChunkAccounts) {
        let count = usize::try_from(rows).unwrap_or(usize::MAX);
        if count > self.room {
            self.room = 0;
            return;
        }
        self.room -= count;
        let first = self.rows.accounts.len();
        self.rows.starts.push((start, first as u64));
        let rows = usize::try_from(rows).unwrap_or(usize::MAX);
        let codes = chunk
            .codes
            .iter()
            .copied()
            .chain(std::iter::repeat(UNKNOWN));
        self.rows.accounts.extend(codes.take(rows));
        let end = self.rows.accounts.len();
        self.chunks.push((chunk.worker, first..end));
    }

    /// The rows with their accounts' indices in the merged table:
    /// `maps[w][i]` is the merged index of worker `w`'s account `i`.
    pub fn finish(mut self, maps: &[Vec<u32>]) -> RowAccounts {
        for (worker, range) in self.chunks {
            let map = maps.get(worker).map_or(&[][..], Vec::as_slice);
            let codes = self.rows.accounts.get_mut(range).unwrap_or_default();
            for code in codes.iter_mut().filter(|c| **c < MAX_ACCOUNTS) {
                let local = usize::try_from(*code).unwrap_or(usize::MAX);
                *code = map.get(local).copied().unwrap_or(UNKNOWN);
            }
        }
        self.rows.accounts.shrink_to_fit();
        self.rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_map_to_the_merged_indices_and_chunks_are_found_by_offset() {
        let mut builder = RowsBuilder::default();
        let mut a = ChunkAccounts::default();
        a.reset(0);
        a.set(1, RowAccount::In(0));
        a.set(3, RowAccount::None); // row 2 was rejected
        builder.push(0, 3, &a);
        let mut b = ChunkAccounts::default();
        b.reset(1);
        b.set(1, RowAccount::In(0));
        b.set(2, RowAccount::In(1));
        builder.push(100, 3, &b); // row 3: a bad record, after the chunk's
        let rows = builder.finish(&[vec![7], vec![2, 7]]);
        let all: Vec<RowAccount> = (0..7).map(|r| rows.get(r)).collect();
        use RowAccount::*;
        assert_eq!(all, [In(7), Unknown, None, In(2), In(7), Unknown, Unknown]);
        assert_eq!(rows.first_row_at(0), Some(0));
        assert_eq!(rows.first_row_at(100), Some(3));
        assert_eq!(rows.first_row_at(99), Option::None);
        assert_eq!(rows.first_row_at(150), Option::None);
        assert_eq!(RowAccounts::row_of(3, 2), 4);
        // The accounts a batch of rows will read (for `warm`): only rows
        // in one, and a batch past the last row is cut short or empty.
        let ahead = |range| rows.accounts_of(range).collect::<Vec<_>>();
        assert_eq!(ahead(0..4), [7, 2]);
        assert_eq!(ahead(3..64), [2, 7]);
        assert_eq!(ahead(64..128), Vec::<u32>::new());
        // Room for 4 rows: the second chunk does not fit, so its rows and
        // every later chunk's are unknown (found by key).
        let mut builder = RowsBuilder::with_budget(4);
        builder.push(0, 3, &a);
        builder.push(100, 3, &b);
        builder.push(200, 1, &b);
        let rows = builder.finish(&[vec![7], vec![2, 7]]);
        let all: Vec<RowAccount> = (0..5).map(|r| rows.get(r)).collect();
        assert_eq!(all, [In(7), Unknown, None, Unknown, Unknown]);
        assert_eq!(rows.first_row_at(100), Option::None);
        assert_eq!(rows.first_row_at(200), Option::None);
    }
}
