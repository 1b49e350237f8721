//! The `splitter` target's check: the fast CSV line splitter `score`'s
//! workers use (`src/io/plain.rs`) against `csv_core`, the reference, on
//! the same bytes. Every line the fast path accepts must give the fields
//! `csv_core` reads, end where `csv_core`'s record ends, and split UTF-8
//! text on character boundaries only.

use std::ops::Range;

use tally::io::fuzzing::{plain_line, unescape, Line};

/// The first byte picks the delimiter; the rest is the text.
const DELIMITERS: [u8; 4] = [b',', b';', b'\t', 0];

/// Walk `data` record by record as a worker does, comparing every line
/// the fast path splits; panics on a difference.
pub fn check_splitter(data: &[u8]) {
    let Some((&pick, input)) = data.split_first() else {
        return;
    };
    let delimiter = DELIMITERS[usize::from(pick) % DELIMITERS.len()];
    let mut spans = Vec::new();
    let mut reference = Reference::new(input, delimiter);
    let mut at = 0;
    while at < input.len() {
        let rest = &input[at..];
        let expected = reference.record(rest);
        let used = match plain_line(rest, delimiter, &mut spans) {
            Some(line) => {
                compare(rest, delimiter, line, &spans, expected.as_ref());
                line.used
            }
            None => expected.map_or(rest.len(), |(_, used)| used),
        };
        // Each step moves on (a blank line is read by csv_core with the
        // record after it).
        at += used.max(1);
    }
}

/// One fast-path line against `csv_core`'s record at the same place.
fn compare(
    input: &[u8],
    delimiter: u8,
    line: Line,
    spans: &[Range<usize>],
    reference: Option<&(Vec<Vec<u8>>, usize)>,
) {
    let shown = String::from_utf8_lossy(input);
    let Some((expected, used)) = reference else {
        panic!("the fast path splits a line csv_core reads no record of: {shown:?}");
    };
    assert!(
        line.len <= line.used && line.used <= input.len(),
        "{line:?}"
    );
    let end = &input[line.len..line.used];
    assert!(
        end.is_empty() || end == b"\n" || end == b"\r\n",
        "the line ends in {end:?}: {shown:?}"
    );
    // csv_core may stop between the `\r` and `\n` of a line end; it then
    // skips the `\n` as a blank line.
    assert!(
        *used == line.used || *used + 1 == line.used,
        "the line takes {} bytes, csv_core's record {used}: {shown:?}",
        line.used
    );
    assert_eq!(
        &fields(input, line, spans),
        expected,
        "other fields than csv_core's (delimiter {delimiter:?}): {shown:?}"
    );
    on_char_boundaries(input, line, spans);
}

/// The line's fields, unescaped when it holds a `""`.
fn fields(input: &[u8], line: Line, spans: &[Range<usize>]) -> Vec<Vec<u8>> {
    let mut spans = spans.to_vec();
    let mut text = Vec::new();
    let text = if line.escaped {
        unescape(input, &mut spans, &mut text);
        text.as_slice()
    } else {
        input
    };
    spans
        .iter()
        .map(|span| {
            text.get(span.clone())
                .unwrap_or_else(|| panic!("a span {span:?} out of the text"))
                .to_vec()
        })
        .collect()
}

/// The workers slice a line's fields out of text checked once as UTF-8,
/// without checking each field: so a field must never cut a character.
fn on_char_boundaries(input: &[u8], line: Line, spans: &[Range<usize>]) {
    let Ok(text) = std::str::from_utf8(&input[..line.len]) else {
        return;
    };
    if line.escaped {
        return; // escaped fields are copied and checked one by one
    }
    for span in spans {
        assert!(
            text.get(span.clone()).is_some(),
            "field {span:?} cuts a character: {text:?}"
        );
    }
}

/// `csv_core`, reading one record at a time as a worker's parser does.
struct Reference {
    parser: csv_core::Reader,
    out: Vec<u8>,
    ends: Vec<usize>,
}

impl Reference {
    /// For records of `input`: a field's bytes never outnumber the
    /// input's, nor fields its bytes (plus one), so the buffers are large
    /// enough.
    fn new(input: &[u8], delimiter: u8) -> Reference {
        Reference {
            parser: csv_core::ReaderBuilder::new().delimiter(delimiter).build(),
            out: vec![0; input.len() + 1],
            ends: vec![0; input.len() + 2],
        }
    }

    /// The fields of the first record in `input`, and the bytes it took;
    /// `None` when there is none (blank lines only).
    fn record(&mut self, input: &[u8]) -> Option<(Vec<Vec<u8>>, usize)> {
        self.parser.reset();
        // A fresh parser drops a byte order mark before its first record;
        // a worker's never reads the file's start (the header is read
        // apart), so the parser is first given a blank line, which it skips.
        let _ = self
            .parser
            .read_record(b"\n", &mut self.out, &mut self.ends);
        let (mut nin, mut nout, mut nend) = (0, 0, 0);
        loop {
            let (result, i, o, e) = self.parser.read_record(
                &input[nin..],
                &mut self.out[nout..],
                &mut self.ends[nend..],
            );
            nin += i;
            nout += o;
            nend += e;
            match result {
                csv_core::ReadRecordResult::Record => break,
                csv_core::ReadRecordResult::InputEmpty => {}
                csv_core::ReadRecordResult::End => return None,
                full => panic!("csv_core: {full:?} with buffers as large as the input"),
            }
        }
        let mut fields = Vec::with_capacity(nend);
        let mut start = 0;
        for &end in &self.ends[..nend] {
            fields.push(self.out[start..end].to_vec());
            start = end;
        }
        Some((fields, nin))
    }
}
