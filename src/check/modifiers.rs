//! A field's local-format modifiers (language 1.1, section 4) → its
//! [`Reading`]: which modifier suits which type, which values each takes,
//! and the clashes that would make a cell mean two things.

use super::error::{BadValue, Empty, WordClash};
use super::{CheckError, Checker};
use crate::span::{Span, Spanned};
use crate::syntax::ast::{self, Literal, Modifier, ModifierKind};
use crate::value::local::{
    BoolWords, DateFormats, Layout, Local, NumberFormat, FALSE_WORDS, TRUE_WORDS,
};
use crate::value::{fold_text, FieldType, Reading};

/// Thousands separators a field may declare (`'` is Swiss).
const THOUSANDS: [char; 4] = [' ', '.', ',', '\''];

impl Checker<'_> {
    /// How `field`'s cells are read: its `sep` and its modifiers' local
    /// format. Every modifier in error is left out, after its message.
    pub(super) fn reading(&mut self, field: &ast::Field) -> Reading {
        let sep = field.sep.as_ref().map_or(";", |s| s.node.as_str());
        let mut seen: Vec<&Modifier> = Vec::new();
        for m in &field.modifiers {
            if let Some(first) = seen.iter().find(|f| f.kind.node == m.kind.node) {
                self.errors.push(duplicate(m, first.span));
            } else if self.applies(field, m) {
                seen.push(m);
            }
        }
        let get = |kind| seen.iter().copied().find(|m| m.kind.node == kind);
        let local = match field.ty.node {
            FieldType::Number | FieldType::Int => self.number(
                field,
                get(ModifierKind::Decimal),
                get(ModifierKind::Thousands),
            ),
            FieldType::Date => get(ModifierKind::Format).map_or(Local::Plain, |m| self.date(m)),
            FieldType::Bool => self.words(get(ModifierKind::True), get(ModifierKind::False)),
            FieldType::Text | FieldType::List => Local::Plain,
        };
        Reading {
            sep: sep.to_string(),
            local,
        }
    }

    /// Whether `m` suits the field's type; a message when not.
    fn applies(&mut self, field: &ast::Field, m: &Modifier) -> bool {
        let ty = field.ty.node;
        let fits = match m.kind.node {
            ModifierKind::Decimal | ModifierKind::Thousands => {
                matches!(ty, FieldType::Number | FieldType::Int)
            }
            ModifierKind::Format => ty == FieldType::Date,
            ModifierKind::True | ModifierKind::False => ty == FieldType::Bool,
        };
        if !fits {
            self.errors.push(CheckError::MisplacedModifier {
                modifier: m.kind.node,
                field: field.name.node.clone(),
                ty,
                span: m.span.into(),
            });
        }
        fits
    }

    fn number(
        &mut self,
        field: &ast::Field,
        decimal: Option<&Modifier>,
        thousands: Option<&Modifier>,
    ) -> Local {
        let mark = decimal.and_then(|m| self.separator(m, &['.', ',']));
        let group = thousands.and_then(|m| self.separator(m, &THOUSANDS));
        if (decimal.is_some() && mark.is_none()) || (thousands.is_some() && group.is_none()) {
            return Local::Plain;
        }
        let mark = mark.unwrap_or('.');
        if let (Some(group), Some(m)) = (group, thousands) {
            if group == mark {
                self.errors.push(CheckError::SeparatorClash {
                    mark: group,
                    field: field.name.node.clone(),
                    span: m.span.into(),
                    decimal: decimal.map(|d| d.span.into()),
                });
                return Local::Plain;
            }
        }
        match (mark, group) {
            ('.', None) => Local::Plain,
            _ => Local::Number(NumberFormat::new(mark, group)),
        }
    }

    /// The one character of `decimal` or `thousands`, if it is allowed.
    fn separator(&mut self, m: &Modifier, allowed: &[char]) -> Option<char> {
        if let Literal::Text(text) = &m.value.node {
            let mut chars = text.chars();
            if let (Some(c), None) = (chars.next(), chars.next()) {
                // A no-break space (or `’`) typed as the separator stands
                // for its family, as it does in cells.
                let c = match c {
                    '\u{A0}' | '\u{202F}' if allowed.contains(&' ') => ' ',
                    '\u{2019}' if allowed.contains(&'\'') => '\'',
                    c => c,
                };
                if allowed.contains(&c) {
                    return Some(c);
                }
            }
        }
        self.errors.push(CheckError::ModifierValue {
            value: BadValue::Separator {
                modifier: m.kind.node,
                shown: crate::syntax::canonical_literal(&m.value.node),
            },
            span: m.value.span.into(),
        });
        None
    }

    fn date(&mut self, m: &Modifier) -> Local {
        let Some(items) = self.texts(m) else {
            return Local::Plain;
        };
        let mut layouts = Vec::new();
        for item in items {
            match Layout::parse(&item.node) {
                Ok(layout) => layouts.push(layout),
                Err(e) => self.errors.push(CheckError::BadDateFormat {
                    problem: e.problem,
                    help: e.help,
                    span: item.span.into(),
                }),
            }
        }
        if layouts.len() == items_len(m) {
            Local::Date(DateFormats::new(layouts))
        } else {
            Local::Plain
        }
    }

    /// The text items of a modifier's value (one text, or a list of
    /// texts); `None` after a message when an item is not text or there
    /// is none.
    fn texts(&mut self, m: &Modifier) -> Option<Vec<Spanned<String>>> {
        let items: Vec<&Spanned<Literal>> = match &m.value.node {
            Literal::List(items) => items.iter().collect(),
            _ => vec![&m.value],
        };
        if items.is_empty() {
            self.errors.push(CheckError::EmptyModifier {
                empty: Empty::List(m.kind.node),
                span: m.value.span.into(),
            });
            return None;
        }
        let mut texts = Vec::new();
        for item in items {
            match &item.node {
                Literal::Text(text) => texts.push(Spanned::new(text.clone(), item.span)),
                other => {
                    self.errors.push(CheckError::ModifierValue {
                        value: BadValue::NotText {
                            modifier: m.kind.node,
                            shown: crate::syntax::canonical_literal(other),
                        },
                        span: item.span.into(),
                    });
                    return None;
                }
            }
        }
        Some(texts)
    }

    fn words(&mut self, yes: Option<&Modifier>, no: Option<&Modifier>) -> Local {
        let mut words: Vec<(Spanned<String>, bool)> = Vec::new();
        let mut ok = true;
        for (m, meaning) in [(yes, true), (no, false)] {
            let Some(m) = m else { continue };
            let Some(items) = self.texts(m) else {
                ok = false;
                continue;
            };
            for item in items {
                ok &= self.word(&item, meaning, &words);
                words.push((item, meaning));
            }
        }
        if !ok || words.is_empty() {
            return Local::Plain;
        }
        let words: Vec<(String, bool)> = words.into_iter().map(|(w, b)| (w.node, b)).collect();
        Local::Bool(BoolWords::new(&words))
    }

    /// One word: not blank, and not a word of the other meaning (plain
    /// or listed before it).
    fn word(
        &mut self,
        item: &Spanned<String>,
        meaning: bool,
        before: &[(Spanned<String>, bool)],
    ) -> bool {
        let folded = fold_text(&item.node);
        if folded.is_empty() {
            self.errors.push(CheckError::EmptyModifier {
                empty: Empty::Word,
                span: item.span.into(),
            });
            return false;
        }
        let plain = if meaning { FALSE_WORDS } else { TRUE_WORDS };
        let listed = before
            .iter()
            .find(|(w, b)| *b != meaning && fold_text(&w.node) == folded);
        let (kind, other) = match listed {
            Some((w, _)) => (WordClash::Listed, Some(w.span)),
            None if plain.contains(&folded.as_str()) => (WordClash::Plain { folded }, None),
            None => return true,
        };
        self.errors.push(clash(item, meaning, kind, other));
        false
    }
}

fn clash(
    item: &Spanned<String>,
    meaning: bool,
    clash: WordClash,
    other: Option<Span>,
) -> CheckError {
    CheckError::BoolWordClash {
        word: item.node.clone(),
        meaning,
        clash,
        span: item.span.into(),
        other: other.map(Into::into),
        other_meaning: !meaning,
    }
}

fn duplicate(m: &Modifier, first: Span) -> CheckError {
    CheckError::DuplicateModifier {
        modifier: m.kind.node,
        span: m.span.into(),
        first: first.into(),
    }
}

fn items_len(m: &Modifier) -> usize {
    match &m.value.node {
        Literal::List(items) => items.len(),
        _ => 1,
    }
}
