//! Evaluating plan nodes.
