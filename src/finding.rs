//! Findings from every stage, as data: the CLI decides how to show them.

use miette::{Diagnostic, Severity};
use thiserror::Error;

use crate::check::lints::Lint;
use crate::check::{self, CheckError};
use crate::source::Source;
use crate::sql::SqlError;
use crate::syntax::{self, SyntaxError};

/// An error or warning about a model, from any stage.
#[derive(Debug, Clone, Error, Diagnostic, PartialEq)]
pub enum Finding {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Syntax(#[from] SyntaxError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Check(#[from] CheckError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Lint(#[from] Lint),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Sql(#[from] SqlError),
}

impl Finding {
    /// True for an error (anything not marked as a warning or advice).
    pub fn is_error(&self) -> bool {
        matches!(self.severity(), None | Some(Severity::Error))
    }
}

/// The result of compiling a model's source.
#[derive(Debug)]
pub struct Compiled {
    /// The checked model; `None` when any error was found.
    pub model: Option<check::Model>,
    /// Errors and warnings, in the order the stages found them.
    pub findings: Vec<Finding>,
}

impl Compiled {
    /// How many findings are errors.
    pub fn error_count(&self) -> usize {
        self.findings.iter().filter(|f| f.is_error()).count()
    }

    /// How many findings are warnings.
    pub fn warning_count(&self) -> usize {
        self.findings.len() - self.error_count()
    }
}

/// Parse and check a model. Syntax errors that leave a usable tree (a bad
/// date, a misplaced item) are reported together with the checker's; a
/// model without errors is then linted for warnings.
pub fn compile(source: &Source) -> Compiled {
    let (tree, syntax_errors) = syntax::parse(source);
    let mut findings: Vec<Finding> = syntax_errors.into_iter().map(Finding::from).collect();
    let Some(tree) = tree else {
        return Compiled {
            model: None,
            findings,
        };
    };
    let (model, check_errors) = check::check(source, &tree);
    findings.extend(check_errors.into_iter().map(Finding::from));
    let clean = !findings.iter().any(Finding::is_error);
    if let (true, Some(model)) = (clean, &model) {
        let lints = check::lints::lint(source, &tree, model);
        findings.extend(lints.into_iter().map(Finding::from));
    }
    Compiled {
        model: model.filter(|_| clean),
        findings,
    }
}

/// Compile a model from raw bytes. Bytes that are not UTF-8 give a
/// [`SyntaxError::NotUtf8`] finding over a lossily decoded source, so the
/// error can still point at a line and column.
pub fn compile_bytes(name: &str, bytes: Vec<u8>) -> (Source, Compiled) {
    match Source::from_bytes(name, bytes) {
        Ok(source) => {
            let compiled = compile(&source);
            (source, compiled)
        }
        Err(bad) => {
            let source = Source::new(name, bad.lossy_text.clone());
            let at = bad.offset;
            let error = SyntaxError::NotUtf8 {
                offset: at,
                span: crate::span::Span::new(at, at + char::REPLACEMENT_CHARACTER.len_utf8())
                    .into(),
            };
            let compiled = Compiled {
                model: None,
                findings: vec![Finding::from(error)],
            };
            (source, compiled)
        }
    }
}
