//! The syntax tree up to what printing may change, for comparing a model
//! with its formatted text: spans (optionally) and trailing zeros of
//! numbers (`2.50` is written `2.5`).

use crate::span::{Span, Spanned};
use crate::syntax::ast::*;

/// Normalise a model in place; `erase` also zeroes every span.
pub fn normalize(model: &mut Model, erase: bool) {
    Walk { erase }.model(model);
}

struct Walk {
    erase: bool,
}

impl Walk {
    fn span(&self, span: &mut Span) {
        if self.erase {
            *span = Span::default();
        }
    }

    fn spanned<T>(&self, s: &mut Spanned<T>) {
        self.span(&mut s.span);
    }

    fn opt<T>(&self, s: &mut Option<Spanned<T>>) {
        if let Some(s) = s {
            self.spanned(s);
        }
    }

    fn model(&self, m: &mut Model) {
        if let Some(h) = &mut m.header {
            self.span(&mut h.span);
            self.spanned(&mut h.name);
            self.opt(&mut h.version);
        }
        if let Some(block) = &mut m.fields {
            self.span(&mut block.span);
            block.fields.iter_mut().for_each(|f| self.field(f));
        }
        for block in &mut m.events {
            self.span(&mut block.span);
            self.spanned(&mut block.name);
            block.fields.iter_mut().for_each(|f| self.field(f));
        }
        if let Some(account) = &mut m.account {
            self.span(&mut account.span);
            self.spanned(&mut account.by);
            for decl in &mut account.values {
                self.span(&mut decl.span);
                self.spanned(&mut decl.name);
                self.expr(&mut decl.value);
            }
        }
        for decl in &mut m.lets {
            self.span(&mut decl.span);
            self.spanned(&mut decl.name);
            self.expr(&mut decl.value);
        }
        m.rules.iter_mut().for_each(|r| self.rule(r));
        for group in &mut m.groups {
            self.span(&mut group.span);
            self.spanned(&mut group.name);
            self.limits(&mut group.limits);
        }
        if let Some(limits) = &mut m.score_limits {
            self.limits(limits);
        }
        if let Some(ladder) = &mut m.stage {
            self.ladder(ladder);
        }
        for tier in &mut m.tiers {
            self.span(&mut tier.span);
            self.spanned(&mut tier.name);
            self.ladder(&mut tier.ladder);
        }
        m.tests.iter_mut().for_each(|t| self.test(t));
    }

    fn field(&self, f: &mut Field) {
        self.span(&mut f.span);
        self.spanned(&mut f.name);
        self.spanned(&mut f.ty);
        self.opt(&mut f.from);
        self.opt(&mut f.sep);
        for mark in [&mut f.key, &mut f.time].into_iter().flatten() {
            self.span(mark);
        }
        // The formatter writes modifiers in canonical order (stable: a
        // repeated one stays after the first).
        f.modifiers.sort_by_key(|m| m.kind.node);
        for m in &mut f.modifiers {
            self.span(&mut m.span);
            self.spanned(&mut m.kind);
            self.literal(&mut m.value);
        }
    }

    fn rule(&self, r: &mut Rule) {
        self.span(&mut r.span);
        self.expr(&mut r.condition);
        self.spanned(&mut r.effect);
        self.expr(&mut r.points);
        self.opt(&mut r.reason);
        if let Some(decay) = &mut r.decay {
            self.span(&mut decay.span);
            self.spanned(&mut decay.form);
            if let DecayForm::Every { percent, .. } = &mut decay.form.node {
                *percent = percent.normalize();
            }
            if let Some(since) = &mut decay.since {
                self.expr(since);
            }
        }
        if let Some(max) = &mut r.max {
            max.node = max.node.normalize();
            self.spanned(max);
        }
    }

    fn limits(&self, limits: &mut Limits) {
        for limit in [&mut limits.max, &mut limits.min].into_iter().flatten() {
            limit.node = limit.node.normalize();
            self.spanned(limit);
        }
    }

    fn ladder(&self, ladder: &mut Ladder) {
        self.span(&mut ladder.span);
        for step in &mut ladder.steps {
            self.span(&mut step.span);
            self.expr(&mut step.condition);
            self.spanned(&mut step.label);
        }
        self.opt(&mut ladder.otherwise);
    }

    fn test(&self, t: &mut Test) {
        self.span(&mut t.span);
        self.spanned(&mut t.name);
        self.opt(&mut t.as_of);
        t.given.iter_mut().for_each(|g| self.given(g));
        t.expects.iter_mut().for_each(|e| self.expr(e));
    }

    fn given(&self, given: &mut Given) {
        self.spanned(&mut given.field);
        self.literal(&mut given.value);
    }

    fn literal(&self, lit: &mut Spanned<Literal>) {
        self.spanned(lit);
        match &mut lit.node {
            Literal::Number(n) => *n = n.normalize(),
            Literal::List(items) => items.iter_mut().for_each(|i| self.literal(i)),
            Literal::Records(records) => {
                for record in records {
                    self.spanned(record);
                    record.node.iter_mut().for_each(|g| self.given(g));
                }
            }
            _ => {}
        }
    }

    fn expr(&self, e: &mut Expr) {
        self.span(&mut e.span);
        self.operands(&mut e.node);
    }

    fn operands(&self, kind: &mut ExprKind) {
        // Spans that are not expressions' own: operators and function names.
        match kind {
            ExprKind::Literal(Literal::Number(n)) => *n = n.normalize(),
            ExprKind::Literal(Literal::List(items)) => {
                items.iter_mut().for_each(|i| self.literal(i));
            }
            ExprKind::Arith(_, rest) => rest.iter_mut().for_each(|(op, _)| self.spanned(op)),
            ExprKind::Compare(_, op, _) => self.spanned(op),
            ExprKind::Call(name, _) => self.spanned(name),
            ExprKind::Events(set) => {
                self.spanned(&mut set.source);
                self.opt(&mut set.within);
            }
            _ => {}
        }
        kind.for_each_child_mut(&mut |child| self.expr(child));
    }
}
