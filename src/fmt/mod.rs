//! Formatting: a model's text in one canonical layout, comments kept.
//!
//! The model is parsed, laid out as a tree of lines built from the syntax
//! tree (`build`), the comments pest skipped are found by a lexical scan
//! ([`scan`]) and attached to the lines they belong to (`attach`), and the
//! tree is printed (`render`). Before the text is handed back it is parsed
//! and checked again and compared with the original (`verify`): a
//! formatter bug can refuse to write, never change a model's meaning.

mod arrange;
mod attach;
mod build;
mod lines;
mod normalize;
mod render;
pub mod scan;
mod tree;
mod verify;

use thiserror::Error;

use crate::source::Source;
use crate::syntax;

/// Why a model was not formatted.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FmtError {
    /// The model has syntax errors; it is left as it is.
    #[error("the model has syntax errors")]
    Syntax,
    /// The formatted text failed a safety check: a formatter bug.
    #[error("internal error: {0}")]
    Internal(String),
}

/// The canonical text of a model, checked to mean what the original means.
pub fn format(source: &Source) -> Result<String, FmtError> {
    let (tree, errors) = syntax::parse(source);
    let tree = match tree {
        Some(tree) if errors.is_empty() => tree,
        _ => return Err(FmtError::Syntax),
    };
    let text = layout(source, &tree);
    // Text that is already canonical needs no second look (and `fmt
    // --check` on a tidy tree, the common case in CI, parses each file once).
    if text != source.text() {
        let expected = verify::Expected::of(source, tree);
        verify::verify(source.name(), &expected, &text).map_err(FmtError::Internal)?;
    }
    Ok(text)
}

/// The canonical text of a parsed model, unchecked.
fn layout(source: &Source, tree: &syntax::ast::Model) -> String {
    let tokens = scan::scan(source.text());
    let builder = build::Builder {
        source,
        tokens: &tokens,
    };
    let mut file = builder.file(tree);
    for comment in attach::comments(&builder) {
        attach::attach(&mut file, comment, source.text());
    }
    arrange::arrange(&mut file);
    render::render(&file)
}
