//! The types of expressions, and how they are named in messages.

use std::fmt;

use crate::value::FieldType;

/// The type of an expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Type {
    Bool,
    Number,
    Text,
    Date,
    Duration,
    /// A `list` field: a list of text read from a lead.
    List,
    /// A list literal (or a `let` holding one), with its items' type.
    Items(Item),
    /// A sub-expression that already has an error: checks involving it
    /// stay silent, so one mistake gives one message.
    Error,
}

/// The item type of a list literal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Item {
    Text,
    Number,
    Date,
    /// `[]`: fits any item type.
    Empty,
}

impl Item {
    /// The scalar type of the items.
    pub fn scalar(self) -> Option<Type> {
        match self {
            Item::Text => Some(Type::Text),
            Item::Number => Some(Type::Number),
            Item::Date => Some(Type::Date),
            Item::Empty => None,
        }
    }

    /// True when a value of type `ty` can be looked up in such a list.
    pub fn admits(self, ty: Type) -> bool {
        self == Item::Empty || self.scalar() == Some(ty)
    }
}

impl Type {
    /// The type of a field's values in expressions (`int` is a number).
    pub fn of_field(ty: FieldType) -> Type {
        match ty {
            FieldType::Text => Type::Text,
            FieldType::Number | FieldType::Int => Type::Number,
            FieldType::Bool => Type::Bool,
            FieldType::Date => Type::Date,
            FieldType::List => Type::List,
        }
    }

    /// True for [`Type::Error`].
    pub fn is_error(self) -> bool {
        self == Type::Error
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let words = match self {
            Type::Bool => "true/false",
            Type::Number => "a number",
            Type::Text => "text",
            Type::Date => "a date",
            Type::Duration => "a duration",
            Type::List => "a list field",
            Type::Items(Item::Text) => "a list of text",
            Type::Items(Item::Number) => "a list of numbers",
            Type::Items(Item::Date) => "a list of dates",
            Type::Items(Item::Empty) => "an empty list",
            Type::Error => "unknown",
        };
        f.write_str(words)
    }
}
