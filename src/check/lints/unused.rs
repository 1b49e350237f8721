//! `tally::unused_let` and `tally::unused_field`: names nothing refers to.
//! A let used only by an unused let is unused too; a `required` field is
//! used (it rejects rows), and so is a field given in a test.

use std::collections::HashSet;

use super::{Context, Lint};
use crate::syntax::ast::{Expr, ExprKind};

/// Report every let and field that no rule, ladder, tier or test uses.
pub(super) fn lets_and_fields(cx: &Context, out: &mut Vec<Lint>) {
    let tree = cx.tree;
    let mut used: HashSet<&str> = HashSet::new();
    for rule in &tree.rules {
        names(&rule.condition, &mut used);
        names(&rule.points, &mut used);
        if let Some(since) = rule.decay.as_ref().and_then(|d| d.since.as_ref()) {
            names(since, &mut used);
        }
    }
    // An account groups by a field, and its values read others.
    if let Some(account) = &tree.account {
        used.insert(account.by.node.as_str());
        account
            .values
            .iter()
            .for_each(|v| names(&v.value, &mut used));
    }
    // An events key joins on the lead field of its name.
    for block in &tree.events {
        let keys = block.fields.iter().filter(|f| f.key.is_some());
        used.extend(keys.map(|f| f.name.node.as_str()));
    }
    let ladders = tree
        .stage
        .iter()
        .chain(tree.tiers.iter().map(|t| &t.ladder));
    for step in ladders.flat_map(|l| &l.steps) {
        names(&step.condition, &mut used);
    }
    for test in &tree.tests {
        test.expects.iter().for_each(|e| names(e, &mut used));
        used.extend(test.given.iter().map(|g| g.field.node.as_str()));
    }
    for decl in tree.lets.iter().rev() {
        if used.contains(decl.name.node.as_str()) {
            names(&decl.value, &mut used);
        }
    }
    for decl in &tree.lets {
        if !used.contains(decl.name.node.as_str()) {
            out.push(Lint::UnusedLet {
                name: decl.name.node.clone(),
                span: decl.name.span.into(),
            });
        }
    }
    for field in tree.fields.iter().flat_map(|b| &b.fields) {
        if !field.required && !used.contains(field.name.node.as_str()) {
            out.push(Lint::UnusedField {
                name: field.name.node.clone(),
                span: field.name.span.into(),
            });
        }
    }
}

/// An events field named like a lead field (the key excepted: it is
/// meant to be the same). Inside a set, the name is the event's.
pub(super) fn shadowing_event_fields(cx: &Context, out: &mut Vec<Lint>) {
    let lead_fields = cx.tree.fields.iter().flat_map(|b| &b.fields);
    for block in &cx.tree.events {
        for field in block.fields.iter().filter(|f| f.key.is_none()) {
            let same = lead_fields.clone().find(|l| l.name.node == field.name.node);
            if let Some(lead) = same {
                out.push(Lint::EventFieldShadows {
                    name: field.name.node.clone(),
                    source_name: block.name.node.clone(),
                    span: field.name.span.into(),
                    lead: lead.name.span.into(),
                });
            }
        }
    }
}

/// Every name an expression mentions (a ladder label may be counted: that
/// only keeps a warning back).
fn names<'a>(expr: &'a Expr, out: &mut HashSet<&'a str>) {
    match &expr.node {
        ExprKind::Name(name) => {
            out.insert(name);
        }
        other => other.for_each_child(&mut |child| names(child, out)),
    }
}
