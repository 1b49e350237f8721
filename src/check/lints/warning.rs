//! The warnings `tally check` gives about a model that has no errors.

use miette::{Diagnostic, SourceSpan};
use thiserror::Error;

/// Something legal but almost certainly not what the author meant.
#[derive(Debug, Clone, Error, Diagnostic, PartialEq)]
pub enum Lint {
    #[error("{line} is never taken: {whom} already get `{label}` from an earlier line")]
    #[diagnostic(code(tally::unreachable_line), severity(Warning), help("{help}"))]
    UnreachableLine {
        /// "this line" or "the `else` line".
        line: String,
        /// "its leads" or "all leads".
        whom: String,
        /// The label of the earlier line.
        label: String,
        #[label("never taken")]
        span: SourceSpan,
        #[label("{why}")]
        earlier: SourceSpan,
        why: String,
        help: String,
    },

    #[error("`sub {points}` adds {amount} points: subtracting a negative number adds it")]
    #[diagnostic(
        code(tally::negative_sub),
        severity(Warning),
        help("write `add {amount}` if the rule should add points, or `sub {amount}` if it should take them away")
    )]
    NegativeSub {
        /// The points as written, `-10`.
        points: String,
        /// The same without the sign, `10`.
        amount: String,
        #[label("a negative number after `sub`")]
        span: SourceSpan,
    },

    #[error("{ladder} has no `else`")]
    #[diagnostic(
        code(tally::no_else),
        severity(Warning),
        help("add `else LABEL` after the last line so every lead gets a label; a lead for which no line holds gets a missing {output}")
    )]
    NoElse {
        /// "the stage ladder" or "the tier `grade`".
        ladder: String,
        /// "stage" or "`grade`".
        output: String,
        #[label("leads that fail every line get no {output}")]
        span: SourceSpan,
    },

    #[error("{subject}: `{name}` is {bound}")]
    #[diagnostic(code(tally::threshold_out_of_range), severity(Warning), help("{help}"))]
    ThresholdOutOfRange {
        /// "this line can never be taken", "`x >= 5` is never true", …
        subject: String,
        /// `score` or a group.
        name: String,
        /// "at most 125", "at least 0".
        bound: String,
        #[label("`{name}` is always {range}")]
        span: SourceSpan,
        /// "between 0 and 125", "at 0 or more".
        range: String,
        help: String,
    },

    #[error("the condition `{text}` is never true")]
    #[diagnostic(code(tally::never_true), severity(Warning), help("{help}"))]
    NeverTrue {
        text: String,
        #[label("{why}")]
        span: SourceSpan,
        why: String,
        help: String,
    },

    #[error("the let `{name}` is never used")]
    #[diagnostic(
        code(tally::unused_let),
        severity(Warning),
        help("no rule, ladder, tier or test refers to `{name}`: use it, or remove it")
    )]
    UnusedLet {
        name: String,
        #[label("never used")]
        span: SourceSpan,
    },

    #[error("the field `{name}` is never used")]
    #[diagnostic(
        code(tally::unused_field),
        severity(Warning),
        help("no rule, ladder, tier or test reads `{name}`, so scoring ignores it (its column must still be in the lead file): remove it, or mark it `required` to reject leads without a value")
    )]
    UnusedField {
        name: String,
        #[label("never used")]
        span: SourceSpan,
    },

    #[error("this rule's points never count: `{name}` is always at its `{limit}`")]
    #[diagnostic(code(tally::capped_out), severity(Warning), help("{help}"))]
    CappedOut {
        /// A group or `score`.
        name: String,
        /// "max 50" or "min 0".
        limit: String,
        #[label("taken away by the cap for every lead")]
        span: SourceSpan,
        #[label("reached by rules that always apply")]
        limit_span: SourceSpan,
        help: String,
    },
}
