//! Output bytes do not depend on how rows are batched.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // tests fail by panicking

use std::path::Path;

use proptest::prelude::*;
use tally::eval::Scorer;
use tally::io::{self, Binding, Format, Job, Layout, Reader, Sink, Target, Writer};
use tally::source::Source;
use tally::value::parse_date_literal;

const MODEL: &str = "fields { id: text required, n: int, t: text, l: list }
group g max 10 { when n > 1 add n \"n\"; when t == \"x\" add 3 \"x\" }
when l contains any [a, b] sub 1.5 \"ab\"
if score >= 5 then High
else Low
";

/// Score `csv` with batches of `batch` rows; the output and rejects bytes.
fn run(dir: &Path, csv: &str, batch: usize) -> (Vec<u8>, Vec<u8>) {
    let model = tally::compile(&Source::new("m.tally", MODEL))
        .model
        .unwrap();
    let plan = tally::plan::compile(&model);
    let input = Box::new(std::io::Cursor::new(csv.as_bytes().to_vec()));
    let mut reader = Reader::new(input, Format::Csv, b',').unwrap();
    let binding = Binding::new(&plan, reader.header()).unwrap();
    let layout = Layout::new(&plan, reader.header(), Format::Csv, "", true).unwrap();
    let (out, rej) = (
        dir.join(format!("out{batch}.csv")),
        dir.join(format!("rej{batch}.txt")),
    );
    let mut writer = Writer::new(
        Sink::open(&Target::Replace(out.clone()), false).unwrap(),
        Format::Csv,
        layout,
        &plan,
        b',',
    )
    .unwrap();
    let mut rejects = Sink::open(&Target::Replace(rej.clone()), false).unwrap();
    let job = Job {
        plan: &plan,
        binding: &binding,
        scorer: Scorer::new(&plan, parse_date_literal("2026-11-22").unwrap()),
        batch,
    };
    io::score_stream(&job, &mut reader, &mut writer, &mut rejects).unwrap();
    writer.finish().unwrap().commit().unwrap();
    rejects.finish().unwrap().commit().unwrap();
    (std::fs::read(out).unwrap(), std::fs::read(rej).unwrap())
}

fn row() -> impl Strategy<Value = String> {
    let id = prop_oneof![Just(String::new()), "[a-z]{1,3}"];
    let n = prop_oneof![
        Just(String::new()),
        (-3i32..9).prop_map(|n| n.to_string()),
        Just("x".to_string())
    ];
    let t = prop_oneof![Just("x"), Just(" X"), Just(""), Just("\"a,b\"")];
    let l = prop_oneof![Just("a"), Just("b;c"), Just(""), Just("c")];
    (id, n, t, l).prop_map(|(id, n, t, l)| format!("{id},{n},{t},{l}\n"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn batch_size_never_changes_the_output(rows in prop::collection::vec(row(), 0..60), batch in 1usize..20) {
        let csv = format!("id,n,t,l\n{}", rows.concat());
        let dir = tempfile::tempdir().unwrap();
        let whole = run(dir.path(), &csv, io::BATCH);
        let batched = run(dir.path(), &csv, batch);
        prop_assert_eq!(whole, batched);
    }
}
