//! Binding a plan's fields to a lead file's columns, and reading a
//! record's cells into a typed [`Lead`].

use std::ops::Range;

use super::format::Format;
use super::header_error::{HeaderError, HeaderNote};
use super::json::read_json;
use super::read::{Header, Record, RowData};
use super::reject::{quoted, Rejection};
use super::walk::Cells;
use crate::eval::{CellError, Lead, Row};
use crate::id::{FieldId, IdVec};
use crate::plan::{FieldSpec, Plan};
use crate::value::{read_cell, read_cell_into, FieldType, Reading, Value};

/// The one column named `wanted` but for case (and outer spaces), if
/// exactly one is.
fn same_but_case(wanted: &str, columns: &[String]) -> Option<usize> {
    let folded = wanted.trim().to_lowercase();
    let mut matches = columns
        .iter()
        .enumerate()
        .filter(|(_, c)| c.trim().to_lowercase() == folded)
        .map(|(i, _)| i);
    let first = matches.next()?;
    matches.next().is_none().then_some(first)
}

/// A CSV header read as one column that holds `,`, `;`, a tab or `|`,
/// when no field's column was found: the delimiter is wrong, and that is
/// the one thing worth saying. A separator counts when the header split
/// on it names a field's column (so a quoted header with a comma in it,
/// read with `,`, is not taken for one).
fn wrong_delimiter(fields: &[FieldSpec], header: &Header) -> Option<HeaderError> {
    let [only] = header.columns.as_slice() else {
        return None;
    };
    if header.format != Format::Csv || fields.iter().any(|f| f.column == *only) {
        return None;
    }
    let names_a_field = |c: char| {
        only.split(c)
            .any(|part| fields.iter().any(|f| f.column == part.trim()))
    };
    let separator = [',', ';', '\t', '|']
        .into_iter()
        .find(|&c| only.contains(c) && names_a_field(c))?;
    Some(HeaderError::WrongDelimiter { separator })
}

/// How one field is read.
#[derive(Debug, Clone)]
struct FieldRead {
    /// Which of the fields (`Plan::fields`, `Lead::values`).
    field: FieldId,
    name: String,
    column: String,
    /// The CSV cell position (NDJSON looks the key up instead).
    position: usize,
    ty: FieldType,
    read: Reading,
    required: bool,
}

/// What to do with a cell that cannot be read as its field's type
/// (`--bad-values`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BadValues {
    /// Reject the lead (the default).
    #[default]
    Reject,
    /// Read the cell as missing, score the lead, and note the cell.
    Missing,
}

/// A plan's fields bound to a lead file's header.
#[derive(Debug, Clone)]
pub struct Binding {
    bad_values: BadValues,
    reads: Vec<FieldRead>,
    width: usize,
    /// What the reader should be told: a field's column found only by
    /// ignoring case.
    notes: Vec<HeaderNote>,
}

impl Binding {
    /// Bind every field of `plan` to its column. For CSV each field's
    /// column must be in the header (every missing one is reported). NDJSON
    /// has no header: an absent key is a missing value, so nothing is
    /// required of the first object. Only fields that are used or
    /// required are read.
    pub fn new(plan: &Plan, header: &Header) -> Result<Binding, Vec<HeaderError>> {
        Binding::of_fields(&plan.fields, header)
    }

    /// [`Binding::new`] for a list of fields (an events source's). Values
    /// computed from events ([`FieldSpec::is_column`] false) have no column.
    pub fn of_fields(
        fields: &IdVec<FieldId, FieldSpec>,
        header: &Header,
    ) -> Result<Binding, Vec<HeaderError>> {
        let mut reads = Vec::new();
        let mut errors = Vec::new();
        let mut notes = Vec::new();
        for (index, field) in fields.enumerate() {
            if !field.is_column() {
                continue;
            }
            let found = header.columns.iter().position(|c| *c == field.column);
            let found = match (found, header.format) {
                (None, Format::Csv) => {
                    let near = same_but_case(&field.column, &header.columns);
                    if let Some(column) = near.and_then(|i| header.columns.get(i)) {
                        notes.push(HeaderNote::CaseDiffers {
                            field: field.name.clone(),
                            column: field.column.clone(),
                            found: column.clone(),
                        });
                    }
                    near
                }
                (found, _) => found,
            };
            let positions: Vec<usize> = (header.columns.iter().enumerate())
                .filter(|(_, c)| **c == field.column)
                .map(|(i, _)| i + 1)
                .collect();
            if positions.len() > 1 {
                errors.push(HeaderError::RepeatedColumn {
                    field: field.name.clone(),
                    column: field.column.clone(),
                    positions,
                });
                continue;
            }
            let position = match (found, header.format) {
                (Some(position), _) => position,
                (None, Format::Ndjson) => 0,
                (None, Format::Csv) => {
                    errors.push(HeaderError::MissingColumn {
                        field: field.name.clone(),
                        column: field.column.clone(),
                        closest: closest(&field.column, &header.columns).map(str::to_string),
                    });
                    continue;
                }
            };
            if field.used || field.required {
                reads.push(FieldRead {
                    field: index,
                    name: field.name.clone(),
                    column: field.column.clone(),
                    position,
                    ty: field.ty,
                    read: field.read.clone(),
                    required: field.required,
                });
            }
        }
        if errors.is_empty() {
            Ok(Binding {
                bad_values: BadValues::Reject,
                reads,
                width: fields.len(),
                notes,
            })
        } else {
            Err(wrong_delimiter(fields.as_slice(), header).map_or(errors, |e| vec![e]))
        }
    }

    /// The binding with `bad_values` for cells that cannot be read.
    pub fn with_bad_values(mut self, bad_values: BadValues) -> Binding {
        self.bad_values = bad_values;
        self
    }

    /// Notes for the reader about how the header was read (a column found
    /// by ignoring case), one line each.
    pub fn notes(&self) -> &[HeaderNote] {
        &self.notes
    }

    /// Read a record's used and required fields into a lead.
    pub fn lead(&self, record: &Record) -> Result<Lead, Rejection> {
        self.lead_noting(record, &mut Vec::new())
    }

    /// [`Binding::lead`], with a note in `notes` for each cell read as
    /// missing because it could not be read (`--bad-values missing`).
    pub fn lead_noting(
        &self,
        record: &Record,
        notes: &mut Vec<Rejection>,
    ) -> Result<Lead, Rejection> {
        let mut values: IdVec<FieldId, Option<Value>> = IdVec::from(vec![None; self.width]);
        for read in &self.reads {
            let value = match read.value(record) {
                Err(problem)
                    if self.bad_values == BadValues::Missing && problem.value.is_some() =>
                {
                    notes.push(problem.read_as_missing());
                    if read.required {
                        return Err(read.required_missing(record.row));
                    }
                    None
                }
                other => other?,
            };
            *values.at_mut(read.field) = value;
        }
        Ok(Lead { values })
    }
}

impl Binding {
    /// Give a CSV row's cells to `row`: the row's i-th cell is
    /// `text[spans[i]]`. Same checks and messages as [`Binding::lead`];
    /// with `--bad-values missing`, an unreadable cell is read as missing
    /// and noted in `notes`.
    ///
    /// The per-cell loop: `Row::cell` and the memo's lookup are inlined
    /// into it, and it into the worker's per-row code, as the scorer was
    /// before the row protocol (docs/performance.md has the instruction
    /// counts: left to the compiler, the lookup, the recalled rules and
    /// the reading each stayed a call, 7% more instructions in all).
    #[inline]
    pub fn read_cells(
        &self,
        row_number: u64,
        text: &str,
        spans: &[Range<usize>],
        row: &mut Row,
        notes: &mut Vec<Rejection>,
    ) -> Result<(), Rejection> {
        for read in &self.reads {
            let span = spans.get(read.position).cloned().unwrap_or_default();
            let cell = text.get(span).unwrap_or_default();
            if let Err(e) = row.cell(read.field, cell) {
                self.cell_error(read, row_number, e, || quoted(cell), row, notes)?;
            }
        }
        Ok(())
    }

    /// A CSV row's cells read into `lead`, reusing the memory its values
    /// hold (an events file's rows, an account pass's: no scoring, no
    /// memo). Same checks and messages as [`Binding::lead`]; with
    /// `--bad-values missing`, an unreadable cell is read as missing
    /// without a note (the scoring pass writes the notes).
    pub fn read_values(
        &self,
        row_number: u64,
        cells: Cells,
        lead: &mut Lead,
    ) -> Result<(), Rejection> {
        lead.values.resize(self.width, None);
        for read in &self.reads {
            let cell = cells.get(read.position);
            let slot = lead.values.at_mut(read.field);
            let unreadable = read_cell_into(slot, read.ty, cell, &read.read).is_err();
            if unreadable && self.bad_values == BadValues::Missing {
                // Read as missing, as scoring reads it (the scoring pass
                // notes the cell).
                *slot = None;
            } else if unreadable {
                let (ty, expected) = (read.ty.keyword(), read_cell(read.ty, cell, &read.read));
                let expected = expected.err().map_or("", |e| e.expected);
                return Err(Rejection::unreadable(
                    row_number,
                    &read.column,
                    quoted(cell),
                    ty,
                    expected,
                ));
            }
            if slot.is_none() && read.required {
                return Err(read.required_missing(row_number));
            }
        }
        Ok(())
    }

    /// Give a record's cells (CSV) or values (NDJSON) to `row`, as
    /// [`Binding::read_cells`] does.
    pub fn read_record(
        &self,
        record: &Record,
        row: &mut Row,
        notes: &mut Vec<Rejection>,
    ) -> Result<(), Rejection> {
        for read in &self.reads {
            let (given, shown) = match &record.data {
                RowData::Cells(cells) => {
                    let cell = cells.get(read.position).map_or("", String::as_str);
                    (row.cell(read.field, cell), quoted(cell))
                }
                RowData::Object(map) => {
                    match read_json(read.ty, map.get(&read.column), &read.read) {
                        Ok(value) => (row.value(read.field, value), String::new()),
                        Err(e) => {
                            let error = CellError::Unreadable {
                                expected: e.expected,
                            };
                            (Err(error), e.shown)
                        }
                    }
                }
            };
            if let Err(e) = given {
                self.cell_error(read, record.row, e, || shown, row, notes)?;
            }
        }
        Ok(())
    }

    /// The rejection a cell error makes, or, for an unreadable cell with
    /// `--bad-values missing`, the cell read as missing and noted.
    #[cold]
    fn cell_error(
        &self,
        read: &FieldRead,
        row_number: u64,
        error: CellError,
        shown: impl FnOnce() -> String,
        row: &mut Row,
        notes: &mut Vec<Rejection>,
    ) -> Result<(), Rejection> {
        let CellError::Unreadable { expected } = error else {
            return Err(read.required_missing(row_number));
        };
        let ty = read.ty.keyword();
        let problem = Rejection::unreadable(row_number, &read.column, shown(), ty, expected);
        if self.bad_values == BadValues::Reject {
            return Err(problem);
        }
        notes.push(problem.read_as_missing());
        row.read_as_missing(read.field)
            .map_err(|_| read.required_missing(row_number))
    }
}

impl FieldRead {
    fn required_missing(&self, row: u64) -> Rejection {
        let reason = format!("no value, but field `{}` is required", self.name);
        Rejection::column(row, &self.column, reason)
    }

    fn value(&self, record: &Record) -> Result<Option<Value>, Rejection> {
        let row = record.row;
        let ty = self.ty.keyword();
        let value = match &record.data {
            RowData::Cells(cells) => {
                let cell = cells.get(self.position).map_or("", String::as_str);
                read_cell(self.ty, cell, &self.read).map_err(|e| {
                    Rejection::unreadable(row, &self.column, quoted(cell), ty, e.expected)
                })?
            }
            RowData::Object(map) => read_json(self.ty, map.get(&self.column), &self.read)
                .map_err(|e| Rejection::unreadable(row, &self.column, e.shown, ty, e.expected))?,
        };
        if value.is_none() && self.required {
            return Err(self.required_missing(row));
        }
        Ok(value)
    }
}

/// The column closest to `wanted`, however far (spec section 7 names it).
fn closest<'a>(wanted: &str, columns: &'a [String]) -> Option<&'a str> {
    crate::check::suggest::nearest(wanted, columns.iter().map(String::as_str))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closest_ignores_case_and_prefers_the_first_of_equals() {
        let columns = [
            "Job Title".to_string(),
            "jobs".to_string(),
            "id".to_string(),
        ];
        assert_eq!(closest("job_title", &columns), Some("Job Title"));
        assert_eq!(closest("x", &[]), None);
    }
}
