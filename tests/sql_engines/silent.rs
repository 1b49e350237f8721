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
