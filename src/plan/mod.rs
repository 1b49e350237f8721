//! The compiled evaluation plan: checked model → what the interpreter runs.
//!
//! Compiled once per model: text constants case-folded once, `in` lists as
//! hash sets, regexes compiled once (with the literal endings of those
//! anchored at the end, a quick test before the regex), conditions shared by several rules
//! stored once (each rule points at its condition by index), constants
//! folded. Input columns are bound to fields later, per lead file
//! (`io::Binding`), since the plan does not know the header.

mod compile;
mod display;
pub mod endings;
pub mod node;

use crate::check::model::Limits;
use crate::value::{FieldType, Reading};

pub use compile::{compile, node};
pub use node::{ConstSet, Node, TextOp};

/// A compiled model.
#[derive(Debug, Clone)]
pub struct Plan {
    pub name: Option<String>,
    pub fields: Vec<FieldSpec>,
    /// Distinct rule conditions; a condition several rules share is here once.
    pub conditions: Vec<Node>,
    /// Rules in file order.
    pub rules: Vec<RuleStep>,
    pub groups: Vec<GroupSpec>,
    pub score_limits: Limits,
    pub stage: Option<LadderSpec>,
    pub tiers: Vec<TierSpec>,
}

/// A field as the readers need it.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldSpec {
    pub name: String,
    /// The input column (the `from` name, else the field name).
    pub column: String,
    pub ty: FieldType,
    /// How its cells are read: list separator and local format.
    pub read: Reading,
    pub required: bool,
    /// True when some rule, ladder or tier reads the field. Readers parse
    /// and validate only used or required fields.
    pub used: bool,
}

/// One rule: when `conditions[condition]` is true, add `points` (negated
/// for `sub`).
#[derive(Debug, Clone)]
pub struct RuleStep {
    pub group: Option<usize>,
    pub condition: usize,
    pub points: Node,
    pub negate: bool,
    pub reason: String,
}

/// A group and the rules summed into it.
#[derive(Debug, Clone)]
pub struct GroupSpec {
    pub name: String,
    pub limits: Limits,
    pub rules: Vec<usize>,
}

/// A ladder: the first step whose condition is true gives its label.
#[derive(Debug, Clone)]
pub struct LadderSpec {
    pub steps: Vec<(Node, String)>,
    pub otherwise: Option<String>,
}

/// A tier: a named ladder decided after the stage and earlier tiers.
#[derive(Debug, Clone)]
pub struct TierSpec {
    pub name: String,
    pub ladder: LadderSpec,
}

impl Plan {
    /// The names of the outputs of a lead, in order: `score`, each group,
    /// `stage` (when the model has a ladder), each tier.
    pub fn output_names(&self) -> Vec<String> {
        let mut names = vec!["score".to_string()];
        names.extend(self.groups.iter().map(|g| g.name.clone()));
        if self.stage.is_some() {
            names.push("stage".to_string());
        }
        names.extend(self.tiers.iter().map(|t| t.name.clone()));
        names
    }
}
