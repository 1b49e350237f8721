//! The words of the account errors (`tally::bad_account`,
//! `tally::account_layer`), rendered from the facts the checker found.

use std::fmt;

/// What is wrong with the `account` block or an `account.NAME`.
#[derive(Debug, Clone, PartialEq)]
pub enum AccountProblem {
    /// `account by FIELD` names no field of the leads.
    UnknownBy {
        field: String,
        candidate: Option<String>,
    },
    /// `account by FIELD` names a `list` field, which `==` cannot
    /// compare: no two leads would ever share an account.
    ListBy { field: String },
    /// Two `let` lines of the block share a name.
    DuplicateValue { name: String },
    /// A value is not `AGG(leads …)`; `shape` says how.
    NotAggregate { shape: Shape },
    /// `account.NAME` in a model without an `account` block.
    NoBlock { name: String },
    /// `account.NAME` names no value of the block.
    UnknownValue {
        name: String,
        candidate: Option<String>,
    },
}

/// How an account value fails to be an aggregate over the leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    NotACall,
    NotOverLeads,
    FirstNotLeads,
    ArgumentCount,
}

impl fmt::Display for AccountProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownBy { field, .. } => write!(f, "`{field}` is not a field of the leads"),
            Self::ListBy { field } => {
                write!(f, "leads cannot be grouped by `{field}`, a list field")
            }
            Self::DuplicateValue { name } => write!(f, "two account values are named `{name}`"),
            Self::NotAggregate { .. } => {
                f.write_str("an account value is an aggregate over the account's leads")
            }
            Self::NoBlock { name } => write!(f, "`account.{name}` needs an `account` block"),
            Self::UnknownValue { name, .. } => write!(f, "the account has no value `{name}`"),
        }
    }
}

impl AccountProblem {
    pub(super) fn label(&self) -> &'static str {
        match self {
            Self::UnknownBy { .. } => "not in `fields`",
            Self::ListBy { .. } => "a list: `==` does not compare lists",
            Self::DuplicateValue { .. } => "named again here",
            Self::NotAggregate { shape } => match shape {
                Shape::NotACall => "not an aggregate",
                Shape::NotOverLeads => "not an aggregate over leads",
                Shape::FirstNotLeads => "its first argument must be `leads`",
                Shape::ArgumentCount => "the wrong number of arguments",
            },
            Self::NoBlock { .. } => "no account values in this model",
            Self::UnknownValue { .. } => "not an account value",
        }
    }

    pub(super) fn help(&self) -> String {
        match self {
            Self::UnknownBy { candidate, .. } => super::mean_or(
                candidate,
                "leads are grouped by one of their fields: `account by company { … }`",
            ),
            Self::ListBy { .. } => "an account is the leads whose field is equal under `==`: group by a text, number, date or bool field, such as `account by company { … }`".into(),
            Self::DuplicateValue { .. } => {
                "rename one of them: `account.NAME` must name one value".into()
            }
            Self::NotAggregate { .. } => "write `count(leads)`, `count(leads where …)`, `exists(leads where …)`, or `sum`, `min`, `max` or `distinct` of `(leads, VALUE)`".into(),
            Self::NoBlock { .. } => {
                "group the leads first: `account by company { let people = count(leads) }`".into()
            }
            Self::UnknownValue { candidate, .. } => {
                super::mean_or(candidate, "the account block's `let` lines name its values")
            }
        }
    }
}

/// Why an account value is used where its layer is not yet computed.
#[derive(Debug, Clone, PartialEq)]
pub enum Layer {
    /// An account value reads `name`, decided after the account values.
    Later { name: String },
    /// An account value reads `account.NAME`.
    Nested { name: String },
    /// A rule reads `account.NAME`, which uses `uses` (a group or `score`).
    ScoreLevelInRule { name: String, uses: String },
}

impl fmt::Display for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Later { name } => write!(f, "an account value cannot use `{name}`"),
            Self::Nested { name } => write!(
                f,
                "an account value cannot use another one (`account.{name}`)"
            ),
            Self::ScoreLevelInRule { name, .. } => {
                write!(f, "a rule cannot use `account.{name}`")
            }
        }
    }
}

impl Layer {
    pub(super) fn label(&self) -> &'static str {
        match self {
            Self::Later { .. } => "decided after the account values",
            Self::Nested { .. } => "an account value",
            Self::ScoreLevelInRule { .. } => "a score-level account value",
        }
    }

    pub(super) fn help(&self) -> String {
        match self {
            Self::Later { .. } => "an account value may read the lead's fields, lets, event aggregates, its groups and `score`; the stage and tiers come later".into(),
            Self::Nested { .. } => "account values are computed in one pass over the leads: write the condition on the lead's own fields".into(),
            Self::ScoreLevelInRule { name, uses } => format!("`account.{name}` uses `{uses}`, and `{uses}` is a sum of the rules, this one included: a rule may not use a score-level account value; use it in the stage ladder or a tier, e.g. `if account.{name} >= 100 and score >= 40 then SQL`"),
        }
    }
}
