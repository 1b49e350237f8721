//! Models with CR line ends (old Mac files): a lone CR ends a line as LF
//! and CRLF do, so a CR-only model checks, plans, scores and formats as
//! its LF twin does, with the same line and column numbers.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // tests fail by panicking

#[path = "support/cli.rs"]
mod support;
use support::tally;

use std::path::Path;

use tally::cli::render;
use tally::source::Source;
use tally::{compile, compile_bytes, plan};

const EXAMPLES: [&str; 2] = ["examples/b2b_inbound.tally", "examples/saas_trial.tally"];

fn example(path: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap()
}

fn cr_only(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\n', "\r")
}

/// Every finding as JSON (code, message, lines and columns) and the plan.
fn meaning(name: &str, text: &str) -> (Vec<String>, Option<String>) {
    let (source, compiled) = compile_bytes(name, text.as_bytes().to_vec());
    let findings = compiled
        .findings
        .iter()
        .map(|f| serde_json::to_string(&render::json(&source, f)).unwrap())
        .collect();
    let plan = compiled.model.map(|m| plan::compile(&m).to_string());
    (findings, plan)
}

#[test]
fn a_comment_ends_at_a_lone_cr() {
    let text = "fields {\r  a: int\r}\r# points for a\rwhen a > 1 add 5 \"big a\"\r";
    let compiled = compile(&Source::new("m.tally", text));
    let model = compiled.model.expect("no errors");
    assert_eq!(model.rules.len(), 1);
}

#[test]
fn the_examples_with_cr_line_ends_mean_what_they_mean_with_lf() {
    for path in EXAMPLES {
        let lf = example(path);
        let (findings, plan) = meaning("m.tally", &cr_only(&lf));
        assert_eq!((findings, plan), meaning("m.tally", &lf), "{path}");
    }
}

#[test]
fn positions_count_a_lone_cr_as_a_line_end() {
    let lf = "fields {\n  a: int\n}\n# note\nwhen b > 1 add 5 \"x\"\n";
    let (findings, _) = meaning("m.tally", &cr_only(lf));
    assert_eq!(findings, meaning("m.tally", lf).0);
    assert_eq!(findings.len(), 1);
    assert!(
        findings[0].contains(r#""line":5,"column":6,"end_line":5,"end_column":7"#),
        "{}",
        findings[0]
    );
    let source = Source::new("m.tally", cr_only(lf));
    assert_eq!(source.line_col(lf.find("when").unwrap()), (5, 1));
    assert_eq!(source.line_count(), 6);
}

#[test]
fn crlf_and_a_lone_cr_can_be_mixed() {
    let lf = "fields {\n  a: int\n}\n# note\nwhen a > 1 add 5 \"x\"\n";
    let mixed = "fields {\r\n  a: int\r}\n# note\rwhen a > 1 add 5 \"x\"\r\n";
    assert_eq!(meaning("m.tally", mixed), meaning("m.tally", lf));
}

#[test]
fn formatting_a_cr_only_model_gives_lf_line_ends() {
    for path in EXAMPLES {
        let lf = example(path);
        let canonical = tally::fmt::format(&Source::new("m.tally", lf.as_str())).unwrap();
        let from_cr = tally::fmt::format(&Source::new("m.tally", cr_only(&lf))).unwrap();
        assert_eq!(from_cr, canonical, "{path}");
        assert!(!from_cr.contains('\r'));
    }
}

#[test]
fn the_binary_checks_and_scores_a_cr_only_model_as_its_lf_twin() {
    let dir = tempfile::tempdir().unwrap();
    let lf = example("examples/b2b_inbound.tally");
    std::fs::write(dir.path().join("lf.tally"), &lf).unwrap();
    std::fs::write(dir.path().join("cr.tally"), cr_only(&lf)).unwrap();
    let leads = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/leads.csv");
    let leads = leads.to_str().unwrap();
    let check = |name| tally(dir.path(), &["check", name]);
    let (lf_check, cr_check) = (check("lf.tally"), check("cr.tally"));
    assert_eq!(cr_check.status.code(), Some(0));
    let summary = String::from_utf8(cr_check.stdout).unwrap();
    assert_eq!(
        summary.replace("cr.tally", "lf.tally"),
        String::from_utf8(lf_check.stdout).unwrap()
    );
    let score = |name| {
        let args = ["score", name, leads, "--as-of", "2026-11-22"];
        tally(dir.path(), &args)
    };
    let (lf_scores, cr_scores) = (score("lf.tally"), score("cr.tally"));
    assert_eq!(lf_scores.status.code(), cr_scores.status.code());
    assert!(lf_scores.stdout.len() > 1000);
    assert_eq!(lf_scores.stdout, cr_scores.stdout);
}

#[test]
fn fmt_rewrites_a_cr_only_model_with_lf_line_ends() {
    let dir = tempfile::tempdir().unwrap();
    let lf = example("examples/b2b_inbound.tally");
    let canonical = tally::fmt::format(&Source::new("m.tally", lf.as_str())).unwrap();
    std::fs::write(dir.path().join("cr.tally"), cr_only(&canonical)).unwrap();
    let check = tally(dir.path(), &["fmt", "--check", "cr.tally"]);
    assert_eq!(check.status.code(), Some(1));
    let fmt = tally(dir.path(), &["fmt", "cr.tally"]);
    assert_eq!(fmt.status.code(), Some(0));
    let written = std::fs::read_to_string(dir.path().join("cr.tally")).unwrap();
    assert_eq!(written, canonical);
}
