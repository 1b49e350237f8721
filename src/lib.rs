//! Tally: lead-scoring models kept as code.
//!
//! The pipeline reads one way: [`source`] text → [`syntax`] (parse to a
//! tree with spans) → [`check`] (names, types, lints; the checked model) →
//! plan → eval / sql → io → cli. Each stage uses only the ones before it;
//! [`value`] and [`span`] are shared vocabulary.

pub mod check;
pub mod cli;
pub mod eval;
pub mod fmt;
pub mod id;
pub mod io;
pub mod plan;
pub mod quality;
pub mod source;
pub mod span;
pub mod sql;
pub mod syntax;
pub mod value;

mod finding;

// pest without its `std` feature (see `Cargo.toml`) derives parsers that
// name `alloc`.
extern crate alloc;

pub use finding::{compile, compile_bytes, Compiled, Finding};
