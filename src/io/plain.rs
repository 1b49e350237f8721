//! The common CSV record, read without csv_core's general state machine:
//! a line whose fields are plain bytes, or quoted without a quote or line
//! break inside, is split in one pass over its bytes, in place (no
//! unescaping, no copy). Every other record goes to `csv_core`, which
//! gives the same fields for such a line (a property test below compares
//! the two), so the choice changes no output. (Fields are short: a byte
//! loop beats a `memchr` call per field.)

use std::ops::Range;

/// If the record at the start of `input` is a simple line, its field
/// ranges (into `input`) go to `spans` and the result is `(line, used)`:
/// the line's length without its line end, and the bytes it takes with
/// it. `None` when `csv_core` must read the record: a field has `""` or a
/// line break inside quotes, a quote after its start, or text after its
/// closing quote; the line has a carriage return other than before its
/// `\n`; or it is blank (blank lines are skipped, not read as records).
/// `delimiter` must be ASCII and not a quote or line break.
pub fn plain_line(
    input: &[u8],
    delimiter: u8,
    spans: &mut Vec<Range<usize>>,
) -> Option<(usize, usize)> {
    spans.clear();
    let mut scan = Specials::new(input, delimiter, 0);
    let mut start = 0;
    loop {
        let Some(i) = scan.next() else {
            return line_end(spans, start, input.len(), input.len());
        };
        let b = *input.get(i)?;
        if b == delimiter {
            spans.push(start..i);
            start = i + 1;
        } else if b == b'\n' {
            return line_end(spans, start, i, i + 1);
        } else if b == b'\r' {
            // Only as the first half of `\r\n`.
            return match input.get(i + 1) {
                Some(b'\n') => line_end(spans, start, i, i + 2),
                _ => None,
            };
        } else {
            // A quote: it must open the field, and the field ends at the
            // next quote, which the delimiter or the line end must follow.
            if i != start {
                return None;
            }
            let close = i + 1 + memchr::memchr(b'"', input.get(i + 1..)?)?;
            if input.get(i + 1..close)?.contains(&b'\n') {
                return None;
            }
            spans.push(i + 1..close);
            match input.get(close + 1) {
                Some(&next) if next == delimiter => {
                    start = close + 2;
                    scan = Specials::new(input, delimiter, start);
                }
                _ => return finish_quoted(input, close + 1),
            }
        }
    }
}

/// The positions of the bytes that end a stretch of plain field text (the
/// delimiter, a quote, `\r`, `\n`), found eight bytes at a time: fields
/// are a few bytes long, too short for a `memchr` call per field to pay.
struct Specials<'a> {
    input: &'a [u8],
    delimiter: u8,
    /// Where the current word starts, and its special bytes not yet
    /// returned (`0x80` per byte).
    at: usize,
    found: u64,
}

const ONES: u64 = 0x0101_0101_0101_0101;
const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;

impl<'a> Specials<'a> {
    /// The special bytes of `input` from `from` on.
    fn new(input: &'a [u8], delimiter: u8, from: usize) -> Specials<'a> {
        let mut scan = Specials {
            input,
            delimiter,
            at: from,
            found: 0,
        };
        scan.load();
        scan
    }

    /// Find the special bytes of the word at `self.at`; a short last word
    /// is read byte by byte.
    fn load(&mut self) {
        let Some(bytes) = self.input.get(self.at..self.at + 8) else {
            let tail = self.input.get(self.at..).unwrap_or_default();
            self.found = tail
                .iter()
                .enumerate()
                .filter(|(_, b)| **b == self.delimiter || matches!(b, b'"' | b'\r' | b'\n'))
                .fold(0, |mask, (k, _)| mask | 0x80 << (8 * k));
            return;
        };
        let mut word = [0; 8];
        word.copy_from_slice(bytes);
        let word = u64::from_le_bytes(word);
        self.found = zero_bytes(word ^ (ONES * u64::from(self.delimiter)))
            | zero_bytes(word ^ (ONES * u64::from(b'"')))
            | zero_bytes(word ^ (ONES * u64::from(b'\r')))
            | zero_bytes(word ^ (ONES * u64::from(b'\n')));
    }

    /// The next special byte's position.
    fn next(&mut self) -> Option<usize> {
        while self.found == 0 {
            if self.at + 8 >= self.input.len() {
                return None;
            }
            self.at += 8;
            self.load();
        }
        let k = self.found.trailing_zeros() as usize / 8;
        self.found &= self.found - 1;
        Some(self.at + k)
    }
}

/// `0x80` in each byte of `x` that is zero, exactly (no borrow between
/// bytes, unlike the shorter `(x - ONES) & !x` form).
fn zero_bytes(x: u64) -> u64 {
    !(((x & LOW7).wrapping_add(LOW7)) | x | LOW7)
}

/// The record ends at `end` (its line end takes it to `used`): push the
/// last field, unless the line is blank.
fn line_end(
    spans: &mut Vec<Range<usize>>,
    start: usize,
    end: usize,
    used: usize,
) -> Option<(usize, usize)> {
    if end == 0 {
        return None;
    }
    spans.push(start..end);
    Some((end, used))
}

/// After a quoted last field, at `i`: the line end (or the input's end).
fn finish_quoted(input: &[u8], i: usize) -> Option<(usize, usize)> {
    match (input.get(i), input.get(i + 1)) {
        (None, _) => Some((i, i)),
        (Some(b'\n'), _) => Some((i, i + 1)),
        (Some(b'\r'), Some(b'\n')) => Some((i, i + 2)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use proptest::prelude::*;

    use super::*;

    /// The fields and bytes used as csv_core reads the first record.
    fn csv_core_record(input: &[u8]) -> Option<(Vec<Vec<u8>>, usize)> {
        let mut parser = csv_core::Reader::new();
        let (mut out, mut ends) = (vec![0; 4096], vec![0; 256]);
        let (mut nin, mut nout, mut nend) = (0, 0, 0);
        loop {
            let (result, i, o, e) =
                parser.read_record(&input[nin..], &mut out[nout..], &mut ends[nend..]);
            nin += i;
            nout += o;
            nend += e;
            match result {
                csv_core::ReadRecordResult::Record => break,
                csv_core::ReadRecordResult::InputEmpty => {}
                _ => return None,
            }
        }
        let mut fields = Vec::new();
        let mut start = 0;
        for end in &ends[..nend] {
            fields.push(out[start..*end].to_vec());
            start = *end;
        }
        Some((fields, nin))
    }

    #[test]
    fn lines_with_quotes_carriage_returns_or_nothing_are_left_to_csv_core() {
        let mut spans = Vec::new();
        let left = [
            &b"a,\"b\"\"\",c\n"[..],
            b"a,\"b\nc\"\n",
            b"\"b\"x,c",
            b"a\rb\n",
            b"\n",
            b"\r\n",
            b"",
            b"x\"y\n",
        ];
        for input in left {
            assert_eq!(plain_line(input, b',', &mut spans), None, "{input:?}");
        }
        assert_eq!(
            plain_line(b"\"a,b\",,\"\"\n", b',', &mut spans),
            Some((9, 10))
        );
        assert_eq!(spans, vec![1..4, 6..6, 8..8]);
        assert_eq!(plain_line(b"a,,b\r\nx", b',', &mut spans), Some((4, 6)));
        assert_eq!(spans, vec![0..1, 2..2, 3..4]);
        assert_eq!(plain_line(b"last", b',', &mut spans), Some((4, 4)));
        assert_eq!(spans, vec![0..4]);
    }

    proptest! {
        #[test]
        fn a_plain_line_splits_as_csv_core_reads_it(
            input in proptest::collection::vec(
                prop::sample::select(vec![b'a', b' ', b',', b'\n', b'\r', b'"', 0xC3, 0xA9]),
                0..24,
            )
        ) {
            let mut spans = Vec::new();
            if let Some((line, used)) = plain_line(&input, b',', &mut spans) {
                let fields: Vec<Vec<u8>> =
                    spans.iter().map(|r| input[r.clone()].to_vec()).collect();
                let (expected, nin) = csv_core_record(&input).unwrap();
                prop_assert_eq!(fields, expected);
                prop_assert!(line <= used);
                // csv_core may stop before the `\n` of a `\r\n`; the next
                // read then skips it as a blank line.
                prop_assert!(nin == used || nin + 1 == used, "{} {}", nin, used);
            }
        }
    }
}
