#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // tests fail by panicking

//! The documentation cannot lie: every model it shows is compiled.
//!
//! - Every ```` ```tally ```` block in `docs/*.md` and `README.md`, and every
//!   `examples/*.tally` file, must compile without errors.
//! - Every ```` ```tally-error ```` block must produce at least one error.
//!   When the next block is ```` ```text ````, it is the output of
//!   `NO_COLOR=1 tally check model.tally` on that model and must match it
//!   exactly, so pasted diagnostics stay current.
//! - Every example is described in `examples/README.md`.
//! - The worked example of events in docs/language.md scores as shown.

use std::path::{Path, PathBuf};

use miette::Diagnostic;
use tally::cli::render;
use tally::source::Source;
use tally::{compile, Compiled, Finding};

/// The file name the pasted `tally check` outputs in the docs refer to.
const PASTED_NAME: &str = "model.tally";

/// One fenced code block of a Markdown file.
#[derive(Debug)]
struct Block {
    /// The first word of the info string (`tally`, `tally-error`, `text`, …).
    lang: String,
    /// 1-based line of the opening fence.
    line: usize,
    text: String,
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Files in `dir` whose names end with `suffix`, sorted.
fn files_ending(dir: &Path, suffix: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_file() && path.to_string_lossy().ends_with(suffix))
        .collect();
    files.sort();
    files
}

/// The Markdown files whose examples are checked.
fn markdown_files() -> Vec<PathBuf> {
    let mut files = files_ending(&root().join("docs"), ".md");
    files.push(root().join("README.md"));
    files
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// The fenced code blocks of a Markdown text, in order. A fence is three or
/// more backticks (possibly indented); it closes at a line of at least as
/// many backticks and nothing else.
fn fenced_blocks(markdown: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut open: Option<(usize, Block)> = None;
    for (index, line) in markdown.lines().enumerate() {
        let trimmed = line.trim_start();
        let ticks = trimmed.chars().take_while(|c| *c == '`').count();
        match open.take() {
            None if ticks >= 3 => {
                let info = trimmed[ticks..].trim();
                let lang = info.split_whitespace().next().unwrap_or("").to_string();
                let block = Block {
                    lang,
                    line: index + 1,
                    text: String::new(),
                };
                open = Some((ticks, block));
            }
            None => {}
            Some((fence, block)) if ticks >= fence && trimmed[ticks..].trim().is_empty() => {
                blocks.push(block);
            }
            Some((fence, mut block)) => {
                block.text.push_str(line);
                block.text.push('\n');
                open = Some((fence, block));
            }
        }
    }
    if let Some((_, block)) = open {
        panic!("code block opened at line {} is never closed", block.line);
    }
    blocks
}

fn code(finding: &Finding) -> String {
    finding
        .code()
        .map_or_else(|| "(no code)".to_string(), |c| c.to_string())
}

/// Every finding as `line:column code: message`, one a line, for failures.
fn describe(source: &Source, compiled: &Compiled) -> String {
    compiled
        .findings
        .iter()
        .map(|finding| {
            let offset = finding
                .labels()
                .and_then(|mut labels| labels.next())
                .map_or(0, |label| label.offset());
            let (line, column) = source.line_col(offset);
            format!("  {line}:{column} {}: {finding}", code(finding))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// What `NO_COLOR=1 tally check model.tally` prints for a model with
/// problems: each rendered finding and a blank line, then the summary.
fn check_output(source: &Source, compiled: &Compiled) -> String {
    let mut out = String::new();
    for finding in &compiled.findings {
        out.push_str(&render::human(source, finding, false));
        out.push('\n');
    }
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    out.push_str(&format!(
        "{}: {}, {}\n",
        source.name(),
        plural(compiled.error_count(), "error"),
        plural(compiled.warning_count(), "warning"),
    ));
    out
}

/// Trailing spaces are invisible in Markdown: compare without them.
fn normalize(text: &str) -> String {
    text.lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n")
        .trim()
        .to_string()
}

fn assert_compiles(name: &str, text: &str) {
    let source = Source::new(name, text);
    let compiled = compile(&source);
    assert!(
        compiled.error_count() == 0,
        "{name} does not compile; fence it as ```tally-error if that is on purpose:\n{}",
        describe(&source, &compiled)
    );
}

/// Checks the blocks of one Markdown file; returns how many models it has.
fn check_markdown(path: &Path) -> usize {
    let relative = path.strip_prefix(root()).unwrap_or(path).display();
    let blocks = fenced_blocks(&read(path));
    let mut updates: Vec<(usize, usize, String)> = Vec::new();
    let mut models = 0;
    for (index, block) in blocks.iter().enumerate() {
        let name = format!("{relative}:{}", block.line);
        match block.lang.as_str() {
            "tally" => assert_compiles(&name, &block.text),
            "tally-error" => {
                let compiled = compile(&Source::new(name.as_str(), block.text.as_str()));
                assert!(
                    compiled.error_count() > 0,
                    "{name} is fenced as ```tally-error but compiles without errors"
                );
                if let Some(output) = blocks.get(index + 1).filter(|b| b.lang == "text") {
                    let source = Source::new(PASTED_NAME, block.text.as_str());
                    let actual = check_output(&source, &compile(&source));
                    if updating() && normalize(&actual) != normalize(&output.text) {
                        updates.push((output.line, output.text.lines().count(), actual));
                        continue;
                    }
                    assert!(
                        normalize(&actual) == normalize(&output.text),
                        "the output shown at {relative}:{} is not what `tally check` \
                         prints for the model at {name}; it now prints:\n{actual}",
                        output.line
                    );
                }
            }
            lang if lang.starts_with("tally") => {
                panic!("{name}: unknown fence `{lang}`; use ```tally or ```tally-error")
            }
            _ => continue,
        }
        models += 1;
    }
    if !updates.is_empty() {
        rewrite_outputs(path, &updates);
    }
    models
}

/// `UPDATE_DOCS=1 cargo test --test docs` rewrites stale pasted outputs.
fn updating() -> bool {
    std::env::var_os("UPDATE_DOCS").is_some()
}

/// Replace the bodies of the `text` blocks that open at the given lines.
fn rewrite_outputs(path: &Path, updates: &[(usize, usize, String)]) {
    let mut lines: Vec<String> = read(path).lines().map(String::from).collect();
    for (fence_line, old_len, actual) in updates.iter().rev() {
        let body: Vec<String> = actual
            .trim_end()
            .lines()
            .map(|l| l.trim_end().to_string())
            .collect();
        lines.splice(*fence_line..fence_line + old_len, body);
    }
    std::fs::write(path, lines.join("\n") + "\n").unwrap();
}

#[test]
fn models_in_the_docs_are_what_they_claim() {
    let mut models = 0;
    for path in markdown_files() {
        models += check_markdown(&path);
    }
    let guide = check_markdown(&root().join("docs/language.md"));
    assert!(
        guide >= 10,
        "docs/language.md should show many models, found {guide}"
    );
    assert!(models >= guide);
}

#[test]
fn examples_compile() {
    let examples = files_ending(&root().join("examples"), ".tally");
    assert!(
        examples.iter().any(|p| p.ends_with("b2b_inbound.tally")),
        "the spec's model examples/b2b_inbound.tally is missing"
    );
    for path in &examples {
        let name = path
            .strip_prefix(root())
            .unwrap_or(path)
            .display()
            .to_string();
        assert_compiles(&name, &read(path));
    }
}

#[test]
fn examples_are_described_in_their_readme() {
    let readme = read(&root().join("examples/README.md"));
    for path in files_ending(&root().join("examples"), ".tally") {
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            readme.contains(&file),
            "examples/README.md does not describe {file}"
        );
    }
}

#[test]
fn fences_are_found() {
    let text = "a\n```tally\nx\n```\n  ````text\n```\n````\n```\ny\n```\n";
    let blocks = fenced_blocks(text);
    let langs: Vec<&str> = blocks.iter().map(|b| b.lang.as_str()).collect();
    assert_eq!(langs, ["tally", "text", ""]);
    assert_eq!(blocks[0].text, "x\n");
    assert_eq!(blocks[1].text, "```\n");
    assert_eq!(blocks[1].line, 5);
}

/// The worked example of "Behaviour over time" in docs/language.md: its
/// two exports, scored with its model, give the output and the standard
/// error shown under them.
#[test]
fn the_worked_example_of_events_scores_as_shown() {
    let guide = read(&root().join("docs/language.md"));
    let start = guide
        .find("### A worked example: from an activity export to stages")
        .expect("the worked example in docs/language.md");
    let end = guide[start + 4..]
        .find("\n### ")
        .map_or(guide.len(), |i| start + 4 + i);
    let blocks = fenced_blocks(&guide[start..end]);
    let texts: Vec<&Block> = blocks.iter().filter(|b| b.lang == "text").collect();
    let model = blocks
        .iter()
        .find(|b| b.lang == "tally")
        .expect("its model");
    let [leads, activity, output, stderr] = texts.as_slice() else {
        panic!(
            "the worked example should show 4 text blocks, found {}",
            texts.len()
        );
    };
    let dir = tempfile::tempdir().unwrap();
    for (name, block) in [
        ("model.tally", model),
        ("leads.csv", leads),
        ("activity.csv", activity),
    ] {
        std::fs::write(dir.path().join(name), &block.text).unwrap();
    }
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tally"))
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .args([
            "score",
            "model.tally",
            "leads.csv",
            "--events",
            "activity.csv",
        ])
        .args(["--as-of", "2026-11-22", "--explain"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "a rejected event exits 1");
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(normalize(&stdout), normalize(&output.text));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(normalize(&err), normalize(&stderr.text));
    let test = std::process::Command::new(env!("CARGO_BIN_EXE_tally"))
        .current_dir(dir.path())
        .args(["test", "model.tally"])
        .output()
        .unwrap();
    assert_eq!(test.status.code(), Some(0), "{test:?}");
}
