//! The compact, sharded tables against the plain per-key states they
//! replace: the same values for every key, however the table was built.

use super::*;
use crate::plan::Plan;
use crate::value::Value;

const MODEL: &str = r#"model "m" version 1
fields { id: text }
events activity {
  id:      text key
  at:      date time
  kind:    text
  page:    text
  minutes: number
}
when count(activity where kind == "w" within 90 days) >= 2 add 1 "a"
when exists(activity where kind == "d") add 1 "b"
when distinct(activity, page) >= 2 add 1 "c"
when sum(activity, minutes) > 0 add 1 "d"
when max(activity, minutes) > 1 add 1 "e"
when min(activity where kind == "w", minutes) < 1 add 1 "f"
when max(activity where kind == "p", at) within 7 days add 1 "g"
when first(activity) within 365 days add 1 "h"
when last(activity) within 30 days add 1 "i"
each activity where kind == "p" add 4 decay half-life 14 days max 20 "j"
each activity where kind == "w" add minutes decay linear 60 days "k"
each activity add minutes * 0.2 "l"
"#;

fn plan() -> Plan {
    let compiled = crate::compile_bytes("m.tally", MODEL.as_bytes().to_vec()).1;
    let model = compiled
        .model
        .unwrap_or_else(|| panic!("{:?}", compiled.findings));
    crate::plan::compile(&model)
}

fn today() -> Date {
    Date::from_ymd_opt(2026, 11, 22).unwrap_or_default()
}

/// Event `i`: of key `L{i % keys}`, some with minutes that do not fit
/// the compact columns (five places, or past 92 trillion), many pages.
fn event(i: u64, keys: u64) -> Vec<Option<Value>> {
    let kinds = ["w", "p", "d", "x"];
    let minutes = match i % 23 {
        0 => Some(format!("{}.{:05}", i % 7, i % 100_000)),
        1 => Some(format!("{}00000000000000", i % 9)),
        2 => None,
        _ => Some(format!("{}.{}", i % 120, i % 4 * 25)),
    };
    let day = today() - chrono::Duration::days((i * 7919 % 500) as i64 - 10);
    vec![
        Some(Value::Text(format!("L{}", i % keys))),
        Some(Value::Date(day)),
        Some(Value::Text(kinds[(i % 4) as usize].into())),
        Some(Value::Text(format!("page {}", i * 31 % (3 + i % keys)))),
        minutes.map(|m| Value::Number(m.parse().unwrap_or_default())),
    ]
}

/// Each key's values from plain states, event by event.
fn expected(source: &EventsSpec, events: &[Vec<Option<Value>>], key: &str) -> Vec<Option<Value>> {
    let mut states: Vec<State> = source.aggregates.iter().map(State::new).collect();
    for values in events {
        let Some(Some(Value::Date(time))) = values.first().map(|_| &values[1]) else {
            continue;
        };
        if *time > today() || values[0] != Some(Value::Text(key.into())) {
            continue;
        }
        let lead = Lead {
            values: values.clone().into(),
        };
        let folded = lead.values.map(|v| Folded::of(v.as_ref()));
        let env = event_env(&lead, &folded, today());
        for (a, state) in source.aggregates.iter().zip(&mut states) {
            if in_set(a, *time, &env) {
                assert_eq!(state.add(a, *time, &env), Ok(()));
            }
        }
    }
    (source.aggregates.iter().zip(&states))
        .map(|(a, s)| s.value(a))
        .collect()
}

#[test]
fn compact_tables_give_what_plain_states_give() {
    let plan = plan();
    let source = &plan.events.as_slice()[0];
    let keys = 300;
    let events: Vec<_> = (0..6_000).map(|i| event(i, keys + 20)).collect();
    let leads = || {
        let mut set = KeySet::default();
        let names: Vec<String> = (0..keys).map(|k| format!("l{k}")).collect();
        set.extend(names.iter().map(String::as_str));
        set
    };
    // One thread, every key kept; the leads' keys only; two workers
    // sharing a table, one taking the events backwards.
    let mut single = EventTable::new(source, None);
    for values in &events {
        let lead = Lead {
            values: values.clone().into(),
        };
        assert_eq!(single.add(source, &lead, today()), Ok(()));
    }
    let shared = SharedTable::new(source, Some(leads()));
    let (mut a, mut b) = (EventAdder::default(), EventAdder::default());
    for (i, values) in events.iter().enumerate() {
        let lead = Lead {
            values: values.clone().into(),
        };
        let adder = if i % 3 == 0 { &mut a } else { &mut b };
        assert_eq!(adder.add(&shared, source, &lead, today()), Ok(()));
    }
    let shared = shared.finish([a.counts, b.counts]);
    let mut out = Vec::new();
    for k in 0..keys + 20 {
        let key = format!("L{k}");
        let want = expected(source, &events, &key);
        let lead = Lead {
            values: vec![Some(Value::Text(key.clone()))].into(),
        };
        single.values_for(source, &lead, today(), &mut out);
        assert_eq!(out, want, "{key}, one thread");
        shared.values_for(source, &lead, today(), &mut out);
        let none = expected(source, &[], &key);
        assert_eq!(&out, if k < keys { &want } else { &none }, "{key}, shared");
    }
    assert_eq!(single.unmatched(), single.counts.keyless);
    // Events of the 20 keys no lead has are counted, not kept.
    let past = |v: &&Vec<Option<Value>>| matches!(v[1], Some(Value::Date(d)) if d <= today());
    let unknown = (events.iter().enumerate())
        .filter(|(i, v)| *i as u64 % (keys + 20) >= keys && past(v))
        .count();
    assert_eq!(shared.counts.unknown, unknown as u64);
    assert_eq!(single.counts.future, shared.counts.future);
}

/// The table's memory is its columns, sized once for the lead keys:
/// events whose values fit the columns add nothing per key (docs/performance.md
/// counts about 130 bytes a key for the benchmark's 19 aggregates).
#[test]
fn a_table_of_lead_keys_takes_its_columns_and_no_more() {
    let plan = plan();
    let source = &plan.events.as_slice()[0];
    let keys = 50_000u64;
    let mut set = KeySet::default();
    let names: Vec<String> = (0..keys).map(|k| format!("l{k:08}")).collect();
    set.extend(names.iter().map(String::as_str));
    set.shrink();
    let mut table = EventTable::new(source, Some(set));
    let empty = table.heap_bytes();
    // 15 aggregates: 76.5 bytes of columns, 9 of counts and flags, and
    // the key index (9 bytes of text, 8 of offset, 5 a bucket).
    let per_key = empty as f64 / keys as f64;
    assert!((100.0..125.0).contains(&per_key), "{per_key} bytes a key");
    for i in 0..200_000u64 {
        let mut values = event(i, keys);
        values[3] = Some(Value::Text(format!("page {}", i % 40)));
        values[4] = Some(Value::Number(Decimal::new((i % 5000) as i64, 2)));
        let lead = Lead {
            values: values.into(),
        };
        assert_eq!(table.add(source, &lead, today()), Ok(()));
    }
    // Only the shards' pages are new: 40 in each of 64 shards.
    let grown = table.heap_bytes() - empty;
    assert!(grown < 64 * 64 * 80, "{grown} bytes more");
}
