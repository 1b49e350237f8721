//! The warnings `tally check` gives about a model that has no errors.
//!
//! A finding holds facts (names, numbers, the test as written, which case
//! it is); every word a user reads is written here, in the attributes and
//! in the small `words` methods they call, so the lints decide and this
//! file says.

use miette::{Diagnostic, SourceSpan};
use thiserror::Error;

use crate::value::{format_decimal, Decimal};

/// Something legal but almost certainly not what the author meant.
#[derive(Debug, Clone, Error, Diagnostic, PartialEq)]
pub enum Lint {
    #[error("{} is never taken: {} already get `{label}` from an earlier line", .line.words(), .shadow.whom())]
    #[diagnostic(code(tally::unreachable_line), severity(Warning), help("{}", .shadow.help()))]
    UnreachableLine {
        line: Line,
        shadow: Shadow,
        /// The label of the earlier line, as written in a ladder.
        label: String,
        #[label("never taken")]
        span: SourceSpan,
        #[label("{}", .shadow.why())]
        earlier: SourceSpan,
    },

    #[error("`sub {}` adds {} points: subtracting a negative number adds it", format_decimal(*.points), format_decimal(.points.abs()))]
    #[diagnostic(
        code(tally::negative_sub),
        severity(Warning),
        help("write `add {amount}` if the rule should add points, or `sub {amount}` if it should take them away", amount = format_decimal(.points.abs()))
    )]
    NegativeSub {
        /// The points as written, `-10`.
        points: Decimal,
        #[label("a negative number after `sub`")]
        span: SourceSpan,
    },

    #[error("{} has no `else`", ladder_name(.tier.as_deref()))]
    #[diagnostic(
        code(tally::no_else),
        severity(Warning),
        help("add `else LABEL` after the last line so every lead gets a label; a lead for which no line holds gets a missing {}", output_name(.tier.as_deref()))
    )]
    NoElse {
        /// The tier's name, or `None` for the stage ladder.
        tier: Option<String>,
        #[label("leads that fail every line get no {}", output_name(.tier.as_deref()))]
        span: SourceSpan,
    },

    #[error("{}: `{name}` is {}", .verdict.subject(.text), .bound.words(.reach))]
    #[diagnostic(
        code(tally::threshold_out_of_range),
        severity(Warning),
        help("the points and caps keep `{name}` {reach}, so {}", .verdict.outcome())
    )]
    ThresholdOutOfRange {
        verdict: Verdict,
        /// The test as written, `score >= 200`.
        text: String,
        /// `score` or a group.
        name: String,
        /// The end of `reach` that explains the verdict.
        bound: Bound,
        /// Every value `name` can take.
        reach: Reach,
        #[label("`{name}` is always {reach}")]
        span: SourceSpan,
    },

    #[error("the condition `{text}` is never true")]
    #[diagnostic(
        code(tally::never_true),
        severity(Warning),
        help("no lead can meet it, so {}: {}", .site.effect(), .never.fix())
    )]
    NeverTrue {
        /// The condition as written.
        text: String,
        site: Site,
        never: Never,
        #[label("{}", .never.why())]
        span: SourceSpan,
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

    #[error("the events of `{source_name}` have a field `{name}`, as the leads do")]
    #[diagnostic(
        code(tally::event_field_shadows),
        severity(Warning),
        help("inside an event set `{name}` is the event's field, never the lead's: rename one of them if a set should read the lead's")
    )]
    EventFieldShadows {
        name: String,
        source_name: String,
        #[label("hides the lead field `{name}` inside `{source_name}` sets")]
        span: SourceSpan,
        #[label("the lead field")]
        lead: SourceSpan,
    },

    #[error("this rule's points never count: `{name}` is always at its `{cap}`")]
    #[diagnostic(code(tally::capped_out), severity(Warning), help("{}", .cap.help(.name, .reach)))]
    CappedOut {
        /// A group or `score`.
        name: String,
        cap: Cap,
        /// How far the rules that always apply take the total past the cap.
        reach: Option<Decimal>,
        #[label("taken away by the cap for every lead")]
        span: SourceSpan,
        #[label("reached by rules that always apply")]
        limit_span: SourceSpan,
    },
}

/// Which line of a ladder a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Line {
    If,
    Else,
}

impl Line {
    fn words(&self) -> &'static str {
        match self {
            Line::If => "this line",
            Line::Else => "the `else` line",
        }
    }
}

/// Why an earlier ladder line takes every lead of a later one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shadow {
    /// The earlier line holds for every lead.
    Always,
    /// Every lead that meets the later line meets the earlier one.
    Implied,
}

impl Shadow {
    fn whom(&self) -> &'static str {
        match self {
            Shadow::Always => "all leads",
            Shadow::Implied => "its leads",
        }
    }

    fn why(&self) -> &'static str {
        match self {
            Shadow::Always => "holds for every lead",
            Shadow::Implied => "taken first by every lead that meets the later line",
        }
    }

    fn help(&self) -> &'static str {
        match self {
            Shadow::Always => "the earlier line holds for every lead, so no lead gets past it: make its condition stricter, or remove the lines after it",
            Shadow::Implied => "a ladder gives the label of the first line that holds, and every lead that meets this line meets the earlier one first: put the stricter line first, or remove this one",
        }
    }
}

fn ladder_name(tier: Option<&str>) -> String {
    tier.map_or_else(
        || "the stage ladder".to_string(),
        |name| format!("the tier `{name}`"),
    )
}

fn output_name(tier: Option<&str>) -> String {
    tier.map_or_else(|| "stage".to_string(), |name| format!("`{name}`"))
}

/// What a test of a total out of its range comes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The test decides the whole ladder line, which is never taken.
    LineNeverTaken,
    /// The test, part of a line, is never true.
    NeverTrue,
    AlwaysTrue,
}

impl Verdict {
    fn subject(&self, text: &str) -> String {
        match self {
            Verdict::LineNeverTaken => "this line can never be taken".to_string(),
            Verdict::NeverTrue => format!("`{text}` is never true"),
            Verdict::AlwaysTrue => format!("`{text}` is always true"),
        }
    }

    fn outcome(&self) -> &'static str {
        match self {
            Verdict::LineNeverTaken | Verdict::NeverTrue => "no lead meets this test: compare with a number in that range, or check the points and caps",
            Verdict::AlwaysTrue => "every lead meets this test and it decides nothing: compare with a number in that range, or remove the test",
        }
    }
}

/// The values a total can take; `None` where it is unbounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reach {
    pub lo: Option<Decimal>,
    pub hi: Option<Decimal>,
}

impl std::fmt::Display for Reach {
    /// "between 0 and 125", "at 0 or more", "at 125 or less".
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.lo.map(format_decimal), self.hi.map(format_decimal)) {
            (Some(l), Some(h)) => write!(f, "between {l} and {h}"),
            (Some(l), None) => write!(f, "at {l} or more"),
            (None, Some(h)) => write!(f, "at {h} or less"),
            (None, None) => f.write_str("at any number"),
        }
    }
}

/// Which end of its reach keeps a total from a test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    AtMost(Decimal),
    AtLeast(Decimal),
    /// Both ends matter: the whole reach.
    Reach,
}

impl Bound {
    fn words(&self, reach: &Reach) -> String {
        match self {
            Bound::AtMost(h) => format!("at most {}", format_decimal(*h)),
            Bound::AtLeast(l) => format!("at least {}", format_decimal(*l)),
            Bound::Reach => reach.to_string(),
        }
    }
}

/// Whether a condition belongs to a rule or a ladder line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Site {
    Rule,
    Line,
}

impl Site {
    fn effect(&self) -> &'static str {
        match self {
            Site::Rule => "this rule never adds points",
            Site::Line => "this line is never taken",
        }
    }
}

/// Why a condition is never true.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Never {
    /// The constant `false`.
    AlwaysFalse,
    /// `x in []`.
    EmptyList,
    /// `x between 10 and 5`: a lower bound above the upper one.
    CrossedBounds { lo: Decimal, hi: Decimal },
    /// Some other test no value passes.
    NoValue,
    /// A test no value passes together with earlier ones, given as
    /// written (the first three; `more` when there were others).
    Clash { earlier: Vec<String>, more: bool },
}

impl Never {
    fn why(&self) -> String {
        match self {
            Never::AlwaysFalse => "always false".into(),
            Never::EmptyList => "the list is empty".into(),
            Never::CrossedBounds { lo, hi } => format!(
                "no value is at least {} and at most {}",
                format_decimal(*lo),
                format_decimal(*hi)
            ),
            Never::NoValue => "true for no value".into(),
            Never::Clash { earlier, more } => {
                let mut others: Vec<String> = earlier.iter().map(|t| format!("`{t}`")).collect();
                if *more {
                    others.push("more".into());
                }
                format!("cannot hold together with {}", others.join(" and "))
            }
        }
    }

    fn fix(&self) -> String {
        match self {
            Never::AlwaysFalse => "remove it".into(),
            Never::EmptyList => "add the values to look for, or remove it".into(),
            Never::CrossedBounds { lo, hi } => format!(
                "write the smaller bound first, `between {} and {}`",
                format_decimal(*hi),
                format_decimal(*lo)
            ),
            Never::NoValue => "check the values".into(),
            Never::Clash { .. } => {
                "check the values, or join the tests with `or` if either should do".into()
            }
        }
    }
}

/// The cap that takes a rule's points away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cap {
    Max(Decimal),
    Min(Decimal),
}

impl std::fmt::Display for Cap {
    /// As written: `max 50`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Cap::Max(v) => write!(f, "max {}", format_decimal(*v)),
            Cap::Min(v) => write!(f, "min {}", format_decimal(*v)),
        }
    }
}

impl Cap {
    fn help(&self, name: &str, reach: &Option<Decimal>) -> String {
        let reach = reach.map_or_else(String::new, format_decimal);
        match self {
            Cap::Max(_) => format!("the rules that always apply give `{name}` at least {reach} points, and its `{self}` cuts anything above, so this rule changes nothing: raise the `max`, lower those rules, or remove this one"),
            Cap::Min(_) => format!("the rules that always apply take `{name}` down to at most {reach} points, and its `{self}` lifts it back, so this rule changes nothing: lower the `min`, raise those rules, or remove this one"),
        }
    }
}

#[cfg(test)]
#[path = "warning_tests.rs"]
mod tests;
