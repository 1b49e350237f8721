//! Columns the model-quality commands read besides the model's fields:
//! the outcome of `backtest` (a column of the lead file, not a model
//! field, saying whether the lead converted) and the key naming a lead.

use std::marker::PhantomData;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use serde_json::Value as Json;

use super::collect::{Fold, Scored};

use crate::io::{Cells, Format, Header, Record, RowData};
use crate::value::{read_cell, FieldType, Reading, Value};

/// A column of the lead file, found by name.
#[derive(Debug)]
pub struct Column {
    pub name: String,
    /// The CSV cell position; NDJSON looks the key up instead.
    position: usize,
    /// NDJSON: whether some object read so far has the key (an object
    /// may leave out any key, so the first one's keys are no header).
    seen: AtomicBool,
}

impl Column {
    /// Find the column in the header; `Err` holds the closest column's
    /// name, when the header has any. In NDJSON every name is found:
    /// an absent key is a missing value, and a later object may have
    /// it ([`Column::seen`] says whether one did).
    pub fn find(header: &Header, name: &str) -> Result<Column, Option<String>> {
        let position = header.columns.iter().position(|c| c == name);
        match (position, header.format) {
            (Some(position), _) => Ok(Column::at(name, position, true)),
            (None, Format::Ndjson) => Ok(Column::at(name, usize::MAX, false)),
            (None, Format::Csv) => Err(closest(header, name)),
        }
    }

    fn at(name: &str, position: usize, seen: bool) -> Column {
        Column {
            name: name.to_string(),
            position,
            seen: AtomicBool::new(seen),
        }
    }

    /// Whether the file has the column: a CSV header that names it, or
    /// an NDJSON object read so far with the key (even as `null`).
    pub fn seen(&self) -> bool {
        self.seen.load(Ordering::Relaxed)
    }

    /// An NDJSON object's value of the key, noting that the key exists.
    fn value_in<'o>(&self, object: &'o serde_json::Map<String, Json>) -> Option<&'o Json> {
        let value = object.get(&self.name);
        if value.is_some() && !self.seen.load(Ordering::Relaxed) {
            self.seen.store(true, Ordering::Relaxed);
        }
        value
    }

    /// The row's cell as text (a JSON value as JSON, strings unquoted);
    /// empty when absent.
    pub fn text(&self, record: &Record) -> String {
        self.text_in(Cols::Record(record))
    }

    /// [`Column::text`] of a row as a worker sees it.
    pub fn text_in(&self, row: Cols) -> String {
        let data = match row {
            Cols::Cells(cells) => return cells.get(self.position).to_string(),
            Cols::Record(record) => &record.data,
        };
        match data {
            RowData::Cells(cells) => cells.get(self.position).cloned().unwrap_or_default(),
            RowData::Object(object) => match self.value_in(object) {
                None | Some(Json::Null) => String::new(),
                Some(Json::String(text)) => text.clone(),
                Some(other) => other.to_string(),
            },
        }
    }

    /// Whether the row's lead converted; `Err` says why its cell is not
    /// an outcome.
    pub fn outcome(&self, record: &Record) -> Result<bool, String> {
        self.outcome_in(Cols::Record(record))
    }

    /// [`Column::outcome`] of a row as a worker sees it.
    pub fn outcome_in(&self, row: Cols) -> Result<bool, String> {
        let data = match row {
            Cols::Cells(cells) => return read_outcome(cells.get(self.position)),
            Cols::Record(record) => &record.data,
        };
        match data {
            RowData::Cells(cells) => {
                read_outcome(cells.get(self.position).map_or("", String::as_str))
            }
            RowData::Object(object) => match self.value_in(object) {
                None | Some(Json::Null) => Ok(false),
                Some(Json::Bool(converted)) => Ok(*converted),
                Some(Json::String(text)) => read_outcome(text),
                // `1` and `0` as the cells `1` and `0` are: CRM exports
                // write flags so, and a bool field's own JSON reading
                // (LANGUAGE.md: numbers for numbers) is not the outcome's.
                Some(Json::Number(n)) => {
                    read_outcome(&n.to_string()).map_err(|_| not_an_outcome(&n.to_string()))
                }
                Some(other) => Err(not_an_outcome(&other.to_string())),
            },
        }
    }
}

/// The header's column closest to `name`, when it has any.
pub fn closest(header: &Header, name: &str) -> Option<String> {
    (header.columns.iter())
        .min_by_key(|c| strsim::levenshtein(c, name))
        .cloned()
}

/// A row's cells as the workers see them: a CSV row's text, split (read
/// in place, nothing copied), or a record read row by row (NDJSON).
#[derive(Debug, Clone, Copy)]
pub enum Cols<'a> {
    Cells(Cells<'a>),
    Record(&'a Record),
}

/// A part of a statistic over leads and their outcome (`backtest`,
/// `calibrate`).
pub trait OutcomePart: Default + Send {
    fn add(&mut self, lead: &Scored, converted: bool);
}

/// Folds each row scored by one model with its outcome (the cell of
/// `column`); a row whose outcome cannot be read is left out.
pub struct WithOutcome<'c, P> {
    column: &'c Column,
    /// Rows left out for their outcome cell (summed over the workers,
    /// so the count does not depend on their order).
    refused: AtomicU64,
    part: PhantomData<fn() -> P>,
}

impl<'c, P> WithOutcome<'c, P> {
    pub fn new(column: &'c Column) -> WithOutcome<'c, P> {
        WithOutcome {
            column,
            refused: AtomicU64::new(0),
            part: PhantomData,
        }
    }

    /// How many scored rows were left out because their outcome cell is
    /// not an outcome.
    pub fn refused(&self) -> u64 {
        self.refused.load(Ordering::Relaxed)
    }
}

impl<P: OutcomePart> Fold for WithOutcome<'_, P> {
    type Part = P;

    #[inline]
    fn row(&self, part: &mut P, row: Cols, scored: &[Scored]) -> bool {
        match (self.column.outcome_in(row), scored.first()) {
            (Ok(converted), Some(lead)) => {
                part.add(lead, converted);
                true
            }
            (Err(_), Some(_)) => {
                self.refused.fetch_add(1, Ordering::Relaxed);
                false
            }
            _ => false,
        }
    }
}

/// An outcome cell: a boolean as `bool` cells are read, or a date
/// (present means converted); empty is "not converted".
pub fn read_outcome(cell: &str) -> Result<bool, String> {
    match read_cell(FieldType::Bool, cell, &Reading::default()) {
        Ok(None) => return Ok(false),
        Ok(Some(Value::Bool(converted))) => return Ok(converted),
        _ => {}
    }
    match read_cell(FieldType::Date, cell, &Reading::default()) {
        Ok(Some(_)) => Ok(true),
        _ => Err(not_an_outcome(&format!("{cell:?}"))),
    }
}

fn not_an_outcome(shown: &str) -> String {
    format!("cannot read {shown} as an outcome: expected a boolean (yes, no, true, false, 1, 0) or a date")
}

#[cfg(test)]
mod tests {
    use super::read_outcome;

    #[test]
    fn outcomes_are_booleans_dates_or_empty() {
        assert_eq!(read_outcome("Yes"), Ok(true));
        assert_eq!(read_outcome(" 0 "), Ok(false));
        assert_eq!(read_outcome(""), Ok(false));
        assert_eq!(read_outcome("2026-10-01"), Ok(true));
        assert_eq!(read_outcome("2026-10-01T09:00:00Z"), Ok(true));
        assert!(read_outcome("maybe").unwrap_err().contains("\"maybe\""));
    }
}
