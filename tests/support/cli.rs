//! Running the `tally` binary from a test (shared by the test files
//! through `#[path]`; each uses what it needs).
#![allow(dead_code)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

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

/// `tally ARGS` in `dir`, without colour, with `input` on standard input.
pub fn piped(dir: &Path, args: &[&str], input: &str) -> Output {
    piped_with(dir, args, input, &[])
}

/// [`piped`] with these environment variables set too.
pub fn piped_with(dir: &Path, args: &[&str], input: &str, vars: &[(&str, &Path)]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tally"))
        .current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .envs(vars.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the tally binary runs");
    let mut stdin = child.stdin.take().expect("a pipe to standard input");
    // A run may stop before reading all: a closed pipe is no failure here.
    let _ = stdin.write_all(input.as_bytes());
    drop(stdin);
    child.wait_with_output().expect("the tally binary runs")
}
