//! A model's source: its name (usually a path) and its text.

use std::sync::Arc;

use miette::NamedSource;

use crate::span::Span;

/// The text of one model file, shared by every diagnostic about it.
#[derive(Debug, Clone)]
pub struct Source {
    name: Arc<str>,
    text: Arc<str>,
}

/// The bytes of a model were not UTF-8.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotUtf8 {
    /// Offset of the first byte that is not part of a UTF-8 character.
    pub offset: usize,
    /// The whole text with bad bytes replaced by U+FFFD, so the error can
    /// show a line and column (the prefix before `offset` is unchanged).
    pub lossy_text: String,
}

impl Source {
    /// A source from text already known to be UTF-8.
    pub fn new(name: impl Into<Arc<str>>, text: impl Into<Arc<str>>) -> Source {
        Source {
            name: name.into(),
            text: text.into(),
        }
    }

    /// A source from raw bytes; model files must be UTF-8.
    pub fn from_bytes(name: impl Into<Arc<str>>, bytes: Vec<u8>) -> Result<Source, NotUtf8> {
        match String::from_utf8(bytes) {
            Ok(text) => Ok(Source::new(name, text)),
            Err(err) => {
                let offset = err.utf8_error().valid_up_to();
                let bytes = err.into_bytes();
                Err(NotUtf8 {
                    offset,
                    lossy_text: String::from_utf8_lossy(&bytes).into_owned(),
                })
            }
        }
    }

    /// The name given to the source, usually its path.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The whole text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The text under `span` (empty if the span is out of range).
    pub fn slice(&self, span: Span) -> &str {
        self.text.get(span.start..span.end).unwrap_or_default()
    }

    /// The text under `span` for a message: at most 60 characters, with
    /// `…` when cut.
    pub fn excerpt(&self, span: Span) -> String {
        let text = self.slice(span);
        let mut short: String = text.chars().take(60).collect();
        if short.len() < text.len() {
            short.push('…');
        }
        short
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        line_col(&self.text, offset)
    }

    /// The source in the form miette renders excerpts from.
    pub fn to_named_source(&self) -> NamedSource<String> {
        NamedSource::new(&self.name, self.text.to_string())
    }
}

/// 1-based line and column (in characters) of byte `offset` in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = text.get(..offset).unwrap_or_default();
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before.get(line_start..).unwrap_or_default().chars().count() + 1;
    (line, column)
}
