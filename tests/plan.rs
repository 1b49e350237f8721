//! `tally plan`'s readable form of the compiled plan, pinned for the
//! bundled example model.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // tests fail by panicking

use tally::source::Source;

fn plan_text(path: &str) -> String {
    let text = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path))
        .unwrap();
    let compiled = tally::compile(&Source::new(path, text));
    tally::plan::compile(&compiled.model.unwrap()).to_string()
}

#[test]
fn the_example_plan_reads_as_snapshotted() {
    insta::assert_snapshot!(plan_text("examples/b2b_inbound.tally"));
}

#[test]
fn the_saas_example_plan_reads_as_snapshotted() {
    insta::assert_snapshot!(plan_text("examples/saas_trial.tally"));
}
