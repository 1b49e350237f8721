//! The words of the errors about names: unknown ones, and ones used
//! before they are decided, rendered from the facts the checker found.

use std::fmt;

use super::super::calls::FUNCTIONS;

/// `did you mean `x`?`: the close candidate for a misspelt name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate(pub String);

impl fmt::Display for Candidate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "did you mean `{}`?", self.0)
    }
}

/// The help of `tally::unknown_name`.
pub(super) fn unknown_name_help(name: &str, candidate: &Option<String>) -> String {
    super::mean_or(
        candidate,
        &format!("if you mean the text, write it in quotes: \"{name}\"; if it is a field, declare it in `fields {{ … }}`"),
    )
}

/// What an unknown function name suggests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FunctionHint {
    /// `lower`, `trim` and the like: text comparisons need none of them.
    TextCase,
    /// A function of this name is probably meant.
    Mean(String),
    /// Nothing close.
    Nothing,
}

impl fmt::Display for FunctionHint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let listed = FUNCTIONS
            .iter()
            .map(|f| format!("`{f}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let all = format!("the functions are {listed} (and `fired` in tests)");
        match self {
            Self::TextCase => write!(
                f,
                "text comparisons already ignore case and surrounding spaces; {all}"
            ),
            Self::Mean(c) => write!(f, "did you mean `{c}`? {all}"),
            Self::Nothing => f.write_str(&all),
        }
    }
}

/// The help of `tally::unknown_reason`.
pub(super) fn unknown_reason_help(candidate: &Option<String>) -> String {
    match candidate {
        Some(c) => format!("did you mean \"{c}\"?"),
        None => {
            "a rule's reason is its text after the points, or else its condition as written".into()
        }
    }
}

/// The help of `tally::unknown_label`: the ladder's labels, and the
/// candidate among them if one is close.
pub(super) fn unknown_label_help(
    label: &str,
    ladder: &str,
    known: &[String],
    candidate: &Option<String>,
) -> String {
    let known = known
        .iter()
        .map(|l| format!("`{l}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let written = crate::syntax::canonical_label(label);
    let help = format!(
        "`{ladder}` is one of {known}; to add `{label}`, give the ladder a line `if … then {written}`"
    );
    match candidate {
        Some(close) => format!("did you mean `{close}`? {help}"),
        None => help,
    }
}

/// Why a ladder or tier cannot use a result yet (`tally::ladder_order`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// `stage` inside the stage ladder.
    StageItself,
    /// A tier inside the stage ladder.
    TierInStage,
    /// A tier inside itself.
    TierItself,
    /// A tier inside a tier above it.
    TierBelow,
}

impl Order {
    pub(super) fn help(self, name: &str) -> String {
        match self {
            Self::StageItself => "the stage ladder cannot use its own result".into(),
            Self::TierInStage => {
                "tiers are decided after the stage: the stage ladder cannot use them".into()
            }
            Self::TierItself => {
                format!("a tier cannot use its own result; refer to `{name}` from a later tier")
            }
            Self::TierBelow => format!("a tier can use only the tiers above it: move `{name}` up"),
        }
    }
}

/// Why a value inside a `let` is not a constant (`tally::not_constant`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Varies {
    /// A field of the lead.
    Field(String),
    /// A group, `score`, the stage or a tier.
    Output(String),
    /// `today` itself.
    Today,
    /// A function of `today`, such as `days_since`.
    OfToday(String),
    /// An aggregate of events.
    Events(String),
    /// `account.NAME`.
    Account(String),
}

impl fmt::Display for Varies {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Field(name) => write!(f, "`{name}` is read from each lead"),
            Self::Output(name) => write!(f, "`{name}` is computed for each lead"),
            Self::Today => f.write_str("`today` is the date of each run"),
            Self::OfToday(function) => write!(f, "`{function}` depends on `today`"),
            Self::Events(name) => write!(f, "`{name}` is computed from each lead's events"),
            Self::Account(name) => write!(f, "`account.{name}` is computed from the leads"),
        }
    }
}
