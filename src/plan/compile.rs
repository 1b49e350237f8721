//! Checked model → plan.

use super::Plan;
use crate::check::Model;

/// Compile a checked model into a plan.
pub fn compile(_model: &Model) -> Plan {
    todo!()
}
