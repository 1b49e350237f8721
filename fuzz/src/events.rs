//! Any bytes as an events file (language 1.1): read by both events
//! readers (the parallel CSV walk with one and with two workers, and, for
//! what may be NDJSON, the row-by-row reader), never a panic; every row
//! is counted once (used, rejected, in the future, or matching no lead),
//! the tables do not depend on the number of workers, and the lead
//! values they give are what the model's types say.

use std::io::Cursor;
use std::sync::OnceLock;

use tally::eval::{EventTable, KeySet};
use tally::io::{read_events, EventsFormat, Format, RowLimit};
use tally::plan::{self, Plan};
use tally::value::{Date, Value};

/// A model with one events source and every aggregate kind, `each` with
/// `max`, and the three decay forms.
const MODEL: &str = r#"
fields { lead_id: text
  signup: date
  team: text }
events activity {
  lead_id: text key
  at:      date time
  kind:    text
  page:    text
  minutes: number
  ok:      bool
}
when count(activity where kind == "webinar" within 90 days) >= 2 add 10 "Webinars"
when exists(activity within 60 days) add 1 "Recent"
when first(activity) is present and last(activity) is present add 1 "Dated"
when sum(activity, minutes) > 10 and min(activity, minutes) < max(activity, minutes) add 2 "Minutes"
when distinct(activity, page) >= 2 add 3 "Pages"
each activity where kind == "pricing" add 5 decay half-life 7 days max 15 "Pricing"
each activity where ok add minutes decay linear 30 days "Minutes decayed"
each activity add 1 decay 10% every 1 week max 100 "Any"
when count(activity where kind == "webinar" and at >= signup) >= 1 add 1 "Since"
when sum(activity where page == team, minutes) > 1 add 1 "Team pages"
each activity where at >= signup - 30 days add minutes max 50 "Since, each"
"#;

/// The keys whose values are compared across readers.
const KEYS: [&str; 4] = ["L1", "l2", "", "x"];

/// The committee example (language 1.1 accounts): `data` as its lead
/// file, read by the account passes with one and with two workers.
const COMMITTEE: &str = include_str!("../../examples/committee.tally");

/// Run the account passes over `data` as a lead file; the tables must
/// not depend on the number of workers. Panics on a violation.
pub fn check_accounts(data: &[u8]) {
    if data.len() > crate::leads::MAX_LEADS_BYTES {
        return;
    }
    static PLAN: OnceLock<Plan> = OnceLock::new();
    let plan = PLAN.get_or_init(|| {
        let compiled = tally::compile(&tally::source::Source::new("committee.tally", COMMITTEE));
        let model = compiled
            .model
            .unwrap_or_else(|| panic!("the committee example checks"));
        plan::compile(&model)
    });
    let today = Date::from_ymd_opt(2026, 11, 22).unwrap_or_default();
    // The first pass of a split (see `tally::eval::RuleSplit`) scores
    // every lead with the split's first rules.
    let split = tally::eval::RuleSplit::of(plan);
    let pass = |threads: usize, score_level: bool, partials: bool| {
        let plan = match (&split, partials) {
            (Some(split), true) => &split.before,
            _ => plan,
        };
        let scorer = tally::eval::Scorer::new(plan, today);
        let how = EventsFormat {
            format: Format::Csv,
            delimiter: b',',
            limit: RowLimit::default(),
            threads,
        };
        let tables = tally::eval::AccountTables::default();
        let pass = tally::io::AccountPass {
            plan,
            scorer: &scorer,
            tables: &tables,
            score_level,
            today,
            bad_values: tally::io::BadValues::Reject,
            partials,
        };
        let input = Box::new(Cursor::new(data.to_vec()));
        tally::io::account_pass(pass, input, how, None)
            .ok()
            .map(|t| (t.table.len(), t.sums.map(|s| s.all_kept())))
    };
    for (level, partials) in [(false, false), (true, false), (false, true)] {
        assert_eq!(
            pass(1, level, partials),
            pass(2, level, partials),
            "the accounts depend on the workers"
        );
    }
}

/// Run every check on `data` as an events file; panics on a violation.
pub fn check_events(data: &[u8]) {
    if data.len() > crate::leads::MAX_LEADS_BYTES {
        return;
    }
    let plan = plan();
    let Some(source) = plan.events.first() else {
        panic!("the fuzz model has no events source");
    };
    let today = Date::from_ymd_opt(2026, 11, 22).unwrap_or_default();
    let read_with = |format: Format, threads: usize, keys: Option<KeySet>| {
        let how = EventsFormat {
            format,
            delimiter: b',',
            limit: RowLimit::default(),
            threads,
        };
        read_events(
            source,
            Box::new(Cursor::new(data.to_vec())),
            how,
            today,
            keys,
        )
        .ok()
    };
    let read = |format: Format, threads: usize| read_with(format, threads, None);
    let (one, two) = (read(Format::Csv, 1), read(Format::Csv, 2));
    // Given the leads' keys first, the leads' values are the same.
    let mut known = KeySet::default();
    known.extend(["l1", "l2"]);
    if let (Some(all), Some(some)) = (&one, read_with(Format::Csv, 2, Some(known))) {
        for key in ["L1", "l2"] {
            assert_eq!(
                values(&all.table, key),
                values(&some.table, key),
                "{key:?} with the leads' keys"
            );
        }
        assert_eq!(all.table.counts.read, some.table.counts.read);
    }
    match (one, two) {
        (Some(one), Some(two)) => {
            assert_eq!(
                one.rejects, two.rejects,
                "the rejected events depend on the workers"
            );
            assert_eq!(
                one.table.counts, two.table.counts,
                "the counts depend on the workers"
            );
            for key in KEYS {
                let (a, b) = (values(&one.table, key), values(&two.table, key));
                assert_eq!(a, b, "the values of {key:?} depend on the workers");
                check_types(&a);
            }
            check_counts(&one.table);
        }
        (None, None) => {}
        _ => panic!("one worker count refuses the file, the other does not"),
    }
    if data.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{') {
        if let Some(ndjson) = read(Format::Ndjson, 1) {
            check_counts(&ndjson.table);
            for key in KEYS {
                check_types(&values(&ndjson.table, key));
            }
        }
    }
}

fn plan() -> &'static Plan {
    static PLAN: OnceLock<Plan> = OnceLock::new();
    PLAN.get_or_init(|| {
        let compiled = tally::compile(&tally::source::Source::new("events.tally", MODEL));
        let model = compiled
            .model
            .unwrap_or_else(|| panic!("the fuzz model checks"));
        plan::compile(&model)
    })
}

/// The lead values a lead with `key` gets (signed up 2026-06-01, of
/// team "Pricing": some sets read them).
fn values(table: &EventTable, key: &str) -> Vec<Option<Value>> {
    let mut out = Vec::new();
    let plan = plan();
    let mut lead = tally::eval::Lead {
        values: plan.fields.map(|_| None),
    };
    let fields = [
        ("lead_id", Value::Text(key.to_string())),
        (
            "signup",
            Value::Date(Date::from_ymd_opt(2026, 6, 1).unwrap_or_default()),
        ),
        ("team", Value::Text("Pricing".into())),
    ];
    for (name, value) in fields {
        if let Some(id) = plan.fields.position(|f| f.name == name) {
            *lead.values.at_mut(id) = Some(value);
        }
    }
    if let Some(source) = plan.events.first() {
        table.values_for(
            source,
            &lead,
            Date::from_ymd_opt(2026, 11, 22).unwrap_or_default(),
            &mut out,
        );
    }
    out
}

/// Every row is counted once.
fn check_counts(table: &EventTable) {
    let c = table.counts;
    let accounted = c.rejected + c.future + table.unmatched() + table.used();
    assert!(accounted >= c.read, "rows unaccounted for: {c:?}");
}

/// Counts are whole and not negative; `exists` is a bool; dates are dates.
fn check_types(values: &[Option<Value>]) {
    for value in values.iter().flatten() {
        match value {
            Value::Number(_) | Value::Bool(_) | Value::Date(_) => {}
            other => panic!("an aggregate gave {other:?}"),
        }
    }
}
