//! Reading values from text: lead cells (spec section 4) and literals.

use super::local::{exact, Local, Reading};
use super::{trim, Date, Decimal, FieldType, Value};

/// Why a cell could not be read as its field's type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError {
    /// What the value should have looked like, for the message (a local
    /// format's is made once per format, see `local::intern`).
    pub expected: &'static str,
}

/// Read one cell as `ty`, the way `how` says. `Ok(None)` is a missing
/// value.
pub fn read_cell(ty: FieldType, raw: &str, how: &Reading) -> Result<Option<Value>, ReadError> {
    if ty == FieldType::Text {
        return Ok((!raw.is_empty()).then(|| Value::Text(raw.to_string())));
    }
    let trimmed = trim(raw);
    if trimmed.is_empty() {
        return Ok(None);
    }
    // Fields without modifiers (`Local::Plain`) take section 4's plain
    // reading: one comparison more than before local formats existed.
    let value = match (ty, &how.local) {
        (FieldType::Text, _) => Value::Text(raw.to_string()),
        (FieldType::Number | FieldType::Int, Local::Number(format)) => {
            Value::Number(read_local_number(trimmed, ty == FieldType::Int, format)?)
        }
        (FieldType::Number, _) => Value::Number(read_number(trimmed)?),
        (FieldType::Int, _) => Value::Number(read_int(trimmed)?),
        (FieldType::Bool, Local::Bool(words)) => {
            let word = read_bool(trimmed).ok().or_else(|| words.read(trimmed));
            Value::Bool(word.ok_or(ReadError {
                expected: words.expected(),
            })?)
        }
        (FieldType::Bool, _) => Value::Bool(read_bool(trimmed)?),
        (FieldType::Date, Local::Date(formats)) => {
            let day = formats.read(trimmed).or_else(|| read_date(trimmed).ok());
            Value::Date(day.ok_or(ReadError {
                expected: formats.expected(),
            })?)
        }
        (FieldType::Date, _) => Value::Date(read_date(trimmed)?),
        (FieldType::List, _) => Value::List(read_list(trimmed, &how.sep)),
    };
    Ok(Some(value))
}

/// [`read_cell`] into `slot`, reusing the text and list memory it holds:
/// scoring many rows this way allocates nothing once warm.
pub fn read_cell_into(
    slot: &mut Option<Value>,
    ty: FieldType,
    raw: &str,
    how: &Reading,
) -> Result<(), ReadError> {
    match (ty, &mut *slot) {
        (FieldType::Text, Some(Value::Text(buf))) if !raw.is_empty() => {
            buf.clear();
            buf.push_str(raw);
        }
        (FieldType::List, Some(Value::List(items))) if !trim(raw).is_empty() => {
            let mut count = 0;
            list_items(raw, &how.sep, |part| {
                match items.get_mut(count) {
                    Some(Value::Text(buf)) => {
                        buf.clear();
                        buf.push_str(part);
                    }
                    _ => items.insert(count, Value::Text(part.to_string())),
                }
                count += 1;
            });
            items.truncate(count);
        }
        _ => *slot = read_cell(ty, raw, how)?,
    }
    Ok(())
}

/// Set `slot` to a copy of `value`, reusing the text and list memory it
/// holds (as [`read_cell_into`] does).
pub fn assign(slot: &mut Option<Value>, value: &Value) {
    match (&mut *slot, value) {
        (Some(Value::Text(buf)), Value::Text(text)) => {
            buf.clear();
            buf.push_str(text);
        }
        (Some(Value::List(items)), Value::List(from)) => {
            items.truncate(from.len());
            let kept = items.len();
            for (item, from) in items.iter_mut().zip(from) {
                match (item, from) {
                    (Value::Text(buf), Value::Text(text)) => {
                        buf.clear();
                        buf.push_str(text);
                    }
                    (item, from) => *item = from.clone(),
                }
            }
            items.extend(from.iter().skip(kept).cloned());
        }
        (slot, value) => *slot = Some(value.clone()),
    }
}

const NUMBER: &str = "a number in plain decimal notation, such as `42`, `-3` or `2.5`";
const INT: &str = "a whole number, such as `42` or `-3`";
const BOOL: &str = "one of `true false yes no y n 1 0 t f`";
const DATE: &str = "a date as `YYYY-MM-DD`, such as `2026-11-22` (or an RFC 3339 date-time)";

fn read_number(text: &str) -> Result<Decimal, ReadError> {
    // Fast path: a plain whole number that fits an i64.
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    if !digits.is_empty() && digits.len() <= 18 && digits.bytes().all(|b| b.is_ascii_digit()) {
        if let Ok(n) = text.strip_prefix('+').unwrap_or(text).parse::<i64>() {
            return Ok(Decimal::from(n));
        }
    }
    let error = ReadError { expected: NUMBER };
    let unsigned = text.strip_prefix(['+', '-']).unwrap_or(text);
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, "0"));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || !digits(fraction) {
        return Err(error);
    }
    Decimal::from_str_exact(text.strip_prefix('+').unwrap_or(text)).map_err(|_| error)
}

/// A number in a field's local format: put in plain notation, then read
/// as a plain number is (so the 28-digit limit and `int`'s whole-number
/// rule are the same).
fn read_local_number(
    text: &str,
    int: bool,
    format: &super::local::NumberFormat,
) -> Result<Decimal, ReadError> {
    let error = ReadError {
        expected: format.expected(int),
    };
    let number = format
        .plain(text)
        .and_then(|p| exact(&p))
        .ok_or(error.clone())?;
    whole_if(int, number).ok_or(error)
}

/// `number` itself, or for an `int` its whole value (`7.0` is 7) if it
/// has no fraction.
fn whole_if(int: bool, number: Decimal) -> Option<Decimal> {
    if !int || number.scale() == 0 {
        Some(number) // no fraction digits: the common case, cheaply
    } else {
        number.fract().is_zero().then(|| number.trunc())
    }
}

fn read_int(text: &str) -> Result<Decimal, ReadError> {
    let number = read_number(text).map_err(|_| ReadError { expected: INT })?;
    whole_if(true, number).ok_or(ReadError { expected: INT })
}

fn read_bool(text: &str) -> Result<bool, ReadError> {
    // Lower-case into a small buffer and match once (every row reads its
    // booleans, so ten case-insensitive comparisons add up).
    let mut word = [0u8; 5];
    for (out, b) in word.iter_mut().zip(text.bytes()) {
        *out = b.to_ascii_lowercase();
    }
    match word.get(..text.len()) {
        Some(b"true" | b"yes" | b"y" | b"1" | b"t") => Ok(true),
        Some(b"false" | b"no" | b"n" | b"0" | b"f") => Ok(false),
        _ => Err(ReadError { expected: BOOL }),
    }
}

fn read_date(text: &str) -> Result<Date, ReadError> {
    if let Some(date) = parse_date_literal(text) {
        return Ok(date);
    }
    // The UTC day, within the years every date has (1 to 9999, as date
    // literals and warehouses): `0001-01-01T00:30:00+01:00` falls in year
    // 0 and is as unreadable as `0000-01-01`.
    chrono::DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|moment| moment.naive_utc().date())
        .filter(|day| (1..=9999).contains(&chrono::Datelike::year(day)))
        .ok_or(ReadError { expected: DATE })
}

fn read_list(text: &str, sep: &str) -> Vec<Value> {
    let mut items = Vec::new();
    list_items(text, sep, |item| items.push(Value::Text(item.to_string())));
    items
}

/// Call `f` on each item of a list cell: split at `sep`, trimmed, empty
/// items dropped. A one-byte separator (the usual `;`) is found by a byte
/// loop: items are a few bytes long, shorter than a `memchr` call pays for
/// (and an ASCII byte never splits a character).
fn list_items(text: &str, sep: &str, mut f: impl FnMut(&str)) {
    let mut each = |part: &str| {
        let item = trim(part);
        if !item.is_empty() {
            f(item);
        }
    };
    match sep.as_bytes() {
        &[byte] if byte.is_ascii() => {
            let mut start = 0;
            for (i, b) in text.bytes().enumerate() {
                if b == byte {
                    each(text.get(start..i).unwrap_or_default());
                    start = i + 1;
                }
            }
            each(text.get(start..).unwrap_or_default());
        }
        _ => text.split(sep).for_each(&mut each),
    }
}

/// A strict `YYYY-MM-DD` calendar date; `None` if malformed or not a real day.
pub fn parse_date_literal(text: &str) -> Option<Date> {
    let bytes = text.as_bytes();
    let shape_ok = bytes.len() == 10
        && bytes.iter().enumerate().all(|(i, b)| match i {
            4 | 7 => *b == b'-',
            _ => b.is_ascii_digit(),
        });
    if !shape_ok {
        return None;
    }
    let year = text.get(0..4)?.parse().ok().filter(|y| *y >= 1)?;
    let month = text.get(5..7)?.parse().ok()?;
    let day = text.get(8..10)?.parse().ok()?;
    Date::from_ymd_opt(year, month, day)
}

/// A number literal of the language (`1_000_000`, `-2.5`); `None` if it does
/// not fit an exact decimal (more than 28 significant digits): never rounded.
pub fn parse_number_literal(text: &str) -> Option<Decimal> {
    let plain: String = text.chars().filter(|c| *c != '_').collect();
    Decimal::from_str_exact(&plain).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(ty: FieldType, raw: &str) -> Result<Option<Value>, ReadError> {
        static PLAIN: std::sync::LazyLock<Reading> = std::sync::LazyLock::new(Reading::default);
        read_cell(ty, raw, &PLAIN)
    }

    use std::str::FromStr;

    #[test]
    fn a_date_time_whose_utc_day_is_outside_years_1_to_9999_is_refused() {
        for outside in [
            "0000-01-01T00:00:00Z",
            "0000-06-01T00:00:00Z",
            "0001-01-01T00:30:00+01:00",
            "9999-12-31T23:00:00-05:00",
        ] {
            assert!(read(FieldType::Date, outside).is_err(), "{outside}");
        }
        let day = |text| read(FieldType::Date, text).unwrap();
        assert_eq!(day("0001-01-01T01:00:00+01:00"), day("0001-01-01"));
        assert_eq!(day("9999-12-31T23:00:00+05:00"), day("9999-12-31"));
    }

    #[test]
    fn too_many_digits_are_refused_not_rounded() {
        assert!(read(FieldType::Number, "1.00000000000000000000000000001").is_err());
        assert!(read(FieldType::Number, "99999999999999999999999999999999").is_err());
        assert_eq!(
            parse_number_literal("1.00000000000000000000000000001"),
            None
        );
        assert_eq!(
            parse_number_literal("1_000.5"),
            Decimal::from_str("1000.5").ok()
        );
    }

    fn num(text: &str) -> Value {
        Value::Number(Decimal::from_str(text).unwrap())
    }

    #[test]
    fn numbers_accept_plain_decimals_only() {
        assert_eq!(read(FieldType::Number, " +4 "), Ok(Some(num("4"))));
        assert_eq!(read(FieldType::Number, "-3.75"), Ok(Some(num("-3.75"))));
        assert_eq!(read(FieldType::Number, "   "), Ok(None));
        for bad in ["1e5", "1,000", "1_000", ".5", "5.", "abc", "--1", "+"] {
            assert!(read(FieldType::Number, bad).is_err(), "{bad} was accepted");
        }
    }

    #[test]
    fn ints_refuse_fractions() {
        assert_eq!(read(FieldType::Int, " 7 "), Ok(Some(num("7"))));
        assert_eq!(read(FieldType::Int, "7.0"), Ok(Some(num("7"))));
        assert!(read(FieldType::Int, "2.5").is_err());
    }

    #[test]
    fn bools_accept_every_spelling() {
        for yes in ["true", "YES", "y", "1", "T"] {
            assert_eq!(read(FieldType::Bool, yes), Ok(Some(Value::Bool(true))));
        }
        for no in ["False", "no", "N", "0", "f"] {
            assert_eq!(read(FieldType::Bool, no), Ok(Some(Value::Bool(false))));
        }
        assert!(read(FieldType::Bool, "maybe").is_err());
    }

    #[test]
    fn dates_take_the_utc_day_of_a_timestamp() {
        let day = |y, m, d| Ok(Some(Value::Date(Date::from_ymd_opt(y, m, d).unwrap())));
        assert_eq!(read(FieldType::Date, "2026-11-22"), day(2026, 11, 22));
        assert_eq!(
            read(FieldType::Date, "2026-11-20T23:30:00+02:00"),
            day(2026, 11, 20)
        );
        assert_eq!(
            read(FieldType::Date, "2026-11-20T23:30:00-02:00"),
            day(2026, 11, 21)
        );
        assert!(read(FieldType::Date, "2026-02-30").is_err());
        assert!(read(FieldType::Date, "2026-2-3").is_err());
    }

    #[test]
    fn lists_split_trim_and_drop_empty_items() {
        let list = read_cell(FieldType::List, " a ;; b|c ", &Reading::list(";")).unwrap();
        let items = vec![Value::Text("a".into()), Value::Text("b|c".into())];
        assert_eq!(list, Some(Value::List(items)));
        let piped = read_cell(FieldType::List, "a|b", &Reading::list("|")).unwrap();
        assert_eq!(
            piped,
            Some(Value::List(vec![
                Value::Text("a".into()),
                Value::Text("b".into())
            ]))
        );
    }

    #[test]
    fn reading_into_a_slot_matches_reading_afresh() {
        let cases = [
            (FieldType::Text, " a "),
            (FieldType::Text, ""),
            (FieldType::List, "a; b;;c"),
            (FieldType::List, "x"),
            (FieldType::List, " "),
            (FieldType::Number, "2.5"),
            (FieldType::Text, "longer text"),
        ];
        let mut slot = None;
        for (ty, raw) in cases {
            let how = Reading::default();
            read_cell_into(&mut slot, ty, raw, &how).unwrap();
            assert_eq!(slot, read_cell(ty, raw, &how).unwrap(), "{ty:?} {raw:?}");
        }
    }

    #[test]
    fn text_is_kept_as_is_and_only_empty_is_missing() {
        assert_eq!(
            read(FieldType::Text, " x "),
            Ok(Some(Value::Text(" x ".into())))
        );
        assert_eq!(read(FieldType::Text, ""), Ok(None));
    }
}
