//! The fuzz targets' checks (`fuzz/src/`), run with the stable toolchain
//! on every file of their seed corpora (`fuzz/seeds/TARGET/`) and of
//! their regressions (`fuzz/regressions/TARGET/`, inputs that once broke
//! a check): so the seeds and every crash found stay checked on any
//! machine, with or without `cargo fuzz`. docs/robustness.md has more.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // the checks fail by panicking, as under libFuzzer

use std::panic::{catch_unwind, RefUnwindSafe};
use std::path::Path;

#[path = "../fuzz/src/events.rs"]
mod events;
#[path = "../fuzz/src/leads.rs"]
mod leads;
#[path = "../fuzz/src/model.rs"]
mod model;
#[path = "../fuzz/src/splitter.rs"]
mod splitter;

/// Run `check` on every file under `fuzz/seeds/TARGET` and
/// `fuzz/regressions/TARGET`; fail naming every file whose check failed.
fn replay(target: &str, check: impl Fn(&[u8]) + RefUnwindSafe) {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut files = Vec::new();
    for kind in ["seeds", "regressions"] {
        let Ok(dir) = std::fs::read_dir(fuzz.join(kind).join(target)) else {
            continue;
        };
        files.extend(dir.map(|entry| entry.unwrap().path()));
    }
    files.sort();
    assert!(!files.is_empty(), "no seeds for `{target}`");
    let failed: Vec<String> = files
        .iter()
        .filter(|path| {
            let data = std::fs::read(path).unwrap();
            catch_unwind(|| check(&data)).is_err()
        })
        .map(|path| path.display().to_string())
        .collect();
    assert!(
        failed.is_empty(),
        "{} of {} inputs fail the `{target}` check:\n{}",
        failed.len(),
        files.len(),
        failed.join("\n")
    );
}

#[test]
fn model_seeds_and_regressions() {
    replay("model", model::check_model);
}

#[test]
fn leads_seeds_and_regressions() {
    replay("leads", leads::check_leads);
}

#[test]
fn splitter_seeds_and_regressions() {
    replay("splitter", splitter::check_splitter);
}
