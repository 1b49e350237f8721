//! The common CSV record, read without csv_core's general state machine:
//! a record whose fields are plain bytes, or quoted (with `""` and line
//! breaks inside), is split in one pass over its bytes, in place. Fields
//! with a `""` are unescaped afterwards ([`unescape`]); the others are
//! left in the input, with no copy. Every other record goes to
//! `csv_core`, which gives the same fields for such a record (a property
//! test below compares the two), so the choice changes no output.

use std::ops::Range;

/// A simple line at the start of the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Line {
    /// The line's length without its line end.
    pub len: usize,
    /// The bytes it takes with its line end.
    pub used: usize,
    /// Whether a quoted field has a `""` inside: its span then holds the
    /// pair, and [`unescape`] gives the field.
    pub escaped: bool,
}

/// If the record at the start of `input` is a simple line, its field
/// ranges (into `input`) go to `spans` and the line is returned. `None`
/// when `csv_core` must read the record: a field has a quote after its
/// start, or text after its closing quote; outside quotes, the line has a
/// carriage return other than before its `\n`; a quote is not closed; or
/// the line is blank (blank lines are skipped, not read as records).
/// A quoted field may hold `""` (see [`Line::escaped`]) and line breaks.
/// `delimiter` must be ASCII and not a quote or line break.
pub fn plain_line(input: &[u8], delimiter: u8, spans: &mut Vec<Range<usize>>) -> Option<Line> {
    // Most lines: whole blocks of bit masks, one branch per field and
    // block rather than per special byte. What they turn down (a `""`, a
    // line break inside quotes, a line near the input's end) is read
    // byte by byte below, from the start.
    if let Some(line) = masked_line(input, delimiter, spans) {
        return Some(line);
    }
    scan_line(input, delimiter, spans)
}

/// [`plain_line`] byte by byte: one pass over the special bytes in order.
fn scan_line(input: &[u8], delimiter: u8, spans: &mut Vec<Range<usize>>) -> Option<Line> {
    spans.clear();
    // One pass, eight bytes at a time (fields are a few bytes long, too
    // short for a `memchr` call per field to pay), visiting the special
    // bytes (the delimiter, a quote, `\r`, `\n`) in order: `masks` marks
    // them in each word. The state lives in locals, kept in registers.
    let mut state = State::Plain;
    let mut start = 0;
    let mut at = 0;
    let mut escaped = false;
    while at < input.len() {
        let (word, mut found) = masks(input, at, delimiter);
        while found != 0 {
            let k = found.trailing_zeros() as usize / 8;
            found &= found - 1;
            let i = at + k;
            let b = (word >> (8 * k)) as u8;
            match state {
                State::Plain => {
                    if b == delimiter {
                        spans.push(start..i);
                        start = i + 1;
                    } else if b == b'\n' {
                        return line_end(spans, start, i, i + 1, escaped);
                    } else if b == b'\r' {
                        // Only as the first half of `\r\n`.
                        return match input.get(i + 1) {
                            Some(b'\n') => line_end(spans, start, i, i + 2, escaped),
                            _ => None,
                        };
                    } else if b == b'"' {
                        // A quote must open the field.
                        if i != start {
                            return None;
                        }
                        state = State::Quoted;
                    }
                    // Any other byte is a control byte `masks` lets through.
                }
                // The field ends at a quote (unless another follows it);
                // any other byte is the field's, line breaks too.
                State::Quoted => {
                    if b == b'"' {
                        state = State::Closed(i);
                    }
                }
                // After a quote in a quoted field: a second quote (the pair
                // stands for one), the delimiter or the line end.
                State::Closed(close) => {
                    if i != close + 1 {
                        return None;
                    }
                    if b == b'"' {
                        escaped = true;
                        state = State::Quoted;
                    } else if b == delimiter {
                        spans.push(start + 1..close);
                        start = i + 1;
                        state = State::Plain;
                    } else {
                        let used = match (b, input.get(i + 1)) {
                            (b'\n', _) => i + 1,
                            (b'\r', Some(b'\n')) => i + 2,
                            _ => return None,
                        };
                        spans.push(start + 1..close);
                        return Some(Line {
                            len: i,
                            used,
                            escaped,
                        });
                    }
                }
            }
        }
        at += 8;
    }
    // The input ends the line.
    match state {
        State::Plain => line_end(spans, start, input.len(), input.len(), escaped),
        State::Quoted => None,
        State::Closed(close) => {
            spans.push(start + 1..close);
            (close + 1 == input.len()).then_some(Line {
                len: input.len(),
                used: input.len(),
                escaped,
            })
        }
    }
}

/// The simple line at the start of `input`, found from bit masks of
/// 64-byte blocks, if its quoted fields hold no quote, `\r` or line break
/// and its line end is followed by more input than the block holds.
/// `None` leaves the line to the byte-by-byte scan, which gives what this
/// gives whenever this gives a line (a property test compares them).
///
/// Per block: the delimiters, quotes, `\n` and `\r` as bits; the bits
/// inside quotes by a prefix XOR of the quotes; then checks that every
/// quote opens a field or closes one just before a delimiter or the line
/// end, and one span per delimiter outside quotes.
fn masked_line(input: &[u8], delimiter: u8, spans: &mut Vec<Range<usize>>) -> Option<Line> {
    spans.clear();
    let mut base = 0;
    // At the block's start: inside quotes; a field starting; a closing
    // quote just before it.
    let (mut inside, mut start, mut closed) = (false, 0, false);
    loop {
        let block = input.get(base..base + BLOCK)?;
        let [delims, quotes, newlines, returns] = block_masks(block, delimiter)?;
        let quoted = prefix_xor(quotes) ^ if inside { u64::MAX } else { 0 };
        let end = newlines & newlines.wrapping_neg(); // the first `\n`
        let before = end.wrapping_sub(1); // every bit below it (all if none)
        let cr_end = (end >> 1) & returns; // a `\r` just before it
        let delims = delims & !quoted & before;
        let starts = delims << 1 | u64::from(start == base);
        let opens = quotes & quoted & before;
        let closes = quotes & !quoted & before;
        let follows = delims | end | cr_end;
        let stray = end & quoted != 0 // a line break inside quotes
            || returns & before & !cr_end != 0 // a `\r` but before the end
            || opens & !starts != 0 // a quote inside a field
            || closes << 1 & !follows != 0 // text after a closing quote
            || closed && follows & 1 == 0;
        if stray {
            return None;
        }
        let mut ends = delims | end;
        while ends != 0 {
            let at = base + ends.trailing_zeros() as usize;
            ends &= ends - 1;
            let last = ends == 0 && end != 0;
            let stop = if last && cr_end != 0 { at - 1 } else { at };
            spans.push(if input.get(start) == Some(&b'"') {
                start + 1..stop.saturating_sub(1)
            } else {
                start..stop
            });
            start = at + 1;
            if last {
                return (stop > 0).then_some(Line {
                    len: stop,
                    used: at + 1,
                    escaped: false,
                });
            }
        }
        inside = quoted >> 63 == 1;
        closed = closes >> 63 == 1;
        base += BLOCK;
    }
}

/// Bytes per block of [`masked_line`].
const BLOCK: usize = 64;

/// Bit `i` set where an odd number of `bits` is set at `i` or below: with
/// the quotes' bits, the bytes inside quotes (the opening quote included).
#[inline]
fn prefix_xor(bits: u64) -> u64 {
    let mut x = bits;
    for shift in [1, 2, 4, 8, 16, 32] {
        x ^= x << shift;
    }
    x
}

/// The bytes of a 64-byte block equal to the delimiter, `"`, `\n` and
/// `\r`, one bit each (bit `i` for byte `i`).
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline]
fn block_masks(block: &[u8], delimiter: u8) -> Option<[u64; 4]> {
    use safe_arch::set_splat_i8_m128i as splat;
    use safe_arch::{cmp_eq_mask_i8_m128i, load_unaligned_m128i, move_mask_i8_m128i};
    let wanted = [delimiter, b'"', b'\n', b'\r'].map(|b| splat(i8::from_ne_bytes([b])));
    let mut masks = [0u64; 4];
    for (i, sixteen) in block.chunks_exact(16).enumerate() {
        let bytes = load_unaligned_m128i(sixteen.try_into().ok()?);
        for (mask, byte) in masks.iter_mut().zip(wanted) {
            let found = move_mask_i8_m128i(cmp_eq_mask_i8_m128i(bytes, byte));
            *mask |= u64::from(found as u16) << (16 * i);
        }
    }
    Some(masks)
}

/// Elsewhere, the byte-by-byte scan reads every line.
#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
fn block_masks(_block: &[u8], _delimiter: u8) -> Option<[u64; 4]> {
    None
}

/// Where the line's scan stands.
#[derive(Clone, Copy)]
enum State {
    /// In an unquoted field, or at a field's start.
    Plain,
    /// In a quoted field (its quote at the field's start).
    Quoted,
    /// Just past a quote in a quoted field, at this position: the field's
    /// end, or the first of a pair.
    Closed(usize),
}

const ONES: u64 = 0x0101_0101_0101_0101;
const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
const HIGH: u64 = !LOW7;

/// The word of the eight bytes at `at` (a short last word is padded with
/// zeros), its special bytes (`0x80` each: the delimiter, a quote, and
/// every byte below `0x0E`, one range test standing for `\r` and `\n`),
/// padding excluded. The tests are the short
/// ones, which may also mark a byte above a special byte (a borrow runs
/// up from it): never the lowest one marked, so the caller, which looks
/// at every marked byte in order, passes over them as it does over other
/// control bytes.
#[inline(always)]
fn masks(input: &[u8], at: usize, delimiter: u8) -> (u64, u64) {
    let rest = input.get(at..).unwrap_or_default();
    let (word, valid) = match rest.first_chunk::<8>() {
        Some(bytes) => (u64::from_le_bytes(*bytes), u64::MAX),
        None => {
            let mut bytes = [0; 8];
            if let Some(head) = bytes.get_mut(..rest.len()) {
                head.copy_from_slice(rest);
            }
            (u64::from_le_bytes(bytes), first(rest.len()))
        }
    };
    let found = below(word, b'\r' + 1)
        | below(word ^ (ONES * u64::from(delimiter)), 1)
        | below(word ^ (ONES * u64::from(b'"')), 1);
    (word, found & valid)
}

/// The mask of a word's first `k` bytes.
#[inline(always)]
fn first(k: usize) -> u64 {
    if k >= 8 {
        u64::MAX
    } else {
        (1 << (8 * k)) - 1
    }
}

/// `0x80` in each byte of `x` below `n` (`1 <= n <= 0x80`), and perhaps
/// in bytes above one of those: a byte below `n` borrows from the next
/// in the subtraction (three operations, where the exact test takes
/// five).
#[inline(always)]
fn below(x: u64, n: u8) -> u64 {
    x.wrapping_sub(ONES * u64::from(n)) & !x & HIGH
}

/// The record ends at `end` (its line end takes it to `used`): push the
/// last field, unless the line is blank.
fn line_end(
    spans: &mut Vec<Range<usize>>,
    start: usize,
    end: usize,
    used: usize,
    escaped: bool,
) -> Option<Line> {
    if end == 0 {
        return None;
    }
    spans.push(start..end);
    Some(Line {
        len: end,
        used,
        escaped,
    })
}

/// The fields of an escaped line (see [`Line::escaped`]): each field at
/// `spans` of `input` copied to `fields` with every `""` made one `"`, and
/// `spans` set to their ranges in `fields`. (Only a quoted field can hold a
/// quote, and in its span every quote is half of a pair.)
pub fn unescape(input: &[u8], spans: &mut [Range<usize>], fields: &mut Vec<u8>) {
    fields.clear();
    for span in spans.iter_mut() {
        let text = input.get(span.clone()).unwrap_or_default();
        let start = fields.len();
        let mut rest = text;
        while let Some(at) = memchr::memchr(b'"', rest) {
            // The quote and its pair: keep one.
            fields.extend_from_slice(rest.get(..=at).unwrap_or_default());
            rest = rest.get(at + 2..).unwrap_or_default();
        }
        fields.extend_from_slice(rest);
        *span = start..fields.len();
    }
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::indexing_slicing,
        clippy::single_range_in_vec_init
    )]

    use proptest::prelude::*;

    use super::*;

    /// The fields and bytes used as csv_core reads the first record.
    fn csv_core_record(input: &[u8], delimiter: u8) -> Option<(Vec<Vec<u8>>, usize)> {
        let mut parser = csv_core::ReaderBuilder::new().delimiter(delimiter).build();
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

    fn split(input: &[u8], delimiter: u8) -> Option<(Line, Vec<Range<usize>>)> {
        let mut spans = Vec::new();
        plain_line(input, delimiter, &mut spans).map(|line| (line, spans))
    }

    /// The line's fields, unescaped if need be.
    fn fields_of(input: &[u8], line: Line, spans: &[Range<usize>]) -> Vec<Vec<u8>> {
        let (mut spans, mut text) = (spans.to_vec(), Vec::new());
        if line.escaped {
            unescape(input, &mut spans, &mut text);
        } else {
            text = input.to_vec();
        }
        spans.iter().map(|r| text[r.clone()].to_vec()).collect()
    }

    #[test]
    fn quoted_fields_may_hold_pairs_of_quotes_and_line_breaks() {
        let input = b"a,\"b\"\"\",\"\"\"\",\"x\r\ny\"\nnext";
        let (line, spans) = split(input, b',').unwrap();
        assert_eq!(
            line,
            Line {
                len: 19,
                used: 20,
                escaped: true
            }
        );
        assert_eq!(spans, vec![0..1, 3..6, 9..11, 14..18]);
        let fields = fields_of(input, line, &spans);
        assert_eq!(fields, [&b"a"[..], b"b\"", b"\"", b"x\r\ny"]);
        let (line, spans) = split(b"\"a\nb\",c", b',').unwrap();
        assert!(!line.escaped);
        assert_eq!(spans, vec![1..4, 6..7]);
    }

    #[test]
    fn lines_with_stray_quotes_carriage_returns_or_nothing_are_left_to_csv_core() {
        let left = [
            &b"a,\"b\"\"\"x,c\n"[..],
            b"a,\"b\nc\n",
            b"\"b\"x,c",
            b"a\rb\n",
            b"\n",
            b"\r\n",
            b"",
            b"x\"y\n",
            b"a,\"unclosed,\r",
        ];
        for input in left {
            assert_eq!(split(input, b','), None, "{input:?}");
        }
        let line = |len, used| Line {
            len,
            used,
            escaped: false,
        };
        assert_eq!(
            split(b"\"a,b\",,\"\"\n", b','),
            Some((line(9, 10), vec![1..4, 6..6, 8..8]))
        );
        assert_eq!(
            split(b"a,,b\r\nx", b','),
            Some((line(4, 6), vec![0..1, 2..2, 3..4]))
        );
        assert_eq!(split(b"last", b','), Some((line(4, 4), vec![0..4])));
        // Non-ASCII bytes are field text.
        assert_eq!(
            split("a;\"b\r\"\n\u{e9}".as_bytes(), b';'),
            Some((line(6, 7), vec![0..1, 3..5]))
        );
        assert_eq!(
            split("0123456789abcdef0123,\"\u{e9}\"".as_bytes(), b','),
            Some((line(25, 25), vec![0..20, 22..24]))
        );
        // Control bytes below `\r` are field text.
        assert_eq!(
            split(b"a\tb\x0b,\"\x0c\x00\",c\r\n", b','),
            Some((line(11, 13), vec![0..4, 6..8, 10..11]))
        );
    }

    #[test]
    fn the_word_test_finds_every_special_byte_and_others_only_above_one() {
        for delimiter in [b',', b'\t', b';', 0] {
            for b in 0..=255u8 {
                for other in [
                    0, 1, 0x0D, 0x0E, 0x0F, 0x7F, 0x80, 0xFF, b',', b'-', b'"', b'#',
                ] {
                    for k in 0..8 {
                        let mut word = [other; 8];
                        word[k] = b;
                        let (_, found) = masks(&word, 0, delimiter);
                        let mut below_a_special = false;
                        for (j, &x) in word.iter().enumerate() {
                            let special = x == delimiter || x == b'"' || x < 0x0E;
                            let marked = found >> (8 * j) & 0xFF;
                            assert!(marked == 0 || marked == 0x80);
                            assert!(!special || marked == 0x80, "{word:?} {j}");
                            assert!(special || marked == 0 || below_a_special, "{word:?} {j}");
                            below_a_special |= special;
                        }
                    }
                }
            }
        }
    }

    /// Bytes of the kinds that matter: plain, delimiters, quotes, line
    /// ends, other control bytes the word test lets through, and the two
    /// halves of `é`.
    fn bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
        proptest::collection::vec(
            prop::sample::select(vec![
                b'a', b'a', b'a', b'a', b' ', b',', b',', b';', b'\t', b'\n', b'\r', b'"', 0, 0x0B,
                0xC3, 0xA9,
            ]),
            0..max,
        )
    }

    /// A line of fields (plain, or quoted with delimiters and `\r`
    /// inside), its line end, and what follows, at any length (so that
    /// every field boundary falls at every place in a word).
    fn fields(delimiter: u8) -> impl Strategy<Value = Vec<u8>> {
        let plain = proptest::collection::vec(
            prop::sample::select(vec![b'a', b'a', b'x', b' ', 0x0B, 0xC3, 0xA9]),
            0..20,
        );
        let quoted = proptest::collection::vec(
            prop::sample::select(vec![
                &b"a"[..],
                b",",
                b";",
                b"\t",
                b"\0",
                b"\r",
                b"\n",
                b"\"\"",
                b"\xC3",
                b"\xA9",
            ]),
            0..20,
        )
        .prop_map(|text| [&b"\""[..], &text.concat(), b"\""].concat());
        let field = prop_oneof![3 => plain, 1 => quoted];
        let end = prop::sample::select(vec![
            &b""[..],
            b"\n",
            b"\r\n",
            b"\na,\"\xC3\xA9\n",
            b"\r",
            b"\ra,b\r",
            b"\r\r\n",
        ]);
        (proptest::collection::vec(field, 1..24), end)
            .prop_map(move |(fields, end)| [fields.join(&delimiter), end.to_vec()].concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]

        // Random bytes rarely make a simple line; these are lines of
        // fields, some with one byte spoiled (written by the helper that
        // tried a 32-byte splitter, kept for the splitter in use).
        #[test]
        fn a_line_of_fields_splits_as_csv_core_reads_it(
            (delimiter, input, cut, byte) in prop::sample::select(vec![b',', b';', b'\t', 0])
                .prop_flat_map(|d| (Just(d), fields(d), any::<prop::sample::Index>(), any::<u8>())),
            spoil in any::<bool>(),
        ) {
            let mut input = input;
            if spoil && !input.is_empty() {
                let at = cut.index(input.len());
                input[at] = byte;
            }
            let found = split(&input, delimiter);
            // Unspoiled, only a blank line (an empty first field, then the
            // line end) and a line ended by a lone `\r` are left to csv_core.
            let blank = matches!(input.first(), None | Some(b'\n' | b'\r'));
            let lone_cr = csv_core_record(&input, delimiter).is_some_and(|(_, nin)| {
                nin > 0 && input[nin - 1] == b'\r' && input.get(nin) != Some(&b'\n')
            });
            prop_assert!(spoil || blank || lone_cr || found.is_some());
            if let Some((line, spans)) = found {
                let fields = fields_of(&input, line, &spans);
                let (expected, nin) = csv_core_record(&input, delimiter).unwrap();
                prop_assert_eq!(fields, expected);
                prop_assert!(nin == line.used || nin + 1 == line.used, "{} {}", nin, line.used);
                let rest = &input[line.len..line.used];
                prop_assert!(rest.is_empty() || rest == b"\n" || rest == b"\r\n");
            }
        }

        /// Whatever line the masks find, the byte-by-byte scan finds.
        #[test]
        fn the_masked_split_is_the_scanned_one(
            (delimiter, input) in prop::sample::select(vec![b',', b';', b'\t', 0])
                .prop_flat_map(|d| (Just(d), fields(d).prop_map(|f| [f.clone(), f].concat()))),
            spoil in any::<prop::sample::Index>(),
            byte in prop::sample::select(vec![b'"', b'\n', b'\r', b',', b'a']),
            spoiled in any::<bool>(),
        ) {
            let mut input = input;
            if spoiled && !input.is_empty() {
                let at = spoil.index(input.len());
                input[at] = byte;
            }
            let mut masked = Vec::new();
            if let Some(line) = masked_line(&input, delimiter, &mut masked) {
                let mut scanned = Vec::new();
                prop_assert_eq!(scan_line(&input, delimiter, &mut scanned), Some(line));
                prop_assert_eq!(masked, scanned);
            }
        }

        #[test]
        fn a_plain_line_splits_as_csv_core_reads_it(
            input in prop_oneof![bytes(24), bytes(72)],
            delimiter in prop::sample::select(vec![b',', b';', b'\t', 0]),
        ) {
            if let Some((line, spans)) = split(&input, delimiter) {
                let fields = fields_of(&input, line, &spans);
                let (expected, nin) = csv_core_record(&input, delimiter).unwrap();
                prop_assert_eq!(fields, expected);
                prop_assert!(line.len <= line.used);
                // csv_core may stop before the `\n` of a `\r\n`; the next
                // read then skips it as a blank line.
                prop_assert!(nin == line.used || nin + 1 == line.used, "{} {}", nin, line.used);
            }
        }
    }

    /// The worker's way through a chunk: a simple line by `plain_line`,
    /// any other record by one `csv_core` parser (kept across records, as
    /// a worker keeps it across a chunk).
    fn worker_records(input: &[u8], delimiter: u8) -> Vec<Vec<Vec<u8>>> {
        use super::super::core_record::{next_record, Fields};
        let mut parser = csv_core::ReaderBuilder::new().delimiter(delimiter).build();
        let (mut fields, mut spans) = (Fields::default(), Vec::new());
        let (mut out, mut pos) = (Vec::new(), 0);
        while pos < input.len() {
            let rest = &input[pos..];
            if let Some((line, spans)) = split(rest, delimiter) {
                out.push(fields_of(rest, line, &spans));
                pos += line.used;
                continue;
            }
            let Some(used) = next_record(&mut parser, rest, &mut fields, &mut spans) else {
                break;
            };
            out.push(
                spans
                    .iter()
                    .map(|r| fields.bytes[r.clone()].to_vec())
                    .collect(),
            );
            pos += used;
        }
        out
    }

    /// Every record csv_core reads from `input`.
    fn core_records(input: &[u8], delimiter: u8) -> Vec<Vec<Vec<u8>>> {
        super::super::core_record::all_records(input, delimiter)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1024))]

        /// Lines of every line end (`\n`, `\r\n`, a lone `\r`, mixed in
        /// one input) read the worker's way give csv_core's records.
        #[test]
        fn lines_with_any_line_ends_read_as_csv_core_reads_them(
            lines in proptest::collection::vec(
                (fields(b','), prop::sample::select(vec![&b"\n"[..], b"\r\n", b"\r", b""])),
                1..6,
            ),
            noise in bytes(40),
        ) {
            let mut input: Vec<u8> = lines.iter().flat_map(|(l, e)| [l.clone(), e.to_vec()].concat()).collect();
            input.extend_from_slice(&noise);
            prop_assert_eq!(worker_records(&input, b','), core_records(&input, b','));
        }
    }
}
