//! Reading text cells the way Tally reads them (spec section 4 and
//! `value::read_cell`): trimmed of Unicode whitespace (text kept as is),
//! empty is missing, then each type's accepted spellings. A cell Tally
//! would reject gives no value and names itself in `tally_error`.

use super::{read_local, Dialect};
use crate::check::model::Field;
use crate::value::local::Local;
use crate::value::FieldType;

/// Characters Rust's `str::trim` removes (Unicode `White_Space`).
pub(super) const WHITESPACE: &[u32] = &[
    0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004,
    0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000,
];

/// The SQL text of the whitespace set, as `chr()` calls or, in Spark
/// (whose `chr` stops at 255), `\u` escapes: none of these characters is
/// visible, so none is written literally. BigQuery's `CHR` takes any code
/// point: `chr()` calls there too (see `Dialect::text`).
pub(super) fn whitespace(d: Dialect) -> String {
    if d == Dialect::Spark {
        let escapes: String = WHITESPACE.iter().map(|c| format!("\\u{c:04x}")).collect();
        return format!("'{escapes}'");
    }
    let parts: Vec<String> = WHITESPACE.iter().map(|c| format!("chr({c})")).collect();
    parts.join(" || ")
}

/// How one field is read: its cell, its value and the checks that make a
/// row rejected, in the order the interpreter makes them.
pub(super) struct FieldRead {
    /// The cell: text as is (NULL when empty), other types trimmed (NULL
    /// when empty after trimming).
    pub cell: String,
    /// The typed value, from `tally_cells.<name>`.
    pub value: String,
    /// `(condition, message)`, the message an SQL text expression: the
    /// first that holds names the row's fault.
    pub checks: Vec<(String, String)>,
    /// For a `bool` field with extra words: its cell folded, for the
    /// `tally_words` layer its value reads.
    pub words: Option<String>,
}

/// Digits before and after the point a cell may have outside
/// PostgreSQL: `DECIMAL(38, 10)` holds 28 before it, and arithmetic
/// results go up to 10^28 (`arith.rs`, `Dialect::divide`).
const DUCKDB_DIGITS: (u32, u32) = (18, 10);

pub(super) fn field(d: Dialect, f: &Field, source: &str, cell: &str) -> FieldRead {
    let present = format!("{cell} IS NOT NULL");
    let mut checks = Vec::new();
    let fault = |reason: &str| d.text(&format!("column {:?}: {reason}", f.column));
    let ty = f.ty.keyword();
    let unreadable = fault(&format!("cannot read as {ty}"));
    let matches = |pattern: &str| d.regex_match(cell, pattern);
    let mut folded_cell = None;
    let (read_cell, value) = match f.ty {
        FieldType::Text => (format!("NULLIF({source}, '')"), cell.to_string()),
        FieldType::Number | FieldType::Int => {
            let int = f.ty == FieldType::Int;
            let outside = format!(
                "{ty} outside what SQL holds exactly ({} digits before the point, {} after)",
                DUCKDB_DIGITS.0, DUCKDB_DIGITS.1
            );
            if d != Dialect::Postgres && !matches!(f.read.local, Local::Number(_)) {
                let (shape, both) = plain_number(int);
                let (shape, both) = (matches(shape), matches(&both));
                // One regex per cell on the common path (a cell that can be
                // read and fits); `shape` only for a cell that fails.
                let failed = format!("{present} AND NOT {both}");
                if d == Dialect::DuckDb {
                    // One arm: DuckDB evaluates each arm's condition anew
                    // (no common subexpressions inside a `CASE`), and the
                    // pushed-down `tally_error IS NULL` computes the arms
                    // twice; two arms cost four regexes a cell.
                    let why = format!(
                        "CASE WHEN {shape} THEN {} ELSE {unreadable} END",
                        fault(&outside)
                    );
                    checks.push((failed, why));
                } else {
                    checks.push((format!("{failed} AND NOT {shape}"), unreadable));
                    checks.push((failed, fault(&outside)));
                }
                let cast = d.try_cast(cell, &d.number_type());
                // DuckDB reads the checks' layer (`query::inputs`, a layer
                // of its own there): a row without `tally_error` has every
                // cell matching `both`, so the cast is the value, with no
                // third regex. A rejected row's values are NULL; nothing
                // reads them (its outputs are masked, its events and
                // account key left out).
                let value = if d == Dialect::DuckDb {
                    format!("CASE WHEN tally_checks.tally_error IS NULL THEN {cast} END")
                } else {
                    format!("CASE WHEN {both} THEN {cast} END")
                };
                (trimmed(d, source), value)
            } else {
                // `shape`: the cell can be read; `text`: it in plain notation.
                let (shape, text) = match &f.read.local {
                    Local::Number(format) => {
                        let local = read_local::number(d, format, int, cell);
                        (local.shape, local.plain)
                    }
                    _ => (matches(plain_number(int).0), cell.to_string()),
                };
                checks.push((format!("{present} AND NOT {shape}"), unreadable));
                let cast = d.try_cast(&text, &d.number_type());
                let mut value = format!("CASE WHEN {shape} THEN {cast} END");
                if d != Dialect::Postgres {
                    // PostgreSQL's NUMERIC holds any decimal; DuckDB's is bounded.
                    let fits = d.regex_match(&text, &fits_pattern());
                    checks.push((format!("{present} AND NOT {fits}"), fault(&outside)));
                    value = format!("CASE WHEN {fits} THEN {value} END");
                }
                (trimmed(d, source), value)
            }
        }
        FieldType::Bool => {
            let lower = format!("lower({cell})");
            let mut yes = format!("{lower} IN ('true', 'yes', 'y', '1', 't')");
            let mut no = format!("{lower} IN ('false', 'no', 'n', '0', 'f')");
            if let Local::Bool(words) = &f.read.local {
                // Words are folded as text comparison folds them; the
                // folded cell is a layer of its own (`tally_words`): the
                // folding is a deep expression, and nested here it would
                // be too deep for sqlglot, which translates the queries.
                folded_cell = Some(d.fold(cell, "tally_consts.ws"));
                let folded = format!("tally_words.{}", d.ident(&f.name));
                for (test, meaning) in [(&mut yes, true), (&mut no, false)] {
                    if let Some(list) = read_local::words(d, words, meaning) {
                        *test = format!("({test} OR {folded} IN {list})");
                    }
                }
            }
            checks.push((format!("{present} AND NOT ({yes} OR {no})"), unreadable));
            let value = format!("CASE WHEN {yes} THEN TRUE WHEN {no} THEN FALSE END");
            (trimmed(d, source), value)
        }
        FieldType::Date => {
            let day = format!("tally_days.{}", d.ident(&f.name));
            let shift = format!("tally_shifts.{}", d.ident(&f.name));
            // A shift past the first or last day leaves years 1 to 9999:
            // `0001-01-01T00:30:00+01:00` is unreadable, as in Tally.
            let beyond = format!(
                "({shift} = -1 AND {day} = '0001-01-01') OR ({shift} = 1 AND {day} = '9999-12-31')"
            );
            let missing = format!("{day} IS NULL OR {shift} IS NULL OR {beyond}");
            checks.push((format!("{present} AND ({missing})"), unreadable));
            let value = format!(
                "CASE WHEN NOT ({missing}) THEN {} END",
                d.add_days(&d.try_cast(&day, "DATE"), &shift)
            );
            (trimmed(d, source), value)
        }
        FieldType::List => {
            let value = format!(
                "CASE WHEN {cell} IS NOT NULL THEN {} END",
                d.split_list(cell, &f.read.sep, "tally_consts.ws")
            );
            (trimmed(d, source), value)
        }
    };
    if f.required {
        checks.push((
            format!("{cell} IS NULL"),
            fault(&format!("no value, but field `{}` is required", f.name)),
        ));
    }
    FieldRead {
        cell: read_cell,
        value,
        checks,
        words: folded_cell,
    }
}

/// A number in plain notation that fits `DECIMAL(38, 10)`: at most
/// [`DUCKDB_DIGITS`] digits before the point (after leading zeros) and
/// after it (before trailing zeros).
fn fits_pattern() -> String {
    let (before, after) = DUCKDB_DIGITS;
    format!(r"^[+-]?0*[0-9]{{1,{before}}}([.][0-9]{{1,{after}}}0*)?$")
}

/// The plain spelling of an int or a number (`shape`), and the one that
/// both has that shape and fits ([`fits_pattern`]): for a number, every
/// text that fits has the shape; for an int, the fraction must be zeros.
fn plain_number(int: bool) -> (&'static str, String) {
    if int {
        let before = DUCKDB_DIGITS.0;
        let both = format!(r"^[+-]?0*[0-9]{{1,{before}}}([.]0+)?$");
        (r"^[+-]?[0-9]+([.]0+)?$", both)
    } else {
        (r"^[+-]?[0-9]+([.][0-9]+)?$", fits_pattern())
    }
}

/// The cell trimmed of whitespace, NULL when nothing is left.
fn trimmed(d: Dialect, source: &str) -> String {
    format!("NULLIF({}, '')", d.trim(source, "tally_consts.ws"))
}

/// A day, or a date-time with its offset (RFC 3339; like chrono, `T`, `t`
/// or a space between date and time).
const DATE_SHAPE: &str = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}([Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2}))?$";

/// [`DATE_SHAPE`] with a valid clock and offset: hours to 23, minutes to
/// 59, seconds to 60 (a leap second).
const CLOCKED_DATE_SHAPE: &str = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}([Tt ]([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)([.][0-9]+)?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9]))?$";

/// How a date cell is read, in two layers: its day (`YYYY-MM-DD`, NULL
/// unless the cell has a date's shape and names a real day of years 1 to
/// 9999) and its shift in days from that day to the UTC day (0 for a
/// plain day; NULL for an impossible clock). Nested `CASE`s keep every
/// cast behind the shape check that makes it safe.
pub(super) struct DateRead {
    pub day: String,
    pub shift: String,
}

/// A field's date cells: its `format` layouts first, in order, then as
/// [`date`] reads them (a layout's day has no time, so no shift).
pub(super) fn field_date(d: Dialect, f: &Field, cell: &str) -> DateRead {
    let iso = date(d, cell, &format!("tally_days.{}", d.ident(&f.name)));
    let Local::Date(formats) = &f.read.local else {
        return iso;
    };
    let local = read_local::date_day(d, formats, cell);
    DateRead {
        shift: format!(
            "CASE WHEN {local} IS NOT NULL THEN 0 ELSE {} END",
            iso.shift
        ),
        day: format!("COALESCE({local}, {})", iso.day),
    }
}

/// Whether year `y`, month `m` and day `day` (integers) name a real day
/// of years 1 to 9999 (the caller has checked the year has four digits).
pub(super) fn real_day(d: Dialect, y: &str, m: &str, day: &str) -> String {
    let last = format!(
        "CASE WHEN {m} IN (4, 6, 9, 11) THEN 30 WHEN {m} = 2 THEN CASE WHEN ({} = 0 AND {} <> 0) OR {} = 0 THEN 29 ELSE 28 END ELSE 31 END",
        d.modulo(y, 4),
        d.modulo(y, 100),
        d.modulo(y, 400)
    );
    format!("{y} >= 1 AND {m} BETWEEN 1 AND 12 AND {day} BETWEEN 1 AND {last}")
}

/// The day and shift of `cell`. The shift is read after the day (in
/// `day_column`) and only matters where the day is not NULL: a NULL day
/// spares it the shape test again.
pub(super) fn date(d: Dialect, cell: &str, day_column: &str) -> DateRead {
    let num = |from: usize, len: usize| d.digits_to_int(&format!("substr({cell}, {from}, {len})"));
    let (y, m, day) = (num(1, 4), num(6, 2), num(9, 2));
    let real_day = real_day(d, &y, &m, &day);
    let (hh, mi, ss) = (num(12, 2), num(15, 2), num(18, 2));
    let zone = format!("substr({cell}, length({cell}) - 5, 6)");
    let utc = format!("upper(right({cell}, 1)) = 'Z'");
    let (oh, om) = (
        d.digits_to_int(&format!("substr({zone}, 2, 2)")),
        d.digits_to_int(&format!("substr({zone}, 5, 2)")),
    );
    let sign = format!("CASE WHEN substr({zone}, 1, 1) = '-' THEN -1 ELSE 1 END");
    // `CASE`, not `OR`: the offset's digits exist only without `Z`.
    let offset = format!("CASE WHEN {utc} THEN 0 ELSE {sign} * ({oh} * 60 + {om}) END");
    let zone_ok = format!("CASE WHEN {utc} THEN TRUE ELSE {oh} <= 23 AND {om} <= 59 END");
    let minutes = format!("{hh} * 60 + {mi} - ({offset})");
    let shape = d.regex_match(cell, DATE_SHAPE);
    // DuckDB's own cast takes exactly the real days of the proleptic
    // Gregorian calendar once the shape is checked, and costs a fraction
    // of the ten digit casts of `real_day` (the date layers were 10% of
    // the 1M-row benchmark); year 0 is 1 BC to it, and not a day to Tally.
    let real_day = match d {
        Dialect::DuckDb => format!(
            "NOT starts_with({cell}, '0000') AND {} IS NOT NULL",
            d.try_cast(&format!("substr({cell}, 1, 10)"), "DATE")
        ),
        _ => real_day,
    };
    let day =
        format!("CASE WHEN {shape} THEN CASE WHEN {real_day} THEN substr({cell}, 1, 10) END END");
    if d == Dialect::DuckDb {
        // The clock's ranges are in the shape (a wrong clock is no day), and
        // the shift is `minutes` floored to whole days (`minutes` lies in
        // -1439 to 2878), written once: the range tests and the two
        // comparisons cast the clock's digits again and again (the shift
        // layer fell from 0.31 to 0.12 s of the 1M-row benchmark).
        let shape = d.regex_match(cell, CLOCKED_DATE_SHAPE);
        return DateRead {
            day: format!("CASE WHEN {shape} THEN CASE WHEN {real_day} THEN substr({cell}, 1, 10) END END"),
            shift: format!(
                "CASE\n      WHEN {day_column} IS NULL THEN NULL\n      WHEN length({cell}) = 10 THEN 0\n      ELSE ({minutes} + 1440) // 1440 - 1\n    END"
            ),
        };
    }
    DateRead {
        day,
        shift: format!(
            "CASE\n      WHEN {day_column} IS NULL THEN NULL\n      WHEN length({cell}) = 10 THEN 0\n      WHEN {hh} > 23 OR {mi} > 59 OR {ss} > 60 OR NOT ({zone_ok}) THEN NULL\n      WHEN {minutes} < 0 THEN -1\n      WHEN {minutes} >= 1440 THEN 1\n      ELSE 0\n    END"
        ),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    /// Every text over digits, signs, points and a letter, up to 7
    /// characters, and long runs of digits around the 18 and 10 digit
    /// bounds: `both` holds exactly where the shape and the bound do.
    #[test]
    fn one_pattern_reads_and_bounds_a_plain_number() {
        let mut texts = vec![String::new()];
        let mut layer = vec![String::new()];
        for _ in 0..7 {
            layer = (layer.iter())
                .flat_map(|t| ["0", "1", "+", "-", ".", "x"].map(|c| format!("{t}{c}")))
                .collect();
            texts.extend(layer.iter().cloned());
        }
        for n in [17, 18, 19, 20] {
            let digits = "9".repeat(n);
            for t in [
                digits.clone(),
                format!("00{digits}"),
                format!("-{digits}.0"),
                format!("1.{digits}"),
                format!("1.{}00", "5".repeat(n - 8)),
                format!("{}.{}", "1".repeat(n), "0".repeat(n)),
            ] {
                texts.push(t);
            }
        }
        let fits = regex::Regex::new(&fits_pattern()).unwrap();
        for int in [true, false] {
            let (shape, both) = plain_number(int);
            let (shape, both) = (
                regex::Regex::new(shape).unwrap(),
                regex::Regex::new(&both).unwrap(),
            );
            for t in &texts {
                let expected = shape.is_match(t) && fits.is_match(t);
                assert_eq!(both.is_match(t), expected, "{t:?}, int: {int}");
            }
        }
    }
}
