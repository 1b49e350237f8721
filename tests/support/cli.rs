//! Running the `tally` binary from a test (shared by the test files
//! through `#[path]`; each uses what it needs).
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

/// `tally ARGS` in `dir`, without colour.
pub fn tally(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tally"))
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .expect("the tally binary runs")
}

/// Output bytes as text (they must be UTF-8).
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("UTF-8 output")
}
