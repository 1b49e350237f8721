//! Writing scored leads as CSV or NDJSON: the input columns unchanged,
//! then the outputs, then `reasons` with `--explain`.

use std::io::{self, Write};

use serde_json::Value as Json;

use super::format::Format;
use super::layout::Layout;
use super::read::{Record, RowData};
use super::read_csv::to_io;
use super::sink::{Finished, Sink};
use crate::value::{format_decimal, Decimal, Value};

/// A rule that fired, as `--explain` writes it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reason<'p> {
    pub text: &'p str,
    /// Signed points.
    pub points: Decimal,
}

/// Writes scored records in one format.
pub struct Writer {
    out: Out,
    layout: Layout,
}

enum Out {
    Csv(Box<csv::Writer<Sink>>),
    Ndjson(Sink),
}

impl Writer {
    /// A writer of `format` to `sink`; CSV gets its header row now.
    /// `delimiter` separates CSV fields; lines end with `\n`.
    pub fn new(sink: Sink, format: Format, layout: Layout, delimiter: u8) -> io::Result<Writer> {
        let out = match format {
            Format::Ndjson => Out::Ndjson(sink),
            Format::Csv => {
                let mut csv = csv::WriterBuilder::new()
                    .delimiter(delimiter)
                    .from_writer(sink);
                let header = layout.columns.iter().chain(&layout.outputs);
                csv.write_record(header).map_err(to_io)?;
                Out::Csv(Box::new(csv))
            }
        };
        Ok(Writer { out, layout })
    }

    /// The layout written.
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// Write one scored record: its outputs in `Layout::outputs` order,
    /// and its reasons when the layout explains.
    pub fn write(
        &mut self,
        record: &Record,
        outputs: &[Option<Value>],
        reasons: &[Reason],
    ) -> io::Result<()> {
        match &mut self.out {
            Out::Csv(csv) => write_csv(csv, &self.layout, record, outputs, reasons),
            Out::Ndjson(sink) => write_ndjson(sink, &self.layout, record, outputs, reasons),
        }
    }

    /// Write out the output; a file is put in place by committing what
    /// this returns.
    pub fn finish(self) -> io::Result<Finished> {
        match self.out {
            Out::Csv(csv) => csv.into_inner().map_err(|e| e.into_error())?.finish(),
            Out::Ndjson(sink) => sink.finish(),
        }
    }
}

fn write_csv(
    csv: &mut csv::Writer<Sink>,
    layout: &Layout,
    record: &Record,
    outputs: &[Option<Value>],
    reasons: &[Reason],
) -> io::Result<()> {
    match &record.data {
        RowData::Cells(cells) => {
            for cell in cells {
                csv.write_field(cell).map_err(to_io)?;
            }
        }
        RowData::Object(map) => {
            for column in &layout.columns {
                csv.write_field(json_cell(map.get(column))).map_err(to_io)?;
            }
        }
    }
    for value in outputs {
        csv.write_field(cell_text(value.as_ref())).map_err(to_io)?;
    }
    if layout.explain {
        csv.write_field(csv_reasons(reasons)).map_err(to_io)?;
    }
    if let Some(stamp) = &layout.stamp {
        csv.write_field(stamp).map_err(to_io)?;
    }
    csv.write_record(None::<&[u8]>).map_err(to_io)
}

fn write_ndjson(
    out: &mut Sink,
    layout: &Layout,
    record: &Record,
    outputs: &[Option<Value>],
    reasons: &[Reason],
) -> io::Result<()> {
    out.write_all(b"{")?;
    let mut first = true;
    match &record.data {
        RowData::Cells(cells) => {
            for (key, cell) in layout.columns.iter().zip(cells) {
                key_prefix(out, &mut first, key)?;
                serde_json::to_writer(&mut *out, cell)?;
            }
        }
        RowData::Object(map) => {
            for (key, value) in map {
                key_prefix(out, &mut first, key)?;
                serde_json::to_writer(&mut *out, value)?;
            }
        }
    }
    for (key, value) in layout.outputs.iter().zip(outputs) {
        key_prefix(out, &mut first, key)?;
        json_value(out, value.as_ref())?;
    }
    let mut extra = layout.outputs.iter().skip(outputs.len());
    if layout.explain {
        if let Some(key) = extra.next() {
            key_prefix(out, &mut first, key)?;
            json_reasons(out, reasons)?;
        }
    }
    if let (Some(stamp), Some(key)) = (&layout.stamp, extra.next()) {
        key_prefix(out, &mut first, key)?;
        serde_json::to_writer(&mut *out, stamp)?;
    }
    out.write_all(b"}\n")
}

/// `,"key":` (no comma before the first key).
fn key_prefix(out: &mut Sink, first: &mut bool, key: &str) -> io::Result<()> {
    if !std::mem::take(first) {
        out.write_all(b",")?;
    }
    serde_json::to_writer(&mut *out, key)?;
    out.write_all(b":")
}

/// A value as JSON; numbers as exact plain decimals.
fn json_value(out: &mut Sink, value: Option<&Value>) -> io::Result<()> {
    match value {
        None => out.write_all(b"null"),
        Some(Value::Number(n)) => out.write_all(format_decimal(*n).as_bytes()),
        Some(Value::Bool(b)) => out.write_all(if *b { b"true" } else { b"false" }),
        Some(Value::List(items)) => {
            out.write_all(b"[")?;
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.write_all(b",")?;
                }
                json_value(out, Some(item))?;
            }
            out.write_all(b"]")
        }
        Some(other) => Ok(serde_json::to_writer(&mut *out, &value_text(other))?),
    }
}

/// `[{"reason":"Decision maker","points":20},…]`.
fn json_reasons(out: &mut Sink, reasons: &[Reason]) -> io::Result<()> {
    out.write_all(b"[")?;
    for (i, reason) in reasons.iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        out.write_all(b"{\"reason\":")?;
        serde_json::to_writer(&mut *out, reason.text)?;
        write!(out, ",\"points\":{}}}", format_decimal(reason.points))?;
    }
    out.write_all(b"]")
}

/// A value as a CSV cell; missing is empty.
fn cell_text(value: Option<&Value>) -> String {
    value.map(value_text).unwrap_or_default()
}

/// A value as text: numbers in plain decimal, dates as `YYYY-MM-DD`,
/// lists joined with `;`.
fn value_text(value: &Value) -> String {
    match value {
        Value::Text(text) => text.clone(),
        Value::Number(n) => format_decimal(*n),
        Value::Bool(b) => b.to_string(),
        Value::Date(d) => d.to_string(),
        Value::Duration(d) => d.to_string(),
        Value::List(items) => items.iter().map(value_text).collect::<Vec<_>>().join(";"),
    }
}

/// `Decision maker +20; Unsubscribed -10` (the sign always shown).
fn csv_reasons(reasons: &[Reason]) -> String {
    let parts: Vec<String> = reasons
        .iter()
        .map(|r| format!("{} {}", r.text, signed(r.points)))
        .collect();
    parts.join("; ")
}

/// `+20`, `-10`, `+0`.
fn signed(points: Decimal) -> String {
    if points.is_sign_negative() && !points.is_zero() {
        format_decimal(points)
    } else {
        format!("+{}", format_decimal(points.abs()))
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
