//! Layout tree → text: indentation, blank lines, columns.
//!
//! Cells of consecutive lines of one alignment kind (up to a blank line)
//! line up in columns, like gofmt's struct fields; a cell after the first
//! that is far wider than the narrowest of its column (`add min(round(x /
//! 100), 10)` among `add 5`s) does not widen it: one space follows it
//! instead. An empty cell (a rule with a reason but neither `decay` nor
//! `max`) is padded to its column, or left out with its space when the
//! whole column is empty. End-of-line comments line up one space after
//! the longest commented line of their section: the lines of one block
//! between blank lines.

use super::tree::{Align, Block, Comment, Kind, Node, Tag};

/// Indentation per block level.
const INDENT: usize = 2;
/// A `given` block is written on one line when it fits in this width.
pub const WIDTH: usize = 100;

/// How much wider than the narrowest of its column a cell of the second
/// column (a rule's points, a field's type) may be and still widen the
/// column (the first column always lines up).
const OUTLIER: usize = 6;
/// The same for a later column, a rule's `decay … max N` (empty, 0 wide,
/// on a rule with neither): `max 15` and `decay half-life 30 days` line
/// up, a `decay … since DATE` does not push out the reasons of a run
/// whose other rules do not decay.
const OUTLIER_LATER: usize = 24;

enum Line {
    Blank,
    Text {
        depth: usize,
        text: String,
        comment: Option<String>,
        /// Lines of one section line up their end-of-line comments.
        section: usize,
    },
}

impl Line {
    fn width(&self) -> usize {
        match self {
            Line::Blank => 0,
            Line::Text { depth, text, .. } => depth * INDENT + text.chars().count(),
        }
    }
}

#[derive(Default)]
struct Out {
    lines: Vec<Line>,
    sections: usize,
}

/// Where lines go: their depth and their section.
#[derive(Clone, Copy)]
struct At {
    depth: usize,
    section: usize,
}

impl Out {
    fn section(&mut self, depth: usize) -> At {
        self.sections += 1;
        At {
            depth,
            section: self.sections,
        }
    }

    /// A blank line, never first and never twice; it ends `at`'s section.
    fn blank(&mut self, at: &mut At) {
        if matches!(self.lines.last(), Some(Line::Text { .. })) {
            self.lines.push(Line::Blank);
        }
        *at = self.section(at.depth);
    }

    fn text(&mut self, at: At, text: String, comment: Option<String>) {
        self.lines.push(Line::Text {
            depth: at.depth,
            text,
            comment,
            section: at.section,
        });
    }

    fn comments(&mut self, at: &mut At, comments: &[Comment], blank_first: bool) {
        for (i, c) in comments.iter().enumerate() {
            if c.blank_before && (i > 0 || blank_first) {
                self.blank(at);
            }
            self.text(*at, c.text.clone(), None);
        }
    }
}

/// The text of a file.
pub fn render(file: &Block) -> String {
    let mut out = Out::default();
    children(&mut out, file, 0, true, false);
    finish(&out.lines, out.sections)
}

/// The children of a block and its closing comments, at `depth`. At top
/// level, items of different kinds, and blocks, are set apart. Entries of
/// a `given` block and events of a `given` entry end with a comma.
fn children(out: &mut Out, block: &Block, depth: usize, top: bool, comma: bool) {
    let mut at = out.section(depth);
    let texts = aligned(&block.children);
    let mut previous: Option<Tag> = None;
    for (node, text) in block.children.iter().zip(texts) {
        let apart = |p: Tag| top && (p != node.tag || node.tag.is_block());
        if previous.is_some_and(|p| node.blank_first() || apart(p)) {
            out.blank(&mut at);
        }
        node_lines(out, node, text, &mut at, comma);
        previous = Some(node.tag);
    }
    out.comments(&mut at, &block.tail, !block.children.is_empty());
}

fn node_lines(out: &mut Out, node: &Node, mut text: String, at: &mut At, comma: bool) {
    out.comments(at, &node.leading, false);
    if !node.leading.is_empty() && node.blank_before {
        out.blank(at);
    }
    match &node.kind {
        Kind::Line { .. } => {
            if comma {
                text.push(',');
            }
            out.text(*at, text, node.trailing.clone());
        }
        Kind::Block(block) => block_lines(out, node, block, *at, comma),
    }
}

fn block_lines(out: &mut Out, node: &Node, block: &Block, at: At, comma: bool) {
    let head = block.head.clone().unwrap_or_default();
    let (open, close) = if block.square { ('[', ']') } else { ('{', '}') };
    let end = if comma { "," } else { "" };
    if let Some((line, comment)) = one_line(node, block, at.depth, end.len()) {
        return out.text(at, format!("{head} {line}{end}"), comment);
    }
    // The lines with the braces keep their comments to themselves.
    let head_at = out.section(at.depth);
    out.text(
        head_at,
        format!("{head} {open}"),
        block.head_trailing.clone(),
    );
    let entries = matches!(node.tag, Tag::Given | Tag::Records);
    children(out, block, at.depth + 1, false, entries);
    let close_at = out.section(at.depth);
    out.text(close_at, format!("{close}{end}"), node.trailing.clone());
}

/// `{}`, or a `given` block's `{ a: 1, b: 2 }` (an events entry's `[{ … },
/// { … }]`) when it fits in `WIDTH` with its head and the `extra`
/// characters after it, and no comment stands inside it; with the one
/// end-of-line comment it may carry.
fn one_line(
    node: &Node,
    block: &Block,
    depth: usize,
    extra: usize,
) -> Option<(String, Option<String>)> {
    let comment = match (&block.head_trailing, &node.trailing) {
        (Some(_), Some(_)) => return None,
        (a, b) => a.clone().or_else(|| b.clone()),
    };
    if block.children.is_empty() && block.tail.is_empty() {
        let empty = if block.square { "[]" } else { "{}" };
        return Some((empty.into(), comment));
    }
    if !matches!(node.tag, Tag::Given | Tag::Records) || !block.tail.is_empty() {
        return None;
    }
    let line = flat_entries(block)?;
    let head = block.head.as_deref().unwrap_or_default().chars().count();
    let width = depth * INDENT + head + 1 + line.chars().count() + extra;
    (width <= WIDTH).then_some((line, comment))
}

/// A block's entries on one line, `{ a: 1, b: 2 }` or `[{ … }, { … }]`,
/// when no comment stands among them.
fn flat_entries(block: &Block) -> Option<String> {
    let entries = block.children.iter().map(flat);
    let entries: Vec<String> = entries.collect::<Option<_>>()?;
    Some(match block.square {
        true => format!("[{}]", entries.join(", ")),
        false => format!("{{ {} }}", entries.join(", ")),
    })
}

/// A node on one line, when it carries no comment.
fn flat(node: &Node) -> Option<String> {
    if !node.leading.is_empty() || node.trailing.is_some() {
        return None;
    }
    match &node.kind {
        Kind::Line { cells, .. } => Some(cells.join(" ")),
        Kind::Block(block) if block.head_trailing.is_none() && block.tail.is_empty() => {
            let head = block.head.as_deref().unwrap_or_default();
            Some(format!("{head} {}", flat_entries(block)?))
        }
        Kind::Block(_) => None,
    }
}

fn cells(node: &Node) -> &[String] {
    match &node.kind {
        Kind::Line { cells, .. } => cells,
        Kind::Block(_) => &[],
    }
}

fn align_of(node: &Node) -> Align {
    match &node.kind {
        Kind::Line { align, .. } => *align,
        Kind::Block(_) => Align::None,
    }
}

/// The text of every line node, cells padded to their run's columns. A
/// run is the lines of one kind in a block between blank lines (as
/// gofmt's alignment sections): a blank line ends it.
fn aligned(nodes: &[Node]) -> Vec<String> {
    let runs = nodes.chunk_by(|a, b| align_of(a) == align_of(b) && !b.blank_first());
    runs.flat_map(|run| {
        let pad = run.first().is_some_and(|n| align_of(n) != Align::None);
        let widths = if pad { widths(run) } else { Vec::new() };
        run.iter().map(move |n| join(cells(n), &widths))
    })
    .collect()
}

/// For each column but a line's last, the width it is padded to: the
/// widest cell in it, outliers aside.
fn widths(run: &[Node]) -> Vec<usize> {
    let columns = run.iter().map(|n| cells(n).len().saturating_sub(1)).max();
    (0..columns.unwrap_or(0))
        .map(|k| {
            let padded = run.iter().map(cells).filter(|c| c.len() > k + 1);
            let widths: Vec<usize> = padded
                .filter_map(|c| c.get(k))
                .map(|c| c.chars().count())
                .collect();
            let narrowest = widths.iter().copied().min().unwrap_or(0);
            let tolerance = if k == 1 { OUTLIER } else { OUTLIER_LATER };
            let fits = |w: &usize| k == 0 || *w <= narrowest + tolerance;
            widths.iter().copied().filter(fits).max().unwrap_or(0)
        })
        .collect()
}

fn join(cells: &[String], widths: &[usize]) -> String {
    let mut line = String::new();
    for (k, cell) in cells.iter().enumerate() {
        let width = widths.get(k).copied().unwrap_or(0);
        // An empty cell (a rule with a reason but no `decay` or `max`)
        // takes its column's room, or none when the column is empty.
        if cell.is_empty() && width == 0 {
            continue;
        }
        line.push_str(cell);
        if k + 1 < cells.len() {
            let pad = width.saturating_sub(cell.chars().count());
            line.push_str(&" ".repeat(pad + 1));
        }
    }
    line
}

/// Lines → text, end-of-line comments lined up, one final newline.
fn finish(lines: &[Line], sections: usize) -> String {
    let mut widths = vec![0; sections + 1];
    for line in lines {
        if let Line::Text {
            section,
            comment: Some(_),
            ..
        } = line
        {
            if let Some(w) = widths.get_mut(*section) {
                *w = line.width().max(*w);
            }
        }
    }
    let mut text = String::new();
    for line in lines {
        if let Line::Text {
            depth,
            text: t,
            comment,
            section,
        } = line
        {
            text.push_str(&" ".repeat(depth * INDENT));
            text.push_str(t);
            if let Some(c) = comment {
                let width = widths.get(*section).copied().unwrap_or(0);
                text.push_str(&" ".repeat(width.saturating_sub(line.width()) + 1));
                text.push_str(c);
            }
        }
        text.push('\n');
    }
    let trimmed = text.trim_end_matches('\n').len();
    text.truncate(trimmed);
    text.push('\n');
    text
}
