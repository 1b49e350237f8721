//! How long `tally check` takes on large generated models.
//!
//! Run: `cargo bench --bench check_speed`. Prints the median of several
//! runs of parse + check (the work `tally check` does) per model size.
//!
//! `CHECK_SPEED_DUMP=FILE cargo bench --bench check_speed` writes the
//! 10,000-rule model to FILE instead, so that `tally check FILE` can be
//! timed and profiled on exactly what the bench parses.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // a benchmark aborts on bad data

use std::time::{Duration, Instant};

use tally::source::Source;

/// A model with `rules` rules over fields of every type, in groups of 50.
fn generate(rules: usize) -> String {
    let mut text = String::from(
        "model \"generated\" version 1\nfields {\n  id: text required\n  title: text\n  employees: int\n  \
         revenue: number\n  tags: list\n  demo: bool\n  last_seen: date\n}\nlet top = [CEO, VP, CTO]\n",
    );
    for g in 0..rules.div_ceil(50) {
        text.push_str(&format!("group g{g} max 100 min -20 {{\n"));
        for r in g * 50..((g + 1) * 50).min(rules) {
            let condition = match r % 5 {
                0 => format!("title in top and employees between {r} and {}", r + 100),
                1 => format!("tags contains \"topic-{r}\" or demo"),
                2 => format!("last_seen within {} days and revenue > {r}.5", r % 365 + 1),
                3 => format!("title matches \"(?i)^head of {r}\""),
                _ => format!("years_since(last_seen) >= {} and not demo", r % 10),
            };
            text.push_str(&format!(
                "  when {condition} add min({r} * 2, 40) \"rule {r}\"\n"
            ));
        }
        text.push_str("}\n");
    }
    text.push_str("if score >= 50 then SQL\nif score >= 25 then MQL\nelse Nurture\n");
    text
}

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

fn main() {
    if let Some(path) = std::env::var_os("CHECK_SPEED_DUMP") {
        std::fs::write(&path, generate(10_000)).unwrap();
        return;
    }
    println!(
        "{:>8} {:>10} {:>12} {:>12} {:>12}",
        "rules", "bytes", "check", "rules/s", "of it parse"
    );
    for rules in [100, 1_000, 10_000] {
        let text = generate(rules);
        let source = Source::new("generated.tally", text.as_str());
        let runs: Vec<Duration> = (0..9)
            .map(|_| {
                let start = Instant::now();
                let compiled = tally::compile(&source);
                let elapsed = start.elapsed();
                assert_eq!(compiled.error_count(), 0, "generated model has errors");
                elapsed
            })
            .collect();
        let parse_runs: Vec<Duration> = (0..9)
            .map(|_| {
                let start = Instant::now();
                let (tree, _) = tally::syntax::parse(&source);
                assert!(tree.is_some());
                start.elapsed()
            })
            .collect();
        let parse = median(parse_runs);
        let m = median(runs);
        let rate = rules as f64 / m.as_secs_f64();
        println!(
            "{rules:>8} {:>10} {:>10.1}ms {rate:>12.0} {:>10.1}ms",
            text.len(),
            m.as_secs_f64() * 1e3,
            parse.as_secs_f64() * 1e3
        );
    }
}
