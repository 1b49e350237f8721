//! Values a model computes with: exact decimals, calendar dates, text,
//! booleans, durations and lists, and how lead cells are read into them.
//!
//! This module is shared by every stage (the checker folds constants and
//! reads `given` values with it; the interpreter and readers use it too),
//! so it depends on no stage.

pub mod ops;
mod read;

use std::fmt;

pub use chrono::NaiveDate as Date;
pub use read::{parse_date_literal, parse_number_literal, read_cell, read_cell_into, ReadError};
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

/// Text as compared: surrounding whitespace dropped, Unicode lower case.
pub fn fold_text(text: &str) -> String {
    text.trim().to_lowercase()
}

/// A decimal in plain notation without trailing zeros (`65`, `12.5`).
pub fn format_decimal(value: Decimal) -> String {
    value.normalize().to_string()
}
