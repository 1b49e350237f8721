//! Reading a JSON value as a field's type (spec section 4, JSON input).
//!
//! Strings are read exactly like CSV cells; native numbers are accepted
//! for `number` and `int` (their exact decimal text, so an `int` with a
//! fraction is refused), booleans for `bool`, arrays of strings for
//! `list`; `null` and an absent key are missing. Anything else is refused.

use serde_json::Value as Json;

use crate::value::{read_cell, FieldType, Reading, Value};

/// Plain reading, for native JSON numbers.
static PLAIN: std::sync::LazyLock<Reading> = std::sync::LazyLock::new(Reading::default);

/// Why a JSON value could not be read: the value as shown in a message
/// and what was expected.
pub(super) struct Unreadable {
    pub shown: String,
    pub expected: &'static str,
}

/// Read `json` (absent: `None`) as `ty`; `Ok(None)` is a missing value.
pub(super) fn read_json(
    ty: FieldType,
    json: Option<&Json>,
    how: &Reading,
) -> Result<Option<Value>, Unreadable> {
    match (json, ty) {
        (None | Some(Json::Null), _) => Ok(None),
        (Some(Json::String(text)), _) => read_cell(ty, text, how).map_err(|e| Unreadable {
            shown: format!("{text:?}"),
            expected: e.expected,
        }),
        (Some(Json::Number(number)), FieldType::Number | FieldType::Int) => {
            // A native number is plain notation whatever the field's
            // local format (`decimal ","` is about strings).
            let text = number.to_string();
            read_cell(ty, &plain(&text), &PLAIN).map_err(|e| Unreadable {
                shown: text,
                expected: e.expected,
            })
        }
        (Some(Json::Bool(b)), FieldType::Bool) => Ok(Some(Value::Bool(*b))),
        (Some(Json::Array(items)), FieldType::List) => read_list(items),
        (Some(other), _) => Err(Unreadable {
            shown: other.to_string(),
            expected: expected(ty),
        }),
    }
}

/// A JSON number's text (kept as written) in plain notation: `1e+2` is
/// a valid JSON number, so it is read as 100 (a value past the largest
/// decimal stays as written, to be refused).
fn plain(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains(['e', 'E']) {
        return text.into();
    }
    match crate::value::Decimal::from_scientific(text) {
        Ok(value) => value.normalize().to_string().into(),
        Err(_) => text.into(),
    }
}

/// A JSON array of strings: items trimmed and empty ones dropped, as when
/// a CSV cell is split.
fn read_list(items: &[Json]) -> Result<Option<Value>, Unreadable> {
    let mut list = Vec::with_capacity(items.len());
    for item in items {
        let Json::String(text) = item else {
            return Err(Unreadable {
                shown: Json::Array(items.to_vec()).to_string(),
                expected: expected(FieldType::List),
            });
        };
        let text = text.trim();
        if !text.is_empty() {
            list.push(Value::Text(text.to_string()));
        }
    }
    Ok(Some(Value::List(list)))
}

/// What JSON a field type accepts, for messages.
fn expected(ty: FieldType) -> &'static str {
    match ty {
        FieldType::Text => "a JSON string",
        FieldType::Number => "a JSON number or a string such as \"2.5\"",
        FieldType::Int => "a whole JSON number or a string such as \"42\"",
        FieldType::Bool => "`true`, `false` or a string such as \"yes\"",
        FieldType::Date => "a string such as \"2026-11-22\"",
        FieldType::List => "an array of strings or a string such as \"a;b\"",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Decimal;
    use std::str::FromStr;

    fn read(ty: FieldType, json: &str) -> Result<Option<Value>, String> {
        let value: Json = serde_json::from_str(json).unwrap();
        read_json(ty, Some(&value), &Reading::default())
            .map_err(|e| format!("{} / {}", e.shown, e.expected))
    }

    fn num(text: &str) -> Option<Value> {
        Some(Value::Number(Decimal::from_str(text).unwrap()))
    }

    #[test]
    fn native_values_are_accepted_for_their_types() {
        assert_eq!(read(FieldType::Number, "12.5"), Ok(num("12.5")));
        assert_eq!(read(FieldType::Number, "0.1"), Ok(num("0.1")));
        assert_eq!(read(FieldType::Int, "-7"), Ok(num("-7")));
        assert_eq!(read(FieldType::Int, "1e2"), Ok(num("100")));
        assert_eq!(read(FieldType::Number, "-1.5E-3"), Ok(num("-0.0015")));
        assert_eq!(
            read(FieldType::Number, "1.0000000000000001"),
            Ok(num("1.0000000000000001"))
        );
        assert_eq!(read(FieldType::Int, "\" 7 \""), Ok(num("7")));
        assert_eq!(read(FieldType::Bool, "true"), Ok(Some(Value::Bool(true))));
        assert_eq!(read(FieldType::Text, "null"), Ok(None));
        assert_eq!(
            read(FieldType::List, "[\" a \", \"\"]"),
            Ok(Some(Value::List(vec![Value::Text("a".into())])))
        );
    }

    #[test]
    fn mismatches_are_refused_with_the_value_shown() {
        assert_eq!(
            read(FieldType::Int, "2.5"),
            Err("2.5 / a whole number, such as `42` or `-3`".into())
        );
        assert!(read(FieldType::Text, "12").is_err());
        assert!(read(FieldType::Bool, "1").is_err());
        assert!(read(FieldType::List, "[1]").is_err());
        assert!(read(FieldType::Number, "{}").is_err());
        assert!(read(FieldType::Number, "1e300").is_err());
    }
}
