//! The one row encoder: a scored row's outputs as CSV cells or NDJSON
//! members, after its input cells. Every path that writes scored leads
//! (the parallel CSV scorer, the record stream, NDJSON in and out) writes
//! through it, so each output byte has one definition.

use std::io::Write;

use super::layout::Layout;
use crate::eval::Scratch;
use crate::plan::Plan;
use crate::value::{Decimal, Value};

/// How a plan's outputs are written in one layout.
#[derive(Debug, Clone)]
pub struct Encoder<'p> {
    plan: &'p Plan,
    delimiter: u8,
    /// The output names, prefix included (NDJSON keys).
    names: Vec<String>,
    explain: bool,
    stamp: Option<String>,
    /// The stage each line of the ladder gives, then the `else` one (empty
    /// if none), as CSV cells: written without looking at their bytes.
    stage_cells: Vec<Vec<u8>>,
}

impl<'p> Encoder<'p> {
    /// The encoder of `plan`'s outputs in `layout`; CSV cells are
    /// separated by `delimiter`.
    pub fn new(plan: &'p Plan, layout: &Layout, delimiter: u8) -> Encoder<'p> {
        Encoder {
            plan,
            delimiter,
            names: layout.outputs.clone(),
            explain: layout.explain,
            stamp: layout.stamp.clone(),
            stage_cells: stage_cells(plan, delimiter),
        }
    }

    /// The outputs as CSV cells, each after a delimiter, then the line end.
    #[inline]
    pub fn csv_outputs(&self, s: &Scratch, out: &mut Vec<u8>) {
        let d = self.delimiter;
        out.push(d);
        write_number(out, s.score);
        for group in &s.groups {
            out.push(d);
            write_number(out, *group);
        }
        if self.plan.stage.is_some() {
            out.push(d);
            let line = s
                .stage_step
                .unwrap_or(self.stage_cells.len().saturating_sub(1));
            match self.stage_cells.get(line) {
                Some(cell) => out.extend_from_slice(cell),
                None => write_csv_text(out, s.stage.unwrap_or_default(), d),
            }
        }
        for tier in &s.tiers {
            out.push(d);
            write_csv_text(out, tier.unwrap_or_default(), d);
        }
        for value in &s.accounts {
            out.push(d);
            match value {
                Some(Value::Number(n)) => write_number(out, *n),
                Some(Value::Bool(b)) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
                Some(Value::Date(date)) => {
                    out.extend_from_slice(date.format("%Y-%m-%d").to_string().as_bytes())
                }
                _ => {}
            }
        }
        if self.explain {
            out.push(d);
            let reasons = self.csv_reasons(s);
            write_csv_text(out, &reasons, d);
        }
        if let Some(stamp) = &self.stamp {
            out.push(d);
            write_csv_text(out, stamp, d);
        }
        out.push(b'\n');
    }

    /// The outputs as NDJSON members, each after a comma, then the
    /// object's end and the line end.
    pub fn ndjson_outputs(&self, s: &Scratch, out: &mut Vec<u8>) {
        let mut names = self.names.iter();
        let mut key = |out: &mut Vec<u8>| {
            out.push(b',');
            write_json_text(out, names.next().map_or("", String::as_str));
            out.push(b':');
        };
        key(out);
        write_number(out, s.score);
        for group in &s.groups {
            key(out);
            write_number(out, *group);
        }
        let stage = self.plan.stage.is_some().then_some(s.stage);
        for label in stage.into_iter().chain(s.tiers.iter().copied()) {
            key(out);
            match label {
                Some(text) => write_json_text(out, text),
                None => out.extend_from_slice(b"null"),
            }
        }
        for value in &s.accounts {
            key(out);
            match value {
                Some(Value::Number(n)) => write_number(out, *n),
                Some(Value::Bool(b)) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
                Some(Value::Date(date)) => {
                    write_json_text(out, &date.format("%Y-%m-%d").to_string())
                }
                _ => out.extend_from_slice(b"null"),
            }
        }
        if self.explain {
            key(out);
            self.json_reasons(s, out);
        }
        if let Some(stamp) = &self.stamp {
            key(out);
            write_json_text(out, stamp);
        }
        out.extend_from_slice(b"}\n");
    }

    /// `Decision maker +20; Unsubscribed -10`.
    fn csv_reasons(&self, s: &Scratch) -> String {
        let mut text = String::new();
        for (reason, points) in self.fired(s) {
            if !text.is_empty() {
                text.push_str("; ");
            }
            text.push_str(reason);
            text.push(' ');
            text.push_str(&crate::value::format_signed(points));
        }
        text
    }

    /// `[{"reason":"Decision maker","points":20},…]`.
    fn json_reasons(&self, s: &Scratch, out: &mut Vec<u8>) {
        out.push(b'[');
        for (i, (reason, points)) in self.fired(s).enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(b"{\"reason\":");
            write_json_text(out, reason);
            out.extend_from_slice(b",\"points\":");
            write_number(out, points);
            out.push(b'}');
        }
        out.push(b']');
    }

    /// The rules that fired, in file order: reason and signed points.
    fn fired<'s>(&'s self, s: &'s Scratch) -> impl Iterator<Item = (&'p str, Decimal)> + 's {
        let rules = &self.plan.rules;
        rules
            .iter()
            .zip(&s.points)
            .filter_map(|(r, p)| p.map(|p| (r.reason.as_str(), p.normalize())))
    }
}

/// The CSV cells of the stage labels (see [`Encoder::stage_cells`]).
fn stage_cells(plan: &Plan, delimiter: u8) -> Vec<Vec<u8>> {
    let Some(ladder) = &plan.stage else {
        return Vec::new();
    };
    let labels = ladder.steps.iter().map(|(_, label)| label.as_str());
    let otherwise = ladder.otherwise.as_deref().unwrap_or_default();
    labels
        .chain([otherwise])
        .map(|label| {
            let mut cell = Vec::new();
            write_csv_text(&mut cell, label, delimiter);
            cell
        })
        .collect()
}

/// Text as a JSON string. (Writing to a `Vec` cannot fail.)
pub fn write_json_text(out: &mut Vec<u8>, text: &str) {
    let _ = serde_json::to_writer(&mut *out, text);
}

/// A number in plain decimal without trailing zeros, as `Display` writes
/// it after `normalize`, with `itoa` for the digits (a fifth of the work).
pub fn write_number(out: &mut Vec<u8>, n: Decimal) {
    if n.scale() == 0 {
        // Most scores and subtotals: a whole number below 100, written
        // here (inlined) rather than through a call.
        if let Ok(small @ 0..100) = u8::try_from(n.mantissa()) {
            if small >= 10 {
                out.push(b'0' + small / 10);
            }
            out.push(b'0' + small % 10);
            return;
        }
    }
    write_other_number(out, n);
}

/// [`write_number`] for the numbers that are not whole below 100.
#[inline(never)]
fn write_other_number(out: &mut Vec<u8>, n: Decimal) {
    let n = if n.scale() == 0 { n } else { n.normalize() };
    let mantissa = n.mantissa();
    if n.scale() == 0 {
        // Scores fit an i64, whose digits are cheaper than an i128's.
        let mut digits = itoa::Buffer::new();
        let text = match i64::try_from(mantissa) {
            Ok(small) => digits.format(small),
            Err(_) => digits.format(mantissa),
        };
        out.extend_from_slice(text.as_bytes());
        return;
    }
    let Some(unit) = 10u128.checked_pow(n.scale()) else {
        let _ = write!(out, "{n}");
        return;
    };
    let magnitude = mantissa.unsigned_abs();
    if mantissa < 0 {
        out.push(b'-');
    }
    let mut digits = itoa::Buffer::new();
    // 64-bit division and digits when the number fits (a 128-bit division
    // is a library call).
    let small = u64::try_from(magnitude).ok().zip(u64::try_from(unit).ok());
    let fraction = match small {
        Some((magnitude, unit)) => {
            out.extend_from_slice(digits.format(magnitude / unit).as_bytes());
            out.push(b'.');
            digits.format(magnitude % unit).as_bytes()
        }
        None => {
            out.extend_from_slice(digits.format(magnitude / unit).as_bytes());
            out.push(b'.');
            digits.format(magnitude % unit).as_bytes()
        }
    };
    let width = usize::try_from(n.scale()).unwrap_or(0);
    out.resize(out.len() + width.saturating_sub(fraction.len()), b'0');
    out.extend_from_slice(fraction);
}

/// A CSV field, quoted only when it must be (as the `csv` crate does:
/// when it holds the delimiter, a quote or a line break).
pub fn write_csv_text(out: &mut Vec<u8>, text: &str, delimiter: u8) {
    let needs = text
        .bytes()
        .any(|b| b == delimiter || b == b'"' || b == b'\n' || b == b'\r');
    if !needs {
        out.extend_from_slice(text.as_bytes());
        return;
    }
    out.push(b'"');
    for b in text.bytes() {
        if b == b'"' {
            out.push(b'"');
        }
        out.push(b);
    }
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use proptest::prelude::*;

    use super::*;

    proptest! {
        #[test]
        fn numbers_are_written_as_display_writes_them_normalized(
            mantissa in prop_oneof![-1_000_000i64..1_000_000, any::<i64>()],
            scale in 0u32..=28,
        ) {
            let n = Decimal::new(mantissa, scale.min(18));
            let mut out = Vec::new();
            write_number(&mut out, n);
            prop_assert_eq!(String::from_utf8(out).unwrap(), n.normalize().to_string());
        }
    }

    #[test]
    fn whole_numbers_near_the_usual_scores_are_written_as_display_writes_them() {
        let negative_zero = Decimal::from_parts(0, 0, 0, true, 0);
        for n in (-150..=150).map(Decimal::from).chain([negative_zero]) {
            let mut out = Vec::new();
            write_number(&mut out, n);
            assert_eq!(String::from_utf8(out).unwrap(), n.normalize().to_string());
        }
    }

    #[test]
    fn small_and_signed_fractions_keep_their_leading_zeros() {
        for (n, text) in [
            (Decimal::new(-5, 1), "-0.5"),
            (Decimal::new(1005, 3), "1.005"),
            (Decimal::new(-200, 2), "-2"),
        ] {
            let mut out = Vec::new();
            write_number(&mut out, n);
            assert_eq!(out, text.as_bytes());
        }
    }
}
