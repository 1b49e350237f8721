//! Name resolution, type checking and lints.
