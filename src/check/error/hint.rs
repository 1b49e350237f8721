//! The help of `tally::type_mismatch`: which fix suits the value, and the
//! text it is written with, rendered here.

use std::fmt;

/// A fix for a value of the wrong type; `text` is the value as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Hint {
    /// A number where a condition goes.
    CompareNumber { text: String },
    /// Text where a condition goes.
    CompareText { text: String },
    /// A list where a condition goes.
    TestList { text: String },
    /// A date where a condition goes.
    TestDate { text: String },
    /// `add "Reason"`: the points are missing.
    PointsFirst { text: String },
    /// A number in quotes.
    Unquote { text: String },
    /// The places of `round`.
    RoundPlaces,
    /// The argument of `fired`.
    FiredReason,
    /// The pattern of `matches`.
    PatternQuotes,
    /// The left side of `contains any`/`contains all` (`op`).
    ListOperator { op: String },
    /// The right side of `within`, after the date `date`; `amount` is
    /// the number written there (`within 30`), or an example.
    WithinDays { date: String, amount: String },
    /// `30 days + date`: the date must come first.
    DateFirst { date: String, duration: String },
    /// A duration on the left with no date to move.
    DurationMovesDate,
    /// `30 days - today`.
    TodayFirst,
    /// Arithmetic on something that is not a number.
    OnlyNumbers,
    /// `date - date`.
    DaysSince { text: String },
    /// A computed duration added to a date.
    DurationWrittenOut,
    /// Something other than a duration added to a date.
    MoveByDuration,
}

impl fmt::Display for Hint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::CompareNumber { text } => {
                write!(f, "compare it with a number, e.g. `{text} > 0`")
            }
            Self::CompareText { text } => {
                write!(f, "compare it with a text, e.g. `{text} == \"US\"`")
            }
            Self::TestList { text } => write!(f, "test the list, e.g. `{text} contains \"pricing\"`"),
            Self::TestDate { text } => write!(f, "test the date, e.g. `{text} within 90 days`"),
            Self::PointsFirst { text } => write!(
                f,
                "the points are missing: write them before the reason, e.g. `add 25 {text}`"
            ),
            Self::Unquote { text } => write!(
                f,
                "numbers are written without quotes: `{}`",
                text.trim_matches('"')
            ),
            Self::RoundPlaces => f.write_str("write the number of decimal places, e.g. `round(a, 2)`"),
            Self::FiredReason => {
                f.write_str("write the rule's reason in quotes: `fired(\"Decision maker\")`")
            }
            Self::PatternQuotes => f.write_str(
                "write the regular expression in quotes: `email matches \"@gmail[.]com$\"`",
            ),
            Self::ListOperator { op } => {
                write!(f, "`{op}` tests a list field, such as `tags {op} [vip, partner]`")
            }
            Self::WithinDays { date, amount } => {
                write!(f, "write `{date} within {amount} days`")
            }
            Self::DateFirst { date, duration } => {
                write!(f, "write the date first: `{date} + {duration}`")
            }
            Self::DurationMovesDate => {
                f.write_str("a duration moves a date: `last_activity + 30 days`")
            }
            Self::TodayFirst => f.write_str("write the date first: `today - 30 days`"),
            Self::OnlyNumbers => f.write_str("only numbers (`number` and `int` fields, numbers, groups, `score`) can be calculated with"),
            Self::DaysSince { text } => write!(
                f,
                "for the days between a date and today, use `days_since({text})`"
            ),
            Self::DurationWrittenOut => f.write_str(
                "a duration here must be written out, such as `30 days`, or be a `let`",
            ),
            Self::MoveByDuration => {
                f.write_str("a date can only be moved by a duration: `last_activity + 30 days`")
            }
        }
    }
}
