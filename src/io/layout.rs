//! The output's columns: the input's, then the outputs (prefixed), then
//! `reasons` with `--explain`; collisions refused before any row.

use std::collections::HashSet;

use super::format::Format;
use super::header_error::HeaderError;
use super::read::{Header, Record, RowData};
use super::reject::Rejection;
use crate::plan::Plan;

/// The name of the `--explain` output.
pub const REASONS: &str = "reasons";
/// The name of the `--stamp` output.
pub const STAMP: &str = "tally_model";

/// What the output looks like.
#[derive(Debug, Clone)]
pub struct Layout {
    /// The input columns (CSV header, or the first NDJSON object's keys).
    pub columns: Vec<String>,
    /// The output columns after the input's, prefix included: the plan's
    /// outputs, then `reasons` when `explain` is on.
    pub outputs: Vec<String>,
    /// Whether the reasons column is written.
    pub explain: bool,
    /// With `--stamp`, the model's stamp, written in a last column.
    pub stamp: Option<String>,
    /// NDJSON written as CSV: every object's keys must be among `columns`.
    fixed_keys: bool,
    output_set: HashSet<String>,
    column_set: HashSet<String>,
}

impl Layout {
    /// The layout for `plan` over `header`, written as `output`. Every
    /// output name (after `prefix`) that is also an input column is an
    /// error.
    pub fn new(
        plan: &Plan,
        header: &Header,
        output: Format,
        prefix: &str,
        explain: bool,
    ) -> Result<Layout, Vec<HeaderError>> {
        let mut names = plan.output_names();
        if explain {
            names.push(REASONS.to_string());
        }
        let outputs: Vec<String> = names.iter().map(|n| format!("{prefix}{n}")).collect();
        let column_set: HashSet<String> = header.columns.iter().cloned().collect();
        let errors = collisions(&outputs, &column_set, prefix);
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Layout {
            columns: header.columns.clone(),
            output_set: outputs.iter().cloned().collect(),
            outputs,
            explain,
            stamp: None,
            fixed_keys: header.format == Format::Ndjson && output == Format::Csv,
            column_set,
        })
    }

    /// The layout with a last column `tally_model` (after `prefix`)
    /// holding `stamp` on every row; an error when an input column has
    /// that name.
    pub fn stamped(mut self, stamp: String, prefix: &str) -> Result<Layout, Vec<HeaderError>> {
        let name = format!("{prefix}{STAMP}");
        let errors = collisions(std::slice::from_ref(&name), &self.column_set, prefix);
        if !errors.is_empty() {
            return Err(errors);
        }
        self.output_set.insert(name.clone());
        self.outputs.push(name);
        self.stamp = Some(stamp);
        Ok(self)
    }

    /// Whether a record fits the layout: an NDJSON object may have no key
    /// named like an output, and, written as CSV, no key the first object
    /// lacked.
    pub fn admit(&self, record: &Record) -> Result<(), Rejection> {
        let RowData::Object(map) = &record.data else {
            return Ok(());
        };
        for key in map.keys() {
            if self.output_set.contains(key) {
                let reason = "the key has the name of an output; rename the outputs with --prefix";
                return Err(Rejection::column(record.row, key, reason));
            }
            if self.fixed_keys && !self.column_set.contains(key) {
                let reason =
                    format!("key `{key}` is not among the columns, which the first line fixed");
                return Err(Rejection::row(record.row, reason));
            }
        }
        Ok(())
    }
}

fn collisions(outputs: &[String], columns: &HashSet<String>, prefix: &str) -> Vec<HeaderError> {
    let mut seen = HashSet::new();
    let mut errors = Vec::new();
    for output in outputs {
        if columns.contains(output) {
            errors.push(HeaderError::Collision {
                output: output.clone(),
                prefix: prefix.to_string(),
            });
        } else if !seen.insert(output.as_str()) {
            errors.push(HeaderError::DuplicateOutput {
                output: output.clone(),
            });
        }
    }
    errors
}
