//! A model's source: its name (usually a path) and its text.

use std::sync::Arc;

use crate::span::Span;

/// The text of one model file, shared by every diagnostic about it.
///
/// A lone CR (old Mac line ends) ends a line as LF and CRLF do. The text
/// keeps CRLF as it is and holds a lone CR as LF: both are one byte, so
/// every offset still points at the same character of the file, and
/// every stage after this one (the grammar's comments, the formatter's
/// scan, miette's excerpts) needs to know only LF and CRLF.
#[derive(Debug, Clone)]
pub struct Source {
    name: Arc<str>,
    text: Arc<str>,
    /// Byte offset of the start of each line, for line/column lookups in
    /// logarithmic time (a report per finding must not rescan the file).
    line_starts: Arc<[usize]>,
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
        let text = lone_cr_as_lf(text.into());
        let line_starts = std::iter::once(0)
            .chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|at| at + 1))
            .collect();
        Source {
            name: name.into(),
            text,
            line_starts,
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
        let text = &self.text;
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_of(offset);
        let start = self.line_start(line);
        let column = text.get(start..offset).unwrap_or_default().chars().count() + 1;
        (line + 1, column)
    }

    /// The 0-based line holding byte `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        self.line_starts
            .partition_point(|&start| start <= offset)
            .saturating_sub(1)
    }

    /// How many lines the text has (a final line end starts an empty one).
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// Byte offset where 0-based `line` starts (the text's end past the last).
    pub fn line_start(&self, line: usize) -> usize {
        self.line_starts
            .get(line)
            .copied()
            .unwrap_or(self.text.len())
    }
}

/// `text` with each CR that is not followed by LF turned into LF.
fn lone_cr_as_lf(text: Arc<str>) -> Arc<str> {
    let bytes = text.as_bytes();
    let lone = |&at: &usize| bytes.get(at + 1) != Some(&b'\n');
    if !memchr::memchr_iter(b'\r', bytes).any(|at| lone(&at)) {
        return text;
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' if chars.peek() != Some(&'\n') => out.push('\n'),
            c => out.push(c),
        }
    }
    Arc::from(out)
}
