//! `tally score` when things go wrong around it: a full disk, a killed
//! run, outputs that name an input, targets that are not regular files,
//! a reader that stops reading. Every previous file must survive a failed
//! run, and no temporary file may be left behind (except by SIGKILL,
//! which leaves a file named as docs/cli.md says).
//!
//! Tests that need root (mounting a small tmpfs, `mknod`) say so on
//! standard error and pass when they cannot run.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // tests fail by panicking

use std::fs::OpenOptions;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const MODEL: &str = "fields {\n  id: text required\n  n: int\n}\nwhen n > 1 add 5 \"Big\"\n";

/// `rows` leads `r0,0 r1,1 …`, then `bad` rows whose `n` cannot be read.
fn leads(rows: usize, bad: usize) -> String {
    let mut text = String::from("id,n\n");
    for i in 0..rows {
        text.push_str(&format!("r{i},{}\n", i % 7));
    }
    for i in 0..bad {
        text.push_str(&format!("b{i},not a number\n"));
    }
    text
}

/// A directory holding `model.tally` and `leads.csv`.
fn workspace(leads: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("model.tally"), MODEL).unwrap();
    std::fs::write(dir.path().join("leads.csv"), leads).unwrap();
    dir
}

fn tally(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tally"))
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .arg("score")
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Every file in `dir` (hidden ones too) with its bytes, sorted by name.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.symlink_metadata().unwrap().is_file())
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).unwrap())
        })
        .collect();
    files.sort();
    files
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout == b"0\n")
}

// ---- a full disk ----

/// A 1 MiB tmpfs mounted on a fresh directory, unmounted when dropped
/// (also when the test fails).
struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    /// `None` (with the reason on standard error) when it cannot be had.
    fn mount(test: &str) -> Option<SmallDisk> {
        if !is_root() {
            eprintln!("{test}: skipped: mounting a small tmpfs needs root");
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=1m", "tmpfs"])
            .arg(dir.path())
            .output();
        match mounted {
            Ok(out) if out.status.success() => Some(SmallDisk { dir }),
            Ok(out) => {
                eprintln!("{test}: skipped: mount failed: {}", text(&out.stderr));
                None
            }
            Err(e) => {
                eprintln!("{test}: skipped: cannot run mount: {e}");
                None
            }
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.dir.path()).status();
    }
}

#[test]
fn an_output_that_does_not_fit_leaves_the_previous_output_and_rejects() {
    let Some(disk) = SmallDisk::mount("an_output_that_does_not_fit") else {
        return;
    };
    let dir = workspace(&leads(200_000, 3));
    std::fs::write(disk.path().join("out.csv"), "the previous output\n").unwrap();
    std::fs::write(disk.path().join("out.csv.rejects"), "row 9: old\n").unwrap();
    let before = snapshot(disk.path());
    let out_path = disk.path().join("out.csv");
    let out_arg = out_path.to_str().unwrap();

    let out = tally(dir.path(), &["model.tally", "leads.csv", "-o", out_arg]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stderr),
        format!("error: cannot write `{out_arg}`: no space left on device\n")
    );
    assert_eq!(snapshot(disk.path()), before);
    assert_eq!(names(disk.path()), ["out.csv", "out.csv.rejects"]);
}

#[test]
fn rejects_that_do_not_fit_leave_the_previous_output_and_rejects() {
    // The output fits (a roomy directory); the rejects, small enough to
    // be buffered whole, fail only when flushed at the end. Before the
    // fix, the new output had been renamed over the old one by then.
    let Some(disk) = SmallDisk::mount("rejects_that_do_not_fit") else {
        return;
    };
    // Leave 12 KiB of the 1 MiB free (tmpfs counts 4 KiB pages).
    std::fs::write(
        disk.path().join("filler"),
        vec![0u8; (1 << 20) - (16 << 10)],
    )
    .unwrap();
    std::fs::write(disk.path().join("rejects.txt"), "row 9: old\n").unwrap();
    let rejects = disk.path().join("rejects.txt");
    let rejects_arg = rejects.to_str().unwrap();
    let dir = workspace(&leads(10, 600));
    let ndjson: String = (0..600)
        .map(|i| format!("{{\"id\":\"b{i}\",\"n\":\"not a number\"}}\n"))
        .collect();
    // The NDJSON path writes through `score_stream`, not the parallel
    // CSV writer.
    std::fs::write(dir.path().join("leads.ndjson"), ndjson).unwrap();
    std::fs::write(dir.path().join("out.csv"), "the previous output\n").unwrap();
    let before_out = snapshot(dir.path());
    let before_rejects = snapshot(disk.path());

    for leads_name in ["leads.csv", "leads.ndjson"] {
        let args = [
            "model.tally",
            leads_name,
            "-o",
            "out.csv",
            "--rejects",
            rejects_arg,
        ];
        let out = tally(dir.path(), &args);
        assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
        assert_eq!(
            text(&out.stderr),
            format!("error: cannot write `{rejects_arg}`: no space left on device\n")
        );
        assert_eq!(snapshot(dir.path()), before_out, "{leads_name}");
        assert_eq!(snapshot(disk.path()), before_rejects, "{leads_name}");
    }
    assert_eq!(names(disk.path()), ["filler", "rejects.txt"]);
}

// ---- a killed run ----

/// A run reading its leads from a pipe kept open, after it has written
/// part of `scored.csv`'s temporary file.
fn a_run_under_way(dir: &Path) -> (Child, std::process::ChildStdin) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tally"))
        .current_dir(dir)
        .args(["score", "model.tally", "-", "-o", "scored.csv"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(leads(400_000, 0).as_bytes()).unwrap();
    let start = Instant::now();
    loop {
        let written = partials(dir).iter().any(|name| {
            name.starts_with(".scored.csv.tally-partial-")
                && std::fs::metadata(dir.join(name)).unwrap().len() > 0
        });
        if written {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(30), "never wrote");
        std::thread::sleep(Duration::from_millis(20));
    }
    (child, stdin)
}

fn partials(dir: &Path) -> Vec<String> {
    names(dir)
        .into_iter()
        .filter(|n| n.contains("tally-partial"))
        .collect()
}

#[test]
fn sigterm_and_sigint_remove_the_temporary_files() {
    for (signal, status) in [("TERM", 143), ("INT", 130), ("HUP", 129)] {
        let dir = workspace("");
        std::fs::write(dir.path().join("scored.csv"), "the previous output\n").unwrap();
        let before = snapshot(dir.path());
        let (mut child, stdin) = a_run_under_way(dir.path());
        assert_eq!(partials(dir.path()).len(), 2, "the output and the rejects");
        let sent = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(child.id().to_string())
            .status()
            .unwrap();
        assert!(sent.success());
        let exit = child.wait().unwrap();
        drop(stdin);
        assert_eq!(exit.code(), Some(status), "SIG{signal}");
        assert_eq!(snapshot(dir.path()), before, "SIG{signal}");
    }
}

#[test]
fn sigkill_leaves_files_named_after_the_outputs() {
    let dir = workspace("");
    std::fs::write(dir.path().join("scored.csv"), "the previous output\n").unwrap();
    let (mut child, stdin) = a_run_under_way(dir.path());
    child.kill().unwrap();
    child.wait().unwrap();
    drop(stdin);
    assert_eq!(
        std::fs::read(dir.path().join("scored.csv")).unwrap(),
        b"the previous output\n"
    );
    let left = partials(dir.path());
    assert_eq!(left.len(), 2, "{left:?}");
    let documented = |name: &str, output: &str| {
        let random = name.strip_prefix(&format!(".{output}.tally-partial-"));
        random.is_some_and(|r| r.len() == 6 && r.bytes().all(|b| b.is_ascii_alphanumeric()))
    };
    assert!(documented(&left[0], "scored.csv.rejects"), "{left:?}");
    assert!(documented(&left[1], "scored.csv"), "{left:?}");
}

// ---- outputs that are inputs ----

#[test]
fn an_output_that_is_an_input_or_the_other_output_is_refused_before_reading() {
    let dir = workspace(&leads(3, 0));
    std::fs::write(dir.path().join("out.csv"), "the previous output\n").unwrap();
    std::fs::hard_link(dir.path().join("leads.csv"), dir.path().join("hard.csv")).unwrap();
    std::os::unix::fs::symlink("leads.csv", dir.path().join("soft.csv")).unwrap();
    std::fs::write(dir.path().join("x.csv.rejects"), leads(3, 0)).unwrap();
    let before = snapshot(dir.path());
    let refused = |what: &str, path: &str, input: &str, input_path: &str, option: &str| {
        format!(
            "error: {what} `{path}` is the same file as {input} `{input_path}`: \
             writing it would overwrite {input}; give {option} another path\n"
        )
    };
    let cases: Vec<(Vec<&str>, String)> = vec![
        (
            vec!["model.tally", "leads.csv", "-o", "leads.csv"],
            refused(
                "the output",
                "leads.csv",
                "the lead file",
                "leads.csv",
                "-o",
            ),
        ),
        (
            vec![
                "model.tally",
                "leads.csv",
                "-o",
                "o.csv",
                "--rejects",
                "leads.csv",
            ],
            refused(
                "the rejects file",
                "leads.csv",
                "the lead file",
                "leads.csv",
                "--rejects",
            ),
        ),
        (
            vec!["model.tally", "leads.csv", "-o", "model.tally"],
            refused(
                "the output",
                "model.tally",
                "the model",
                "model.tally",
                "-o",
            ),
        ),
        (
            vec!["model.tally", "leads.csv", "--rejects", "./model.tally"],
            refused(
                "the rejects file",
                "./model.tally",
                "the model",
                "model.tally",
                "--rejects",
            ),
        ),
        (
            vec!["model.tally", "leads.csv", "-o", "hard.csv"],
            refused("the output", "hard.csv", "the lead file", "leads.csv", "-o"),
        ),
        (
            vec!["model.tally", "leads.csv", "-o", "soft.csv"],
            refused("the output", "soft.csv", "the lead file", "leads.csv", "-o"),
        ),
        (
            vec!["model.tally", "soft.csv", "-o", "./leads.csv"],
            refused(
                "the output",
                "./leads.csv",
                "the lead file",
                "soft.csv",
                "-o",
            ),
        ),
        (
            // The default rejects file, OUT.rejects, is the lead file.
            vec!["model.tally", "x.csv.rejects", "-o", "x.csv"],
            "error: the rejects file `x.csv.rejects` (named after -o) is the same file as \
             the lead file `x.csv.rejects`: writing it would overwrite the lead file; \
             give --rejects another path\n"
                .to_string(),
        ),
        (
            vec![
                "model.tally",
                "leads.csv",
                "-o",
                "out.csv",
                "--rejects",
                "out.csv",
            ],
            "error: the rejects file `out.csv` is the same file as the output `out.csv`: \
             one would overwrite the other; give --rejects another path\n"
                .to_string(),
        ),
        (
            // A new name, spelt two ways.
            vec![
                "model.tally",
                "leads.csv",
                "-o",
                "new.csv",
                "--rejects",
                "./new.csv",
            ],
            "error: the rejects file `./new.csv` is the same file as the output `new.csv`: \
             one would overwrite the other; give --rejects another path\n"
                .to_string(),
        ),
    ];
    for (args, message) in cases {
        let out = tally(dir.path(), &args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_eq!(text(&out.stderr), message, "{args:?}");
        assert_eq!(text(&out.stdout), "", "{args:?}");
        assert_eq!(snapshot(dir.path()), before, "{args:?}");
    }
    // The lead file on standard input.
    let out = Command::new(env!("CARGO_BIN_EXE_tally"))
        .current_dir(dir.path())
        .args(["score", "model.tally", "-", "-o", "leads.csv"])
        .stdin(std::fs::File::open(dir.path().join("leads.csv")).unwrap())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        "error: the output `leads.csv` is the same file as the lead file on standard input: \
         writing it would overwrite the lead file; give -o another path\n"
    );
    assert_eq!(snapshot(dir.path()), before);
    // Refused before the model is read: its errors are not reported.
    std::fs::write(dir.path().join("broken.tally"), "fields {\n").unwrap();
    let out = tally(
        dir.path(),
        &["broken.tally", "leads.csv", "-o", "leads.csv"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        refused(
            "the output",
            "leads.csv",
            "the lead file",
            "leads.csv",
            "-o"
        )
    );
}

/// A model that reads an events file (`--events`), for the tests of
/// outputs that would overwrite it.
const EVENTS_MODEL: &str = "fields {\n  id: text required\n  n: int\n}\n\
events visits {\n  id: text key\n  at: date time\n}\n\
when count(visits) >= 1 add 5 \"Visited\"\n";

#[test]
fn an_output_that_is_an_events_file_is_refused_before_reading() {
    let dir = workspace(&leads(3, 0));
    std::fs::write(dir.path().join("events.tally"), EVENTS_MODEL).unwrap();
    std::fs::write(dir.path().join("ev.csv"), "id,at\nl1,2026-11-01\n").unwrap();
    let before = snapshot(dir.path());
    let refused = |what: &str, path: &str, option: &str| {
        format!(
            "error: {what} `{path}` is the same file as the events file `{path}`: \
             writing it would overwrite the events file; give {option} another path\n"
        )
    };
    let cases: Vec<(Vec<&str>, String)> = vec![
        (
            vec![
                "events.tally",
                "leads.csv",
                "--events",
                "ev.csv",
                "-o",
                "ev.csv",
            ],
            refused("the output", "ev.csv", "-o"),
        ),
        (
            vec![
                "events.tally",
                "leads.csv",
                "--events",
                "visits=ev.csv",
                "-o",
                "ev.csv",
            ],
            refused("the output", "ev.csv", "-o"),
        ),
        (
            vec![
                "events.tally",
                "leads.csv",
                "--events",
                "ev.csv",
                "-o",
                "o.csv",
                "--rejects",
                "ev.csv",
            ],
            refused("the rejects file", "ev.csv", "--rejects"),
        ),
    ];
    for (args, message) in cases {
        let out = tally(dir.path(), &args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_eq!(text(&out.stderr), message, "{args:?}");
        assert_eq!(snapshot(dir.path()), before, "{args:?}");
    }
    // The commands that write one file refuse it too.
    for command in [
        vec!["report", "events.tally", "leads.csv"],
        vec!["diff", "events.tally", "events.tally", "leads.csv"],
    ] {
        let mut args = command.clone();
        args.extend([
            "--events",
            "ev.csv",
            "--as-of",
            "2026-11-22",
            "-o",
            "ev.csv",
        ]);
        let out = Command::new(env!("CARGO_BIN_EXE_tally"))
            .current_dir(dir.path())
            .env("NO_COLOR", "1")
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_eq!(
            text(&out.stderr),
            "error: `ev.csv` is the same file as the input `ev.csv`: writing it would \
             destroy what is being read; choose another output\n",
            "{args:?}"
        );
        assert_eq!(snapshot(dir.path()), before, "{args:?}");
    }
}

#[test]
fn an_output_path_that_cannot_be_a_file_is_refused_before_reading() {
    let dir = workspace(&leads(3, 0));
    // A broken model: a refusal comes before it is read.
    std::fs::write(dir.path().join("broken.tally"), "fields {\n").unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    std::os::unix::fs::symlink("absent.csv", dir.path().join("dangling.csv")).unwrap();
    let before = names(dir.path());
    let cases = [
        ("sub", "it is a directory; give a file name inside it"),
        (
            "new/",
            "it names no file; give a file name, such as scored.csv",
        ),
        ("", "it names no file; give a file name, such as scored.csv"),
        (
            "missing/out.csv",
            "the directory `missing` does not exist; create it first",
        ),
        (
            "dangling.csv",
            "it is a symbolic link to `absent.csv`, which does not exist; \
             create that file or remove the link",
        ),
    ];
    for (path, reason) in cases {
        for option in ["-o", "--rejects"] {
            let out = tally(dir.path(), &["broken.tally", "leads.csv", option, path]);
            assert_eq!(out.status.code(), Some(2), "{option} {path:?}");
            assert_eq!(
                text(&out.stderr),
                format!("error: cannot write `{path}`: {reason}\n"),
                "{option} {path:?}"
            );
            assert_eq!(names(dir.path()), before, "{option} {path:?}");
        }
    }
}

// ---- targets that are not regular files ----

const SMALL: &str = "id,n\na,2\nb,0\n";
const SCORED: &str = "id,n,score\na,2,5\nb,0,0\n";
const SUMMARY: &str = "read 2 rows: 2 scored, 0 rejected\n";

/// A character device to write to: as root, a node made in `dir` (so
/// that a wrong run replaces that node, not the machine's); otherwise the
/// machine's own, which a user who is not root cannot replace.
fn device(dir: &Path, name: &str, minor: &str) -> PathBuf {
    if is_root() {
        let node = dir.join(name);
        let made = Command::new("mknod")
            .arg(&node)
            .args(["c", "1", minor])
            .output()
            .unwrap();
        assert!(made.status.success(), "mknod: {}", text(&made.stderr));
        node
    } else {
        Path::new("/dev").join(name)
    }
}

fn is_char_device(path: &Path) -> bool {
    std::fs::symlink_metadata(path)
        .unwrap()
        .file_type()
        .is_char_device()
}

#[test]
fn a_null_device_stays_a_device_and_gets_no_rejects_file_beside_it() {
    let dir = workspace(SMALL);
    let null = device(dir.path(), "null", "3");
    // A link to the machine's /dev/null: a wrong run replaces the link.
    std::os::unix::fs::symlink("/dev/null", dir.path().join("null-link")).unwrap();
    let before = names(dir.path());
    for target in [null.to_str().unwrap(), "null-link"] {
        let out = tally(dir.path(), &["model.tally", "leads.csv", "-o", target]);
        assert_eq!(out.status.code(), Some(0), "{target}");
        assert_eq!(text(&out.stderr), SUMMARY, "{target}");
        assert!(is_char_device(&null), "{target}");
        assert!(is_char_device(Path::new("/dev/null")), "{target}");
        assert!(!Path::new(&format!("{}.rejects", null.display())).exists());
        assert_eq!(names(dir.path()), before, "{target}");
    }
    let link = std::fs::symlink_metadata(dir.path().join("null-link")).unwrap();
    assert!(link.file_type().is_symlink());
}

#[test]
fn a_full_device_is_a_write_error() {
    let dir = workspace(&leads(20_000, 0));
    let full = device(dir.path(), "full", "7");
    let before = names(dir.path());
    let full_arg = full.to_str().unwrap();
    let out = tally(dir.path(), &["model.tally", "leads.csv", "-o", full_arg]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        format!("error: cannot write `{full_arg}`: no space left on device\n")
    );
    assert!(is_char_device(&full));
    assert!(!Path::new(&format!("{full_arg}.rejects")).exists());
    assert_eq!(names(dir.path()), before);
}

#[test]
fn a_fifo_is_written_in_place() {
    let dir = workspace(SMALL);
    let fifo = dir.path().join("scored.fifo");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read(fifo).unwrap())
    };
    let out = tally(
        dir.path(),
        &["model.tally", "leads.csv", "-o", "scored.fifo"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    // Checked before waiting for the reader, which would wait forever on
    // a FIFO that was replaced.
    assert!(std::fs::symlink_metadata(&fifo)
        .unwrap()
        .file_type()
        .is_fifo());
    assert_eq!(text(&reader.join().unwrap()), SCORED);
    // Rejects go to standard error (the summary is alone there: none).
    assert_eq!(text(&out.stderr), SUMMARY);
    assert_eq!(
        names(dir.path()),
        ["leads.csv", "model.tally", "scored.fifo"]
    );
}

#[test]
fn a_link_to_a_regular_file_replaces_the_file_and_keeps_the_link() {
    let dir = workspace(SMALL);
    std::fs::create_dir(dir.path().join("real")).unwrap();
    std::fs::write(dir.path().join("real/scored.csv"), "the previous output\n").unwrap();
    let link = dir.path().join("scored.csv");
    std::os::unix::fs::symlink("real/scored.csv", &link).unwrap();
    let out = tally(
        dir.path(),
        &["model.tally", "leads.csv", "-o", "scored.csv"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        std::fs::read_link(&link).unwrap(),
        PathBuf::from("real/scored.csv")
    );
    assert_eq!(
        text(&std::fs::read(dir.path().join("real/scored.csv")).unwrap()),
        SCORED
    );
    // The rejects file is named after the link, beside it.
    assert_eq!(
        names(dir.path()),
        [
            "leads.csv",
            "model.tally",
            "real",
            "scored.csv",
            "scored.csv.rejects"
        ]
    );
    assert_eq!(names(&dir.path().join("real")), ["scored.csv"]);
}

#[test]
fn a_replaced_file_keeps_its_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = workspace(SMALL);
    for mode in [0o600, 0o640, 0o755] {
        let out = dir.path().join("scored.csv");
        std::fs::write(&out, "the previous output\n").unwrap();
        std::fs::set_permissions(&out, std::fs::Permissions::from_mode(mode)).unwrap();
        let run = tally(
            dir.path(),
            &["model.tally", "leads.csv", "-o", "scored.csv"],
        );
        assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
        assert_eq!(text(&std::fs::read(&out).unwrap()), SCORED);
        let kept = std::fs::metadata(&out).unwrap().permissions().mode() & 0o7777;
        assert_eq!(kept, mode, "{mode:o}");
    }
}

#[test]
fn a_name_for_standard_output_is_standard_output() {
    // What /dev/stdout is, made here: a wrong run replaces this link, not
    // the machine's /dev/stdout.
    let dir = workspace(SMALL);
    std::os::unix::fs::symlink("/proc/self/fd/1", dir.path().join("stdout")).unwrap();
    let out = tally(dir.path(), &["model.tally", "leads.csv", "-o", "stdout"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), SCORED);
    assert_eq!(text(&out.stderr), SUMMARY);
    assert_eq!(names(dir.path()), ["leads.csv", "model.tally", "stdout"]);
    let link = std::fs::symlink_metadata(dir.path().join("stdout")).unwrap();
    assert!(link.file_type().is_symlink());
}

// ---- standard output ----

#[test]
fn a_reader_that_stops_early_ends_the_run_quietly() {
    let dir = workspace(&leads(300_000, 0));
    let mut child = Command::new(env!("CARGO_BIN_EXE_tally"))
        .current_dir(dir.path())
        .args(["score", "model.tally", "leads.csv"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert_eq!(first, "id,n,score\n");
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(text(&out.stderr), "");
}

#[test]
fn a_full_standard_output_is_a_write_error() {
    let dir = workspace(&leads(20_000, 0));
    let full = OpenOptions::new().write(true).open("/dev/full").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_tally"))
        .current_dir(dir.path())
        .args(["score", "model.tally", "leads.csv"])
        .stdout(full)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        "error: cannot write standard output: no space left on device\n"
    );
}
