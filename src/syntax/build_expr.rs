//! Building expressions, names and literals from pest pairs.

use std::iter::Peekable;

use pest::iterators::Pair;

use super::ast::*;
use super::build::{children, Builder};
use super::error::SyntaxError;
use super::parser::R;
use crate::span::{Span, Spanned};
use crate::value::{
    parse_date_literal, parse_number_literal, Date, Decimal, Duration, DurationUnit,
};

impl Builder {
    /// An `expr` pair (or any pair of the expression grammar).
    pub(crate) fn expr(&mut self, pair: Pair<'_, R>) -> Expr {
        // Spans are worked out where they are needed: most pairs here are
        // levels of the grammar that pass their operand through.
        match pair.as_rule() {
            R::expr | R::set_expr => self.or_chain(pair),
            R::not_expr | R::set_not_expr => self.not_expr(pair),
            R::event_set => self.event_set(pair),
            R::unary => self.unary(pair),
            R::call => self.call(pair),
            R::score_ref => Spanned::new(ExprKind::Score, self.span_of(&pair)),
            R::stage_ref => Spanned::new(ExprKind::Stage, self.span_of(&pair)),
            R::today_ref => Spanned::new(ExprKind::Today, self.span_of(&pair)),
            R::account_ref => {
                let name = pair.as_str().trim_start_matches("account.").to_string();
                Spanned::new(ExprKind::Account(name), self.span_of(&pair))
            }
            R::ident => {
                let name = self.name(pair);
                Spanned::new(ExprKind::Name(name.node), name.span)
            }
            _ => {
                let span = self.span_of(&pair);
                match self.literal(pair) {
                    Some(lit) => Spanned::new(ExprKind::Literal(lit.node), lit.span),
                    None => invalid_at(span),
                }
            }
        }
    }

    /// `a or b and c`: `and` binds first; a run of `or`s (of `and`s) is one
    /// flat node, or the single operand. An `And` spans its operands' text.
    fn or_chain(&mut self, pair: Pair<'_, R>) -> Expr {
        let mut parts = children(pair.clone());
        if let (Some(only), None) = (parts.next(), parts.next()) {
            return self.expr(only);
        }
        let span = self.span_of(&pair);
        let mut ors = Vec::new();
        let mut ands = Vec::new();
        let mut and_span: Option<Span> = None;
        for part in children(pair) {
            match part.as_rule() {
                R::and_op => {}
                R::or_op => ors.push(flat(
                    std::mem::take(&mut ands),
                    and_span.take(),
                    ExprKind::And,
                )),
                _ => {
                    let part_span = self.span_of(&part);
                    and_span = Some(and_span.map_or(part_span, |s| s.to(part_span)));
                    ands.push(self.expr(part));
                }
            }
        }
        ors.push(flat(ands, and_span, ExprKind::And));
        flat(ors, Some(span), ExprKind::Or)
    }

    /// `not not … a < b`: pairs of `not` cancel (also under three-valued
    /// logic).
    fn not_expr(&mut self, pair: Pair<'_, R>) -> Expr {
        let mut parts = children(pair.clone()).peekable();
        let mut nots = 0;
        while parts.next_if(|p| p.as_rule() == R::not_op).is_some() {
            nots += 1;
        }
        let operand = self.arith(&mut parts, &pair);
        let operand = self.comparisons(operand, parts);
        if nots % 2 == 1 {
            Spanned::new(ExprKind::Not(Box::new(operand)), self.span_of(&pair))
        } else {
            operand
        }
    }

    /// The comparison tails after `lhs`; a second one is refused, once
    /// per chain (one mistake, one message: a 10,000-link chain gave
    /// 9,999), and the operands after it are not read.
    fn comparisons<'i>(&mut self, lhs: Expr, tails: impl Iterator<Item = Pair<'i, R>>) -> Expr {
        let mut result = lhs;
        let mut previous: Option<Span> = None;
        for tail in tails {
            let tail_span = self.span_of(&tail);
            if let Some(prev) = previous {
                self.errors.push(chain_error(prev, &tail, tail_span));
                break;
            }
            let whole = result.span.to(tail_span);
            result = self.comparison(result, tail, whole);
            previous = Some(whole);
        }
        result
    }

    /// Apply one `cmp_tail` (operator and operands) to `lhs`.
    fn comparison(&mut self, lhs: Expr, tail: Pair<'_, R>, span: Span) -> Expr {
        let whole = tail.clone();
        let mut inner = children(tail).peekable();
        let Some(op) = inner.next() else {
            return lhs;
        };
        let op_span = self.span_of(&op);
        let mut operands = Vec::new();
        while inner.peek().is_some() {
            if inner.next_if(|p| p.as_rule() == R::and_op).is_none() {
                operands.push(Box::new(self.arith(&mut inner, &whole)));
            }
        }
        let mut operands = operands.into_iter();
        let mut rhs = || {
            operands
                .next()
                .unwrap_or_else(|| Box::new(invalid_at(span)))
        };
        let lhs = Box::new(lhs);
        let kind = match op.as_rule() {
            R::cmp_op => {
                let op = compare_op(op.as_str());
                ExprKind::Compare(lhs, Spanned::new(op, op_span), rhs())
            }
            R::single_eq => {
                self.errors.push(SyntaxError::SingleEquals {
                    span: op_span.into(),
                });
                ExprKind::Compare(lhs, Spanned::new(CompareOp::Eq, op_span), rhs())
            }
            R::in_op | R::not_in_op => ExprKind::In {
                needle: lhs,
                list: rhs(),
                negated: op.as_rule() == R::not_in_op,
            },
            R::between_op => {
                let low = rhs();
                ExprKind::Between(lhs, low, rhs())
            }
            R::contains_any_op => ExprKind::ContainsAny(lhs, rhs()),
            R::contains_all_op => ExprKind::ContainsAll(lhs, rhs()),
            R::contains_op => ExprKind::Contains(lhs, rhs()),
            R::starts_op => ExprKind::StartsWith(lhs, rhs()),
            R::ends_op => ExprKind::EndsWith(lhs, rhs()),
            R::matches_op => ExprKind::Matches(lhs, rhs()),
            R::is_missing_op => ExprKind::IsMissing(lhs),
            R::is_present_op => ExprKind::IsPresent(lhs),
            R::within_op => ExprKind::Within(lhs, rhs()),
            _ => return *lhs,
        };
        Spanned::new(kind, span)
    }

    /// `a + b * c - d` from the `unary` pairs and operators at the front of
    /// `parts`: `*` and `/` bind first, a run of one level stays flat (no
    /// deep trees for long sums), and each run spans its operands' text.
    /// A missing operand (which the parser rules out) is `Invalid` over
    /// `whole`.
    fn arith<'i, I>(&mut self, parts: &mut Peekable<I>, whole: &Pair<'i, R>) -> Expr
    where
        I: Iterator<Item = Pair<'i, R>>,
    {
        let operand = |this: &mut Self, parts: &mut Peekable<I>| match parts
            .next_if(|p| p.as_rule() == R::unary)
        {
            Some(pair) => {
                let span = this.span_of(&pair);
                (this.unary(pair), span)
            }
            None => {
                let span = this.span_of(whole);
                (invalid_at(span), span)
            }
        };
        let Some(first) = parts.next_if(|p| p.as_rule() == R::unary) else {
            return invalid_at(self.span_of(whole));
        };
        // A lone operand (the usual case) needs no span.
        if parts.peek().is_none_or(|p| p.as_rule() != R::arith_op) {
            return self.unary(first);
        }
        let first_span = self.span_of(&first);
        let first = self.unary(first);
        let mut product = Run::new(first, first_span);
        // The sum so far and the operator that joins `product` to it.
        let mut sum: Option<(Run, Spanned<ArithOp>)> = None;
        while let Some(op) = parts.next_if(|p| p.as_rule() == R::arith_op) {
            let op = Spanned::new(arith_op(op.as_str()), self.span_of(&op));
            let (next, next_span) = operand(self, parts);
            if matches!(op.node, ArithOp::Mul | ArithOp::Div) {
                product.push(op, next, next_span);
                continue;
            }
            let (done, done_span) =
                std::mem::replace(&mut product, Run::new(next, next_span)).finish();
            sum = Some(match sum {
                Some((mut run, joint)) => {
                    run.push(joint, done, done_span);
                    (run, op)
                }
                None => (Run::new(done, done_span), op),
            });
        }
        let (product, product_span) = product.finish();
        match sum {
            Some((mut run, joint)) => {
                run.push(joint, product, product_span);
                run.finish().0
            }
            None => product,
        }
    }

    /// `- - x`: pairs of minus signs cancel; `-3` becomes a literal.
    fn unary(&mut self, pair: Pair<'_, R>) -> Expr {
        let mut negations = 0;
        let mut operand = None;
        for part in children(pair.clone()) {
            match part.as_rule() {
                R::neg_op => negations += 1,
                _ => operand = Some(self.expr(part)),
            }
        }
        let operand = operand.unwrap_or_else(|| invalid_at(self.span_of(&pair)));
        if negations % 2 == 0 {
            return operand;
        }
        let span = self.span_of(&pair);
        match operand.node {
            ExprKind::Literal(Literal::Number(n)) => {
                Spanned::new(ExprKind::Literal(Literal::Number(-n)), span)
            }
            _ => Spanned::new(ExprKind::Neg(Box::new(operand)), span),
        }
    }

    fn call(&mut self, pair: Pair<'_, R>) -> Expr {
        let span = self.span_of(&pair);
        let mut inner = children(pair);
        let Some(name) = inner.next() else {
            return invalid_at(span);
        };
        let name = Spanned::new(name.as_str().to_string(), self.span_of(&name));
        let args = inner.map(|p| self.expr(p)).collect();
        Spanned::new(ExprKind::Call(name, args), span)
    }

    /// A literal pair (text, number, date, duration, bool, list, bare word).
    pub(crate) fn literal(&mut self, pair: Pair<'_, R>) -> Option<Spanned<Literal>> {
        let span = self.span_of(&pair);
        let literal = match pair.as_rule() {
            R::text => Literal::Text(self.text(pair).node),
            R::bare_word => Literal::Text(pair.as_str().to_string()),
            R::number | R::signed_number => Literal::Number(self.number(&pair)?),
            R::date_lit => Literal::Date(self.date(&pair)?.node),
            R::bool_lit => Literal::Bool(pair.as_str() == "true"),
            R::duration => Literal::Duration(self.duration(pair)?),
            R::list_lit => {
                let items = children(pair).filter_map(|p| self.literal(p)).collect();
                Literal::List(items)
            }
            R::records => Literal::Records(
                children(pair)
                    .filter(|p| p.as_rule() == R::record)
                    .map(|record| {
                        let span = self.span_of(&record);
                        let entries = children(record)
                            .filter(|p| p.as_rule() == R::given_entry)
                            .filter_map(|e| self.given_entry(e))
                            .collect();
                        Spanned::new(entries, span)
                    })
                    .collect(),
            ),
            _ => return None,
        };
        Some(Spanned::new(literal, span))
    }

    /// `activity where kind == "webinar" within 90 days`.
    fn event_set(&mut self, pair: Pair<'_, R>) -> Expr {
        let span = self.span_of(&pair);
        let mut set = EventSet {
            source: Spanned::new(String::new(), span),
            condition: None,
            within: None,
        };
        for part in children(pair) {
            match part.as_rule() {
                R::ident | R::reserved_word => set.source = self.name(part),
                R::set_expr => set.condition = Some(self.expr(part)),
                R::set_within => {
                    let span = self.span_of(&part);
                    let duration = children(part).find(|p| p.as_rule() == R::duration);
                    if let Some(d) = duration.and_then(|d| self.duration(d)) {
                        set.within = Some(Spanned::new(d, span));
                    }
                }
                _ => {}
            }
        }
        Spanned::new(ExprKind::Events(Box::new(set)), span)
    }

    pub(crate) fn duration(&mut self, pair: Pair<'_, R>) -> Option<Duration> {
        let span = self.span_of(&pair);
        let mut inner = children(pair);
        let (number, unit) = (inner.next()?, inner.next()?);
        let amount = self.number(&number)?;
        let unit = DurationUnit::from_word(unit.as_str())?;
        if !amount.fract().is_zero() {
            self.errors.push(SyntaxError::FractionalDuration {
                unit: unit.plural().into(),
                span: span.into(),
            });
            return None;
        }
        match i64::try_from(amount) {
            Ok(amount) => Some(Duration { amount, unit }),
            Err(_) => {
                self.errors.push(SyntaxError::InvalidNumber {
                    text: number.as_str().into(),
                    span: self.span_of(&number).into(),
                });
                None
            }
        }
    }

    /// A number literal; reports numbers too large to be exact.
    pub(crate) fn number(&mut self, pair: &Pair<'_, R>) -> Option<Decimal> {
        let parsed = parse_number_literal(pair.as_str());
        if parsed.is_none() {
            self.errors.push(SyntaxError::InvalidNumber {
                text: pair.as_str().into(),
                span: self.span_of(pair).into(),
            });
        }
        parsed
    }

    /// A date literal; reports days that do not exist (`2026-02-30`).
    pub(crate) fn date(&mut self, pair: &Pair<'_, R>) -> Option<Spanned<Date>> {
        let span = self.span_of(pair);
        let parsed = parse_date_literal(pair.as_str());
        if parsed.is_none() {
            self.errors.push(SyntaxError::InvalidDate {
                text: pair.as_str().into(),
                span: span.into(),
            });
        }
        parsed.map(|d| Spanned::new(d, span))
    }

    /// A name: plain, in backticks, or a reserved word used by mistake.
    pub(crate) fn name(&mut self, pair: Pair<'_, R>) -> Spanned<String> {
        let span = self.span_of(&pair);
        let text = pair.as_str();
        if pair.as_rule() == R::reserved_word {
            self.errors.push(SyntaxError::ReservedWord {
                word: text.into(),
                span: span.into(),
            });
        }
        let name = text.trim_start_matches('`').trim_end_matches('`');
        Spanned::new(name.to_string(), span)
    }

    /// A text literal with its escapes decoded.
    pub(crate) fn text(&mut self, pair: Pair<'_, R>) -> Spanned<String> {
        let span = self.span_of(&pair);
        let raw = pair.as_str();
        let body = raw.get(1..raw.len().saturating_sub(1)).unwrap_or_default();
        match unescape(body) {
            Ok(text) => Spanned::new(text, span),
            Err((at, len)) => {
                let start = span.start + 1 + at;
                let escape = body.get(at..at + len).unwrap_or("\\").to_string();
                self.errors.push(SyntaxError::InvalidEscape {
                    escape,
                    span: Span::new(start, start + len).into(),
                });
                Spanned::new(body.to_string(), span)
            }
        }
    }
}

/// Decode `\" \\ \n \t \u{…}`; on failure, the offset and length of the
/// bad escape within `body`.
fn unescape(body: &str) -> Result<String, (usize, usize)> {
    let mut out = String::with_capacity(body.len());
    let mut chars = body.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let next = chars.next().map(|(_, c)| c);
        match next {
            Some('"') => out.push('"'),
            Some('\\') => out.push('\\'),
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('u') => {
                let rest = body.get(at + 2..).unwrap_or_default();
                let close = rest.find('}').filter(|_| rest.starts_with('{'));
                let code = close
                    .and_then(|end| rest.get(1..end))
                    .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                    .and_then(char::from_u32);
                match (code, close) {
                    (Some(ch), Some(end)) => {
                        out.push(ch);
                        for _ in 0..=end {
                            chars.next();
                        }
                    }
                    // Point at the whole `\u{…}` when it is closed.
                    (None, Some(end)) => return Err((at, end + 3)),
                    _ => return Err((at, 2)),
                }
            }
            Some(other) => return Err((at, 1 + other.len_utf8())),
            None => return Err((at, 1)),
        }
    }
    Ok(out)
}

fn compare_op(text: &str) -> CompareOp {
    match text {
        "!=" => CompareOp::Ne,
        "<" => CompareOp::Lt,
        "<=" => CompareOp::Le,
        ">" => CompareOp::Gt,
        ">=" => CompareOp::Ge,
        _ => CompareOp::Eq,
    }
}

fn arith_op(text: &str) -> ArithOp {
    match text {
        "-" => ArithOp::Sub,
        "*" => ArithOp::Mul,
        "/" => ArithOp::Div,
        _ => ArithOp::Add,
    }
}

/// Operands joined by operators of one level (`a * b / c`).
struct Run {
    first: Expr,
    rest: Vec<(Spanned<ArithOp>, Expr)>,
    /// From the first operand's text to the last's, brackets included.
    span: Span,
}

impl Run {
    fn new(first: Expr, span: Span) -> Run {
        Run {
            first,
            rest: Vec::new(),
            span,
        }
    }

    fn push(&mut self, op: Spanned<ArithOp>, operand: Expr, span: Span) {
        self.rest.push((op, operand));
        self.span = self.span.to(span);
    }

    /// The run as one expression (the operand alone if there is one), and
    /// the span of its text.
    fn finish(self) -> (Expr, Span) {
        if self.rest.is_empty() {
            return (self.first, self.span);
        }
        let kind = ExprKind::Arith(Box::new(self.first), self.rest);
        (Spanned::new(kind, self.span), self.span)
    }
}

/// `make(operands)` spanning `span`, or the operand itself if it is alone.
fn flat(mut operands: Vec<Expr>, span: Option<Span>, make: fn(Vec<Expr>) -> ExprKind) -> Expr {
    if operands.len() == 1 {
        if let Some(only) = operands.pop() {
            return only;
        }
    }
    let span = span.unwrap_or_default();
    Spanned::new(make(operands), span)
}

/// A stand-in for an invalid literal (already reported), or for an
/// expression the parser guaranteed but the tree lacks.
fn invalid_at(span: Span) -> Expr {
    Spanned::new(ExprKind::Invalid, span)
}

/// The error for a second comparison after `first`. `within 90`, a
/// number without its unit, is not a comparison at all in an event set
/// (`activity where kind == "webinar" within 90`): the set's `within`
/// takes a duration, and without one the grammar reads it as the
/// condition's second comparison. Saying "comparisons do not chain"
/// there would send the user the wrong way.
fn chain_error(first: Span, tail: &Pair<'_, R>, span: Span) -> SyntaxError {
    let text = tail.as_str().trim_end();
    let number = text.strip_prefix("within").map(str::trim_start);
    let bare =
        number.filter(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit() || c == '_'));
    match bare {
        Some(number) => SyntaxError::WithinWithoutUnit {
            number: number.to_string(),
            span: span.into(),
        },
        None => SyntaxError::ChainedComparison {
            first: first.into(),
            second: span.into(),
        },
    }
}
