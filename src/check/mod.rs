//! Name resolution, type checking and lints: syntax tree → checked model.
//!
//! [`check`] reports every independent error of a model in one run. An
//! expression whose type is already wrong gets [`Type::Error`], and checks
//! that meet it stay silent, so one mistake gives one message.

mod accounts;
mod calls;
mod error;
mod events;
mod expr;
mod fold;
mod items;
pub mod lints;
pub mod model;
mod modifiers;
mod operators;
mod pattern;
pub mod suggest;
pub mod types;

use std::collections::HashMap;

pub use error::CheckError;
pub use model::Model;
pub use types::Type;

use crate::id::{AggregateId, FieldId, GroupId, Id, IdVec, RuleId, SourceId, TierId};
use crate::source::Source;
use crate::span::Span;
use crate::syntax::ast;
use crate::value::Value;

/// Check a parsed model. The model comes back only when there are no
/// errors; `findings` may then still hold warnings.
pub fn check(source: &Source, tree: &ast::Model) -> (Option<Model>, Vec<CheckError>) {
    let mut checker = Checker::new(source, tree);
    let model = checker.model(tree);
    (model, checker.errors)
}

/// What a name in the model's one namespace refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Symbol {
    Field(FieldId),
    Let(usize),
    Group(GroupId),
    Tier(TierId),
    /// An `events` block: looked up by name among the checked sources
    /// (a block with an error has none).
    Events,
}

/// Where an expression stands, which decides the names it may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    /// The value of the `let` with this index.
    Let(usize),
    /// A rule's condition or points.
    Rule,
    /// A line of the stage ladder.
    Stage,
    /// A line of the tier with this index.
    Tier(TierId),
    /// An `expect` line.
    Test,
    /// An account value's condition or value (about one lead).
    Account,
}

/// A folded `let`: its value and type, or `None` after an error.
type LetValue = Option<(Value, Type)>;

/// The labels one ladder can give, for checking `grade == A`.
#[derive(Debug, Clone)]
struct LadderLabels {
    name: String,
    labels: Vec<String>,
}

struct Checker<'a> {
    source: &'a Source,
    errors: Vec<CheckError>,
    names: HashMap<String, (Symbol, Span)>,
    fields: IdVec<FieldId, model::Field>,
    lets: Vec<LetValue>,
    stage_labels: Option<LadderLabels>,
    tier_labels: IdVec<TierId, LadderLabels>,
    /// Reason text → rule index, for `fired("…")`.
    reasons: HashMap<String, RuleId>,
    /// False when the model has no `fields` block (reported by the parser):
    /// then unknown names are not reported one by one.
    has_fields: bool,
    /// The checked `events` blocks.
    sources: IdVec<SourceId, model::EventSource>,
    /// The aggregates found so far, and each one's id by its text.
    aggregates: IdVec<AggregateId, model::Aggregate>,
    aggregate_ids: HashMap<String, AggregateId>,
    /// Inside an event set: the source whose fields names refer to.
    scope: Option<SourceId>,
    /// The checked account values (names, types, levels).
    account: Option<model::Account>,
    /// While an account value is checked: the first group or `score` it
    /// read so far.
    reads_score: Option<String>,
}

impl<'a> Checker<'a> {
    fn new(source: &'a Source, tree: &ast::Model) -> Checker<'a> {
        let labels = |name: &str, ladder: &ast::Ladder| LadderLabels {
            name: name.to_string(),
            labels: ladder
                .steps
                .iter()
                .map(|s| s.label.node.clone())
                .chain(ladder.otherwise.as_ref().map(|o| o.node.clone()))
                .collect(),
        };
        let mut checker = Checker {
            source,
            errors: Vec::new(),
            names: HashMap::new(),
            fields: IdVec::new(),
            lets: Vec::new(),
            stage_labels: tree.stage.as_ref().map(|l| labels("stage", l)),
            tier_labels: tree
                .tiers
                .iter()
                .map(|t| labels(&t.name.node, &t.ladder))
                .collect(),
            reasons: HashMap::new(),
            has_fields: tree.fields.is_some(),
            sources: IdVec::new(),
            aggregates: IdVec::new(),
            aggregate_ids: HashMap::new(),
            scope: None,
            account: None,
            reads_score: None,
        };
        checker.declare_names(tree);
        checker
    }

    /// Enter every field, let, group and tier into the one namespace,
    /// in file order, reporting clashes.
    fn declare_names(&mut self, tree: &ast::Model) {
        let fields = tree.fields.iter().flat_map(|b| &b.fields);
        let mut decls: Vec<(&str, Span, Symbol)> = Vec::new();
        decls.extend(fields.enumerate().map(|(i, f)| {
            (
                f.name.node.as_str(),
                f.name.span,
                Symbol::Field(FieldId::from_index(i)),
            )
        }));
        decls.extend(
            tree.events
                .iter()
                .map(|e| (e.name.node.as_str(), e.name.span, Symbol::Events)),
        );
        decls.extend(
            tree.lets
                .iter()
                .enumerate()
                .map(|(i, l)| (l.name.node.as_str(), l.name.span, Symbol::Let(i))),
        );
        decls.extend(tree.groups.iter().enumerate().map(|(i, g)| {
            (
                g.name.node.as_str(),
                g.name.span,
                Symbol::Group(GroupId::from_index(i)),
            )
        }));
        decls.extend(tree.tiers.iter().enumerate().map(|(i, t)| {
            (
                t.name.node.as_str(),
                t.name.span,
                Symbol::Tier(TierId::from_index(i)),
            )
        }));
        decls.sort_by_key(|(_, span, _)| span.start);
        for (name, span, symbol) in decls {
            if let Some((_, first)) = self.names.get(name) {
                self.errors.push(CheckError::DuplicateName {
                    name: name.to_string(),
                    span: span.into(),
                    first: (*first).into(),
                });
            } else {
                self.names.insert(name.to_string(), (symbol, span));
            }
        }
    }

    /// The source text under a span, for messages.
    fn text(&self, span: Span) -> String {
        self.source.excerpt(span)
    }

    /// Every declared name, for suggestions.
    fn known_names(&self) -> impl Iterator<Item = &str> {
        self.names.keys().map(String::as_str)
    }
}
