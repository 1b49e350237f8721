//! Printing a plan for `tally plan`: what will run, in the order it runs.

use std::fmt::{self, Write};

use super::node::{ConstSet, Node};
use super::{LadderSpec, Plan};
use crate::check::model::Limits;
use crate::id::{FieldId, GroupId};
use crate::syntax::ast::ArithOp;
use crate::value::{format_decimal, Value};

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.name {
            Some(name) => writeln!(f, "plan for model {name:?}")?,
            None => writeln!(f, "plan")?,
        }
        self.write_fields(f)?;
        self.write_events(f)?;
        self.write_account(f)?;
        self.write_conditions(f)?;
        self.write_rules(f)?;
        writeln!(f, "\nscore{}", limits(self.score_limits))?;
        if let Some(stage) = &self.stage {
            writeln!(f, "\nstage")?;
            self.write_ladder(f, stage)?;
        }
        for tier in &self.tiers {
            writeln!(f, "\ntier {}", tier.name)?;
            self.write_ladder(f, &tier.ladder)?;
        }
        Ok(())
    }
}

impl Plan {
    fn write_fields(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "\nfields (read from the lead file)")?;
        let width = self
            .fields
            .iter()
            .map(|x| x.name.chars().count())
            .max()
            .unwrap_or(0);
        for (i, field) in self.fields.iter().enumerate() {
            if !field.is_column() {
                continue;
            }
            let mut notes = vec![format!("column {:?}", field.column)];
            if field.ty == crate::value::FieldType::List {
                notes.push(format!("sep {:?}", field.read.sep));
            }
            let local = field.read.local.describe();
            if !local.is_empty() {
                notes.push(local);
            }
            if field.required {
                notes.push("required".into());
            }
            match (field.used, field.required) {
                (false, false) => notes.push("unused: not read".into()),
                (false, true) => notes.push("used by no rule, but checked".into()),
                _ => {}
            }
            let ty = field.ty.keyword();
            writeln!(
                f,
                "  f{i:<3} {:<width$}  {ty:<6}  {}",
                field.name,
                notes.join(", ")
            )?;
        }
        Ok(())
    }

    /// The events pass: each source's file is read first, into per-lead
    /// aggregates that the rules then read like fields.
    fn write_events(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for source in &self.events {
            let name = |i: FieldId| source.fields.get(i).map_or("?", |x| x.name.as_str());
            let lead_key = self
                .fields
                .get(source.lead_key)
                .map_or("?", |x| x.name.as_str());
            writeln!(
                f,
                "
events {} (read first: per lead, joined on {} = lead {lead_key}; time {})",
                source.name,
                name(source.key),
                name(source.time)
            )?;
            for field in &source.fields {
                writeln!(f, "  {:<12} {}", field.name, field.ty.keyword())?;
            }
            for aggregate in &source.aggregates {
                let mut line = format!("  f{:<3} = {}", aggregate.field, aggregate.text);
                if let Some(decay) = aggregate.decay {
                    let _ = write!(line, ", decay {decay}");
                }
                if let Some(max) = aggregate.max {
                    let _ = write!(line, ", max {}", format_decimal(max));
                }
                if !aggregate.lead_fields.is_empty() {
                    let names: Vec<&str> = (aggregate.lead_fields.iter())
                        .filter_map(|id| self.fields.get(*id).map(|x| x.name.as_str()))
                        .collect();
                    let _ = write!(
                        line,
                        " (reads the lead's {}: its events are kept, then counted per lead)",
                        names.join(", ")
                    );
                }
                writeln!(f, "{line}")?;
            }
        }
        Ok(())
    }

    /// The account passes: the input-level values in one pass over the
    /// leads, the score-level ones in another (each lead scored first), or
    /// from the first pass's sums (see `Plan::account_rules_from_memory`).
    fn write_account(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Some(account) = &self.account else {
            return Ok(());
        };
        let by = self.fields.get(account.by).map_or("?", |x| x.name.as_str());
        writeln!(
            f,
            "\naccount by {by} (passes over the leads before scoring)"
        )?;
        // Worked out from the first pass's sums, or in a pass of its own.
        let score_level = match self.account_rules_from_memory() {
            Some(_) => {
                "score-level (each lead scored: in memory after pass 1 for a CSV file, else pass 2)"
            }
            None => "score-level (pass 2: each lead scored first)",
        };
        for (level, title) in [(false, "input-level (pass 1)"), (true, score_level)] {
            let values = account.values.iter().zip(&account.score_level);
            let values: Vec<_> = values.filter(|(_, l)| **l == level).collect();
            if values.is_empty() {
                continue;
            }
            writeln!(f, "  {title}")?;
            for (value, _) in values {
                let mut line = format!(
                    "    f{:<3} account.{} = {}(leads",
                    value.field,
                    value.text,
                    value.kind.name()
                );
                if let Some(condition) = &value.condition {
                    let _ = write!(line, " where {}", self.show(condition));
                }
                if let Some(each) = &value.value {
                    let _ = write!(line, ", {}", self.show(each));
                }
                line.push(')');
                writeln!(f, "{line}")?;
            }
        }
        Ok(())
    }

    fn write_conditions(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (conditions, rules) = (self.conditions.len(), self.rules.len());
        writeln!(
            f,
            "\nconditions ({conditions} for {rules} rules, each evaluated once per lead)"
        )?;
        for (i, condition) in self.conditions.iter().enumerate() {
            writeln!(f, "  c{i:<3} {}", self.show(condition))?;
        }
        Ok(())
    }

    fn write_rules(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "\nrules")?;
        for (g, group) in self.groups.enumerate() {
            writeln!(f, "  group {}{}", group.name, limits(group.limits))?;
            self.write_rule_lines(f, |r| r == Some(g))?;
        }
        if self.rules.iter().any(|r| r.group.is_none()) {
            writeln!(f, "  top level")?;
            self.write_rule_lines(f, |r| r.is_none())?;
        }
        Ok(())
    }

    fn write_rule_lines(
        &self,
        f: &mut fmt::Formatter<'_>,
        pick: impl Fn(Option<GroupId>) -> bool,
    ) -> fmt::Result {
        for (i, rule) in self.rules.enumerate().filter(|(_, r)| pick(r.group)) {
            let effect = if rule.negate { "sub" } else { "add" };
            let when = format!("c{}", rule.condition);
            let points = self.show(&rule.points);
            writeln!(
                f,
                "    r{i:<3} when {when:<5} {effect} {points:<12} {:?}",
                rule.reason
            )?;
        }
        Ok(())
    }

    fn write_ladder(&self, f: &mut fmt::Formatter<'_>, ladder: &LadderSpec) -> fmt::Result {
        for (condition, label) in &ladder.steps {
            writeln!(f, "  if {} then {label}", self.show(condition))?;
        }
        match &ladder.otherwise {
            Some(label) => writeln!(f, "  else {label}"),
            None => writeln!(f, "  else (missing)"),
        }
    }

    /// A node in words, with fields, groups and tiers by name.
    pub fn show(&self, node: &Node) -> String {
        let mut out = String::new();
        self.write_node(&mut out, node);
        out
    }

    fn write_node(&self, out: &mut String, node: &Node) {
        // A node of another plan (or over an event) would show "?".
        match node {
            Node::Const(value) => write_value(out, value),
            Node::Missing => out.push_str("missing"),
            Node::Field(id) => out.push_str(self.fields.get(*id).map_or("?", |x| &x.name)),
            Node::Group(id) => out.push_str(self.groups.get(*id).map_or("?", |x| &x.name)),
            Node::Tier(id) => out.push_str(self.tiers.get(*id).map_or("?", |x| &x.name)),
            Node::Score => out.push_str("score"),
            Node::Stage => out.push_str("stage"),
            Node::Today => out.push_str("today"),
            // `not in` was lowered to `not (… in …)`: shown as written.
            Node::Not(a) => match &**a {
                Node::InSet { needle, set } => self.with_set(out, needle, " not in ", set),
                Node::ListHas { list, item } => self.binary(out, list, "lacks", item),
                _ => self.wrap(out, "not ", a, ""),
            },
            Node::And(items) => self.join(out, items, " and "),
            Node::Or(items) => self.join(out, items, " or "),
            Node::Neg(a) => self.wrap(out, "-", a, ""),
            Node::Arith(first, rest) => {
                self.operand(out, first);
                for (op, operand) in rest {
                    let _ = write!(out, " {} ", op.symbol());
                    self.operand(out, operand);
                }
            }
            Node::Compare(op, a, b) => self.binary(out, a, op.symbol(), b),
            Node::Between(a, low, high) => {
                self.operand(out, a);
                out.push_str(" between ");
                self.operand(out, low);
                out.push_str(" and ");
                self.operand(out, high);
            }
            Node::InSet { needle, set } => self.with_set(out, needle, " in ", set),
            Node::ListHas { list, item } => self.binary(out, list, "has", item),
            Node::Text(op, a, b) => self.binary(out, a, op.word(), b),
            Node::ContainsAny(a, set) => self.with_set(out, a, " contains any ", set),
            Node::ContainsAll(a, set) => self.with_set(out, a, " contains all ", set),
            Node::Matches(a, pattern) => {
                self.operand(out, a);
                let _ = write!(out, " matches /{}/", pattern.source);
            }
            Node::IsMissing(a) => self.wrap(out, "", a, " is missing"),
            Node::IsPresent(a) => self.wrap(out, "", a, " is present"),
            Node::Within(a, d) => {
                self.operand(out, a);
                let _ = write!(out, " within {d}");
            }
            Node::DateShift(a, shifts) => {
                self.operand(out, a);
                for (op, d) in shifts {
                    let sign = if *op == ArithOp::Sub { "-" } else { "+" };
                    let _ = write!(out, " {sign} {d}");
                }
            }
            Node::Call(function, args) => {
                out.push_str(function.name());
                out.push('(');
                self.join(out, args, ", ");
                out.push(')');
            }
            Node::Fired(rule) => {
                let reason = self.rules.get(*rule).map_or("?", |r| r.reason.as_str());
                let _ = write!(out, "fired({reason:?})");
            }
            Node::Decayed(points, form, since) => {
                self.operand(out, points);
                let _ = write!(out, " decay {form} since ");
                self.operand(out, since);
            }
        }
    }

    /// An operand: compound nodes in parentheses, so grouping is visible.
    fn operand(&self, out: &mut String, node: &Node) {
        let simple = matches!(
            node,
            Node::Const(_)
                | Node::Missing
                | Node::Field(_)
                | Node::Group(_)
                | Node::Tier(_)
                | Node::Score
                | Node::Stage
                | Node::Today
                | Node::Call(..)
        );
        if simple {
            self.write_node(out, node);
        } else {
            self.wrap(out, "(", node, ")");
        }
    }

    fn wrap(&self, out: &mut String, before: &str, node: &Node, after: &str) {
        out.push_str(before);
        if before.is_empty() || before == "not " || before == "-" {
            self.operand(out, node);
        } else {
            self.write_node(out, node);
        }
        out.push_str(after);
    }

    fn binary(&self, out: &mut String, a: &Node, op: &str, b: &Node) {
        self.operand(out, a);
        let _ = write!(out, " {op} ");
        self.operand(out, b);
    }

    fn with_set(&self, out: &mut String, a: &Node, op: &str, set: &ConstSet) {
        self.operand(out, a);
        out.push_str(op);
        write_set(out, set);
    }

    fn join(&self, out: &mut String, items: &[Node], sep: &str) {
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                out.push_str(sep);
            }
            self.operand(out, item);
        }
    }
}

fn write_value(out: &mut String, value: &Value) {
    let _ = match value {
        Value::Text(t) => write!(out, "{t:?}"),
        Value::Number(n) => write!(out, "{}", format_decimal(*n)),
        Value::Bool(b) => write!(out, "{b}"),
        Value::Date(d) => write!(out, "{}", d.format("%Y-%m-%d")),
        Value::Duration(d) => write!(out, "{d}"),
        Value::List(items) => write!(out, "[{} items]", items.len()),
    };
}

/// A constant set as `{"ceo", "vp"} (hash set of 2)`.
fn write_set(out: &mut String, set: &ConstSet) {
    out.push('{');
    for (i, item) in set.items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write_value(out, item);
    }
    let _ = write!(out, "}} (hash set of {})", set.len());
}

fn limits(limits: Limits) -> String {
    let mut out = String::new();
    if let Some(max) = limits.max {
        let _ = write!(out, " max {}", format_decimal(max));
    }
    if let Some(min) = limits.min {
        let _ = write!(out, " min {}", format_decimal(min));
    }
    if out.is_empty() {
        out.push_str(" (no limits)");
    }
    out
}
