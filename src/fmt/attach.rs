//! Comments → the layout tree, by position.
//!
//! A comment alone on its line goes before the next node of its block (or
//! before the block's `}` when none follows); a comment after code goes at
//! the end of the line of the node that ends there (or of the block's head
//! when it follows the `{`). A comment inside a node that spans several
//! lines (between the tokens of an expression) cannot keep its place, since
//! the node is printed on one line: it goes before the node.

use super::build::Builder;
use super::scan::{line_break_between, Kind as TokenKind};
use super::tree::{Block, Comment, Kind, Node};

/// A comment with where it stands.
#[derive(Debug, Clone)]
pub struct Placed {
    pub start: usize,
    /// Nothing but whitespace before it on its line.
    pub own_line: bool,
    pub comment: Comment,
}

/// Every comment of the source, in order.
pub fn comments(builder: &Builder<'_>) -> Vec<Placed> {
    let text = builder.source.text();
    let found = builder
        .tokens
        .iter()
        .filter(|t| t.kind == TokenKind::Comment);
    found
        .map(|t| {
            let line_start = text.get(..t.start).and_then(|s| s.rfind('\n'));
            let before = text.get(line_start.map_or(0, |i| i + 1)..t.start);
            Placed {
                start: t.start,
                own_line: before.is_some_and(|s| s.chars().all(super::scan::is_space)),
                comment: Comment {
                    text: t.text(text).trim_end().to_string(),
                    blank_before: builder.blank_before(t.start),
                },
            }
        })
        .collect()
}

/// Attach one comment inside `block`'s body (or the whole file). The
/// children are in file order, so the ones around it are found by halving.
pub fn attach(block: &mut Block, c: Placed, text: &str) {
    let next = block.children.partition_point(|n| n.span.start < c.start);
    let before = next.checked_sub(1);
    if let Some(child) = before.and_then(|i| block.children.get_mut(i)) {
        if c.start < child.span.end {
            return attach_inside(child, c, text);
        }
    }
    if !c.own_line {
        match before.and_then(|i| block.children.get_mut(i)) {
            Some(prev) if !line_break_between(text, prev.span.end, c.start) => {
                return prev.add_trailing(c.comment);
            }
            Some(_) => {}
            None => {
                let after_head = block.head.is_some() && block.head_trailing.is_none();
                if after_head && !line_break_between(text, block.body.start, c.start) {
                    block.head_trailing = Some(c.comment.text);
                    return;
                }
            }
        }
    }
    match block.children.get_mut(next) {
        Some(node) => node.leading.push(c.comment),
        None => block.tail.push(c.comment),
    }
}

/// A comment within a node's span: in a block's body, its head, or
/// between the tokens of a one-line node.
fn attach_inside(node: &mut Node, c: Placed, text: &str) {
    match &mut node.kind {
        Kind::Block(block) if c.start >= block.body.start => attach(block, c, text),
        Kind::Block(block) if !c.own_line && block.head_trailing.is_none() => {
            block.head_trailing = Some(c.comment.text);
        }
        _ => node.push_before(c.comment),
    }
}
