//! The part of a model one report shows: the lines around its labels,
//! long lines cut to a window around the labels.
//!
//! miette finds an excerpt by scanning the text from its first byte, so
//! handing it the whole model made each report cost the size of the file
//! (10,000 findings: seconds), and it breaks down on lines past 65,535
//! columns. A report is instead rendered from an `Excerpt`: only the
//! lines it shows, found through the source's line index, each at most
//! a few hundred bytes long, with `…` where a line was cut. The labels
//! are moved to the excerpt's offsets; `read_span` gives miette the
//! model's own line numbers and columns, so the report reads as before.

use miette::{LabeledSpan, MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};

use crate::source::Source;

/// A line no longer than this is shown whole.
const WHOLE_LINE: usize = 240;
/// Bytes shown either side of the labels on a longer line.
const MARGIN: usize = 60;
/// At most this much of a label is shown on one line.
const LABEL_WIDTH: usize = 120;
/// Lines shown before and after a label (miette's default).
const CONTEXT: usize = 1;
/// Labels this many lines apart or fewer share one excerpt, lines between
/// included; farther ones get an excerpt each.
const GAP: usize = 8;
/// Marks the part of a line that was left out.
const CUT: &str = "…";

/// One line of the model as the excerpt shows it.
#[derive(Debug)]
struct Shown {
    /// 0-based line number in the model.
    line: usize,
    /// Offset in the model of the first byte shown, and of the line's start.
    from: usize,
    line_start: usize,
    /// Characters of the line before the first one shown (a cut line's).
    chars_cut: usize,
    /// Bytes of the model shown.
    len: usize,
    /// Where the shown bytes start in the excerpt (after any `…`).
    at: usize,
    /// Where the line starts in the excerpt, and ends (line end included).
    start: usize,
    end: usize,
}

/// The lines one report shows, as miette reads them.
#[derive(Debug)]
pub struct Excerpt {
    name: String,
    text: String,
    lines: Vec<Shown>,
}

impl Excerpt {
    /// The excerpt for `labels` (offsets in the model).
    pub fn new(source: &Source, labels: &[LabeledSpan]) -> Excerpt {
        let mut excerpt = Excerpt {
            name: source.name().to_string(),
            text: String::new(),
            lines: Vec::new(),
        };
        for line in lines_to_show(source, labels) {
            excerpt.push_line(source, line, labels);
        }
        excerpt
    }

    fn push_line(&mut self, source: &Source, line: usize, labels: &[LabeledSpan]) {
        let text = source.text();
        let line_start = source.line_start(line);
        let next = source.line_start(line + 1);
        let body = text.get(line_start..next).unwrap_or_default();
        let content = body.trim_end_matches('\n').trim_end_matches('\r');
        let (from, to) = window(line_start, content, labels);
        let start = self.text.len();
        if from > line_start {
            self.text.push_str(CUT);
        }
        let at = self.text.len();
        self.text.push_str(text.get(from..to).unwrap_or_default());
        if to < line_start + content.len() {
            self.text.push_str(CUT);
        }
        if body.len() > content.len() {
            self.text.push('\n');
        }
        let cut = content.get(..from - line_start).unwrap_or_default();
        self.lines.push(Shown {
            line,
            from,
            line_start,
            chars_cut: cut.chars().count(),
            len: to - from,
            at,
            start,
            end: self.text.len(),
        });
    }

    /// A label moved to the excerpt's offsets (clipped to what is shown).
    pub fn relabel(&self, label: &LabeledSpan) -> LabeledSpan {
        let start = self.place(label.offset());
        let end = self.place(label.offset() + label.len()).max(start);
        let span = SourceSpan::from(start..end);
        let text = label.label().map(str::to_string);
        if label.primary() {
            LabeledSpan::new_primary_with_span(text, span)
        } else {
            LabeledSpan::new_with_span(text, span)
        }
    }

    /// The excerpt offset of model offset `offset`.
    fn place(&self, offset: usize) -> usize {
        let index = self.lines.partition_point(|l| l.line_start <= offset);
        let Some(shown) = index.checked_sub(1).and_then(|i| self.lines.get(i)) else {
            return 0;
        };
        let inside = offset.saturating_sub(shown.from).min(shown.len);
        let cut_before = offset < shown.from && shown.from > shown.line_start;
        if cut_before {
            shown.start
        } else {
            shown.at + inside
        }
    }

    /// The index of the shown line holding excerpt offset `at`.
    fn index_of(&self, at: usize) -> usize {
        self.lines
            .partition_point(|l| l.start <= at)
            .saturating_sub(1)
    }

    /// Extend from shown line `i` by up to `n` shown lines that follow on
    /// in the model (backward, or `forward`), as miette's context lines do.
    fn extend(&self, mut i: usize, n: usize, forward: bool) -> usize {
        for _ in 0..n {
            let next = if forward {
                i.checked_add(1)
            } else {
                i.checked_sub(1)
            };
            let follows = next
                .and_then(|j| Some((self.lines.get(i)?, self.lines.get(j)?)))
                .is_some_and(|(a, b)| a.line.abs_diff(b.line) == 1);
            match next {
                Some(j) if follows => i = j,
                _ => break,
            }
        }
        i
    }
}

/// The 0-based lines a report for `labels` shows, in order, each once.
fn lines_to_show(source: &Source, labels: &[LabeledSpan]) -> Vec<usize> {
    let last = source.line_count().saturating_sub(1);
    let mut lines: Vec<usize> = Vec::new();
    for label in labels {
        let first = source.line_of(label.offset());
        let end = label.offset() + label.len().saturating_sub(1);
        let final_line = source.line_of(end.max(label.offset()));
        let from = first.saturating_sub(CONTEXT);
        let to = (final_line + CONTEXT).min(last);
        lines.extend(from..=to);
    }
    lines.sort_unstable();
    lines.dedup();
    let mut filled = Vec::with_capacity(lines.len());
    for line in lines {
        let gap = filled.last().map(|&last: &usize| (last + 1)..line);
        if let Some(gap) = gap.filter(|gap| gap.len() <= GAP) {
            filled.extend(gap);
        }
        filled.push(line);
    }
    filled
}

/// The model offsets `[from, to)` of the part of a line shown: all of a
/// short line; on a long one, its labels' parts with a margin each side.
fn window(line_start: usize, content: &str, labels: &[LabeledSpan]) -> (usize, usize) {
    let line_end = line_start + content.len();
    if content.len() <= WHOLE_LINE {
        return (line_start, line_end);
    }
    let on_line = labels.iter().filter_map(|l| {
        let start = l.offset().max(line_start);
        let end = (l.offset() + l.len()).min(line_end);
        (start <= end && l.offset() <= line_end).then_some((start, end))
    });
    let (lo, hi) = on_line.fold((line_end, line_start), |(lo, hi), (s, e)| {
        (lo.min(s), hi.max(e))
    });
    let (lo, hi) = if lo > hi {
        (line_start, line_start)
    } else {
        (lo, hi.min(lo + LABEL_WIDTH))
    };
    let from = boundary(
        content,
        lo.saturating_sub(MARGIN).max(line_start) - line_start,
    );
    let to = boundary(content, (hi + MARGIN).min(line_end) - line_start);
    (line_start + from, line_start + to)
}

/// The largest character boundary of `text` at or before `at`.
fn boundary(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

impl SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        if self.lines.is_empty() || span.offset() > self.text.len() {
            return Err(MietteError::OutOfBounds);
        }
        let last_byte = span.offset() + span.len().saturating_sub(1);
        let first = self.extend(self.index_of(span.offset()), before, false);
        let last = self.extend(self.index_of(last_byte.max(span.offset())), after, true);
        let (Some(top), Some(bottom)) = (self.lines.get(first), self.lines.get(last)) else {
            return Err(MietteError::OutOfBounds);
        };
        // Like miette's own reader: without lines before, the contents
        // start at the span and the column is the span's.
        let (start, column) = if before == 0 {
            (span.offset(), self.column(span.offset()))
        } else {
            (top.start, 0)
        };
        let data = self
            .text
            .as_bytes()
            .get(start..bottom.end)
            .unwrap_or_default();
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            data,
            SourceSpan::from(start..bottom.end),
            self.lines
                .get(self.index_of(start))
                .map_or(top.line, |l| l.line),
            column,
            // Lines to the end of the run of consecutive lines: miette
            // merges the excerpts of labels whose lines overlap this.
            self.extend(last, usize::MAX, true) - first + 1,
        )))
    }
}

impl Excerpt {
    /// The model's 0-based column, in characters, of excerpt offset `at`
    /// (as the JSON and GitHub reports count: `Source::line_col`).
    fn column(&self, at: usize) -> usize {
        self.lines.get(self.index_of(at)).map_or(0, |shown| {
            let before = self.text.get(shown.at..at.max(shown.at));
            shown.chars_cut + before.unwrap_or_default().chars().count()
        })
    }
}
