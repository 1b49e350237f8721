//! The help of `tally::incomparable` and `tally::expected_list`: which
//! fix suits the two sides, rendered with the text they are written with.

use std::fmt;

/// A fix for a comparison of two incomparable values; `left` and `right`
/// are the sides as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CompareHint {
    /// A number compared with text.
    QuotedNumber,
    /// A date compared with text.
    QuotedDate,
    /// A date written the local way (`10/23/2026`), read as a division.
    LocalDate { text: String },
    /// Text compared with a list: `in` was meant.
    In { left: String, right: String },
    /// A list field compared with a list: `contains any` was meant.
    ContainsAny { left: String, right: String },
    /// A list field compared with anything else.
    Contains { left: String },
    /// A number compared with a list.
    NumberIn { left: String },
    /// A number compared with a duration.
    DaysAlready,
    /// A date compared with a duration.
    Within { left: String },
    /// An ordering operator (its symbol) on values it cannot order.
    Ordering { symbol: String },
}

impl fmt::Display for CompareHint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::QuotedNumber => {
                f.write_str("numbers are written without quotes, e.g. `employees > 50`")
            }
            Self::QuotedDate => f.write_str("dates are written without quotes, e.g. `2026-11-22`"),
            Self::LocalDate { text } => write!(
                f,
                "dates are written year first, {}: `{text}` is read as arithmetic",
                iso_date(text)
            ),
            Self::In { left, right } => write!(
                f,
                "to test whether `{left}` is one of several values, write `{left} in {right}`"
            ),
            Self::ContainsAny { left, right } => write!(
                f,
                "to test a list field against several values, write `{left} contains any {right}`"
            ),
            Self::Contains { left } => {
                write!(f, "to test a list field, write `{left} contains \"pricing\"`")
            }
            Self::NumberIn { left } => write!(
                f,
                "`{left}` is a number, so list numbers (`{left} in [50, 100]`) or use `between`"
            ),
            Self::DaysAlready => f.write_str("`days_since(…)` is already a number of days: compare it with a plain number, e.g. `> 90`"),
            Self::Within { left } => {
                write!(f, "to test a recent date, write `{left} within 30 days`")
            }
            Self::Ordering { symbol } => write!(f, "`{symbol}` compares numbers or dates"),
        }
    }
}

/// How a local date is written in Tally: `2026-10-23` when the order of
/// day and month is clear, both readings when it is not.
fn iso_date(text: &str) -> String {
    let groups: Vec<u32> = text
        .split(['/', '.'])
        .filter_map(|g| g.trim().parse().ok())
        .collect();
    let iso = |y: u32, m: u32, d: u32| format!("`{y:04}-{m:02}-{d:02}`");
    match groups.as_slice() {
        [y, m, d] if *y > 31 => iso(*y, *m, *d),
        [a, b, y] if *a > 12 => iso(*y, *b, *a),
        [a, b, y] if *b > 12 => iso(*y, *a, *b),
        [a, b, y] => format!("{} (or {})", iso(*y, *a, *b), iso(*y, *b, *a)),
        _ => "`2026-11-22`".to_string(),
    }
}

/// A fix for a value where a list was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListHint {
    /// `x in y` with one value: `==` was meant.
    OneValue { needle: String, value: String },
    /// `contains any`/`contains all` (`op`) without brackets.
    Brackets { left: String, op: String },
}

impl fmt::Display for ListHint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::OneValue { needle, value } => {
                write!(f, "to compare with one value, write `{needle} == {value}`")
            }
            Self::Brackets { left, op } => write!(
                f,
                "put the items in brackets: `{left} {op} [pricing, demo]`; list fields hold text"
            ),
        }
    }
}
