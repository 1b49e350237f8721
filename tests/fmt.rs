#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // tests fail by panicking
//! `tally fmt`: snapshots of messy models, idempotence and meaning kept on
//! every model in the repository, a comment next to every token, random
//! models, and the command line.

#[path = "fmt/generate.rs"]
mod generate;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use proptest::prelude::*;
use tally::eval::run_tests;
use tally::fmt::{format, scan, FmtError};
use tally::source::Source;
use tally::value::Date;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fmt(name: &str, text: &str) -> Result<String, FmtError> {
    format(&Source::new(name, text.to_string()))
}

/// What a model means, as far as a user can observe: its findings' codes,
/// its plan as `tally plan` prints it, and what its tests score.
fn meaning(text: &str) -> String {
    let (_, compiled) = tally::compile_bytes("m", text.as_bytes().to_vec());
    let mut codes: Vec<String> = compiled
        .findings
        .iter()
        .map(|f| {
            miette::Diagnostic::code(f)
                .map(|c| c.to_string())
                .unwrap_or_default()
        })
        .collect();
    codes.sort();
    let errors = format!("{} errors {codes:?}", compiled.error_count());
    let Some(model) = compiled.model else {
        return errors;
    };
    let plan = tally::plan::compile(&model);
    let today = Date::from_ymd_opt(2026, 6, 1).unwrap();
    let results: Vec<String> = run_tests(&model, &plan, today)
        .iter()
        .map(|r| {
            format!(
                "{} {} {:?}",
                r.name,
                r.failures.len(),
                r.outcome.score.normalize()
            )
        })
        .collect();
    format!("{errors}\n{plan}\n{results:?}")
}

/// Formats, and checks that formatting again changes nothing and that the
/// formatted text means what the original meant and keeps its comments.
fn assert_sound(name: &str, text: &str) -> String {
    let once = fmt(name, text).unwrap_or_else(|e| panic!("{name}: {e}\n{text}"));
    let twice = fmt(name, &once).unwrap_or_else(|e| panic!("{name} (again): {e}\n{once}"));
    assert_eq!(once, twice, "{name}: formatting is not idempotent");
    assert_eq!(
        meaning(text),
        meaning(&once),
        "{name}: meaning changed\n{once}"
    );
    let mut before = scan::comment_texts(text);
    let mut after = scan::comment_texts(&once);
    before.sort();
    after.sort();
    assert_eq!(before, after, "{name}: comments changed\n{once}");
    once
}

#[test]
fn messy_models_format_as_snapshotted() {
    insta::glob!("fmt/*.tally", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        insta::assert_snapshot!(assert_sound(&path.display().to_string(), &text));
    });
}

/// Every model in the repository: examples, formatter cases, the
/// diagnostics cases that parse, the conformance cases' models, and the
/// `tally` blocks of the docs that parse.
fn corpus() -> Vec<(String, String)> {
    let mut models = Vec::new();
    for dir in ["examples", "tests/fmt", "tests/diagnostics"] {
        for path in files(&root().join(dir), "tally") {
            // The `not_utf8` case is not text: nothing to format.
            if let Ok(text) = String::from_utf8(std::fs::read(&path).unwrap()) {
                models.push((path.display().to_string(), text));
            }
        }
    }
    for path in files(&root().join("tests/conformance"), "case") {
        let text = std::fs::read_to_string(&path).unwrap();
        models.push((path.display().to_string(), case_model(&text)));
    }
    for path in files(&root().join("docs"), "md") {
        let text = std::fs::read_to_string(&path).unwrap();
        for (i, block) in text.split("```tally\n").skip(1).enumerate() {
            let model = block.split("```").next().unwrap();
            models.push((format!("{} block {i}", path.display()), model.to_string()));
        }
    }
    models
}

fn files(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    paths.sort();
    paths
}

/// The `--- model` section of a conformance case.
fn case_model(case: &str) -> String {
    let start = case.find("--- model\n").unwrap() + "--- model\n".len();
    let rest = &case[start..];
    let end = rest.find("\n--- ").map_or(rest.len(), |i| i + 1);
    rest[..end].to_string()
}

#[test]
fn every_model_in_the_repository_is_stable_under_fmt() {
    let mut formatted = 0;
    for (name, text) in corpus() {
        match fmt(&name, &text) {
            Err(FmtError::Syntax) => continue,
            Err(e) => panic!("{name}: {e}"),
            Ok(_) => {
                assert_sound(&name, &text);
                formatted += 1;
            }
        }
    }
    assert!(formatted > 40, "only {formatted} models formatted");
}

/// The models a comment is put next to every token of.
fn example_models() -> Vec<(String, String)> {
    corpus()
        .into_iter()
        .filter(|(name, _)| !name.contains("diagnostics") && !name.contains("docs"))
        .collect()
}

/// A comment at the end of every line, and one on a line of its own
/// between every pair of lines.
fn comment_every_line(text: &str) -> String {
    let mut out = String::new();
    for (i, line) in text.lines().enumerate() {
        out += &format!("{line} # c{}\n# c{}\n", 2 * i, 2 * i + 1);
    }
    out
}

/// Words whose space is part of one token: `not in`, `contains any`, …,
/// and a number and its unit in a duration.
fn joined(before: &str, after: &str) -> bool {
    let pairs = [
        ("not", "in"),
        ("contains", "any"),
        ("contains", "all"),
        ("starts", "with"),
        ("ends", "with"),
        ("is", "missing"),
        ("is", "present"),
    ];
    let unit = [
        "day", "days", "week", "weeks", "month", "months", "year", "years",
    ];
    pairs.contains(&(before, after))
        || (before.chars().all(|c| c.is_ascii_digit()) && unit.contains(&after))
}

/// A comment (and a line break) in every space between two tokens.
fn comment_every_token(text: &str) -> String {
    let tokens = scan::scan(text);
    let mut out = String::new();
    let mut at = 0;
    for (i, pair) in tokens.windows(2).enumerate() {
        let (a, b) = (pair[0], pair[1]);
        out += &text[at..a.end];
        at = a.end;
        let spaced = b.start > a.end && a.kind == scan::Kind::Code;
        if spaced && !joined(a.text(text), b.text(text)) {
            out += &format!(" # t{i}\n");
            at = b.start;
        }
    }
    out + &text[at..]
}

fn assert_keeps_comments(name: &str, text: &str, marker: &str) {
    let once = assert_sound(name, text);
    for word in text.split(marker).skip(1) {
        let id: String = word.chars().take_while(char::is_ascii_digit).collect();
        let comment = format!("{marker}{id}");
        assert!(once.contains(&comment), "{name}: lost `{comment}`\n{once}");
    }
}

#[test]
fn a_comment_on_every_line_is_kept() {
    for (name, text) in example_models() {
        assert_keeps_comments(&name, &comment_every_line(&text), "# c");
    }
}

#[test]
fn a_comment_next_to_every_token_is_kept() {
    for (name, text) in example_models() {
        assert_keeps_comments(&name, &comment_every_token(&text), "# t");
    }
}

#[test]
fn double_negation_in_brackets_keeps_its_reason() {
    let text = "fields {\n  b: bool\n}\n\nwhen not (not b) add 1\n";
    assert_eq!(assert_sound("m", text), text);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    /// Formatting a random valid model gives a fixed point that means what
    /// the model meant (the formatter also checks this itself).
    #[test]
    fn random_models_are_stable_and_keep_their_meaning(text in generate::model()) {
        let before = meaning(&text);
        prop_assert!(before.starts_with("0 errors"), "generated an invalid model:\n{}\n{}", text, before);
        let once = fmt("generated", &text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        let twice = fmt("generated", &once).unwrap_or_else(|e| panic!("{e}\n{once}"));
        prop_assert_eq!(&once, &twice, "not idempotent");
        prop_assert_eq!(before, meaning(&once), "meaning changed:\n{}", once);
    }
}

// ---------------------------------------------------------------- command line

const MESSY: &str = "fields { a: int; b: text }\nwhen a>1 add 5 # five\nwhen b == \"x\"   sub 2\n";
const TIDY: &str =
    "fields {\n  a: int\n  b: text\n}\n\nwhen a > 1    add 5 # five\nwhen b == \"x\" sub 2\n";

fn tally(dir: &Path, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tally"))
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

fn workspace(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap()
}

#[test]
fn fmt_rewrites_a_file_in_place() {
    let dir = workspace(&[("m.tally", MESSY), ("tidy.tally", TIDY)]);
    let out = tally(dir.path(), &["fmt", "m.tally", "tidy.tally"], "");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!((out.stdout.len(), out.stderr.len()), (0, 0));
    assert_eq!(read(dir.path(), "m.tally"), TIDY);
    assert_eq!(read(dir.path(), "tidy.tally"), TIDY);
    let leftovers = std::fs::read_dir(dir.path()).unwrap().count();
    assert_eq!(leftovers, 2, "no temporary file is left behind");
}

#[test]
fn check_prints_a_unified_diff_and_exits_one() {
    let dir = workspace(&[("m.tally", MESSY)]);
    let out = tally(dir.path(), &["fmt", "--check", "m.tally"], "");
    assert_eq!(out.status.code(), Some(1));
    let expected = "\
--- a/m.tally
+++ b/m.tally
@@ -1,3 +1,7 @@
-fields { a: int; b: text }
-when a>1 add 5 # five
-when b == \"x\"   sub 2
+fields {
+  a: int
+  b: text
+}
+
+when a > 1    add 5 # five
+when b == \"x\" sub 2
";
    assert_eq!(String::from_utf8(out.stdout).unwrap(), expected);
    assert_eq!(
        read(dir.path(), "m.tally"),
        MESSY,
        "--check changes nothing"
    );
}

#[test]
fn check_passes_quietly_on_formatted_files() {
    let dir = workspace(&[("tidy.tally", TIDY)]);
    let out = tally(dir.path(), &["fmt", "--check", "tidy.tally"], "");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!((out.stdout.len(), out.stderr.len()), (0, 0));
}

#[test]
fn dash_reads_standard_input_and_writes_standard_output() {
    let dir = workspace(&[]);
    let out = tally(dir.path(), &["fmt", "-"], MESSY);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8(out.stdout).unwrap(), TIDY);
}

#[test]
fn a_model_with_a_syntax_error_is_left_untouched() {
    let broken = "fields { a: int }\nwhen a > add 5\n";
    let dir = workspace(&[("bad.tally", broken)]);
    let out = tally(dir.path(), &["fmt", "bad.tally"], "");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(read(dir.path(), "bad.tally"), broken);
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("╭─[bad.tally:2:"), "{stderr}");
    assert!(
        stderr.contains("bad.tally has 1 syntax error; not formatted"),
        "{stderr}"
    );
}

#[test]
fn an_unreadable_file_exits_two() {
    let dir = workspace(&[]);
    let out = tally(dir.path(), &["fmt", "missing.tally"], "");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("cannot read `missing.tally`"), "{stderr}");
}

#[cfg(unix)]
#[test]
fn rewriting_keeps_the_file_mode() {
    use std::os::unix::fs::PermissionsExt;
    let dir = workspace(&[("m.tally", MESSY)]);
    let path = dir.path().join("m.tally");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    let out = tally(dir.path(), &["fmt", "m.tally"], "");
    assert_eq!(out.status.code(), Some(0));
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o640);
}

#[test]
fn events_blocks_and_per_event_rules_line_up_like_fields_and_rules() {
    let messy = "fields { lead_id: text required }\n\
        events activity { lead_id: text key; at: date time; kind: text }\n\
        when count(activity where kind == \"webinar\" within 90 days) >= 2 add 10 \"Webinar regular\"\n\
        each activity where kind == \"pricing_view\" add 5 max 15 \"Pricing views\"\n\
        each activity where kind == \"demo_request\" add 25 decay half-life 30 days \"Demo requests\"\n\
        test \"t\" as of 2026-11-22 { given { lead_id: \"L1\", activity: [ {kind: \"webinar\", at: 2026-11-01} ] } expect score == 0 }\n";
    let tidy = "\
fields {
  lead_id: text required
}

events activity {
  lead_id: text key
  at:      date time
  kind:    text
}

when count(activity where kind == \"webinar\" within 90 days) >= 2 add 10                         \"Webinar regular\"
each activity where kind == \"pricing_view\"                       add 5  max 15                  \"Pricing views\"
each activity where kind == \"demo_request\"                       add 25 decay half-life 30 days \"Demo requests\"

test \"t\" as of 2026-11-22 {
  given { lead_id: \"L1\", activity: [{ kind: \"webinar\", at: 2026-11-01 }] }
  expect score == 0
}
";
    assert_eq!(assert_sound("m", messy), tidy);
}

#[test]
fn a_rule_without_decay_or_max_leaves_no_gap_before_its_reason() {
    let text = "fields {\n  a: int\n}\n\nwhen a > 1  add 5 \"five\"\nwhen a > 20 add 1 \"one\"\n";
    assert_eq!(assert_sound("m", text), text);
}
