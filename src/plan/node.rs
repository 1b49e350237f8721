//! Plan expressions.

/// A compiled expression.
#[derive(Debug, Clone)]
pub enum Node {}

/// A constant set for `in` and `contains any/all`.
#[derive(Debug, Clone)]
pub struct ConstSet {}
