//! The checks of Tally's fuzz targets, one module per target. They are
//! shared: `fuzz_targets/*.rs` run them under libFuzzer, and the main
//! crate's `tests/fuzz_replay.rs` runs them on every file of the corpora
//! and regressions with the stable toolchain. A check panics on a
//! violation, which is how both report it.

pub mod events;
pub mod leads;
pub mod model;
pub mod splitter;
