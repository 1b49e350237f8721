//! Event sets that read the lead's fields (language section 10: `count(
//! activity where at >= signup)`) against the engines. A small fixed job
//! whose every value is computed by hand below, so the SQL is checked
//! without the interpreter, and generated jobs (messy keys, several leads
//! per key with different values, missing and unreadable lead values)
//! compared with `tally score --events` row by row.

use serde_json::Value as Json;
use tally::sql::Dialect;
use tally::value::{parse_date_literal, Date};

use super::events::{
    activity, int_key, number, orders, run_jobs, text_key, time, Compared, EventsJob, Table,
};
use super::generate::Rng;
use super::harness::same;

const ROW: &str = "tally_test_row";

const FIELDS: &str = r#"model "Sets reading the lead" version "1"

fields {
  lead_id: text
  signup:  date
  region:  text
  focus:   text
  minimum: number
}

events activity {
  lead_id: text key
  at:      date time
  kind:    text
  region:  text
  minutes: number
}
"#;

/// One group per set, so each value is an output; `region` inside a set
/// is the event's (the lead has one too).
const RULES: &str = r#"
group recent   { when lead_id is present add count(activity where at >= signup) "Recent" }
group focused  { when lead_id is present add sum(activity where kind == focus, minutes) "Focused" }
group shadowed { when lead_id is present add sum(activity where region == "EU", minutes) "Shadowed" }
group decaying { each activity where at >= signup add minutes decay linear 60 days max 20 }
group points   { each activity where kind == focus add minimum max 50 }
group regions  { when lead_id is present add distinct(activity where minutes >= minimum, region) "Regions" }
group least    { when lead_id is present add min(activity where at >= signup, minutes) "Least" }
group most     { when lead_id is present add max(activity where minutes < minimum, minutes) "Most" }
group earliest { when lead_id is present add days_since(first(activity where at >= signup)) "Earliest" }
group latest   { when lead_id is present add days_since(last(activity where at < signup)) "Latest" }

tier heat {
  if exists(activity where kind == focus within 7 days) then Hot
  else Cold
}
"#;

/// The outputs compared by hand, in this order.
const OUTPUTS: [&str; 12] = [
    "score", "recent", "focused", "shadowed", "decaying", "points", "regions", "least", "most",
    "earliest", "latest", "heat",
];

/// Leads: rows 0, 1, 2 and 5 share the key `a` (spelled `a`, ` A`),
/// with other lead values; row 5 repeats row 0's; row 2's values are
/// missing; row 4's key matches no event, row 6 has none; row 7's
/// `signup` cannot be read (rejected).
const LEADS: [[&str; 5]; 8] = [
    ["a", "2026-11-01", "US", "webinar", "5"],
    [" A", "2026-09-01", "EU", "PAGE_VIEW ", "3"],
    ["a", "", "EU", "", ""],
    ["b", "2026-01-01", "EU", "Demo", "100"],
    ["c", "2026-11-01", "US", "webinar", "1"],
    ["a", "2026-11-01", "US", "webinar", "5"],
    ["", "2026-01-01", "EU", "webinar", "1"],
    ["a", "soon", "EU", "webinar", "1"],
];

/// Events, as of 2026-11-22: ages 21, 10, 52, 2 (key `a`) and 7 (`b`);
/// one after today, one rejected (no readable time).
const EVENTS: [[&str; 5]; 7] = [
    ["a", "2026-11-01", "webinar", "EU", "10"],
    ["A ", "2026-11-12", " Webinar ", "US", "4"],
    ["a", "2026-10-01", "page_view", "EU", "2"],
    ["a", "2026-11-20", "page_view", "eu ", "6"],
    ["b", "2026-11-15", "demo", "EU", "30"],
    ["b", "2026-12-01", "webinar", "EU", "100"],
    ["a", "not a date", "webinar", "EU", "1"],
];

/// Each lead's outputs ([`OUTPUTS`]), worked out by hand; `None`: the
/// row is rejected. Row 0 (signup 11-01, focus webinar, minimum 5): 3
/// events since signup; webinars 10 + 4; the events' EU (and `eu `)
/// minutes 10 + 2 + 6, whatever the lead's region; linear 60 days of the
/// events since signup 10·39/60 + 4·50/60 + 6·58/60 = 6.5 + 3.3333 + 5.8,
/// capped at 20 only for `b`; 2 webinars × 5; regions of events of 5
/// minutes or more {eu}; least since signup 4; most under 5 minutes 4;
/// first since signup 21 days ago, last before it 52 days ago; no
/// webinar in 7 days. Row 1 adds the page views of 10-01 and 11-20.
const WANT: [Option<[&str; 12]>; 8] = [
    Some([
        "142.6333", "3", "14", "18", "15.6333", "10", "1", "4", "4", "21", "52", "Cold",
    ]),
    Some([
        "109.9", "4", "8", "18", "15.9", "6", "2", "2", "2", "52", "0", "Hot",
    ]),
    Some([
        "18", "0", "0", "18", "0", "0", "0", "0", "0", "0", "0", "Cold",
    ]),
    Some([
        "198", "1", "30", "30", "20", "50", "0", "30", "30", "7", "0", "Hot",
    ]),
    Some([
        "0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "Cold",
    ]),
    Some([
        "142.6333", "3", "14", "18", "15.6333", "10", "1", "4", "4", "21", "52", "Cold",
    ]),
    Some([
        "0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "Cold",
    ]),
    None,
];

fn cells<const N: usize>(row: &[&str; N]) -> Vec<Option<String>> {
    row.iter()
        .map(|c| Some(c.to_string()).filter(|c| !c.is_empty()))
        .collect()
}

/// The job worked out by hand.
pub fn by_hand() -> EventsJob {
    let leads = LEADS.iter().enumerate().map(|(i, row)| {
        let mut cells = cells(row);
        cells.insert(0, Some(format!("{i:09}")));
        cells
    });
    let columns = |names: &[&str]| names.iter().map(|c| c.to_string()).collect();
    EventsJob {
        name: "sets reading the lead, by hand".to_string(),
        model: format!("{FIELDS}{RULES}"),
        leads: Table {
            columns: columns(&[ROW, "lead_id", "signup", "region", "focus", "minimum"]),
            rows: leads.collect(),
        },
        events: vec![(
            "activity".to_string(),
            Table {
                columns: columns(&["lead_id", "at", "kind", "region", "minutes"]),
                rows: EVENTS.iter().map(cells).collect(),
            },
        )],
        as_of: as_of(),
        engine_today: false,
    }
}

fn as_of() -> Date {
    parse_date_literal("2026-11-22").unwrap()
}

/// Where an engine's result of [`by_hand`] differs from [`WANT`].
pub fn differs_from_hand(result: &Json) -> Vec<String> {
    if let Some(error) = result.get("error") {
        return vec![format!("the engine failed: {error}")];
    }
    let columns: Vec<&str> = (result["columns"].as_array().unwrap().iter())
        .map(|c| c.as_str().unwrap())
        .collect();
    let at = |name: &str| columns.iter().rposition(|c| *c == name).unwrap();
    let mut problems = Vec::new();
    let rows = result["rows"].as_array().unwrap();
    assert_eq!(rows.len(), WANT.len());
    for row in rows {
        let row = row.as_array().unwrap();
        let number: usize = row[at(ROW)].as_str().unwrap().parse().unwrap();
        let error = &row[at("tally_error")];
        match &WANT[number] {
            None if error.is_null() => problems.push(format!("row {number}: scored, but rejected")),
            None => {}
            Some(want) => {
                for (name, want) in OUTPUTS.iter().zip(want) {
                    let got = &row[at(name)];
                    if !same(got, Some(want)) {
                        problems.push(format!("row {number}: {name} {got}, wanted {want}"));
                    }
                }
            }
        }
    }
    problems
}

/// Generated leads for [`FIELDS`] and `acct` ([`ORDERS`]): 10 per text
/// key on average, each with its own values (messy spellings, missing
/// and unreadable ones).
fn leads(rng: &mut Rng, n: usize, as_of: Date) -> Table {
    let focus = [
        "webinar",
        " WEBINAR ",
        "Page_View",
        "pricing_view",
        "demo_request",
        "",
    ];
    let rows = (0..n)
        .map(|i| {
            let signup = match rng.below(10) {
                0 => None,
                1 => Some("not a date".to_string()),
                _ => time(rng, as_of),
            };
            vec![
                Some(format!("{i:09}")),
                text_key(rng, 45),
                signup,
                Some(rng.pick(&["EU", "US", ""]).to_string()).filter(|r| !r.is_empty()),
                Some(rng.pick(&focus).to_string()).filter(|f| !f.is_empty()),
                number(rng),
                int_key(rng, false),
            ]
        })
        .collect();
    let columns = [
        ROW, "lead_id", "signup", "region", "focus", "minimum", "acct",
    ];
    Table {
        columns: columns.map(String::from).to_vec(),
        rows,
    }
}

/// A second source, joined on the lead's `int` field `acct` (`007` and
/// `7.0` are 7), added to [`FIELDS`] in the generated jobs.
const ORDERS: &str = r#"
events orders {
  acct:   int key
  placed: date time
  amount: number
  paid:   bool
}
"#;

/// More sets over generated data: every decay form reading the lead,
/// a value computed from the lead and the event, `within`, and sets
/// that read no lead field beside them (counted per key).
const GENERATED: &str = r#"
group mixed {
  each activity where at >= signup add 3 decay half-life 10 days "Since signup, fading"
  each activity where kind == focus add minutes - minimum decay 25% every 1 week max 40 "Focus minutes"
  when count(activity where kind == "webinar" within 90 days) >= 2 add 1000 "Webinar regular"
  when count(activity where kind == focus and at >= signup within 60 days) >= 2 add 10000 "Focus regular"
}

group spend {
  when acct is present add sum(orders where placed >= signup and paid, amount) "Paid since signup"
  each orders where amount > minimum add 1 decay 50% every 1 month max 6 "Above the minimum"
  when exists(orders where paid) add 1000 "Paid once"
}
"#;

/// The hand-checked job, then its model with [`GENERATED`] over
/// generated data as of two dates.
pub fn jobs() -> Vec<EventsJob> {
    let mut jobs = vec![by_hand()];
    let days = [as_of(), parse_date_literal("2026-03-01").unwrap()];
    for (seed, as_of) in days.into_iter().enumerate() {
        let mut rng = Rng::new(8_300 + seed as u64);
        jobs.push(EventsJob {
            name: format!("sets reading the lead, generated, as of {as_of}"),
            model: format!(
                "{}{ORDERS}{RULES}{GENERATED}",
                FIELDS.replace("fields {", "fields {\n  acct:    int")
            ),
            leads: leads(&mut rng, 400, as_of),
            events: vec![
                (
                    "activity".to_string(),
                    rename(activity(&mut rng, 4000, as_of)),
                ),
                ("orders".to_string(), orders(&mut rng, 600, as_of)),
            ],
            as_of,
            engine_today: false,
        });
    }
    jobs
}

/// The generated activity with `region` for `page`: the events' texts
/// (`Pricing `, `ÉCOLE`, blank) are compared folded.
fn rename(mut table: Table) -> Table {
    for column in &mut table.columns {
        if column == "page" {
            *column = "region".to_string();
        }
    }
    table
}

/// The hand-checked job in `engine`: where its result differs from
/// [`WANT`].
pub fn by_hand_in(engine: &str, dialect: Dialect) -> Vec<String> {
    let (_, results) = run_jobs(engine, dialect, &[by_hand()]);
    differs_from_hand(&results[0])
}

/// Every job in `engine`, each row compared with the interpreter (the
/// hand-checked job too).
pub fn run(engine: &str, dialect: Dialect) -> Compared {
    let (compared, _) = run_jobs(engine, dialect, &jobs());
    compared
}
