//! What makes two leads one account: their grouping field equal under
//! `==`, whatever its type (text folded, numbers by value, dates, bools);
//! a missing value or a rejected row is in no account.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

#[path = "support/cli.rs"]
mod cli;

use cli::{tally, text};

const LEADS: &str = "id,n,d,b\n\
1,1.0,2026-01-01,true\n\
2,1,2026-01-01,yes\n\
3,01.00,,FALSE\n\
4,,2026-01-01,\n\
5,2,2026-1-2,no\n";

/// The model grouping by `by` (a field of type `ty` among `n`, `d`, `b`).
fn model(by: &str) -> String {
    format!(
        "fields {{\n  id: text required\n  n: number\n  d: date\n  b: bool\n}}\n\
         account by {by} {{\n  let people = count(leads)\n}}\n\
         when account.people >= 2 add 10 \"Pair\"\n"
    )
}

fn scored(by: &str) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("m.tally"), model(by)).unwrap();
    std::fs::write(dir.path().join("leads.csv"), LEADS).unwrap();
    let out = tally(dir.path(), &["score", "m.tally", "leads.csv"]);
    (out.status.code(), text(&out.stdout))
}

#[test]
fn leads_with_equal_numbers_are_one_account() {
    assert_eq!(
        scored("n"),
        (
            Some(0),
            "id,n,d,b,score,account.people\n\
             1,1.0,2026-01-01,true,10,3\n\
             2,1,2026-01-01,yes,10,3\n\
             3,01.00,,FALSE,10,3\n\
             4,,2026-01-01,,0,\n\
             5,2,2026-1-2,no,0,1\n"
                .to_string()
        )
    );
}

#[test]
fn leads_with_equal_dates_are_one_account() {
    // `2026-1-2` is not a date: the row is rejected, in no account.
    let (status, out) = scored("d");
    assert_eq!(status, Some(1));
    assert_eq!(
        out,
        "id,n,d,b,score,account.people\n\
         1,1.0,2026-01-01,true,10,3\n\
         2,1,2026-01-01,yes,10,3\n\
         3,01.00,,FALSE,0,\n\
         4,,2026-01-01,,10,3\n"
    );
}

#[test]
fn leads_with_equal_bools_are_one_account() {
    assert_eq!(
        scored("b"),
        (
            Some(0),
            "id,n,d,b,score,account.people\n\
             1,1.0,2026-01-01,true,10,2\n\
             2,1,2026-01-01,yes,10,2\n\
             3,01.00,,FALSE,10,2\n\
             4,,2026-01-01,,0,\n\
             5,2,2026-1-2,no,10,2\n"
                .to_string()
        )
    );
}
