//! Lints: warnings about a model that passed every check (spec section 9).
//!
//! They read the checked model, and the syntax tree for what the model
//! does not keep (lets, the spans of names, `else` and limits). Every
//! conclusion is sound: a lint that cannot be sure stays silent.

mod contradiction;
mod domain;
mod facts;
mod implication;
mod interval;
mod ladders;
mod range;
mod rules;
mod threshold;
mod unused;
mod warning;

use miette::Diagnostic;

pub use range::{group_range, score_range, Range};
pub use warning::{Bound, Cap, Line, Lint, Never, Reach, Shadow, Site, Verdict};

use super::Model;
use crate::source::Source;
use crate::span::Span;
use crate::syntax::ast;
use range::Ranges;

/// Everything a lint may look at.
struct Context<'a> {
    source: &'a Source,
    tree: &'a ast::Model,
    model: &'a Model,
    ranges: Ranges,
}

impl Context<'_> {
    /// The source text under a span, shortened for a message.
    fn text(&self, span: Span) -> String {
        self.source.excerpt(span)
    }
}

/// Every warning about a model without errors, in source order.
pub fn lint(source: &Source, tree: &ast::Model, model: &Model) -> Vec<Lint> {
    let cx = Context {
        source,
        tree,
        model,
        ranges: Ranges::of(model),
    };
    let mut lints = Vec::new();
    unused::lets_and_fields(&cx, &mut lints);
    unused::shadowing_event_fields(&cx, &mut lints);
    rules::never_true(&cx, &mut lints);
    rules::capped_out(&cx, &mut lints);
    rules::negative_sub(&cx, &mut lints);
    ladders::ladders(&cx, &mut lints);
    lints.sort_by_key(position);
    lints
}

/// Where a warning points first.
fn position(lint: &Lint) -> usize {
    lint.labels()
        .and_then(|mut labels| labels.next())
        .map_or(0, |label| label.offset())
}
