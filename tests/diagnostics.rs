//! Every diagnostic kind, as a user reads it: one small model per code in
//! `tests/diagnostics/`, named after the code, snapshotted with its source
//! and the rendered report (no colour) so review shows exact wording.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // tests fail by panicking

use std::collections::BTreeSet;
use std::path::Path;

use tally::cli::render;
use tally::compile_bytes;
use tally::sql::{compile_sql, Dialect, SqlOptions};

/// The snapshot of one model: its source, then every rendered finding.
fn render_file(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap();
    let name = path.file_name().unwrap().to_string_lossy();
    let (source, compiled) = compile_bytes(&name, bytes);
    let mut out = format!("SOURCE\n{}\nDIAGNOSTICS\n", source.text().trim_end());
    for finding in &compiled.findings {
        out.push_str(&render::human(&source, finding, false));
        out.push('\n');
    }
    out
}

#[test]
fn every_diagnostic_renders_as_snapshotted() {
    insta::glob!("diagnostics/*.tally", |path| {
        insta::assert_snapshot!(render_file(path));
    });
}

/// Each case file yields the diagnostic its name promises, first.
#[test]
fn each_case_reports_its_own_code_first() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/diagnostics");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let code = format!("tally::{}", stem.split("__").next().unwrap());
        let (_, compiled) = compile_bytes("case", std::fs::read(&path).unwrap());
        let first = compiled
            .findings
            .first()
            .map(|f| miette::Diagnostic::code(f).unwrap().to_string());
        assert_eq!(first.as_deref(), Some(code.as_str()), "{}", path.display());
    }
}

/// No diagnostic kind ships without a case: every `code(tally::…)` in the
/// sources has a file in `tests/diagnostics/`.
#[test]
fn every_code_has_a_case() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut codes = BTreeSet::new();
    for file in [
        "src/syntax/error.rs",
        "src/check/error.rs",
        "src/check/lints/warning.rs",
        "src/sql/error.rs",
    ] {
        let text = std::fs::read_to_string(root.join(file)).unwrap();
        for part in text.split("code(tally::").skip(1) {
            codes.insert(part.split(')').next().unwrap().to_string());
        }
    }
    let cases: BTreeSet<String> = std::fs::read_dir(root.join("tests/diagnostics"))
        .unwrap()
        .chain(std::fs::read_dir(root.join("tests/diagnostics_sql")).unwrap())
        .map(|e| {
            e.unwrap()
                .path()
                .file_stem()
                .unwrap()
                .to_string_lossy()
                .split("__")
                .next()
                .unwrap()
                .to_string()
        })
        .collect();
    let missing: Vec<_> = codes.difference(&cases).collect();
    assert!(
        missing.is_empty(),
        "diagnostic codes without a case in tests/diagnostics: {missing:?}"
    );
    let unknown: Vec<_> = cases.difference(&codes).collect();
    assert!(unknown.is_empty(), "cases named after no code: {unknown:?}");
}

/// The dialect a `tests/diagnostics_sql` case names on its first line
/// (`# dialect: postgres`).
fn case_dialect(text: &str) -> Dialect {
    let name = text
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("# dialect: "))
        .unwrap();
    Dialect::from_name(name.trim()).unwrap()
}

/// A model that checks cleanly but cannot be compiled to its case's
/// dialect: its source and the rendered `tally sql` errors.
fn render_sql_case(path: &Path) -> (String, Vec<String>) {
    let bytes = std::fs::read(path).unwrap();
    let name = path.file_name().unwrap().to_string_lossy();
    let (source, compiled) = compile_bytes(&name, bytes);
    assert_eq!(compiled.error_count(), 0, "{}", path.display());
    let options = SqlOptions::new(case_dialect(source.text()));
    let errors = compile_sql(compiled.model.as_ref().unwrap(), &options).unwrap_err();
    let mut out = format!("SOURCE\n{}\nDIAGNOSTICS\n", source.text().trim_end());
    let mut codes = Vec::new();
    for error in errors {
        let finding = tally::Finding::from(error);
        codes.push(miette::Diagnostic::code(&finding).unwrap().to_string());
        out.push_str(&render::human(&source, &finding, false));
        out.push('\n');
    }
    (out, codes)
}

#[test]
fn every_sql_diagnostic_renders_as_snapshotted() {
    insta::glob!("diagnostics_sql/*.tally", |path| {
        insta::assert_snapshot!(render_sql_case(path).0);
    });
}

#[test]
fn each_sql_case_reports_its_own_code_first() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/diagnostics_sql");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let code = format!("tally::{}", stem.split("__").next().unwrap());
        let (_, codes) = render_sql_case(&path);
        assert_eq!(codes.first(), Some(&code), "{}", path.display());
    }
}
