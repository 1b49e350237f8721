//! The CI recipes in docs/ci.md and .pre-commit-hooks.yaml run as written:
//! every `tally …` command they contain is run on the bundled examples
//! and must succeed.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // tests fail by panicking

use std::path::Path;
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The bundled example models, relative to the repository root.
fn examples() -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir(root().join("examples"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "tally"))
        .map(|p| {
            p.strip_prefix(root())
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    files.sort();
    files
}

/// Run `tally ARGS… FILES…` from the repository root; it must exit 0.
fn run_on_examples(command: &str) {
    let words: Vec<&str> = command.split_whitespace().collect();
    assert_eq!(words.first(), Some(&"tally"), "{command}");
    let out = Command::new(env!("CARGO_BIN_EXE_tally"))
        .current_dir(root())
        .env("NO_COLOR", "1")
        .args(&words[1..])
        .args(examples())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "`{command}` failed on the examples:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The `tally` commands of the workflow in docs/ci.md, without the
/// `${{ … }}` file list.
fn workflow_commands() -> Vec<String> {
    let doc = std::fs::read_to_string(root().join("docs/ci.md")).unwrap();
    let yaml = doc
        .split("```yaml")
        .nth(1)
        .unwrap()
        .split("```")
        .next()
        .unwrap();
    yaml.lines()
        .filter_map(|l| l.trim().strip_prefix("run: "))
        .filter(|c| c.starts_with("tally "))
        .map(|c| c.split("${{").next().unwrap().trim().to_string())
        .collect()
}

#[test]
fn the_documented_workflow_passes_on_the_examples() {
    let commands = workflow_commands();
    assert_eq!(
        commands,
        [
            "tally fmt --check",
            "tally check --deny-warnings --format github",
            "tally test --format github"
        ]
    );
    for command in commands {
        run_on_examples(&command);
    }
}

#[test]
fn the_pre_commit_hooks_pass_on_the_examples() {
    let hooks = std::fs::read_to_string(root().join(".pre-commit-hooks.yaml")).unwrap();
    let entries: Vec<&str> = hooks
        .lines()
        .filter_map(|l| l.trim().strip_prefix("entry: "))
        .collect();
    assert_eq!(
        entries,
        [
            "tally fmt --check",
            "tally check --deny-warnings",
            "tally test"
        ]
    );
    for entry in entries {
        run_on_examples(entry);
    }
}
