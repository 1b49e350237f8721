//! Local formats read cells exactly as section 4 and docs/language.md say.

use super::*;
use crate::value::{read_cell, FieldType, ReadError, Value};
use std::str::FromStr;

fn number(decimal: char, thousands: Option<char>) -> Reading {
    Reading {
        sep: ";".into(),
        local: Local::Number(NumberFormat::new(decimal, thousands)),
    }
}

fn num(text: &str) -> Option<Value> {
    Some(Value::Number(Decimal::from_str(text).unwrap()))
}

fn day(y: i32, m: u32, d: u32) -> Result<Option<Value>, ReadError> {
    Ok(Some(Value::Date(Date::from_ymd_opt(y, m, d).unwrap())))
}

#[test]
fn a_decimal_comma_and_space_groups_read_european_numbers() {
    let how = number(',', Some(' '));
    let read = |cell: &str| read_cell(FieldType::Number, cell, &how);
    assert_eq!(read("1 200,50"), Ok(num("1200.50")));
    assert_eq!(read(" -1 200,5 "), Ok(num("-1200.5")));
    assert_eq!(read("+12"), Ok(num("12")));
    assert_eq!(read("1200,5"), Ok(num("1200.5")));
    assert_eq!(read("1 234 567"), Ok(num("1234567")));
    // No-break spaces (U+00A0, U+202F) are what spreadsheets write.
    assert_eq!(read("1\u{A0}200,50"), Ok(num("1200.50")));
    assert_eq!(read("12\u{202F}345,6"), Ok(num("12345.6")));
    assert_eq!(read("   "), Ok(None));
    for bad in [
        "1.200",
        "12,",
        ",5",
        "1 20",
        "1200 000",
        "1  200",
        "12.5",
        "1,2,3",
        "1 200,5 0",
        "-",
        "1e5",
        "1 200,-5",
        "- 1",
    ] {
        assert_eq!(
            read(bad),
            Err(ReadError {
                expected: "a number like `1 200,50` or `-3,5` (decimal mark `,`, thousands separated by a space)"
            }),
            "{bad:?} was accepted"
        );
    }
}

#[test]
fn a_dot_between_thousands_needs_groups_of_three() {
    let how = number(',', Some('.'));
    let read = |cell: &str| read_cell(FieldType::Number, cell, &how);
    assert_eq!(read("1.200"), Ok(num("1200")));
    assert_eq!(read("1.200,50"), Ok(num("1200.50")));
    assert!(read("1.20").is_err());
    assert!(read("1.2000").is_err());
    assert!(read("1200.000").is_err());
    let swiss = number('.', Some('\''));
    assert_eq!(
        read_cell(FieldType::Number, "1'200.5", &swiss),
        Ok(num("1200.5"))
    );
    assert_eq!(
        read_cell(FieldType::Number, "1\u{2019}200.5", &swiss),
        Ok(num("1200.5"))
    );
    let us = number('.', Some(','));
    assert_eq!(
        read_cell(FieldType::Number, "1,200.5", &us),
        Ok(num("1200.5"))
    );
    assert!(read_cell(FieldType::Number, "1,20", &us).is_err());
}

#[test]
fn ints_with_a_local_format_refuse_fractions() {
    let how = number(',', Some(' '));
    let read = |cell: &str| read_cell(FieldType::Int, cell, &how);
    assert_eq!(read("1 200"), Ok(num("1200")));
    assert_eq!(read("7,0"), Ok(num("7")));
    assert_eq!(
        read("2,5"),
        Err(ReadError {
            expected: "a whole number like `1 200` or `-3` (decimal mark `,`, thousands separated by a space)"
        })
    );
}

#[test]
fn local_numbers_keep_the_28_digit_limit() {
    let how = number(',', None);
    let read = |cell: &str| read_cell(FieldType::Number, cell, &how);
    assert!(read("1,00000000000000000000000000001").is_err());
    assert_eq!(read("0,1"), Ok(num("0.1")));
}

fn dates(layouts: &[&str]) -> Reading {
    let layouts = layouts.iter().map(|l| Layout::parse(l).unwrap()).collect();
    Reading {
        sep: ";".into(),
        local: Local::Date(DateFormats::new(layouts)),
    }
}

#[test]
fn date_layouts_are_tried_in_order_then_iso_and_rfc3339() {
    let how = dates(&["DD.MM.YYYY", "D/M/YYYY"]);
    let read = |cell: &str| read_cell(FieldType::Date, cell, &how);
    assert_eq!(read("22.11.2026"), day(2026, 11, 22));
    assert_eq!(read(" 1/2/2026 "), day(2026, 2, 1));
    assert_eq!(read("01/02/2026"), day(2026, 2, 1));
    assert_eq!(read("2026-11-20"), day(2026, 11, 20));
    assert_eq!(read("2026-11-20T23:30:00-02:00"), day(2026, 11, 21));
    let expected = "a date as `DD.MM.YYYY`, `D/M/YYYY` or `YYYY-MM-DD`, such as `22.11.2026`";
    for bad in [
        "31.02.2026",
        "1.1.2026",
        "22.11.26",
        "22.11.2026x",
        "123/1/2026",
        "00.01.0000",
    ] {
        assert_eq!(
            read(bad),
            Err(ReadError { expected }),
            "{bad:?} was accepted"
        );
    }
    let short = dates(&["D.M.YYYY"]);
    assert_eq!(
        read_cell(FieldType::Date, "1.1.2026", &short),
        day(2026, 1, 1)
    );
    assert_eq!(
        read_cell(FieldType::Date, "01.12.2026", &short),
        day(2026, 12, 1)
    );
}

#[test]
fn the_first_layout_giving_a_real_day_wins() {
    let how = dates(&["MM/DD/YYYY", "DD/MM/YYYY"]);
    let read = |cell: &str| read_cell(FieldType::Date, cell, &how);
    assert_eq!(read("02/03/2026"), day(2026, 2, 3));
    assert_eq!(read("13/03/2026"), day(2026, 3, 13));
    let compact = dates(&["YYYYMMDD"]);
    assert_eq!(
        read_cell(FieldType::Date, "20261122", &compact),
        day(2026, 11, 22)
    );
}

#[test]
fn layouts_that_cannot_be_read_say_why() {
    let problem = |text: &str| Layout::parse(text).unwrap_err().problem;
    assert_eq!(problem(""), "a layout cannot be empty");
    assert_eq!(problem("DD.MM.YY"), "`YY` is not a year");
    assert_eq!(problem("DDD.MM.YYYY"), "`DDD` is not a part of a layout");
    assert_eq!(problem("dd.mm.yyyy"), "`d` is not a part of a layout");
    assert_eq!(problem("DD.MM.YYYY hh"), "`h` is not a part of a layout");
    assert_eq!(problem("DD.MM.2026"), "`2` is not a part of a layout");
    assert_eq!(problem("MM.YYYY"), "`MM.YYYY` has no day");
    assert_eq!(
        problem("DD.MM.YYYY.DD"),
        "`DD.MM.YYYY.DD` has the day twice"
    );
    assert_eq!(
        problem("DMYYYY"),
        "`DMYYYY` has no separator after a part of one or two digits"
    );
    assert_eq!(
        Layout::parse("YYYY/M/D")
            .unwrap()
            .write(Date::from_ymd_opt(2026, 1, 5).unwrap()),
        "2026/1/5"
    );
}

fn words() -> Reading {
    let words = [
        ("ja", true),
        ("Kyllä", true),
        ("nej", false),
        (" ei ", false),
    ];
    let words: Vec<(String, bool)> = words.iter().map(|(w, b)| (w.to_string(), *b)).collect();
    Reading {
        sep: ";".into(),
        local: Local::Bool(BoolWords::new(&words)),
    }
}

#[test]
fn bool_words_are_read_ignoring_case_and_outer_spaces() {
    let how = words();
    let read = |cell: &str| read_cell(FieldType::Bool, cell, &how);
    for yes in ["ja", " JA ", "kyllä", "KYLLÄ", "yes", "1"] {
        assert_eq!(read(yes), Ok(Some(Value::Bool(true))), "{yes:?}");
    }
    for no in ["nej", "Nej", "EI", "no", "0"] {
        assert_eq!(read(no), Ok(Some(Value::Bool(false))), "{no:?}");
    }
    assert_eq!(
        read("jein"),
        Err(ReadError {
            expected: "`ja`, `Kyllä`, `nej`, `ei` or one of `true false yes no y n 1 0 t f`"
        })
    );
}
