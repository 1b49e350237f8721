//! The layout tree: what the formatter prints, line by line, with the
//! comments attached to the lines they belong to.

use crate::span::Span;

/// A full-line comment, and whether a blank line came before it.
#[derive(Debug, Clone, PartialEq)]
pub struct Comment {
    pub text: String,
    pub blank_before: bool,
}

/// The kind of a top-level item, which decides the blank lines around it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tag {
    Header,
    Fields,
    Events,
    Account,
    Let,
    Group,
    Rule,
    Limits,
    Ladder,
    Tier,
    Test,
    /// Anything inside a block.
    Inner,
    /// A test's `given { … }`.
    Given,
    /// A `given` entry holding events: `NAME: [ { … }, … ]`.
    Records,
}

impl Tag {
    /// Items that always stand apart, each its own block.
    pub fn is_block(self) -> bool {
        matches!(
            self,
            Tag::Fields | Tag::Events | Tag::Account | Tag::Group | Tag::Tier | Tag::Test
        )
    }
}

/// Consecutive lines with the same alignment kind line up their cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    None,
    Field,
    Let,
    Rule,
}

/// One item, rule, field, line or block of the output.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// Where it came from: comments are attached by position.
    pub span: Span,
    pub tag: Tag,
    pub kind: Kind,
    /// Full-line comments printed before it.
    pub leading: Vec<Comment>,
    /// The end-of-line comment of its (last) line.
    pub trailing: Option<String>,
    /// A blank line came right before it (after its leading comments).
    pub blank_before: bool,
}

/// A one-line node or a block.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// Cells joined by spaces; aligned in columns with their neighbours.
    Line {
        cells: Vec<String>,
        align: Align,
    },
    Block(Block),
}

/// `HEAD { children }`, `HEAD [ children ]`, or the whole file (no head).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Block {
    /// The text before ` {`; `None` for the file itself.
    pub head: Option<String>,
    /// In square brackets rather than braces (the events of a `given`).
    pub square: bool,
    /// From just after `{` to `}`: where the children and their comments are.
    pub body: Span,
    pub children: Vec<Node>,
    /// The end-of-line comment after `{`.
    pub head_trailing: Option<String>,
    /// Comments after the last child, printed before `}`.
    pub tail: Vec<Comment>,
}

impl Node {
    /// A one-line node.
    pub fn line(span: Span, tag: Tag, cells: Vec<String>, align: Align) -> Node {
        Node::new(span, tag, Kind::Line { cells, align })
    }

    /// A block node.
    pub fn block(span: Span, tag: Tag, block: Block) -> Node {
        Node::new(span, tag, Kind::Block(block))
    }

    fn new(span: Span, tag: Tag, kind: Kind) -> Node {
        Node {
            span,
            tag,
            kind,
            leading: Vec::new(),
            trailing: None,
            blank_before: false,
        }
    }

    /// Whether a blank line comes before the node or its first comment.
    pub fn blank_first(&self) -> bool {
        self.leading
            .first()
            .map_or(self.blank_before, |c| c.blank_before)
    }

    /// Set an end-of-line comment; a second one goes before the node.
    pub fn add_trailing(&mut self, comment: Comment) {
        if self.trailing.is_none() {
            self.trailing = Some(comment.text);
        } else {
            self.push_before(comment);
        }
    }

    /// Put a comment from elsewhere right before the node: it takes over
    /// the blank line that was before the node, if any.
    pub fn push_before(&mut self, mut comment: Comment) {
        comment.blank_before = std::mem::take(&mut self.blank_before);
        self.leading.push(comment);
    }
}
