//! `tally init`, `tally completions` and `tally man`: what a new user runs
//! in the first hour. Everything `init` writes must pass as written: every
//! `tally` command of its CI workflow and pre-commit config is run here on
//! the new repository.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // tests fail by panicking

#[path = "support/cli.rs"]
mod support;
use support::tally;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A shell with the `tally` under test first on PATH.
fn shell(dir: &Path, script: &str) -> Output {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_tally"));
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    Command::new("sh")
        .current_dir(dir)
        .env("PATH", path)
        .env("NO_COLOR", "1")
        .args(["-c", script])
        .output()
        .unwrap()
}

fn init_repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let out = tally(dir.path(), &["init", "models"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    dir
}

/// The `run:` commands of the workflow that call tally.
fn workflow_commands(workflow: &str) -> Vec<String> {
    workflow
        .lines()
        .filter_map(|line| line.trim().strip_prefix("run: "))
        .filter(|command| command.starts_with("tally "))
        .map(str::to_string)
        .collect()
}

#[test]
fn init_writes_a_repository_whose_workflow_passes_as_written() {
    let dir = init_repo();
    let repo = dir.path().join("models");
    let workflow = std::fs::read_to_string(repo.join(".github/workflows/tally.yml")).unwrap();
    let commands = workflow_commands(&workflow);
    assert_eq!(
        commands,
        [
            "tally fmt --check *.tally",
            "tally check --deny-warnings --format github *.tally",
            "tally test --format github *.tally",
        ]
    );
    for command in commands {
        let out = shell(&repo, &command);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{command}\n{}{}",
            text(&out.stdout),
            text(&out.stderr)
        );
    }
}

/// The shell script of the workflow step named `name` (a `run: |` block).
fn step_script(workflow: &str, name: &str) -> String {
    let start = workflow.find(&format!("- name: {name}")).unwrap();
    let block = &workflow[start..];
    let body = &block[block.find("run: |\n").unwrap() + "run: |\n".len()..];
    body.lines()
        .take_while(|line| line.starts_with("          ") || line.trim().is_empty())
        .map(|line| line.trim_start())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_workflow_comments_what_a_model_change_does() {
    let dir = init_repo();
    let repo = dir.path().join("models");
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .current_dir(&repo)
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {}", text(&out.stderr));
    };
    git(&["init", "-q", "-b", "main"]);
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "start"]);
    git(&["checkout", "-q", "-b", "change"]);
    let model = std::fs::read_to_string(repo.join("scoring.tally")).unwrap();
    let changed = model.replace("if score >= 30 then MQL", "if score >= 20 then MQL");
    assert_ne!(changed, model);
    std::fs::write(repo.join("scoring.tally"), changed).unwrap();
    git(&["commit", "-q", "-am", "lower the MQL threshold"]);
    let workflow = std::fs::read_to_string(repo.join(".github/workflows/tally.yml")).unwrap();
    // As GitHub runs it, but against the local branch and without posting.
    let script = step_script(&workflow, "What the change does to the sample leads")
        .replace("\"${{ github.event.pull_request.number }}\"", "1")
        .replace("gh pr comment", "echo would comment");
    let out = shell(&repo, &format!("BASE=main\n{script}"));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{script}\n{}",
        text(&out.stderr)
    );
    assert_eq!(text(&out.stdout), "would comment 1 --body-file diff.md\n");
    let comment = std::fs::read_to_string(repo.join("diff.md")).unwrap();
    assert!(
        comment.starts_with("## What this model change does\n"),
        "{comment}"
    );
    assert!(
        comment.contains("stage changed: 1 of 6 leads (16.7%)"),
        "{comment}"
    );
}

#[test]
fn init_writes_pre_commit_hooks_that_pass_on_its_model() {
    let dir = init_repo();
    let repo = dir.path().join("models");
    let config = std::fs::read_to_string(repo.join(".pre-commit-config.yaml")).unwrap();
    let entries: Vec<&str> = config
        .lines()
        .filter_map(|line| line.trim().strip_prefix("entry: "))
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
        // pre-commit appends the staged files that match `files:`.
        let out = shell(&repo, &format!("{entry} scoring.tally"));
        assert_eq!(out.status.code(), Some(0), "{entry}\n{}", text(&out.stderr));
    }
}

#[test]
fn the_starter_model_scores_its_lead_file() {
    let dir = init_repo();
    let repo = dir.path().join("models");
    let out = tally(
        &repo,
        &[
            "score",
            "scoring.tally",
            "leads.csv",
            "--as-of",
            "2026-12-01",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "lead_id,Job Title,employees,country,pages,requested_demo,unsubscribed,last_activity,score,fit,engagement,stage\n\
         L001,CEO,250,US,home;pricing;blog,yes,no,2026-11-28,85,45,40,SQL\n\
         L002,Marketing Manager,40,UK,home;blog,no,no,2026-11-02,10,10,0,Nurture\n\
         L003,vp sales ,800,DE,pricing;case-studies,no,no,2026-10-30,40,25,15,MQL\n\
         L004,Student,,FR,careers,no,yes,2026-03-14,0,0,0,Nurture\n\
         L005,Head of Operations,1200,CA,home;pricing,yes,no,2026-11-30,50,10,40,MQL\n\
         L006,Engineer,60,US,docs;blog,no,no,2026-06-01,25,25,0,Nurture\n"
    );
    assert_eq!(text(&out.stderr), "read 6 rows: 6 scored, 0 rejected\n");
}

#[test]
fn init_never_replaces_a_file_and_writes_nothing_when_one_is_there() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("scoring.tally"), "mine").unwrap();
    let out = tally(dir.path(), &["init", "."]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        "error: `./scoring.tally` already exists; `tally init` writes only new files: \
         choose an empty directory, e.g. `tally init scoring-models`\n"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("scoring.tally")).unwrap(),
        "mine"
    );
    assert!(!dir.path().join("leads.csv").exists());
    assert!(!dir.path().join(".github").exists());
}

#[test]
fn completions_are_printed_for_every_shell() {
    let dir = tempfile::tempdir().unwrap();
    for shell_name in ["bash", "zsh", "fish", "powershell"] {
        let out = tally(dir.path(), &["completions", shell_name]);
        assert_eq!(out.status.code(), Some(0), "{shell_name}");
        let script = text(&out.stdout);
        for command in ["score", "explain", "init", "rejects"] {
            assert!(script.contains(command), "{shell_name} lacks {command}");
        }
    }
    let out = tally(dir.path(), &["completions", "bash"]);
    let check = Command::new("bash")
        .args(["-n", "-c", &text(&out.stdout)])
        .output()
        .unwrap();
    assert!(check.status.success(), "{}", text(&check.stderr));
    let bad = tally(dir.path(), &["completions", "tcsh"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn man_pages_are_written_for_tally_and_each_command() {
    let dir = tempfile::tempdir().unwrap();
    let out = tally(dir.path(), &["man", "pages"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let mut pages: Vec<String> = std::fs::read_dir(dir.path().join("pages"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    pages.sort();
    for page in ["tally.1", "tally-score.1", "tally-check.1", "tally-init.1"] {
        assert!(pages.iter().any(|p| p == page), "{page} not in {pages:?}");
    }
    let score = std::fs::read_to_string(dir.path().join("pages/tally-score.1")).unwrap();
    assert!(score.starts_with(".ie \\n(.g .ds Aq"), "roff: {score:.80}");
    assert!(score.contains("\\-\\-rejects"), "{score}");
}
