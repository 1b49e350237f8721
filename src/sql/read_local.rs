//! Cells in a field's local format (language 1.1), read as
//! `value::local` reads them: numbers put in plain notation first, date
//! layouts tried in order before ISO, extra bool words. Every pattern is
//! anchored and built from the checked modifiers, never from a cell.

use super::Dialect;
use crate::value::local::{BoolWords, DateFormats, Layout, NumberFormat, Part};

/// A number cell in a local format: whether it has the format's shape,
/// and the cell in plain notation (meaningful only when it has).
pub(super) struct LocalNumber {
    pub shape: String,
    pub plain: String,
}

/// `cell` read with `format`: the no-break spaces (or `’`) a `thousands`
/// separator also stands for become the separator itself, so the shape is
/// an ASCII pattern; then the separators go and the decimal mark becomes
/// `.`.
pub(super) fn number(d: Dialect, format: &NumberFormat, int: bool, cell: &str) -> LocalNumber {
    let groups = format.group_chars();
    let mut unified = cell.to_string();
    if let Some((first, others)) = groups.split_first() {
        for other in others {
            unified = d.replace(&unified, &other.to_string(), &first.to_string());
        }
    }
    // `[ ]`, `[.]`, `[,]`, `[']`: none is special inside a class.
    let class = |c: char| format!("[{c}]");
    let whole = match groups.first() {
        Some(group) => format!("([0-9]+|[0-9]{{1,3}}({}[0-9]{{3}})+)", class(*group)),
        None => "[0-9]+".to_string(),
    };
    let fraction = if int { "0+" } else { "[0-9]+" };
    let pattern = format!("^[+-]?{whole}({}{fraction})?$", class(format.decimal()));
    let shape = d.regex_match(&unified, &pattern);
    let mut plain = unified;
    if let Some(group) = groups.first() {
        plain = d.replace(&plain, &group.to_string(), "");
    }
    if format.decimal() != '.' {
        plain = d.replace(&plain, &format.decimal().to_string(), ".");
    }
    LocalNumber { shape, plain }
}

/// The day (`YYYY-MM-DD` text) of the first layout that reads `cell` as
/// a real day, else NULL.
pub(super) fn date_day(d: Dialect, formats: &DateFormats, cell: &str) -> String {
    let days: Vec<String> = formats
        .layouts()
        .iter()
        .map(|l| layout_day(d, l, cell))
        .collect();
    match days.as_slice() {
        [one] => one.clone(),
        _ => format!("COALESCE({})", days.join(", ")),
    }
}

/// `cell` read with one layout: NULL unless it has the layout's shape and
/// names a real day of years 1 to 9999.
fn layout_day(d: Dialect, layout: &Layout, cell: &str) -> String {
    let shape = d.regex_match(cell, &pattern(layout, None));
    let group = |which: fn(Part) -> bool| d.regex_group(cell, &pattern(layout, Some(which)));
    let (y, m, day) = (
        group(|p| p == Part::Year),
        group(|p| matches!(p, Part::Month { .. })),
        group(|p| matches!(p, Part::Day { .. })),
    );
    let (yi, mi, di) = (
        d.digits_to_int(&y),
        d.digits_to_int(&m),
        d.digits_to_int(&day),
    );
    let real = super::read::real_day(d, &yi, &mi, &di);
    let pad = |t: &str| format!("lpad({t}, 2, '0')");
    let text = format!("{y} || '-' || {} || '-' || {}", pad(&m), pad(&day));
    format!("CASE WHEN {shape} THEN CASE WHEN {real} THEN {text} END END")
}

/// The anchored pattern of a layout; with `capture`, the part it picks
/// is the one capturing group.
fn pattern(layout: &Layout, capture: Option<fn(Part) -> bool>) -> String {
    let mut out = String::from("^");
    for part in layout.parts() {
        let text = match part {
            Part::Literal(c) if c.is_ascii_punctuation() => format!("\\{c}"),
            Part::Literal(c) => c.to_string(),
            digits => {
                let (least, most) = digits.widths();
                let run = if least == most {
                    format!("[0-9]{{{least}}}")
                } else {
                    format!("[0-9]{{{least},{most}}}")
                };
                if capture.is_some_and(|wanted| wanted(*digits)) {
                    format!("({run})")
                } else {
                    run
                }
            }
        };
        out.push_str(&text);
    }
    out.push('$');
    out
}

/// The extra words of a bool field that mean `meaning`, as an SQL list
/// of folded texts, if there are any.
pub(super) fn words(d: Dialect, words: &BoolWords, meaning: bool) -> Option<String> {
    let listed: Vec<String> = words
        .words()
        .iter()
        .filter(|(_, m)| *m == meaning)
        .map(|(w, _)| d.text(w))
        .collect();
    (!listed.is_empty()).then(|| format!("({})", listed.join(", ")))
}
