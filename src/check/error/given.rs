//! The words of `tally::bad_given`: what a test's value should have
//! looked like, rendered from the type it is read as.

use std::fmt;

use crate::check::types::Type;
use crate::value::FieldType;

/// What a `given` value should have been.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expected {
    /// A cell of a field in its local format, as the reader describes it.
    Cell(&'static str),
    /// A literal of the field's type.
    Literal(FieldType),
    /// A list of events of a source whose time field is `time`.
    Events { time: String },
    /// An account value's type.
    Value(Type),
    /// A literal of the field's type, where events were given: the field
    /// is the lead's, not an events source.
    NotEvents(FieldType),
}

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Cell(expected) => f.write_str(expected),
            Self::Literal(ty) => f.write_str(match ty {
                FieldType::Text => "text in quotes",
                FieldType::Number => "a number, such as `42` or `2.5`",
                FieldType::Int => "a whole number, such as `42`",
                FieldType::Bool => "`true` or `false`",
                FieldType::Date => "a date, such as `2026-11-22`",
                FieldType::List => "a list, such as `[pricing, blog]`",
            }),
            Self::Events { time } => {
                write!(f, "a list of events, such as `[{{ {time}: 2026-11-01 }}]`")
            }
            Self::Value(ty) => write!(f, "{ty}"),
            Self::NotEvents(ty) => write!(
                f,
                "{}: this is a field of the lead, and only an events source takes a list of `{{ … }}` events",
                Self::Literal(*ty)
            ),
        }
    }
}
