//! Writing scored leads as CSV or NDJSON: the input columns unchanged,
//! then the outputs, then `reasons` with `--explain`.

use std::io::{self, Write};

use serde_json::Value as Json;

use super::encode::{write_csv_text, write_json_text, Encoder};
use super::format::Format;
use super::layout::Layout;
use super::read::{Record, RowData};
use super::sink::{Finished, Sink};
use crate::eval::Scratch;
use crate::plan::Plan;

/// Writes scored records in one format, through the one row encoder.
pub struct Writer<'p> {
    out: Sink,
    format: Format,
    layout: Layout,
    encoder: Encoder<'p>,
    delimiter: u8,
    /// The row being written, reused.
    buf: Vec<u8>,
}

impl<'p> Writer<'p> {
    /// A writer of `plan`'s scored records as `format` to `sink`; CSV gets
    /// its header row now. `delimiter` separates CSV fields; lines end
    /// with `\n`.
    pub fn new(
        mut sink: Sink,
        format: Format,
        layout: Layout,
        plan: &'p Plan,
        delimiter: u8,
    ) -> io::Result<Writer<'p>> {
        if format == Format::Csv {
            let mut header = Vec::new();
            let names = layout.columns.iter().chain(&layout.outputs);
            for (i, name) in names.enumerate() {
                if i > 0 {
                    header.push(delimiter);
                }
                write_csv_text(&mut header, name, delimiter);
            }
            header.push(b'\n');
            sink.write_all(&header)?;
        }
        Ok(Writer {
            out: sink,
            format,
            encoder: Encoder::new(plan, &layout, delimiter),
            layout,
            delimiter,
            buf: Vec::new(),
        })
    }

    /// The layout written.
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// Write one scored record: its input cells, then the outputs
    /// `scored` holds (see [`Encoder`]).
    pub fn write(&mut self, record: &Record, scored: &Scratch) -> io::Result<()> {
        let mut buf = std::mem::take(&mut self.buf);
        buf.clear();
        match self.format {
            Format::Csv => self.csv_row(record, scored, &mut buf),
            Format::Ndjson => self.ndjson_row(record, scored, &mut buf),
        }
        let written = self.out.write_all(&buf);
        self.buf = buf;
        written
    }

    /// Write out the output; a file is put in place by committing what
    /// this returns.
    pub fn finish(self) -> io::Result<Finished> {
        self.out.finish()
    }

    fn csv_row(&self, record: &Record, scored: &Scratch, buf: &mut Vec<u8>) {
        let d = self.delimiter;
        let mut cells = 0;
        let mut cell = |buf: &mut Vec<u8>, text: &str| {
            if cells > 0 {
                buf.push(d);
            }
            cells += 1;
            write_csv_text(buf, text, d);
        };
        match &record.data {
            RowData::Cells(values) => values.iter().for_each(|c| cell(buf, c)),
            RowData::Object(map) => {
                for column in &self.layout.columns {
                    cell(buf, &json_cell(map.get(column)));
                }
            }
        }
        let at = buf.len();
        self.encoder.csv_outputs(scored, buf);
        if cells == 0 {
            // No input column: the outputs begin the line.
            buf.remove(at);
        }
    }

    fn ndjson_row(&self, record: &Record, scored: &Scratch, buf: &mut Vec<u8>) {
        buf.push(b'{');
        let mut members = 0;
        let mut key = |buf: &mut Vec<u8>, name: &str| {
            if members > 0 {
                buf.push(b',');
            }
            members += 1;
            write_json_text(buf, name);
            buf.push(b':');
        };
        match &record.data {
            RowData::Cells(cells) => {
                for (name, cell) in self.layout.columns.iter().zip(cells) {
                    key(buf, name);
                    write_json_text(buf, cell);
                }
            }
            RowData::Object(map) => {
                for (name, value) in map {
                    key(buf, name);
                    let _ = serde_json::to_writer(&mut *buf, value);
                }
            }
        }
        let at = buf.len();
        self.encoder.ndjson_outputs(scored, buf);
        if members == 0 {
            // No input member: the outputs begin the object.
            buf.remove(at);
        }
    }
}

/// An NDJSON value as a CSV cell: strings as they are, `null` and absent
/// as empty, arrays and objects as compact JSON.
fn json_cell(value: Option<&Json>) -> String {
    match value {
        None | Some(Json::Null) => String::new(),
        Some(Json::String(text)) => text.clone(),
        Some(other) => other.to_string(),
    }
}
