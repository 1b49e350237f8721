//! A record as `csv_core` reads it, for the records the fast splitter
//! (`plain.rs`) leaves alone. The parallel workers and the reader of
//! `tally explain` both read records this way, from the same chunks, so
//! they cut a file into the same rows.

use std::ops::Range;

use csv_core::ReadRecordResult;

/// Where `csv_core` puts a record's fields: unescaped bytes back to back,
/// and where each ends. Grown as records need, kept between records.
#[derive(Debug, Clone)]
pub struct Fields {
    pub bytes: Vec<u8>,
    ends: Vec<usize>,
}

impl Default for Fields {
    fn default() -> Fields {
        Fields {
            bytes: vec![0; 4096],
            ends: vec![0; 64],
        }
    }
}

/// Read the next record of `input` into `fields`, its fields' ranges
/// (into `fields.bytes`) into `spans`: the bytes of `input` it took, or
/// `None` when `input` holds no more records. An empty input is read as
/// the end of the data, which finishes a last record that has no line
/// end. The parser is reset by the caller at the start of each chunk.
pub fn next_record(
    parser: &mut csv_core::Reader,
    input: &[u8],
    fields: &mut Fields,
    spans: &mut Vec<Range<usize>>,
) -> Option<usize> {
    let (mut nin, mut nout, mut nend) = (0, 0, 0);
    loop {
        let rest = input.get(nin..).unwrap_or_default();
        let (result, i, o, e) = parser.read_record(
            rest,
            fields.bytes.get_mut(nout..).unwrap_or_default(),
            fields.ends.get_mut(nend..).unwrap_or_default(),
        );
        nin += i;
        nout += o;
        nend += e;
        match result {
            ReadRecordResult::Record => {
                spans.clear();
                let mut start = 0;
                for end in fields.ends.get(..nend).unwrap_or_default() {
                    spans.push(start..*end);
                    start = *end;
                }
                return Some(nin);
            }
            ReadRecordResult::OutputFull => fields.bytes.resize(fields.bytes.len() * 2, 0),
            ReadRecordResult::OutputEndsFull => fields.ends.resize(fields.ends.len() * 2, 0),
            ReadRecordResult::InputEmpty => {}
            ReadRecordResult::End => return None,
        }
    }
}

/// The record's own bytes among the `raw` bytes `csv_core` took for it:
/// the blank lines it skipped before the record and the line end after
/// it (`\n`, `\r\n` or a lone `\r`) dropped.
pub fn record_bytes(raw: &[u8]) -> &[u8] {
    let blank = raw
        .iter()
        .take_while(|b| matches!(b, b'\r' | b'\n'))
        .count();
    let raw = raw.get(blank..).unwrap_or_default();
    let raw = raw.strip_suffix(b"\n").unwrap_or(raw);
    raw.strip_suffix(b"\r").unwrap_or(raw)
}

/// Every record `csv_core` reads from `input`, as its fields: what the
/// tests of the splitters compare with.
#[cfg(test)]
pub(crate) fn all_records(input: &[u8], delimiter: u8) -> Vec<Vec<Vec<u8>>> {
    let mut parser = csv_core::ReaderBuilder::new().delimiter(delimiter).build();
    let (mut fields, mut spans) = (Fields::default(), Vec::new());
    let (mut out, mut pos) = (Vec::new(), 0);
    while let Some(used) = next_record(
        &mut parser,
        input.get(pos..).unwrap_or_default(),
        &mut fields,
        &mut spans,
    ) {
        let record = spans
            .iter()
            .map(|r| fields.bytes.get(r.clone()).unwrap_or_default().to_vec())
            .collect();
        out.push(record);
        pos += used;
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    /// Every record of `input` as (its bytes, its fields).
    fn records(input: &[u8]) -> Vec<(String, Vec<String>)> {
        let mut parser = csv_core::Reader::new();
        let (mut fields, mut spans) = (Fields::default(), Vec::new());
        let mut out = Vec::new();
        let mut pos = 0;
        while let Some(used) = next_record(&mut parser, &input[pos..], &mut fields, &mut spans) {
            let raw = record_bytes(&input[pos..pos + used]);
            let cells = spans
                .iter()
                .map(|r| String::from_utf8(fields.bytes[r.clone()].to_vec()).unwrap())
                .collect();
            out.push((String::from_utf8(raw.to_vec()).unwrap(), cells));
            pos += used;
        }
        out
    }

    #[test]
    fn lone_carriage_returns_end_records_as_line_feeds_do() {
        let cells = |c: &[&str]| c.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            records(b"a,b\rc,\"d\re\"\r\n\rf,g\n"),
            [
                ("a,b".to_string(), cells(&["a", "b"])),
                ("c,\"d\re\"".to_string(), cells(&["c", "d\re"])),
                ("f,g".to_string(), cells(&["f", "g"])),
            ]
        );
    }
}
