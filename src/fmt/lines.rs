//! The canonical text of each kind of line, as cells to align.

use crate::source::Source;
use crate::syntax::ast::{
    Decay, DecayForm, Effect, Field, Given, Header, Let, Limits, Literal, Modifier, ModifierKind,
    Rule, Step, Test,
};
use crate::syntax::{canonical_expr, canonical_label, canonical_literal, canonical_name};
use crate::value::format_decimal;

/// A text literal, quoted and escaped.
pub fn quoted(text: &str) -> String {
    canonical_literal(&crate::syntax::ast::Literal::Text(text.to_string()))
}

/// `model "NAME" version V`: a number version is kept as written.
pub fn header(header: &Header, source: &Source) -> String {
    let mut line = format!("model {}", quoted(&header.name.node));
    if let Some(version) = &header.version {
        let written = source.slice(version.span);
        let value = if written.starts_with('"') {
            quoted(&version.node)
        } else {
            written.to_string()
        };
        line.push_str(&format!(" version {value}"));
    }
    line
}

/// `name:`, the type, then the options in canonical order (an events
/// source's `key` and `time` marks first, right after the type).
pub fn field(field: &Field) -> Vec<String> {
    let mut cells = vec![
        format!("{}:", canonical_name(&field.name.node)),
        field.ty.node.keyword().to_string(),
    ];
    let mut options = Vec::new();
    if field.key.is_some() {
        options.push("key".to_string());
    }
    if field.time.is_some() {
        options.push("time".to_string());
    }
    if field.required {
        options.push("required".to_string());
    }
    if let Some(from) = &field.from {
        options.push(format!("from {}", quoted(&from.node)));
    }
    if let Some(sep) = &field.sep {
        options.push(format!("sep {}", quoted(&sep.node)));
    }
    let mut modifiers: Vec<&Modifier> = field.modifiers.iter().collect();
    modifiers.sort_by_key(|m| m.kind.node);
    options.extend(modifiers.into_iter().map(modifier));
    if !options.is_empty() {
        cells.push(options.join(" "));
    }
    cells
}

/// `decimal ","`, `format ["DD.MM.YYYY", "D/M/YYYY"]`, `true [ja, kyllä]`:
/// layouts always in quotes (`DD.MM.YYYY` would pass for a bare word,
/// `D/M/YYYY` would not, and a list of both reads better alike), words
/// bare where they can be, as in any list.
fn modifier(m: &Modifier) -> String {
    let value = match (&m.kind.node, &m.value.node) {
        (ModifierKind::Format, Literal::List(items)) => {
            let items: Vec<String> = items
                .iter()
                .map(|item| match &item.node {
                    Literal::Text(text) => quoted(text),
                    other => canonical_literal(other),
                })
                .collect();
            format!("[{}]", items.join(", "))
        }
        (_, value) => canonical_literal(value),
    };
    format!("{} {value}", m.kind.node.keyword())
}

/// `let NAME`, `= VALUE`.
pub fn let_decl(decl: &Let) -> Vec<String> {
    vec![
        format!("let {}", canonical_name(&decl.name.node)),
        format!("= {}", canonical_expr(&decl.value)),
    ]
}

/// `when COND` (or `each SET`), `add POINTS`, then `decay … max N` and
/// the reason if any. A rule with a reason always has the `decay … max`
/// cell, empty when it has neither: the reasons of a run of rules line
/// up in one column whether or not some rules decay (an empty column is
/// left out altogether).
pub fn rule(rule: &Rule) -> Vec<String> {
    let effect = match rule.effect.node {
        Effect::Add => "add",
        Effect::Sub => "sub",
    };
    let word = if rule.each { "each" } else { "when" };
    let mut cells = vec![
        format!("{word} {}", canonical_expr(&rule.condition)),
        format!("{effect} {}", canonical_expr(&rule.points)),
    ];
    let mut extras = Vec::new();
    if let Some(d) = &rule.decay {
        extras.push(decay(d));
    }
    if let Some(max) = &rule.max {
        extras.push(format!("max {}", format_decimal(max.node)));
    }
    let extras = extras.join(" ");
    match &rule.reason {
        Some(reason) => cells.extend([extras, quoted(&reason.node)]),
        None if !extras.is_empty() => cells.push(extras),
        None => {}
    }
    cells
}

/// `decay half-life 30 days`, `decay linear 8 weeks`, `decay 50% every 1
/// month since DATE`.
fn decay(decay: &Decay) -> String {
    let duration = |d| canonical_literal(&Literal::Duration(d));
    let form = match decay.form.node {
        DecayForm::HalfLife(d) => format!("half-life {}", duration(d)),
        DecayForm::Linear(d) => format!("linear {}", duration(d)),
        DecayForm::Every { percent, period } => {
            format!("{}% every {}", format_decimal(percent), duration(period))
        }
    };
    match &decay.since {
        Some(since) => format!("decay {form} since {}", canonical_expr(since)),
        None => format!("decay {form}"),
    }
}

/// `max N min N`, after a prefix (`score`, `group NAME`).
pub fn limits(prefix: String, limits: &Limits) -> String {
    let mut line = prefix;
    if let Some(max) = &limits.max {
        line.push_str(&format!(" max {}", format_decimal(max.node)));
    }
    if let Some(min) = &limits.min {
        line.push_str(&format!(" min {}", format_decimal(min.node)));
    }
    line
}

/// `if COND then LABEL`.
pub fn step(step: &Step) -> String {
    format!(
        "if {} then {}",
        canonical_expr(&step.condition),
        canonical_label(&step.label.node)
    )
}

/// `else LABEL`.
pub fn otherwise(label: &str) -> String {
    format!("else {}", canonical_label(label))
}

/// `test "NAME" as of DATE`.
pub fn test_head(test: &Test) -> String {
    let mut head = format!("test {}", quoted(&test.name.node));
    if let Some(date) = &test.as_of {
        head.push_str(&format!(" as of {}", date.node.format("%Y-%m-%d")));
    }
    head
}

/// `{ field: value, … }`: one event of a `given` entry.
pub fn record(entries: &[Given]) -> String {
    if entries.is_empty() {
        return "{}".into();
    }
    let entries: Vec<String> = entries.iter().map(given).collect();
    format!("{{ {} }}", entries.join(", "))
}

/// `field: value` of a `given` block.
pub fn given(entry: &Given) -> String {
    format!(
        "{}: {}",
        given_name(&entry.field.node),
        canonical_literal(&entry.value.node)
    )
}

/// The name of a `given` entry: `account.NAME` as written (the syntax
/// tree keeps it as that text, and backticks would print a name with a
/// dot in it, `` `account.readers` ``), any other name canonical.
pub fn given_name(name: &str) -> String {
    match name.strip_prefix("account.") {
        Some(value) if canonical_name(value) == value => name.to_string(),
        _ => canonical_name(name),
    }
}
