//! Local formats (language 1.1, field modifiers) through the binary:
//! `score` on CSV and NDJSON, rejected rows' messages, `given` values of
//! tests, `plan`, `fmt` and `explain`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // tests fail by panicking

#[path = "support/cli.rs"]
mod support;
use support::{tally, text};

use std::path::Path;

/// The model of conformance case 16.
const MODEL: &str = r#"fields {
  lead_id: text required
  revenue: number decimal "," thousands " "
  signed:  date format "DD.MM.YYYY"
  optin:   bool true [ja] false [nej]
  city:    text
}

when revenue >= 1000       add 10 "Big"
when signed within 30 days add 5  "Recent"
when optin                 add 1  "Opted in"
when city == "STRASSE"     add 2  "Street"
"#;

fn workspace(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, body) in files {
        std::fs::write(dir.path().join(name), body).unwrap();
    }
    dir
}

/// Conformance case 16 (tests/conformance.rs runs it as written), with
/// the scores and the rejection message byte for byte.
#[test]
fn conformance_case_16_scores_and_rejects_as_expected() {
    let leads = "lead_id,revenue,signed,optin,city\n\
                 a,\"1 200,50\",01.11.2026,ja,Straße\n\
                 b,\"999,99\",2026-11-20,NEJ,strasse\n\
                 c,12,03.09.2026,,x\n\
                 d,1.200,01.11.2026,ja,\n";
    let dir = workspace(&[("m.tally", MODEL), ("leads.csv", leads)]);
    let out = tally(
        dir.path(),
        &["score", "m.tally", "leads.csv", "--as-of", "2026-11-22"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stdout),
        "lead_id,revenue,signed,optin,city,score\n\
         a,\"1 200,50\",01.11.2026,ja,Straße,18\n\
         b,\"999,99\",2026-11-20,NEJ,strasse,7\n\
         c,12,03.09.2026,,x,0\n"
    );
    assert_eq!(
        text(&out.stderr),
        "row 4: column \"revenue\": cannot read \"1.200\" as number: expected a number like \
         `1 200,50` or `-3,5` (decimal mark `,`, thousands separated by a space)\n\
         read 4 rows: 3 scored, 1 rejected\n"
    );
}

#[test]
fn rejections_name_the_row_the_column_the_value_and_the_format() {
    let leads = "lead_id,revenue,signed,optin,city\n\
                 a,\"1 200,5\",31.02.2026,ja,x\n\
                 b,\"12,\",01.11.2026,ja,x\n\
                 c,5,01.11.2026,jo,x\n";
    let dir = workspace(&[("m.tally", MODEL), ("leads.csv", leads)]);
    let out = tally(
        dir.path(),
        &["score", "m.tally", "leads.csv", "--as-of", "2026-11-22"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stdout),
        "lead_id,revenue,signed,optin,city,score\n"
    );
    assert_eq!(
        text(&out.stderr),
        "row 1: column \"signed\": cannot read \"31.02.2026\" as date: expected a date as \
         `DD.MM.YYYY` or `YYYY-MM-DD`, such as `22.11.2026`\n\
         row 2: column \"revenue\": cannot read \"12,\" as number: expected a number like \
         `1 200,50` or `-3,5` (decimal mark `,`, thousands separated by a space)\n\
         row 3: column \"optin\": cannot read \"jo\" as bool: expected `ja`, `nej` or one of \
         `true false yes no y n 1 0 t f`\n\
         read 3 rows: 0 scored, 3 rejected\n"
    );
}

/// NDJSON strings are read with the field's modifiers; native numbers
/// are plain notation whatever `decimal` says.
#[test]
fn ndjson_strings_take_the_local_format_and_native_numbers_do_not() {
    let leads = concat!(
        r#"{"lead_id": "a", "revenue": "1 200,50", "signed": "01.11.2026", "optin": "JA", "city": "x"}"#,
        "\n",
        r#"{"lead_id": "b", "revenue": 1200.5, "signed": "2026-11-01", "optin": false, "city": "x"}"#,
        "\n",
        r#"{"lead_id": "c", "revenue": "1200.5", "signed": null, "optin": null, "city": "x"}"#,
        "\n",
    );
    let dir = workspace(&[("m.tally", MODEL), ("leads.ndjson", leads)]);
    let out = tally(
        dir.path(),
        &["score", "m.tally", "leads.ndjson", "--as-of", "2026-11-22"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let scores: Vec<&str> = stdout
        .lines()
        .map(|l| l.rsplit("\"score\":").next().unwrap())
        .collect();
    assert_eq!(scores, ["16}", "15}"], "{stdout}");
    assert_eq!(
        text(&out.stderr),
        "row 3: column \"revenue\": cannot read \"1200.5\" as number: expected a number like \
         `1 200,50` or `-3,5` (decimal mark `,`, thousands separated by a space)\n\
         read 3 rows: 2 scored, 1 rejected\n"
    );
}

/// Section 8: a `given` text is read as a cell would be, so with the
/// field's modifiers; a literal of the field's type is taken as is.
#[test]
fn given_text_is_read_with_the_modifiers() {
    let model = format!(
        "{MODEL}\ntest \"Local cells\" as of 2026-11-22 {{\n  \
         given {{ revenue: \"1 200,50\", signed: \"01.11.2026\", optin: \"ja\" }}\n  \
         expect score == 16\n}}\n\
         test \"Literals\" as of 2026-11-22 {{\n  \
         given {{ revenue: 1200.5, signed: 2026-11-01, optin: false }}\n  \
         expect score == 15\n}}\n"
    );
    let dir = workspace(&[("m.tally", &model)]);
    let out = tally(dir.path(), &["test", "m.tally"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    let bad = format!(
        "{MODEL}\ntest \"Plain\" {{\n  given {{ revenue: \"1200.5\" }}\n  expect score == 0\n}}\n"
    );
    let dir = workspace(&[("m.tally", &bad)]);
    let out = tally(dir.path(), &["check", "m.tally"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("× `\"1200.5\"` is not a valid value for `revenue` (number)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("help: write a number like `1 200,50` or `-3,5`"),
        "{stderr}"
    );
}

#[test]
fn plan_shows_how_each_field_is_read() {
    let dir = workspace(&[("m.tally", MODEL)]);
    let out = tally(dir.path(), &["plan", "m.tally"]);
    assert_eq!(out.status.code(), Some(0));
    let stdout = text(&out.stdout);
    let fields: Vec<&str> = stdout
        .lines()
        .skip_while(|l| !l.starts_with("fields"))
        .take(6)
        .collect();
    assert_eq!(
        fields,
        [
            "fields (read from the lead file)",
            "  f0   lead_id  text    column \"lead_id\", required, used by no rule, but checked",
            "  f1   revenue  number  column \"revenue\", decimal \",\" thousands \" \"",
            "  f2   signed   date    column \"signed\", format \"DD.MM.YYYY\"",
            "  f3   optin    bool    column \"optin\", true [ja] false [nej]",
            "  f4   city     text    column \"city\"",
        ]
    );
}

#[test]
fn fmt_writes_modifiers_in_canonical_order_and_keeps_comments() {
    let messy = "fields {\n  revenue: number thousands \" \"   decimal \",\"   # money\n  \
                 signed: date format [DD.MM.YYYY,\"D/M/YYYY\"]\n  \
                 optin: bool false [nej, \"ei\"] true [ja, \"kyllä\"]\n}\n\n\
                 when revenue >= 1000 add 10 \"Big\"\n\
                 when signed within 30 days add 5 \"Recent\"\n\
                 when optin add 1 \"Opted in\"\n";
    let dir = workspace(&[("m.tally", messy)]);
    let out = tally(dir.path(), &["fmt", "m.tally"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let formatted = std::fs::read_to_string(dir.path().join("m.tally")).unwrap();
    assert_eq!(
        formatted,
        "fields {\n  \
         revenue: number decimal \",\" thousands \" \" # money\n  \
         signed:  date   format [\"DD.MM.YYYY\", \"D/M/YYYY\"]\n  \
         optin:   bool   true [ja, kyllä] false [nej, ei]\n}\n\n\
         when revenue >= 1000       add 10 \"Big\"\n\
         when signed within 30 days add 5  \"Recent\"\n\
         when optin                 add 1  \"Opted in\"\n"
    );
    let again = tally(dir.path(), &["fmt", "--check", "m.tally"]);
    assert_eq!(again.status.code(), Some(0), "{}", text(&again.stdout));
}

/// The bundled example reads every cell of its lead file.
#[test]
fn the_nordic_example_scores_every_lead() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = tally(
        root,
        &[
            "score",
            "examples/nordic.tally",
            "examples/nordic_leads.csv",
            "--as-of",
            "2026-11-22",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "lead_id,Titel,Omsättning,Anställda,Registrerad,Nyhetsbrev,score,fit,engagement,stage\n\
         N001,VD,\"2 400 000,00\",1 200,15.11.2026,ja,60,35,25,SQL\n\
         N002,toimitusjohtaja,\"850 000,50\",120,1/9/2026,EI,25,30,-5,MQL\n\
         N003,Säljare,\"12 500\",45,2026-11-20,Kyllä,25,0,25,MQL\n\
         N004,CEO,,300,03.11.2026,nej,40,30,10,MQL\n\
         N005,Head of Sales,\"1 000 000\",75,1/2/2026,ja,55,45,10,SQL\n"
    );
    let tested = tally(root, &["test", "examples/nordic.tally"]);
    assert_eq!(tested.status.code(), Some(0), "{}", text(&tested.stdout));
}

/// A no-break space typed as the separator means what `thousands " "`
/// means (it reads all three spaces).
#[test]
fn a_no_break_space_separator_is_the_space_family() {
    let model = "fields {\n  n: number thousands \"\u{A0}\"\n}\nwhen n > 1000 add n \"n\"\n";
    let leads = "n\n1 200\n1\u{A0}300\n1\u{202F}400\n";
    let dir = workspace(&[("m.tally", model), ("leads.csv", leads)]);
    let out = tally(
        dir.path(),
        &["score", "m.tally", "leads.csv", "--as-of", "2026-11-22"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "n,score\n1 200,1200\n1\u{A0}300,1300\n1\u{202F}400,1400\n"
    );
}

/// `explain` shows each cell read in a local format beside its value.
#[test]
fn explain_shows_the_cell_as_written_and_the_value_read() {
    let leads = "lead_id,revenue,signed,optin,city\na,\"1 200,50\",01.11.2026,ja,x\n";
    let dir = workspace(&[("m.tally", MODEL), ("leads.csv", leads)]);
    let out = tally(
        dir.path(),
        &[
            "explain",
            "m.tally",
            "leads.csv",
            "--row",
            "1",
            "--as-of",
            "2026-11-22",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let section: Vec<&str> = stdout
        .lines()
        .skip_while(|l| *l != "cells read in a local format")
        .collect();
    assert_eq!(
        section,
        [
            "cells read in a local format",
            "  revenue = 1200.5, read from \"1 200,50\"",
            "  signed = 2026-11-01, read from \"01.11.2026\"",
            "  optin = true, read from \"ja\"",
        ],
        "{stdout}"
    );
}
