//! Standard output that stops taking bytes: a pipe closed by its reader
//! (`tally plan m.tally | head -1`) ends the command quietly with its
//! usual exit status; a file that refuses the write (`> /dev/full`) is
//! an error, exit 2, said on standard error. Never a panic (exit 101).
//!
//! A refused write is made with the shell's `ulimit -f 0` (files may not
//! grow, so every write to one fails with "file too large"): `/dev/full`
//! is not a device in every container.

#![cfg(unix)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // tests fail by panicking

use std::fmt::Write as _;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

/// Rules (in `m.tally`) and tests (in `t.tally`) enough for every command
/// to print well over a pipe's 64 KB buffer, so the writer meets the
/// closed pipe.
const RULES: usize = 2_000;
const TESTS: usize = 8_000;

const REFUSED: &str = "error: cannot write standard output: file too large; \
                       the output is incomplete\n";

fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut model = String::from("fields {\n  a: int\n}\n\n");
    for i in 0..RULES {
        writeln!(model, "when a > {i} add 1 \"rule {i}\"").unwrap();
    }
    std::fs::write(dir.path().join("m.tally"), model).unwrap();
    let mut tests = String::from("fields {\n  a: int\n}\n\nwhen a > 1 add 1 \"big a\"\n");
    for i in 0..TESTS {
        writeln!(
            tests,
            "test \"t{i}\" {{\n  given {{ a: 5 }}\n  expect score == 1\n}}"
        )
        .unwrap();
    }
    std::fs::write(dir.path().join("t.tally"), tests).unwrap();
    std::fs::write(dir.path().join("leads.csv"), "a\n5\n").unwrap();
    // Errors in a model whose GitHub annotations are written to stdout.
    let bad = "fields {\n  a: int\n}\nwhen x > 1 add 1\n";
    std::fs::write(dir.path().join("bad.tally"), bad).unwrap();
    dir
}

fn command(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tally"));
    command.current_dir(dir).env("NO_COLOR", "1").args(args);
    command
}

/// Run with standard output a pipe that is closed after its first line.
fn closed_after_one_line(dir: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let mut child = command(dir, args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    // The reader is dropped here: the pipe's read end is closed.
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    (out.status.code(), first, stderr)
}

/// Run with standard output a file that refuses every write, and
/// standard input from `stdin` in `dir` when given.
fn refusing_writes(dir: &Path, args: &[&str], stdin: Option<&str>) -> (Option<i32>, String) {
    // Without `trap`, the refused write would kill the shell's child
    // with SIGXFSZ; ignored, it is an EFBIG error from `write`.
    let script = "ulimit -f 0; trap '' XFSZ; exec \"$@\" > out.txt";
    let mut shell = Command::new("sh");
    shell
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .args(["-c", script, "sh", env!("CARGO_BIN_EXE_tally")])
        .args(args);
    if let Some(name) = stdin {
        shell.stdin(std::fs::File::open(dir.join(name)).unwrap());
    }
    let out = shell.output().unwrap();
    (out.status.code(), String::from_utf8(out.stderr).unwrap())
}

const COMMANDS: [&[&str]; 5] = [
    &["plan", "m.tally"],
    &["sql", "m.tally", "--dialect", "duckdb"],
    &["test", "t.tally", "--as-of", "2026-01-01"],
    &[
        "test",
        "t.tally",
        "--as-of",
        "2026-01-01",
        "--format",
        "json",
    ],
    &[
        "explain",
        "m.tally",
        "leads.csv",
        "--row",
        "1",
        "--as-of",
        "2026-01-01",
    ],
];

#[test]
fn a_closed_pipe_ends_each_command_quietly_with_its_usual_status() {
    let dir = workspace();
    for args in COMMANDS {
        let (status, first, stderr) = closed_after_one_line(dir.path(), args);
        assert_eq!(status, Some(0), "{args:?}: {stderr}");
        assert!(!first.is_empty(), "{args:?}");
        assert_eq!(stderr, "", "{args:?}");
    }
}

#[test]
fn a_refused_write_is_an_error_with_exit_two() {
    let dir = workspace();
    for args in COMMANDS {
        let (status, stderr) = refusing_writes(dir.path(), args, None);
        assert_eq!((status, stderr.as_str()), (Some(2), REFUSED), "{args:?}");
    }
}

#[test]
fn fmt_of_standard_input_into_a_refusing_file_is_an_error() {
    let dir = workspace();
    let (status, stderr) = refusing_writes(dir.path(), &["fmt", "-"], Some("m.tally"));
    assert_eq!((status, stderr.as_str()), (Some(2), REFUSED));
}

#[test]
fn check_reports_a_lost_write_in_every_format() {
    let dir = workspace();
    for format in ["human", "json", "github"] {
        let args = ["check", "bad.tally", "--format", format];
        let (status, stderr) = refusing_writes(dir.path(), &args, None);
        assert_eq!(status, Some(2), "{format}: {stderr}");
        assert!(stderr.ends_with(REFUSED), "{format}: {stderr}");
    }
}

#[test]
fn check_into_a_closed_pipe_keeps_the_status_of_the_findings() {
    let dir = workspace();
    let args = ["check", "bad.tally", "--format", "github"];
    let (status, first, stderr) = closed_after_one_line(dir.path(), &args);
    assert_eq!(status, Some(1), "{stderr}");
    assert!(
        first.starts_with("::error file=bad.tally,line=4,col=6,"),
        "{first}"
    );
    assert_eq!(stderr, "");
}
