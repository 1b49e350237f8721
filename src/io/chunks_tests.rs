//! Tests of `chunks.rs`: record ends of every kind, bad records, reads
//! of every size.

use super::*;

fn records(text: &str) -> Vec<String> {
    let mut chunks = Chunks::new(text.as_bytes(), b',');
    let mut out = Vec::new();
    if let Some(first) = chunks.first_record().unwrap() {
        out.push(String::from_utf8(first).unwrap());
    }
    while let Some(chunk) = chunks.next_chunk().unwrap() {
        out.push(String::from_utf8(chunk.bytes().to_vec()).unwrap());
    }
    out
}

#[test]
fn newlines_inside_quotes_never_split_a_record() {
    let text = "a,b\n1,\"x\ny\"\n2,\"say \"\"hi\"\"\n\"\n3,z";
    assert_eq!(
        records(text),
        ["a,b\n", "1,\"x\ny\"\n2,\"say \"\"hi\"\"\n\"\n3,z"]
    );
}

#[test]
fn a_quote_inside_an_unquoted_field_is_literal() {
    let text = "h\nab\"c,\"q\nq\"\nd\n";
    let mut chunks = Chunks::new(text.as_bytes(), b',');
    assert_eq!(chunks.first_record().unwrap().unwrap(), b"h\n");
    assert_eq!(
        chunks.next_chunk().unwrap().unwrap().bytes(),
        b"ab\"c,\"q\nq\"\nd\n"
    );
    assert!(chunks.next_chunk().unwrap().is_none());
}

/// Reads `text` in chunks, handing every chunk's buffer back when
/// `recycle`, and checks that chunks end at record ends.
fn joined_chunks(text: &[u8], recycle: bool) -> (Vec<u8>, Vec<usize>) {
    let mut chunks = Chunks::new(text, b',');
    let mut joined = chunks.first_record().unwrap().unwrap();
    let mut sizes = Vec::new();
    while let Some(chunk) = chunks.next_chunk().unwrap() {
        let bytes = chunk.bytes();
        // A read may stop between `\r` and `\n`: the `\r` ends the
        // record, the `\n` is a blank line of the next chunk.
        assert!(
            bytes.ends_with(b"\"\r\n") || bytes.ends_with(b"\"\r"),
            "a chunk ends inside a record"
        );
        joined.extend_from_slice(bytes);
        sizes.push(bytes.len());
        if recycle {
            // Stale bytes past the chunk's end must never be read.
            let mut buf = chunk.into_buffer();
            buf.fill(b'"');
            chunks.recycle(buf);
        }
    }
    (joined, sizes)
}

#[test]
fn large_inputs_split_at_record_ends_and_lose_nothing() {
    let mut text = String::from("id,note\n");
    for i in 0..200_000 {
        text.push_str(&format!("{i},\"line\none, two\"\r\n"));
    }
    let (joined, sizes) = joined_chunks(text.as_bytes(), false);
    assert!(sizes.len() > 1);
    assert_eq!(joined, text.as_bytes());
    // Recycled buffers give the same chunks.
    let (again, recycled) = joined_chunks(text.as_bytes(), true);
    assert_eq!(again, text.as_bytes());
    assert_eq!(recycled, sizes);
}

#[test]
fn chunks_get_smaller_towards_the_end_of_an_input_of_known_size() {
    let mut text = String::from("id,note\n");
    for i in 0..1_000_000 {
        text.push_str(&format!("{i},\"line\none, two\"\r\n"));
    }
    let size = Some(text.len() as u64);
    let mut chunks = Chunks::new(text.as_bytes(), b',').size_hint(size);
    let mut joined = chunks.first_record().unwrap().unwrap();
    let mut sizes = Vec::new();
    while let Some(chunk) = chunks.next_chunk().unwrap() {
        let end = chunk.bytes();
        assert!(end.ends_with(b"\"\r\n") || end.ends_with(b"\"\r"));
        joined.extend_from_slice(chunk.bytes());
        sizes.push(chunk.bytes().len());
    }
    assert_eq!(joined, text.as_bytes());
    // About a megabyte at first (while more than 16 are left), a
    // sixteenth of one at the end, and never larger going on.
    assert!(
        sizes[..4]
            .iter()
            .all(|n| (CHUNK - 100..CHUNK + 100).contains(n)),
        "{sizes:?}"
    );
    let last = sizes[sizes.len() - 2];
    assert!(
        (SMALLEST - 100..SMALLEST + 100).contains(&last),
        "{sizes:?}"
    );
    assert!(sizes.windows(2).all(|w| w[1] <= w[0] + 100), "{sizes:?}");
    // Without the size, every chunk but the last is about a megabyte.
    let (same, plain) = joined_chunks(text.as_bytes(), false);
    assert_eq!(same, text.as_bytes());
    let full = &plain[..plain.len() - 1];
    assert!(
        full.iter().all(|n| (CHUNK - 100..CHUNK + 100).contains(n)),
        "{plain:?}"
    );
}

/// A reader that hands out at most `step` bytes per read.
struct Trickle<'a> {
    bytes: &'a [u8],
    step: usize,
}

impl Read for Trickle<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = self.step.min(out.len()).min(self.bytes.len());
        out[..n].copy_from_slice(&self.bytes[..n]);
        self.bytes = &self.bytes[n..];
        Ok(n)
    }
}

#[test]
fn short_reads_and_recycled_buffers_lose_nothing() {
    let mut text = String::from("h\n");
    for i in 0..60_000 {
        text.push_str(&format!("{i},\"a\"\"b\nc\",{}\n", "x".repeat(i % 97)));
    }
    for step in [1 << 20, 70_001, 4096] {
        let input = Trickle {
            bytes: text.as_bytes(),
            step,
        };
        let mut chunks = Chunks::new(input, b',');
        let mut joined = chunks.first_record().unwrap().unwrap();
        while let Some(chunk) = chunks.next_chunk().unwrap() {
            assert!(chunk.bytes().ends_with(b"\n"));
            joined.extend_from_slice(chunk.bytes());
            let mut buf = chunk.into_buffer();
            buf.fill(b'\n');
            chunks.recycle(buf);
        }
        assert_eq!(joined, text.as_bytes());
    }
}

proptest::proptest! {
    #[test]
    fn records_end_where_the_line_by_line_scan_finds_them(
        bytes in proptest::collection::vec(
            proptest::sample::select(vec![b'a', b',', b'"', b'"', b'\n', b'\r']),
            0..400,
        ),
        from in 0usize..400,
        state in proptest::sample::select(vec![
            State::Plain,
            State::Quoted,
            State::QuoteInQuoted,
        ]),
    ) {
        let from = from.min(bytes.len());
        let mut stretches = Vec::new();
        proptest::prop_assert_eq!(
            scan_records(&bytes, from, state, b',', &mut stretches),
            scan(&bytes, from, state, b',', false)
        );
    }
}

#[test]
fn many_stray_quotes_between_line_ends_are_searched_in_batches() {
    // Each quote inside an unquoted field starts a new stretch.
    for newline_every in [1, 63, 64, 65, 200, 1000] {
        let mut bytes = Vec::new();
        for k in 0..700 {
            bytes.extend_from_slice(b"a\"");
            if k % newline_every == 0 {
                bytes.push(b'\n');
            }
        }
        let mut stretches = Vec::new();
        for from in [0, 1, 500] {
            assert_eq!(
                scan_records(&bytes, from, State::Plain, b',', &mut stretches),
                scan(&bytes, from, State::Plain, b',', false),
            );
        }
    }
}

#[test]
fn empty_and_header_only_inputs() {
    assert!(records("").is_empty());
    assert_eq!(records("a,b"), ["a,b"]);
    assert_eq!(records("a,b\n"), ["a,b\n"]);
}

#[test]
fn lone_carriage_returns_end_the_header_and_records() {
    assert_eq!(records("id,b\rx,2\ry,3\r"), ["id,b\r", "x,2\ry,3\r"]);
    assert_eq!(records("id\r\nx\r\"y\rz\"\r"), ["id\r\n", "x\r\"y\rz\"\r"]);
    assert_eq!(records("\"a\rb\"\rc"), ["\"a\rb\"\r", "c"]);
}

/// The header, then each chunk's bytes and bad record, reading `text`
/// `step` bytes at a time with a row limit of `limit` bytes.
fn bad_records(text: &[u8], step: usize, limit: usize) -> Vec<(String, Option<Bad>)> {
    let input = Trickle { bytes: text, step };
    let mut chunks = Chunks::new(input, b',').row_limit(RowLimit::new(limit));
    let first = chunks.first_record().unwrap().unwrap();
    let mut out = vec![(String::from_utf8(first).unwrap(), None)];
    let mut input_bytes = out[0].0.len() as u64;
    while let Some(chunk) = chunks.next_chunk().unwrap() {
        input_bytes += chunk.input_bytes();
        out.push((
            String::from_utf8(chunk.bytes().to_vec()).unwrap(),
            chunk.bad,
        ));
    }
    assert_eq!(
        input_bytes,
        text.len() as u64,
        "every byte is accounted for"
    );
    out
}

#[test]
fn a_record_past_the_limit_is_skipped_as_it_is_read() {
    let long = "x".repeat(100);
    let text = format!("h\nab\n{long}\ncd\n\"{}", "y".repeat(50));
    let got = bad_records(text.as_bytes(), 7, 10);
    let want = [
        ("h\n", None),
        ("ab\n", Some(Bad::TooLong)),
        ("cd\n", Some(Bad::Unclosed)),
    ];
    let want: Vec<_> = want.iter().map(|(t, b)| (t.to_string(), *b)).collect();
    assert_eq!(got, want);
    // A short record the input ends inside quotes of is unclosed too.
    let got = bad_records(b"h\na\n\"b\nc", 1 << 20, 10);
    assert_eq!(got[1], ("a\n".to_string(), Some(Bad::Unclosed)));
}

#[test]
fn a_quote_inside_a_skipped_field_is_literal_wherever_a_read_ends() {
    // If the skip forgot the byte before the quote, the quote would
    // open a field and the line break after it would not end the row.
    // (Steps up to 30: a longer read holds the record whole, which the
    // chunk then keeps, for its reader to reject.)
    let text = format!("h\n{}\"a\nnext\n", "x".repeat(30));
    for step in 1..=30 {
        let got = bad_records(text.as_bytes(), step, 10);
        let want = [
            ("h\n".to_string(), None),
            (String::new(), Some(Bad::TooLong)),
            ("next\n".to_string(), None),
        ];
        assert_eq!(got, want, "step {step}");
    }
}

#[test]
fn a_header_past_the_limit_is_an_error() {
    let text = format!("{}\nx\n", "h".repeat(3 << 20));
    let input = Trickle {
        bytes: text.as_bytes(),
        step: 1 << 16,
    };
    let mut chunks = Chunks::new(input, b',').row_limit(RowLimit::new(1 << 20));
    let error = chunks.first_record().unwrap_err();
    assert_eq!(error.to_string(), "the header row is longer than 1 MiB");
    let limit = RowLimit::new(1 << 20);
    assert!(matches!(
        error,
        super::super::read::OpenError::Header(crate::io::UnreadableHeader::TooLong { limit: l }) if l == limit
    ));
}

/// Each record csv_core reads from `input`, as its fields.
fn core_records(input: &[u8]) -> Vec<Vec<Vec<u8>>> {
    super::super::core_record::all_records(input, b',')
}

proptest::proptest! {
    /// Cutting the input where the scan finds a record end (the first
    /// or the last) and reading the two parts alone gives the records
    /// csv_core reads from the whole: line ends of every kind, quotes
    /// anywhere.
    #[test]
    fn record_ends_are_where_csv_core_ends_records(
        bytes in proptest::collection::vec(
            proptest::sample::select(vec![b'a', b',', b'"', b'"', b'\n', b'\r', b'\r']),
            0..200,
        ),
    ) {
        let whole = core_records(&bytes);
        let first = scan(&bytes, 0, State::Plain, b',', true).1;
        let mut stretches = Vec::new();
        let last = scan_records(&bytes, 0, State::Plain, b',', &mut stretches).1;
        for end in [first, last].into_iter().flatten() {
            let mut parts = core_records(&bytes[..end]);
            parts.extend(core_records(&bytes[end..]));
            proptest::prop_assert_eq!(&parts, &whole, "cut at {}", end);
        }
    }
}
