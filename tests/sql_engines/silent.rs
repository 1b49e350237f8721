//! Models for differences that once passed silently: the engine gave a
//! result where Tally gives another (a regex folding `İ`, dates outside
//! years 1 to 9999, quotients and products past what an integer or a
//! `DECIMAL(38, 10)` holds). Each job's leads are the cases themselves.

use tally::value::{parse_date_literal, Date};

use super::harness::Job;

fn as_of() -> Date {
    parse_date_literal("2026-11-22").unwrap()
}

fn job(name: &str, model: &str, columns: &[&str], rows: &[&[&str]]) -> Job {
    Job {
        name: name.to_string(),
        model: model.to_string(),
        columns: columns.iter().map(|c| c.to_string()).collect(),
        rows: rows
            .iter()
            .map(|r| r.iter().map(|c| Some(c.to_string())).collect())
            .collect(),
        as_of: as_of(),
        engine_today: false,
    }
}

/// `(?i)` matches what Rust's regex matches: `k` the Kelvin sign, `s`
/// the long s, but `i` neither `İ` (U+0130) nor `ı` (U+0131), which
/// Java's `(?iu)` folds to `i`. And `^\+?1` (an escaped `+`, then a
/// greedy `?`), which the Snowflake translation took for a lazy `+?`.
pub fn regex() -> Job {
    let model = r#"fields {
  t: text
  p: text
}
group starts_i { when t matches "(?i)^i" add 1 "i" }
group letter { when t matches "(?i)[a-z]" add 1 "letter" }
group no_letter { when t matches "(?i)^[^a-z]+$" add 1 "no letter" }
group kelvin { when t matches "(?i)k|s" add 1 "k or s" }
group phone { when p matches "^\\+?1" add 1 "phone" }
"#;
    let texts = [
        "İ",
        "ı",
        "i",
        "I",
        "\u{212a}",
        "ſ",
        "k",
        "S",
        "x",
        "İstanbul",
        "ıI",
        "1",
        "-",
        "é",
    ];
    let phones = ["+1", "1", "+2", "++1", "1+", "x", "+", "21"];
    let rows: Vec<Vec<&str>> = texts
        .iter()
        .enumerate()
        .map(|(i, t)| vec![*t, phones[i % phones.len()]])
        .collect();
    let rows: Vec<&[&str]> = rows.iter().map(|r| r.as_slice()).collect();
    job("silent regex", model, &["t", "p"], &rows)
}

/// Date arithmetic whose result is before 0001-01-01 or after
/// 9999-12-31 is missing, as is a `within` window that starts before
/// year 1.
pub fn dates() -> Job {
    let model = r#"fields {
  d: date
}
group read { when d is present add days_since(d) "read" }
group day_before { when d is present add days_since(d - 1 day) "day before" }
group day_after { when d is present add days_since(d + 1 day) "day after" }
group week_before { when d is present add days_since(d - 2 weeks) "weeks before" }
group month_before { when d is present add days_since(d - 1 month) "month before" }
group month_after { when d is present add days_since(d + 1 month) "month after" }
group year_after { when d is present add days_since(d + 1 year) "year after" }
group twice { when d is present add days_since(d + 1 day - 1 day) "there and back" }
group far { when d is present add days_since(d + 20000 years) "far" }
group gone { when (d - 1 day) is missing add 1 "gone" }
group compared { when d - 1 month < 2000-01-01 add 1 "compared" }
group window { when not (d within 3000 years) add 1 "window" }
"#;
    let dates = [
        "0001-01-01",
        "0001-01-02",
        "0001-01-31",
        "0001-02-14",
        "9999-12-31",
        "9999-12-30",
        "9999-12-01",
        "9999-11-30",
        "9998-12-31",
        "2026-11-22",
        "0001-01-01T00:30:00+01:00",
        "9999-12-31T23:30:00-01:00",
        "",
    ];
    let rows: Vec<Vec<&str>> = dates.iter().map(|d| vec![*d]).collect();
    let rows: Vec<&[&str]> = rows.iter().map(|r| r.as_slice()).collect();
    job("silent dates", model, &["d"], &rows)
}

/// Every job above: none of them may differ from the interpreter.
pub fn jobs() -> Vec<Job> {
    vec![regex(), dates()]
}

/// Quotients and products of 10^18 or more, which failed the query
/// (DuckDB and Spark products, `DECIMAL(38, 20)`) or wrapped silently
/// (Spark's `div`, a `BIGINT`: `10^16 / 100` was `-84467440737095.5162`),
/// and products past `Decimal::MAX`, missing in Tally (PostgreSQL gave
/// them). Every result here is one SQL holds exactly: DuckDB, PostgreSQL
/// and Spark agree with the interpreter on every row. (Snowflake and
/// BigQuery keep their own forms: not run here.)
pub fn arithmetic() -> Vec<Job> {
    let quotients = r#"fields {
  x: number
  y: number
}
group quotient { when x is present add x / y "quotient" }
"#;
    let products = r#"fields {
  x: number
  y: number
}
group product { when x is present add x * y "product" }
group scaled { when x is present add x * y / 1000000000 "scaled" }
group large { when x * y > 1000000000000000000 add 1 "large" }
group square { when x is present add (x * x) / (y * y) "square" }
group constant { when x is present add 99999 * x "constant" }
group negated { when x is present add -x * 2 "negated" }
group by_constant { when x is present add x / 0.5 "by a constant" }
group by_hundred { when x is present add x / 100 "by a hundred" }
"#;
    let rows: &[&[&str]] = &[
        &["10000000000000000", "100"],
        &["-10000000000000000", "3"],
        &["999999999999999999", "0.5"],
        &["999999999999999999.9999999999", "-2"],
        &["1000000000", "1000000000"],
        &["999999999999999999", "1000"],
        &["-999999999999999999", "999999999"],
        &["123456789012345678", "12345.5"],
        &["100000000000000000", "100000000000000000"],
        &["-100000000000000000", "1000000000000"],
        &["1", "3"],
        &["-2", "3"],
        &["0.00005", "1"],
        &["-0.00005", "1"],
        &["1.5", "-2.5"],
        &["5", "0"],
        &["0", "0"],
        &["", "1"],
        &["1", ""],
    ];
    vec![
        job("silent quotients", quotients, &["x", "y"], rows),
        job("silent products", products, &["x", "y"], rows),
    ]
}

/// Results Tally holds and SQL does not: a product of 10^28 or more (up
/// to `Decimal::MAX`) in DuckDB and Spark, a quotient of 9·10^18 or
/// more in Spark. Those rows get a `tally_error` (`faulted` below); the
/// others, and the query, go on.
pub fn faults() -> Job {
    let model = r#"fields {
  x: number
  y: number
  z: number
  w: number
  v: number
}
group product { when x is present add x * y "product" }
group quotient { when x is present add x / y "quotient" }
group guarded { when x < 0 add v * v "guarded" }
if z * z > 1 then Big
else Small
tier grade {
  if w / 0.0000000001 > 1 then A
  else B
}
"#;
    let big = "100000000000000";
    let rows: &[&[&str]] = &[
        &[big, big, "", "", ""],
        &["100000000000000000", "0.001", "", "", ""],
        &["100000000000000000", "100000000000000000", "", "", ""],
        &["10", "20", "", "", ""],
        &["1", "1", big, "", ""],
        &["1", "1", "", "999999999999999999", ""],
        &["1", "1", "", "", big],
        &["-50000000000000", "1", "", "", big],
    ];
    job("silent faults", model, &["x", "y", "z", "w", "v"], rows)
}

/// The rows of [`faults`] an engine rejects, with the start of the
/// message each gets: products in a rule's points (row 0; row 7, where
/// the rule's condition holds, not row 6, where it does not), in the
/// stage ladder (row 4), a quotient in a tier (row 5), and in Spark a
/// quotient its `BIGINT` does not hold (row 1).
pub fn faulted(engine: &str) -> Vec<(usize, &'static str)> {
    let product = "a product past 10^28";
    match engine {
        "duckdb" => vec![
            (0, product),
            (4, product),
            (5, "a quotient past 10^28"),
            (7, product),
        ],
        "spark" => vec![
            (0, product),
            (1, "a quotient of 9·10^18 or more"),
            (4, product),
            (5, "a quotient of 9·10^18 or more"),
            (7, product),
        ],
        _ => vec![],
    }
}

/// A chain of products too long for its faults to be written out
/// (`arith::FAULT_INLINE`): ordinary rows are scored as the interpreter
/// scores them (the first job), and a row whose last product SQL does
/// not hold fails the query with the fault's message (the second),
/// rather than get a made-up number.
pub fn loud() -> Vec<Job> {
    let ones = " * 1".repeat(30);
    let model = format!(
        "fields {{\n  x: number\n  y: number\n}}\nwhen x is present add x{ones} * y \"chain\"\n"
    );
    let quiet: &[&[&str]] = &[&["2", "3"], &["100000000000000", "1000"], &["", "1"]];
    let loud: &[&[&str]] = &[&["100000000000000", "100000000000000"]];
    vec![
        job("loud chain, quiet rows", &model, &["x", "y"], quiet),
        job("loud chain", &model, &["x", "y"], loud),
    ]
}

/// Cells a CSV file quotes: line breaks, doubled quotes, commas, a
/// backslash before a quote; then plain rows, which a misread line break
/// would shift. For the Spark recipe of docs/sql.md.
pub fn csv_cells() -> Job {
    let model = r#"fields {
  id:   text required
  note: text
  n:    number
}
when note contains "line" add 1 "line"
when note == "say \"hi\"" add 2 "quote"
when note contains "," add 4 "comma"
when note ends with "\\" add 8 "backslash"
when n > 1 add n "n"
"#;
    let notes = [
        "line one\nline two",
        "say \"hi\"",
        "\"",
        "\"\"",
        "a,b",
        "back\\slash \\\"x\\\"",
        "ends with \\",
        "trailing line break\n",
        "\r\nline after CR LF",
        "",
        " spaced ",
        "plain",
    ];
    let mut rows: Vec<Vec<String>> = Vec::new();
    for i in 0..60 {
        let note = notes[i % notes.len()];
        rows.push(vec![
            format!("id{i}"),
            note.to_string(),
            format!("{}", i % 7),
        ]);
    }
    let rows: Vec<Vec<&str>> = rows
        .iter()
        .map(|r| r.iter().map(String::as_str).collect())
        .collect();
    let rows: Vec<&[&str]> = rows.iter().map(|r| r.as_slice()).collect();
    job("csv cells", model, &["id", "note", "n"], &rows)
}
