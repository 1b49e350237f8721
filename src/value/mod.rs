//! Values a model computes with: exact decimals, calendar dates, text,
//! booleans, durations and lists, and how lead cells are read into them.
//!
//! This module is shared by every stage (the checker folds constants and
//! reads `given` values with it; the interpreter and readers use it too),
//! so it depends on no stage.

mod after_lower;
mod fold;
pub mod local;
pub mod ops;
mod read;

use std::fmt;

pub use after_lower::FOLD_AFTER_LOWER;
pub use chrono::NaiveDate as Date;
pub use fold::{fold_into, fold_text};
pub use local::Reading;
pub use read::{
    assign, parse_date_literal, parse_number_literal, read_cell, read_cell_into, ReadError,
};
pub use rust_decimal::Decimal;

/// The declared type of a field (`fields { name: TYPE }`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldType {
    Text,
    Number,
    Int,
    Bool,
    Date,
    List,
}

impl FieldType {
    /// The keyword that declares this type.
    pub fn keyword(self) -> &'static str {
        match self {
            FieldType::Text => "text",
            FieldType::Number => "number",
            FieldType::Int => "int",
            FieldType::Bool => "bool",
            FieldType::Date => "date",
            FieldType::List => "list",
        }
    }

    /// The type named by a keyword, if any.
    pub fn from_keyword(word: &str) -> Option<FieldType> {
        Some(match word {
            "text" => FieldType::Text,
            "number" => FieldType::Number,
            "int" => FieldType::Int,
            "bool" => FieldType::Bool,
            "date" => FieldType::Date,
            "list" => FieldType::List,
            _ => return None,
        })
    }
}

/// The unit of a duration literal (`30 days`, `6 months`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DurationUnit {
    Day,
    Week,
    Month,
    Year,
}

impl DurationUnit {
    /// The unit named by a word, singular or plural.
    pub fn from_word(word: &str) -> Option<DurationUnit> {
        Some(match word {
            "day" | "days" => DurationUnit::Day,
            "week" | "weeks" => DurationUnit::Week,
            "month" | "months" => DurationUnit::Month,
            "year" | "years" => DurationUnit::Year,
            _ => return None,
        })
    }

    /// The plural word, as the canonical form writes it.
    pub fn plural(self) -> &'static str {
        match self {
            DurationUnit::Day => "days",
            DurationUnit::Week => "weeks",
            DurationUnit::Month => "months",
            DurationUnit::Year => "years",
        }
    }
}

/// A whole number of calendar units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Duration {
    pub amount: i64,
    pub unit: DurationUnit,
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let word = self.unit.plural();
        if self.amount == 1 || self.amount == -1 {
            write!(f, "{} {}", self.amount, word.trim_end_matches('s'))
        } else {
            write!(f, "{} {}", self.amount, word)
        }
    }
}

/// A present value. Missing values are `None` wherever a value may be absent.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    Number(Decimal),
    Bool(bool),
    Date(Date),
    Duration(Duration),
    List(Vec<Value>),
}

/// [`str::trim`], faster when the text starts and ends in ASCII (cells
/// are trimmed on every row): ASCII whitespace is dropped byte by byte,
/// and only text with a non-ASCII first or last character takes the
/// Unicode-aware path.
pub fn trim(text: &str) -> &str {
    // `char::is_whitespace` on ASCII: note the vertical tab, which
    // `u8::is_ascii_whitespace` leaves out.
    let space = |b: &u8| matches!(b, b' ' | b'\t' | b'\n' | b'\x0B' | b'\x0C' | b'\r');
    let bytes = text.as_bytes();
    let start = bytes.iter().position(|b| !space(b)).unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !space(b))
        .map_or(start, |i| i + 1);
    let ascii_edges = |i: Option<&u8>| i.is_none_or(u8::is_ascii);
    if ascii_edges(bytes.get(start)) && ascii_edges(bytes.get(end.wrapping_sub(1))) {
        if let Some(trimmed) = text.get(start..end) {
            return trimmed;
        }
    }
    text.trim()
}

/// A decimal in plain notation without trailing zeros (`65`, `12.5`).
pub fn format_decimal(value: Decimal) -> String {
    value.normalize().to_string()
}

/// Points with their sign always shown, as reasons print them: `+20`,
/// `-10`, `+0` (zero is never negative).
pub fn format_signed(points: Decimal) -> String {
    if points.is_sign_negative() && !points.is_zero() {
        format_decimal(points)
    } else {
        format!("+{}", format_decimal(points.abs()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn trim_agrees_with_the_standard_library_on_edge_cases() {
        let cases = [
            "",
            " ",
            "a",
            " a ",
            "\t\n\x0B\x0C\r a \r\n",
            "\u{a0}a\u{a0}",
            " \u{2003}b ",
            "é",
            " é ",
            "a\u{85}",
            "\u{3000}",
            " x y ",
            "\x0Bz",
        ];
        for text in cases {
            assert_eq!(trim(text), text.trim(), "{text:?}");
        }
    }

    proptest! {
        #[test]
        fn trim_agrees_with_the_standard_library(text in "[ \\t\\n\\x0B\\r\\u{a0}\\u{2003}aé]{0,8}") {
            prop_assert_eq!(trim(&text), text.trim());
        }
    }
}
