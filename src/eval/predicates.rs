//! Field predicates: the parts of a model's conditions that read exactly
//! one field and nothing else that changes from lead to lead (no score,
//! group, stage, tier or `fired`). `job_title in decision_makers`,
//! `employees between 50 and 1000` and `not last_activity within 180 days`
//! are each one predicate; `source in paid_sources and clicked_demo` is two.
//!
//! A predicate's truth is a function of its field's cell alone (the as-of
//! date is fixed per scorer), which is what lets [`Memo`](super::Memo)
//! remember it per distinct cell. Each field's predicates have consecutive
//! ids, so one field's truths are one slice.

use std::collections::HashMap;
use std::ops::Range;

use super::compiled::Condition;
use crate::id::{FieldId, Id, IdVec, PredId};
use crate::plan::{Node, Plan};
use crate::value::Date;

/// A predicate's truth as one byte, as lead scratch and the memo keep
/// it (a row's truths are then copied from the memo as bytes): see
/// [`truth_byte`] and [`byte_truth`].
pub type Truth = u8;

/// `None` (missing) is 0, false 1, true 2.
#[inline]
pub fn truth_byte(truth: Option<bool>) -> Truth {
    match truth {
        None => 0,
        Some(false) => 1,
        Some(true) => 2,
    }
}

/// The truth a byte of [`truth_byte`] stands for.
#[inline]
pub fn byte_truth(byte: Truth) -> Option<bool> {
    match byte {
        1 => Some(false),
        2 => Some(true),
        _ => None,
    }
}

/// The predicates of a plan, compiled.
#[derive(Debug, Clone, Default)]
pub(crate) struct Predicates<'p> {
    /// Per plan field, the ids of its predicates (as indices: a field's
    /// truths are one slice of a row's).
    pub ranges: IdVec<FieldId, Range<usize>>,
    /// By id.
    pub conditions: IdVec<PredId, Condition<'p>>,
    /// Each predicate's node address to its id, for compiling the
    /// conditions that contain them.
    ids: HashMap<usize, PredId>,
}

/// What a node reads that changes from lead to lead.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Reads {
    Nothing,
    One(FieldId),
    /// Several fields, or the score, a group, the stage, a tier, `fired`.
    More,
}

impl<'p> Predicates<'p> {
    /// Find the predicates of the rule conditions and ladder lines of `plan`.
    pub fn new(plan: &'p Plan, today: Date) -> Predicates<'p> {
        let mut found: Vec<(FieldId, &'p Node)> = Vec::new();
        let ladders = plan
            .stage
            .iter()
            .chain(plan.tiers.iter().map(|t| &t.ladder));
        let steps = ladders.flat_map(|l| l.steps.iter().map(|(condition, _)| condition));
        for node in plan.conditions.iter().chain(steps) {
            collect(node, &mut found);
        }
        // Group by field (stable: file order within a field).
        found.sort_by_key(|(field, _)| *field);
        let mut ranges = plan.fields.map(|_| 0..0);
        for (id, (field, _)) in found.iter().enumerate() {
            if let Some(range) = ranges.get_mut(*field) {
                if range.end == 0 {
                    range.start = id;
                }
                range.end = id + 1;
            }
        }
        Predicates {
            ranges,
            conditions: found
                .iter()
                .map(|(_, node)| Condition::new(node, today))
                .collect(),
            ids: found
                .iter()
                .enumerate()
                .map(|(id, (_, node))| (address(node), PredId::from_index(id)))
                .collect(),
        }
    }

    /// The id of `node` if it is one of the predicates.
    pub fn id(&self, node: &Node) -> Option<PredId> {
        self.ids.get(&address(node)).copied()
    }

    /// The field predicate `id` reads.
    pub fn field(&self, id: PredId) -> Option<FieldId> {
        self.ranges.position(|r| r.contains(&id.index()))
    }

    /// Number of predicates.
    pub fn len(&self) -> usize {
        self.conditions.len()
    }

    /// The ids of field `field`'s predicates (empty if it has none).
    pub fn of(&self, field: FieldId) -> Range<usize> {
        self.ranges.get(field).cloned().unwrap_or(0..0)
    }
}

/// A node's address: predicates are found in the plan, and compiled
/// conditions know them by where they are.
fn address(node: &Node) -> usize {
    std::ptr::from_ref(node).addr()
}

/// Push the predicates of a condition: the condition itself when it reads
/// one field, else those of its `and`, `or` and `not` operands.
fn collect<'p>(node: &'p Node, found: &mut Vec<(FieldId, &'p Node)>) {
    match reads(node) {
        Reads::One(field) => found.push((field, node)),
        Reads::Nothing => {}
        Reads::More => match node {
            Node::Not(inner) => collect(inner, found),
            Node::And(items) | Node::Or(items) => items.iter().for_each(|n| collect(n, found)),
            _ => {}
        },
    }
}

/// What `node` reads that changes from lead to lead.
pub(crate) fn reads(node: &Node) -> Reads {
    match node {
        Node::Field(field) => Reads::One(*field),
        Node::Group(_) | Node::Score | Node::Stage | Node::Tier(_) | Node::Fired(_) => Reads::More,
        _ => {
            let mut all = Reads::Nothing;
            node.for_each_child(&mut |child| {
                all = match (all, reads(child)) {
                    (Reads::Nothing, r) | (r, Reads::Nothing) => r,
                    (Reads::One(a), Reads::One(b)) if a == b => Reads::One(a),
                    _ => Reads::More,
                };
            });
            all
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

    use super::*;
    use crate::id::ConditionId;
    use crate::source::Source;
    use crate::value::parse_date_literal;

    #[test]
    fn predicates_are_the_largest_one_field_parts_grouped_by_field() {
        let model = crate::compile(&Source::new(
            "t.tally",
            "fields {\n  a: text\n  b: int\n  c: bool\n}\n\
             when a in [x, y] or a contains \"z\" add 1\n\
             when b > 3 and c add 1\n\
             when b * 2 > 5 + b add 1\n\
             if score > 1 and not c then Hot\n\
             else Cold\n",
        ))
        .model
        .unwrap();
        let plan = crate::plan::compile(&model);
        let today = parse_date_literal("2026-11-22").unwrap();
        let predicates = Predicates::new(&plan, today);
        // a: the whole first condition; b: `b > 3` and `b * 2 > 5 + b`;
        // c: `c` (rule 2) and `c` under the ladder's `not`.
        assert_eq!(predicates.ranges.as_slice(), [0..1, 1..3, 3..5]);
        assert_eq!(predicates.len(), 5);
        let (c, p) = (ConditionId::from_index, PredId::from_index);
        assert_eq!(predicates.id(&plan.conditions[c(0)]), Some(p(0)));
        assert_eq!(predicates.id(&plan.conditions[c(2)]), Some(p(2)));
        let Node::And(items) = &plan.conditions[c(1)] else {
            panic!("not an and: {:?}", plan.conditions[c(1)]);
        };
        assert_eq!(predicates.id(&items[0]), Some(p(1)));
        assert_eq!(predicates.id(&plan.conditions[c(1)]), None);
        assert_eq!(predicates.of(FieldId::from_index(7)), 0..0);
    }
}
