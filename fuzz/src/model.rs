//! The `model` target's check: any bytes as a model give findings or a
//! model, never a panic; every finding renders in each format; a model
//! that compiles formats to text that compiles to the same plan and
//! formats to itself, and it plans, compiles to SQL, runs its tests and
//! scores a lead without a panic.

use tally::cli::render;
use tally::eval::{run_tests, Lead, Scorer};
use tally::fmt::{format, FmtError};
use tally::plan::{self, Plan};
use tally::source::Source;
use tally::sql::{compile_sql, Dialect, SqlOptions};
use tally::value::Date;
use tally::{compile_bytes, Compiled};

/// Longer inputs are skipped: the checks are linear, and short inputs
/// keep the fuzzer at thousands of runs a second.
pub const MAX_MODEL_BYTES: usize = 32 * 1024;

/// Run every check on `data` as a model's text; panics on a violation.
pub fn check_model(data: &[u8]) {
    if data.len() > MAX_MODEL_BYTES {
        return;
    }
    let (source, compiled) = compile_bytes("fuzz.tally", data.to_vec());
    render_all(&source, &compiled);
    let Some(model) = &compiled.model else {
        // A model with check errors but no syntax error is formatted too
        // (`tally fmt` does that), and its text must pass the formatter's
        // own verification: an internal error is a formatter bug.
        if let Err(FmtError::Internal(why)) = format(&source) {
            panic!("`fmt` fails its own verification: {why}");
        }
        return;
    };
    let plan = plan::compile(model);
    let _ = plan.to_string();
    round_trip(&source, &plan);
    for dialect in Dialect::ALL {
        let _ = compile_sql(model, &SqlOptions::new(dialect));
    }
    let today = Date::from_ymd_opt(2026, 11, 22).unwrap_or_default();
    let _ = run_tests(model, &plan, today);
    let empty = Lead {
        values: plan.fields.map(|_| None),
    };
    let scorer = Scorer::new(&plan, today);
    let _ = scorer.score(&empty);
    let _ = scorer.explain(&empty);
}

/// Findings rendered per input: each one's rendering is independent of
/// the others, and a mutated model can have thousands.
const RENDERED: usize = 8;

/// The first findings as `check` prints them in every `--format`.
fn render_all(source: &Source, compiled: &Compiled) {
    for finding in compiled.findings.iter().take(RENDERED) {
        let _ = render::human(source, finding, false);
        let _ = render::json(source, finding);
        let _ = render::github(source, finding);
    }
}

/// The formatted text compiles without errors to the same plan, and
/// formatting it again changes nothing.
fn round_trip(source: &Source, plan: &Plan) {
    let text = match format(source) {
        Ok(text) => text,
        Err(FmtError::Syntax) => panic!("a model that compiles has syntax errors for `fmt`"),
        Err(FmtError::Internal(why)) => panic!("`fmt` refused a model that compiles: {why}"),
    };
    let (again_source, again) = compile_bytes("fuzz.tally", text.clone().into_bytes());
    let Some(again_model) = &again.model else {
        let errors: Vec<String> = again.findings.iter().map(|f| f.to_string()).collect();
        panic!("the formatted model does not compile: {errors:?}\n{text}");
    };
    let again_plan = plan::compile(again_model);
    // `fmt` writes `2.50` as `2.5` (the same number; outputs print no
    // trailing zeros): the plans are compared with decimals normalised.
    assert_eq!(
        without_trailing_zeros(&format!("{plan:?}")),
        without_trailing_zeros(&format!("{again_plan:?}")),
        "the formatted model plans differently:\n{text}"
    );
    match format(&again_source) {
        Ok(twice) => assert_eq!(twice, text, "formatting is not idempotent"),
        Err(error) => panic!("the formatted model does not format again: {error}"),
    }
}

/// `text` with every decimal's trailing fractional zeros dropped (`2.50`
/// becomes `2.5`, `3.0` becomes `3`).
fn without_trailing_zeros(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    while at < bytes.len() {
        let digits = |from: usize| {
            bytes[from..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .count()
        };
        let whole = digits(at);
        let fraction = match bytes.get(at + whole) {
            Some(b'.') if whole > 0 => digits(at + whole + 1),
            _ => 0,
        };
        if fraction == 0 {
            let next = at + whole.max(1);
            // Whole characters only: a multi-byte one is copied entire.
            let next = (next..=text.len())
                .find(|&i| text.is_char_boundary(i))
                .unwrap_or(text.len());
            out.push_str(&text[at..next]);
            at = next;
            continue;
        }
        let number = &text[at..at + whole + 1 + fraction];
        out.push_str(number.trim_end_matches('0').trim_end_matches('.'));
        at += number.len();
    }
    out
}
