//! Cells at the edges of the shortcuts the DuckDB query takes to read
//! them: a day checked by the engine's own date cast (century leap years,
//! year 0, impossible days, date-times whose UTC day leaves years 1 to
//! 9999), and a number read and bounded by one regex
//! (an int's zero fraction, the 18 digits before the point and 10 after,
//! leading and trailing zeros). Each row is one int, one number and one
//! date cell; every row's `tally_error` and score must be Tally's. Cells
//! past those bounds are not here: SQL rejects them where Tally does not
//! (docs/sql.md, "Limits"), so no engine can agree on them.

use tally::value::parse_date_literal;

use super::harness::Job;

const INTS: &[&str] = &[
    "7",
    "+7",
    "-0",
    "5.000000000000000",
    "5.50",
    "5.",
    ".5",
    "1e3",
    "123456789012345678",
    "0000123456789012345678",
    "-123456789012345678.0",
    "",
];

const NUMBERS: &[&str] = &[
    "0.5",
    "1.1234567890",
    "1.12345678900000",
    "999999999999999999.9999999999",
    "-0.0000000001",
    "1,5",
    "1e-3",
    "+.5",
    "",
];

const DATES: &[&str] = &[
    "1900-02-29",
    "2000-02-29",
    "2100-02-29",
    "2024-02-29",
    "2023-02-29",
    "0000-02-29",
    "0000-01-01",
    "0001-01-01",
    "0400-02-29",
    "2023-04-31",
    "2023-04-30",
    "2023-00-10",
    "2023-01-00",
    "2023-12-32",
    "9999-12-31",
    "2023-06-15T10:00:00Z",
    "2023-02-29T10:00:00Z",
    // UTC days outside years 1 to 9999: refused, as `0000-01-01` is.
    "0000-01-01T00:00:00Z",
    "0001-01-01T00:30:00+01:00",
    "0001-01-01T01:00:00+01:00",
    "9999-12-31T23:00:00-05:00",
    "9999-12-31T23:00:00+05:00",
    "",
];

pub fn job() -> Job {
    let model = r#"fields {
  i: int
  n: number
  d: date
}
group ints { when i is present add i "i" }
group numbers { when n is present add n "n" }
group days { when d is present add days_since(d) "d" }
"#
    .to_string();
    let mut rows = Vec::new();
    for (k, d) in DATES.iter().enumerate() {
        for (j, n) in NUMBERS.iter().enumerate() {
            let i = INTS[(k + j) % INTS.len()];
            rows.push([i, n, d].iter().map(|c| Some(c.to_string())).collect());
        }
    }
    // Each int with a readable number and date, so its own check decides.
    for i in INTS {
        rows.push(vec![
            Some(i.to_string()),
            Some("1".into()),
            Some("2026-01-01".into()),
        ]);
    }
    Job {
        name: "cells".to_string(),
        model,
        columns: ["i", "n", "d"].iter().map(|c| c.to_string()).collect(),
        rows,
        as_of: parse_date_literal("2026-11-22").unwrap(),
        engine_today: false,
    }
}

/// Int and number cells past what SQL holds (18 digits before the point,
/// 10 after), which `tally score` reads, among cells both read or both
/// refuse: only the rows of [`OUTSIDE`] may differ, each with its
/// `tally_error`, and the query goes on.
pub fn outside() -> Job {
    let model = "fields {\n  i: int\n  n: number\n}\n\
        group ints { when i is present add i \"i\" }\n\
        group numbers { when n is present add n \"n\" }\n"
        .to_string();
    let rows: &[[&str; 2]] = &[
        ["1234567890123456789", "1"],
        ["12345678901234567890.5", ""],
        ["7", "1.12345678901"],
        ["7", "1000000000000000000"],
        ["1234567890123456789.0", "1.5"],
        ["00000000000000000000012", "0.10000000000000000000"],
        ["x", "1e400"],
        ["-123456789012345678", "-999999999999999999.9999999999"],
    ];
    Job {
        name: "cells outside".to_string(),
        model,
        columns: vec!["i".to_string(), "n".to_string()],
        rows: rows
            .iter()
            .map(|r| r.iter().map(|c| Some(c.to_string())).collect())
            .collect(),
        as_of: parse_date_literal("2026-11-22").unwrap(),
        engine_today: false,
    }
}

/// The rows of [`outside`] SQL refuses, and the column each names.
pub const OUTSIDE: &[(usize, &str, &str)] = &[
    (0, "i", "int"),
    (2, "n", "number"),
    (3, "n", "number"),
    (4, "i", "int"),
];

/// What may pad a cell: nothing, Tally's white space (the space
/// separators DuckDB's plain `trim` removes, and the others it leaves:
/// tabs and line breaks, U+0085, U+2028, U+2029), mixes of both, and
/// characters that are not white space (controls, U+180E, U+200B, a
/// letter outside ASCII).
const PADS: &[&str] = &[
    "",
    " ",
    "\t",
    "\r\n",
    "\u{85}",
    "\u{a0}",
    "\u{2028}",
    "\u{2029}",
    "\u{3000}",
    " \t ",
    "\u{85} ",
    " \u{2028}\u{a0}",
    "\u{1}",
    "\u{7f}",
    "\u{180e}",
    "\u{200b}",
    "é",
];

/// Every field type's cell padded with every pair of [`PADS`] (one field
/// padded a row, the others plain): the DuckDB query trims with the plain
/// `trim` and tests what is left at each end before the full white space
/// set (`Dialect::trim`, `Dialect::trim_ascii`); each row's `tally_error`
/// and score must be Tally's.
pub fn padding() -> Job {
    let model = r#"fields {
  i: int
  n: number
  b: bool
  d: date
  t: text
  l: list
}
group all {
  when i is present add i "i"
  when n is present add n "n"
  when b add 4 "b"
  when d is present add days_since(d) "d"
  when t == "ceo" add 8 "t"
  when t starts with "ce" add 32 "t start"
  when l contains "b" add 16 "l"
  when count(l) >= 2 add 64 "l count"
}
"#
    .to_string();
    let plain = ["5", "1.5", "yes", "2026-11-01", "CEO", "a;B"];
    let mut rows = Vec::new();
    for field in 0..plain.len() {
        for before in PADS {
            for after in PADS {
                let row = plain.iter().enumerate().map(|(k, cell)| {
                    Some(if k == field {
                        format!("{before}{cell}{after}")
                    } else {
                        cell.to_string()
                    })
                });
                rows.push(row.collect());
            }
        }
    }
    Job {
        name: "padding".to_string(),
        model,
        columns: ["i", "n", "b", "d", "t", "l"]
            .iter()
            .map(|c| c.to_string())
            .collect(),
        rows,
        as_of: parse_date_literal("2026-11-22").unwrap(),
        engine_today: false,
    }
}

/// DuckDB's plan (`EXPLAIN (FORMAT json)`) of `model`'s query over a
/// table `leads` of `columns` (no rows), filtered as the benchmark
/// filters it: `WHERE tally_error IS NULL`.
pub fn duckdb_filtered_plan(model: &str, columns: &[&str]) -> String {
    let compiled = tally::compile(&tally::source::Source::new("plan", model.to_string()));
    let model = compiled.model.unwrap();
    let options = tally::sql::SqlOptions {
        dialect: tally::sql::Dialect::DuckDb,
        table: "leads".to_string(),
        as_of: Some(parse_date_literal("2026-11-22").unwrap()),
        explain: false,
        events_tables: Vec::new(),
    };
    let sql = tally::sql::compile_sql(&model, &options).unwrap();
    let query = sql.trim().trim_end_matches(';');
    let payload = serde_json::json!({
        "table": "leads",
        "columns": columns,
        "rows": [],
        "sql": format!("EXPLAIN (FORMAT json) SELECT * FROM ({query}\n) WHERE tally_error IS NULL"),
    });
    let (results, _) = super::harness::drive("duckdb", &[payload]);
    let rows = results[0]["rows"]
        .as_array()
        .unwrap_or_else(|| panic!("{results:?}"));
    rows.iter()
        .map(|row| row[1].as_str().unwrap_or_default().to_string())
        .collect()
}
