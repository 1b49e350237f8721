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

/// The model the input diagnostics below are found with.
const INPUT_MODEL: &str = "fields { company: text, email: text, tags: list }\n\
                           group reasons { when company == \"x\" add 1 }\n\
                           when email == \"y\" add 1\n";

/// Each problem a lead file's header can have, found by binding
/// `INPUT_MODEL` to a header (or reading a CSV file's first row), and
/// rendered as `tally score` renders it.
fn input_diagnostics() -> Vec<(String, Box<dyn miette::Diagnostic>)> {
    use tally::io::{header_from, Binding, Format, Header, Layout, OpenError, RowLimit};
    let (_, compiled) = compile_bytes("m.tally", INPUT_MODEL.as_bytes().to_vec());
    let plan = tally::plan::compile(compiled.model.as_ref().unwrap());
    let csv = |columns: &str| Header {
        format: Format::Csv,
        columns: columns
            .split(',')
            .filter(|c| !c.is_empty())
            .map(str::to_string)
            .collect(),
    };
    let bind = |columns: &str| Binding::new(&plan, &csv(columns));
    let mut found: Vec<(String, Box<dyn miette::Diagnostic>)> = Vec::new();
    let mut add = |what: &str, errors: Vec<tally::io::HeaderError>| {
        for error in errors {
            found.push((what.to_string(), Box::new(error)));
        }
    };
    add(
        "a missing column",
        bind("id,Company,email,tag").unwrap_err(),
    );
    add("an empty file", bind("").unwrap_err()[..1].to_vec());
    add(
        "a column named twice",
        bind("company,email,tags,email").unwrap_err(),
    );
    add(
        "a column named three times",
        bind("company,email,tags,email,email").unwrap_err(),
    );
    add(
        "the wrong delimiter",
        bind("company;email;tags").unwrap_err(),
    );
    add(
        "the wrong delimiter",
        bind("company\temail\ttags").unwrap_err(),
    );
    let layout = |columns: &str, prefix: &str, explain: bool| {
        Layout::new(&plan, &csv(columns), Format::Csv, prefix, explain).unwrap_err()
    };
    add(
        "an output named like a column",
        layout("company,email,tags,score", "", false),
    );
    add(
        "with --prefix",
        layout("company,email,tags,t_score", "t_", false),
    );
    add(
        "a group named `reasons` with --explain",
        layout("company,email,tags", "", true),
    );
    let note = bind("COMPANY,email,tags").unwrap().notes().to_vec();
    for note in note {
        found.push(("a column found by ignoring case".into(), Box::new(note)));
    }
    let unreadable = [&b"id,\"abc\n"[..], b"id,caf\xe9\n"];
    for first in unreadable {
        let Err(OpenError::Header(error)) = header_from(Some(first), b',') else {
            panic!("a header error");
        };
        found.push(("an unreadable header".into(), Box::new(error)));
    }
    let chunks = tally::io::chunks::Chunks::new(&b"id,a_long_name\n"[..], b',');
    let Err(OpenError::Header(error)) = chunks.row_limit(RowLimit::new(8)).first_record() else {
        panic!("a header past the limit");
    };
    found.push(("a header past --max-row-bytes".into(), Box::new(error)));
    found
}

#[test]
fn every_input_diagnostic_renders_as_snapshotted() {
    let mut out = format!("MODEL\n{INPUT_MODEL}\n");
    for (what, diagnostic) in input_diagnostics() {
        out.push_str(&format!("--- {what}\n"));
        out.push_str(&render::human_input(
            "`leads.csv`",
            diagnostic.as_ref(),
            false,
        ));
    }
    insta::assert_snapshot!(out);
}

/// Every code of `src/io/header_error.rs` has a case above, and every
/// case reports a code.
#[test]
fn every_input_code_has_a_case() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("src/io/header_error.rs")).unwrap();
    let codes: BTreeSet<String> = text
        .split("code(tally::")
        .skip(1)
        .map(|part| format!("tally::{}", part.split(')').next().unwrap()))
        .collect();
    let cases: BTreeSet<String> = input_diagnostics()
        .iter()
        .map(|(_, d)| d.code().unwrap().to_string())
        .collect();
    assert_eq!(codes, cases);
}

/// Spec section 9: `tally check` reports every error in one run. The
/// markers of an events block are checked each on its own: a `time`
/// field of the wrong type hid the key's missing lead field (and a key
/// of the wrong type hid both), so a user fixed one to meet the next.
/// The codes of the findings of the model `source`, in order.
fn codes_of(source: &str) -> Vec<String> {
    let (_, compiled) = compile_bytes("m.tally", source.as_bytes().to_vec());
    (compiled.findings.iter())
        .map(|f| miette::Diagnostic::code(f).unwrap().to_string())
        .collect()
}

#[test]
fn every_error_of_an_events_block_is_reported() {
    let source = "fields {\n  lead_id: int\n}\n\
                  events b {\n  id: text key\n  at: text time\n}\n\
                  events c {\n  lead_id: bool key\n  at: number time\n}\n\
                  events d {\n  id: text key\n  kind: text\n}\n";
    let codes = codes_of(source);
    assert_eq!(
        codes,
        [
            "tally::key_without_lead_field",
            "tally::marker_type",
            "tally::marker_type",
            "tally::marker_type",
            "tally::missing_marker",
            "tally::key_without_lead_field",
        ]
    );
}

/// One mistake, one message: a `given` event whose time cannot be read
/// is `tally::bad_given` alone; it was also reported as an event with no
/// time (`tally::given_event_time`), which it has.
#[test]
fn a_given_event_with_an_unreadable_time_is_one_error() {
    let source = "fields {\n  id: text\n}\n\
                  events a {\n  id: text key\n  at: date time\n}\n\
                  when count(a) > 0 add 1 \"any\"\n\
                  test \"t\" {\n  given { a: [ { at: \"2026-11-40\" }, { }, { at: \"\" } ] }\n  expect score == 1\n}\n";
    let codes = codes_of(source);
    // The second event has no time, the third an empty one: missing.
    let want = [
        "tally::bad_given",
        "tally::given_event_time",
        "tally::given_event_time",
    ];
    assert_eq!(codes, want);
}
