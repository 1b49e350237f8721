//! Rejected rows: a lead that could not be read, and why.

use std::fmt;

/// A row that could not be read or bound. Its `Display` is the line the
/// rejects file gets: `row N: column "c": REASON`, or `row N: REASON` when
/// no single column is at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// 1-based row number (CSV: record after the header; NDJSON: line).
    pub row: u64,
    /// The column (or JSON key) at fault, if one is.
    pub column: Option<String>,
    /// The offending value as it appeared, if there is one.
    pub value: Option<String>,
    /// What is wrong, in plain words (it quotes the value when there is one).
    pub reason: String,
    /// Not a rejected row but a note: with `--bad-values missing` the cell
    /// was read as missing and the row scored.
    pub note: bool,
}

impl Rejection {
    /// A rejection of the whole row.
    pub fn row(row: u64, reason: impl Into<String>) -> Rejection {
        Rejection {
            row,
            column: None,
            value: None,
            reason: reason.into(),
            note: false,
        }
    }

    /// The same problem, noted rather than rejecting the row: the cell
    /// was read as missing.
    pub fn read_as_missing(self) -> Rejection {
        Rejection { note: true, ..self }
    }

    /// A rejection because of one column.
    pub fn column(row: u64, column: &str, reason: impl Into<String>) -> Rejection {
        Rejection {
            column: Some(column.to_string()),
            ..Rejection::row(row, reason)
        }
    }

    /// A value that cannot be read as `ty` (`expected` says what would do).
    pub fn unreadable(
        row: u64,
        column: &str,
        shown: String,
        ty: &str,
        expected: &str,
    ) -> Rejection {
        Rejection {
            value: Some(shown.clone()),
            ..Rejection::column(
                row,
                column,
                format!("cannot read {shown} as {ty}: expected {expected}"),
            )
        }
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "row {}: ", self.row)?;
        if let Some(column) = &self.column {
            write!(f, "column {column:?}: ")?;
        }
        f.write_str(&self.reason)?;
        if self.note {
            f.write_str("; read as missing")?;
        }
        Ok(())
    }
}

/// Text quoted for a message, on one line (`"said \"hi\"\n"`).
pub(super) fn quoted(text: &str) -> String {
    format!("{text:?}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejection_lines_are_one_line_and_greppable() {
        let r = Rejection::unreadable(3, "n", quoted("a\nb"), "int", "a whole number");
        assert_eq!(
            r.to_string(),
            "row 3: column \"n\": cannot read \"a\\nb\" as int: expected a whole number"
        );
        assert_eq!(Rejection::row(7, "bad").to_string(), "row 7: bad");
    }
}
