//! What can stop a model from compiling to SQL: a feature a dialect cannot
//! express exactly. Reported as data; the CLI renders it like a check error.

use miette::{Diagnostic, SourceSpan};
use thiserror::Error;

/// A model (or a part of one) that `tally sql` refuses to translate,
/// because the SQL would not give the interpreter's results.
#[derive(Debug, Clone, Error, Diagnostic, PartialEq)]
pub enum SqlError {
    #[error("{what} cannot be expressed exactly in {dialect}")]
    #[diagnostic(code(tally::sql_unsupported))]
    Unsupported {
        /// The dialect's name (`postgres`).
        dialect: String,
        /// What the model uses, in words (`the regex class \`\d\``).
        what: String,
        #[label("used here")]
        span: SourceSpan,
        #[help]
        help: Option<String>,
    },
}
