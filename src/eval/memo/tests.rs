#![allow(clippy::unwrap_used)]

use super::field::same;
use super::*;
use crate::eval::{Lead, Scorer};
use crate::id::{FieldId, Id};
use crate::source::Source;
use crate::value::{parse_date_literal, read_cell, FieldType};

/// Field `i` of the test's plan.
fn f(i: usize) -> FieldId {
    FieldId::from_index(i)
}

fn plan() -> crate::plan::Plan {
    compile(
        "fields {\n  t: text\n  u: text\n}\nwhen t in [a, b] add 1\nwhen t contains \"x\" add 1\n",
    )
}

fn compile(text: &str) -> crate::plan::Plan {
    let source = Source::new("t.tally", text);
    crate::plan::compile(&crate::compile(&source).model.unwrap())
}

/// A scratch made ready for a row, as `recall` needs it.
fn ready(scorer: &Scorer) -> Scratch<'static> {
    let mut scratch = Scratch::default();
    scratch.points.resize(scorer.plan().rules.len(), None);
    scratch.predicates.resize(64, 0);
    scratch
}

/// Look `text` up in field 0 and, on a miss, remember it as read.
fn see(memo: &mut Memo, scorer: &Scorer, text: &str) -> bool {
    let hit = memo
        .recall(f(0), text.as_bytes(), &mut ready(scorer))
        .is_some();
    if !hit {
        let value = Value::Text(text.to_string());
        let fired = [(1, Decimal::ONE)].into_iter();
        memo.remember(f(0), Some(&value), &[1, 2], fired);
    }
    hit
}

#[test]
fn the_memo_stops_remembering_cells_at_its_budget() {
    let plan = compile(
        "fields {\n  t: text\n  u: text\n  v: text\n}\n\
         when t in [a] add 1\nwhen u in [a] add 1\nwhen v in [a] add 1\n",
    );
    let scorer = Scorer::new(&plan, parse_date_literal("2026-11-22").unwrap());
    let mut memo = Memo::new(&scorer);
    let see_in = |memo: &mut Memo, field: usize, text: &str| {
        let hit = memo
            .recall(f(field), text.as_bytes(), &mut ready(&scorer))
            .is_some();
        if !hit {
            memo.remember(f(field), None, &[2], std::iter::empty());
        }
        hit
    };
    // Cells as long as are remembered, all distinct, and one that
    // repeats (the fields stay on): more than the budget holds.
    let long = "y".repeat(LONGEST - 8);
    for i in 0..ENTRIES {
        for field in 0..3 {
            see_in(&mut memo, field, "a");
            see_in(&mut memo, field, &format!("{long}{i:08}"));
        }
    }
    let remembered: usize = (0..3).map(|field| memo.len(f(field))).sum();
    assert!(memo.bytes() <= BUDGET, "{} bytes", memo.bytes());
    assert!(
        memo.bytes() > BUDGET - 200,
        "filled: {} bytes",
        memo.bytes()
    );
    assert!(remembered < 3 * ENTRIES, "{remembered} cells");
    // A new cell is no longer remembered; the ones kept still are.
    let new = format!("{long}new-cell");
    assert!(!see_in(&mut memo, 2, &new));
    assert!(!see_in(&mut memo, 2, &new));
    assert!(see_in(&mut memo, 0, &format!("{long}{:08}", 0)));
}

#[test]
fn cells_are_the_same_bytes_or_not() {
    let cells = [
        "",
        "a",
        "ab",
        "abc",
        "abcd",
        "abcde",
        "abcdef",
        "abcdefg",
        "abcdefgh",
        "abcdefghi",
        "abcdefghijklmnopq",
    ];
    for x in cells {
        for y in cells {
            assert_eq!(same(x.as_bytes(), y.as_bytes()), x == y, "{x:?} {y:?}");
        }
        let mut other = x.as_bytes().to_vec();
        if let Some(last) = other.last_mut() {
            *last ^= 1;
            assert!(!same(x.as_bytes(), &other));
            other[0] ^= 2;
            assert!(!same(x.as_bytes(), &other));
        }
    }
}

#[test]
fn repeated_cells_are_remembered_and_unread_fields_are_not_kept() {
    let plan = plan();
    let scorer = Scorer::new(&plan, parse_date_literal("2026-11-22").unwrap());
    let mut memo = Memo::new(&scorer);
    assert!(memo.is_on(f(0)));
    assert!(!memo.is_on(f(1)), "no predicate reads u");
    assert!(!see(&mut memo, &scorer, "a"));
    assert!(!memo.recalled(f(0)), "a miss is tested");
    let mut scratch = Scratch::default();
    scorer.begin(&mut scratch);
    assert!(memo.recall(f(0), b"a", &mut scratch).is_some());
    assert_eq!(
        scratch.points.as_slice(),
        [None, Some(Decimal::ONE)],
        "its rule fired"
    );
    assert!(memo.recalled(f(0)));
    assert!(!memo.recalled(f(0)), "a hit is told once");
    assert!(!see(&mut memo, &scorer, &"y".repeat(LONGEST + 1)));
    assert!(
        !see(&mut memo, &scorer, &"y".repeat(LONGEST + 1)),
        "too long to keep"
    );
    for i in 0..3 * WINDOW {
        see(&mut memo, &scorer, &format!("{}", i % 100));
    }
    assert!(memo.is_on(f(0)));
    assert_eq!(memo.len(f(0)), 101);
}

#[test]
fn a_cell_that_fired_more_rules_than_a_record_counts_is_not_remembered() {
    let plan = plan();
    let scorer = Scorer::new(&plan, parse_date_literal("2026-11-22").unwrap());
    let mut memo = Memo::new(&scorer);
    let value = Value::Text("a".to_string());
    let scratch = &mut Scratch::default();
    assert!(memo.recall(f(0), b"a", scratch).is_none());
    let fired = (0..256).map(|i| (i % 2, Decimal::ONE));
    memo.remember(f(0), Some(&value), &[2, 1], fired);
    assert_eq!(memo.len(f(0)), 0);
    assert!(memo.recall(f(0), b"a", scratch).is_none());
    let fired = (0..255).map(|i| (i % 2, Decimal::ONE));
    memo.remember(f(0), Some(&value), &[2, 1], fired);
    assert_eq!(memo.len(f(0)), 1);
    scorer.begin(scratch);
    assert!(memo.recall(f(0), b"a", scratch).is_some());
    assert_eq!(scratch.fired_count(), 255);
}

#[test]
fn a_field_whose_cells_rarely_repeat_is_switched_off_and_the_memo_stays_bounded() {
    let plan = plan();
    let scorer = Scorer::new(&plan, parse_date_literal("2026-11-22").unwrap());
    let mut memo = Memo::new(&scorer);
    for i in 0..WINDOW - 1 {
        assert!(!see(&mut memo, &scorer, &format!("id-{i}")));
    }
    assert!(memo.is_on(f(0)));
    assert!(!see(&mut memo, &scorer, "last"));
    assert!(!memo.is_on(f(0)), "switched off after a window of misses");
    assert_eq!(memo.len(f(0)), 0, "and its cells freed");
    assert!(memo.recall(f(0), b"id-1", &mut ready(&scorer)).is_none());

    // A field that hits often but has more distinct cells than fit
    // keeps the first ENTRIES.
    let mut memo = Memo::new(&scorer);
    for i in 0..4 * ENTRIES {
        see(&mut memo, &scorer, &format!("{}", i % 8));
        see(&mut memo, &scorer, &format!("{i}"));
    }
    assert!(memo.is_on(f(0)));
    assert_eq!(memo.len(f(0)), ENTRIES);
}
/// Score leads of text cells (one per field) as the CSV reader does:
/// recalled cells set their truths and rules, cells of a field the
/// memo does not look up are tested as they are if they can be, the
/// others are read and tested. Each lead's outcome is checked against
/// scoring it afresh.
fn score_with_memo(plan: &crate::plan::Plan, leads: &[Vec<&str>]) -> (Vec<Decimal>, Memo) {
    let scorer = Scorer::new(plan, parse_date_literal("2026-11-22").unwrap());
    let (mut memo, mut scratch) = (Memo::new(&scorer), Scratch::default());
    let mut scores = Vec::new();
    for cells in leads {
        scorer.begin(&mut scratch);
        let mut lead = Lead {
            values: vec![None; cells.len()].into(),
        };
        for (field, text) in cells.iter().enumerate() {
            let recalled = match memo.recall(f(field), text.as_bytes(), &mut scratch) {
                Some(recalled) => Some(recalled.clone()),
                None => memo.test_cell(f(field), text, &mut scratch).cloned(),
            };
            lead.values[f(field)] = match recalled {
                Some(Recalled::Value(value)) => Some(value),
                Some(_) => None,
                None => read_cell(FieldType::Text, text, &Default::default()).unwrap(),
            };
        }
        scorer.run_memo(&lead, &mut scratch, Some(&mut memo));
        let fresh = Lead {
            values: cells
                .iter()
                .map(|text| read_cell(FieldType::Text, text, &Default::default()).unwrap())
                .collect(),
        };
        assert_eq!(scratch.outcome(), scorer.score(&fresh), "{cells:?}");
        scores.push(scratch.score);
    }
    (scores, memo)
}

#[test]
fn a_field_tested_as_its_cell_is_read_scores_as_testing_it_does() {
    // t's predicates read its cell alone (`matches`, `is missing`);
    // u's too, but only `is missing`; w's `==` compares folded text.
    let plan = compile(
        "fields {\n  t: text\n  u: text\n  w: text\n}\n\
         when t matches \"(?i)@(gmail|yahoo)[.]com$\" sub 10\n\
         when t is missing sub 5\n\
         when u is missing add 1\n\
         when w == \"z\" add 2\n",
    );
    let scorer = Scorer::new(&plan, parse_date_literal("2026-11-22").unwrap());
    let memo = Memo::new(&scorer);
    assert!(
        memo.is_on(f(0)) && !memo.is_on(f(1)) && memo.is_on(f(2)),
        "u is never looked up"
    );
    let domains = ["gmail.com", "Yahoo.COM", "acme.io", "gmail.co", "mail.com"];
    let addresses: Vec<String> = (0..3 * WINDOW as usize)
        .map(|i| format!("u{i}@{}", domains[i % domains.len()]))
        .collect();
    let mut leads: Vec<Vec<&str>> = addresses
        .iter()
        .enumerate()
        .map(|(i, t)| vec![t.as_str(), ["", "x"][i % 2], ["z", " Z ", "q"][i % 3]])
        .collect();
    leads.push(vec!["", "", "z"]);
    leads.push(vec!["ada@gmail.com", "x", "q"]);
    leads.push(vec!["ada@initech.io", "x", "q"]);
    let (scores, memo) = score_with_memo(&plan, &leads);
    assert!(
        !memo.is_on(f(0)),
        "t's cells rarely repeat: switched off, then tested as read"
    );
    let last: Vec<i64> = scores[scores.len() - 3..]
        .iter()
        .map(|s| i64::try_from(*s).unwrap())
        .collect();
    assert_eq!(last, [-2, -10, 0]);
    assert_eq!(scores[0], Decimal::from(-7), "u0@gmail.com, u missing, w z");
}

#[test]
fn a_recalled_cell_scores_a_lead_as_testing_it_does() {
    // `t == "a"` is read by a rule that also reads u: a recalled t
    // must set its truth, not leave the last lead's.
    let plan = compile(
        "fields {\n  t: text\n  u: text\n}\n\
         when t in [a, b] add 1\n\
         when t contains \"x\" add 2\n\
         when t == \"a\" and u == \"z\" add 4\n",
    );
    let leads = [
        ("a", "z"),
        ("b", "z"),
        ("a", "z"),
        ("b", "z"),
        ("ax", "q"),
        ("ax", "z"),
        ("", "z"),
        ("a", ""),
    ];
    let leads: Vec<Vec<&str>> = leads.iter().map(|(t, u)| vec![*t, *u]).collect();
    let (scores, _) = score_with_memo(&plan, &leads);
    let expected = [5, 1, 5, 1, 2, 2, 0, 1];
    assert_eq!(scores, expected.map(Decimal::from));
}
