//! One finding, one position: the `file:line:col` of `tally check`'s
//! human report is the `line=`/`col=` of its GitHub annotation, for the
//! first finding of every diagnostic case in `tests/diagnostics/`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // tests fail by panicking

use std::path::Path;
use std::process::Command;

fn check(path: &Path, format: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_tally"))
        .env("NO_COLOR", "1")
        .args(["check", "--format", format])
        .arg(path)
        .output()
        .unwrap();
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// `(line, col)` after `[NAME:` in the human report.
fn human_position(report: &str, name: &str) -> Option<(String, String)> {
    let at = report.find(&format!("[{name}:"))? + name.len() + 2;
    let rest = &report[at..];
    let end = rest.find(']')?;
    let (line, col) = rest[..end].split_once(':')?;
    Some((line.to_string(), col.to_string()))
}

/// `(line, col)` of the first annotation.
fn github_position(report: &str) -> Option<(String, String)> {
    let first = report.lines().find(|l| l.starts_with("::"))?;
    let field = |key: &str| {
        let at = first.find(&format!(",{key}="))? + key.len() + 2;
        Some(first[at..].split([',', ':']).next()?.to_string())
    };
    Some((field("line")?, field("col")?))
}

#[test]
fn human_and_github_reports_name_the_same_position() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/diagnostics");
    let mut compared = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "tally") {
            continue;
        }
        let shown = path.display().to_string();
        let (Some(human), Some(github)) = (
            human_position(&check(&path, "human"), &shown),
            github_position(&check(&path, "github")),
        ) else {
            continue;
        };
        assert_eq!(human, github, "{shown}");
        compared += 1;
    }
    assert!(compared > 60, "only {compared} cases compared");
}

/// Columns count characters in every format, after non-ASCII text on the
/// line too (the human report counted bytes there), and on a line cut
/// to a window around the label.
#[test]
fn columns_count_characters_after_non_ascii_text() {
    let dir = tempfile::tempdir().unwrap();
    let long = "é".repeat(300);
    for (name, text) in [
        (
            "greek.tally",
            "fields { τίτλος: text }\nwhen τίτλος == \"ΔΙΕΥΘΥΝΤΗΣ\" add x\n",
        ),
        (
            "long.tally",
            &format!("fields {{ t: text }}\nwhen t == \"{long}\" add x\n"),
        ),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let shown = path.display().to_string();
        let human = human_position(&check(&path, "human"), &shown).expect("a human position");
        let github = github_position(&check(&path, "github")).expect("a GitHub position");
        assert_eq!(human, github, "{name}");
        let col = text.lines().nth(1).unwrap().split(" add x").next().unwrap();
        let want = (col.chars().count() + " add ".len() + 1).to_string();
        assert_eq!(human, ("2".to_string(), want), "{name}");
    }
}
