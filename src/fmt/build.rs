//! Syntax tree → layout tree: every item, rule, field and line with the
//! span it came from, in file order.

use super::lines;
use super::scan::{blank_between, Kind as TokenKind, Token};
use super::tree::{Align, Block, Node, Tag};
use crate::source::Source;
use crate::span::Span;
use crate::syntax::ast::{Field, Given, Ladder, Literal, Model, Test};
use crate::syntax::{canonical_expr, canonical_name};

/// The source and its tokens, for finding what the syntax tree leaves out
/// (braces, the `else`, `expect` and `score` keywords, `given` blocks).
pub struct Builder<'a> {
    pub source: &'a Source,
    pub tokens: &'a [Token],
}

impl Builder<'_> {
    /// The whole file as a block without a head.
    pub fn file(&self, model: &Model) -> Block {
        let mut items = Vec::new();
        if let Some(h) = &model.header {
            let text = lines::header(h, self.source);
            items.push(self.line(h.span, Tag::Header, vec![text], Align::None));
        }
        if let Some(fields) = &model.fields {
            let block = self.block("fields".into(), fields.span, self.fields(&fields.fields));
            items.push(self.node(Node::block(fields.span, Tag::Fields, block)));
        }
        for events in &model.events {
            let head = format!("events {}", canonical_name(&events.name.node));
            let block = self.block(head, events.span, self.fields(&events.fields));
            items.push(self.node(Node::block(events.span, Tag::Events, block)));
        }
        if let Some(account) = &model.account {
            let head = format!("account by {}", canonical_name(&account.by.node));
            let values = (account.values.iter())
                .map(|d| self.line(d.span, Tag::Inner, lines::let_decl(d), Align::Let))
                .collect();
            let block = self.block(head, account.span, values);
            items.push(self.node(Node::block(account.span, Tag::Account, block)));
        }
        for decl in &model.lets {
            items.push(self.line(decl.span, Tag::Let, lines::let_decl(decl), Align::Let));
        }
        self.rules_and_groups(model, &mut items);
        if let Some(limits) = &model.score_limits {
            let spans = limits.max.iter().chain(&limits.min).map(|l| l.span);
            if let Some(span) = spans.reduce(Span::to) {
                let span = Span::new(self.keyword_before(span.start, "score"), span.end);
                let text = lines::limits("score".into(), limits);
                items.push(self.line(span, Tag::Limits, vec![text], Align::None));
            }
        }
        if let Some(ladder) = &model.stage {
            items.extend(self.ladder(ladder, Tag::Ladder));
        }
        for tier in &model.tiers {
            let head = format!("tier {}", canonical_name(&tier.name.node));
            let block = self.block(head, tier.span, self.ladder(&tier.ladder, Tag::Inner));
            items.push(self.node(Node::block(tier.span, Tag::Tier, block)));
        }
        for test in &model.tests {
            items.push(self.test(test));
        }
        items.sort_by_key(|n| n.span.start);
        let body = Span::new(0, self.source.text().len());
        Block {
            head: None,
            body,
            children: items,
            ..Block::default()
        }
    }

    /// The lines of a `fields` or `events` block.
    fn fields(&self, fields: &[Field]) -> Vec<Node> {
        let line = |f: &Field| self.line(f.span, Tag::Inner, lines::field(f), Align::Field);
        fields.iter().map(line).collect()
    }

    fn rules_and_groups(&self, model: &Model, items: &mut Vec<Node>) {
        let rule =
            |r: &crate::syntax::ast::Rule, tag| self.line(r.span, tag, lines::rule(r), Align::Rule);
        for (index, group) in model.groups.iter().enumerate() {
            let rules = model.rules.iter().filter(|r| r.group == Some(index));
            let children = rules.map(|r| rule(r, Tag::Inner)).collect();
            let head = format!("group {}", canonical_name(&group.name.node));
            let block = self.block(lines::limits(head, &group.limits), group.span, children);
            items.push(self.node(Node::block(group.span, Tag::Group, block)));
        }
        let top = model.rules.iter().filter(|r| r.group.is_none());
        items.extend(top.map(|r| rule(r, Tag::Rule)));
    }

    fn ladder(&self, ladder: &Ladder, tag: Tag) -> Vec<Node> {
        let mut nodes: Vec<Node> = ladder
            .steps
            .iter()
            .map(|s| self.line(s.span, tag, vec![lines::step(s)], Align::None))
            .collect();
        if let Some(label) = &ladder.otherwise {
            let span = Span::new(
                self.keyword_before(label.span.start, "else"),
                label.span.end,
            );
            nodes.push(self.line(span, tag, vec![lines::otherwise(&label.node)], Align::None));
        }
        nodes
    }

    fn test(&self, test: &Test) -> Node {
        let mut block = self.block(lines::test_head(test), test.span, Vec::new());
        let mut children = self.given_blocks(test, block.body);
        for expect in &test.expects {
            let start = self.keyword_before(expect.span.start, "expect");
            let text = format!("expect {}", canonical_expr(expect));
            let span = Span::new(start, expect.span.end);
            children.push(self.line(span, Tag::Inner, vec![text], Align::None));
        }
        children.sort_by_key(|n| n.span.start);
        block.children = children;
        self.node(Node::block(test.span, Tag::Test, block))
    }

    /// Each `given { … }` of a test, with the entries written inside it.
    fn given_blocks(&self, test: &Test, body: Span) -> Vec<Node> {
        let mut nodes = Vec::new();
        let code = self.code_in(body);
        for (i, word) in code.iter().enumerate() {
            let open = code.get(i + 1).filter(|t| t.text(self.text()) == "{");
            let (Some(open), true) = (open, word.text(self.text()) == "given") else {
                continue;
            };
            // The `}` that closes it: events in it are `{ … }` too.
            let mut depth = 0usize;
            let close = code.iter().skip(i + 1).find(|t| {
                match t.text(self.text()) {
                    "{" => depth += 1,
                    "}" => depth = depth.saturating_sub(1),
                    _ => return false,
                }
                depth == 0
            });
            let Some(close) = close else { continue };
            let span = Span::new(word.start, close.end);
            let inside = |s: Span| span.start < s.start && s.end < span.end;
            let children = test.given.iter().filter(|g| inside(g.field.span)).map(|g| {
                let span = g.field.span.to(g.value.span);
                match &g.value.node {
                    Literal::Records(_) => self.records(g, span),
                    _ => self.line(span, Tag::Inner, vec![lines::given(g)], Align::None),
                }
            });
            let block = Block {
                head: Some("given".into()),
                body: Span::new(open.end, close.start),
                children: children.collect(),
                ..Block::default()
            };
            nodes.push(self.node(Node::block(span, Tag::Given, block)));
        }
        nodes
    }

    /// A `given` entry holding events, `NAME: [ { … }, … ]`: a block in
    /// square brackets with a line per event, which comments can stand
    /// between.
    fn records(&self, entry: &Given, span: Span) -> Node {
        let Literal::Records(records) = &entry.value.node else {
            return self.line(span, Tag::Inner, vec![lines::given(entry)], Align::None);
        };
        let children = records.iter().map(|r| {
            self.line(
                r.span,
                Tag::Inner,
                vec![lines::record(&r.node)],
                Align::None,
            )
        });
        let value = entry.value.span;
        let start = (value.start + 1).min(value.end);
        let block = Block {
            head: Some(format!("{}:", canonical_name(&entry.field.node))),
            square: true,
            body: Span::new(start, value.end.saturating_sub(1).max(start)),
            children: children.collect(),
            ..Block::default()
        };
        self.node(Node::block(span, Tag::Records, block))
    }

    /// A block whose text spans `span`: the body runs from its first `{`
    /// to its last character, the `}`.
    fn block(&self, head: String, span: Span, children: Vec<Node>) -> Block {
        let open = self
            .code_in(span)
            .into_iter()
            .find(|t| t.text(self.text()) == "{");
        let start = open.map_or(span.start, |t| t.end);
        Block {
            head: Some(head),
            body: Span::new(start, span.end.saturating_sub(1).max(start)),
            children,
            ..Block::default()
        }
    }

    fn line(&self, span: Span, tag: Tag, cells: Vec<String>, align: Align) -> Node {
        self.node(Node::line(span, tag, cells, align))
    }

    /// Note whether a blank line precedes the node in the source.
    fn node(&self, mut node: Node) -> Node {
        node.blank_before = self.blank_before(node.span.start);
        node
    }

    /// Whether a blank line separates `pos` from the token before it.
    pub fn blank_before(&self, pos: usize) -> bool {
        let text = self.text();
        let separator = |t: &&Token| t.kind == TokenKind::Code && matches!(t.text(text), ";" | ",");
        let mut previous = self.before(pos).filter(|t| !separator(t));
        previous
            .next()
            .is_some_and(|t| blank_between(text, t.end, pos))
    }

    /// The start of `word` when it is the code token just before `pos`.
    fn keyword_before(&self, pos: usize, word: &str) -> usize {
        let mut code = self.before(pos).filter(|t| t.kind == TokenKind::Code);
        match code.next() {
            Some(t) if t.text(self.text()) == word => t.start,
            _ => pos,
        }
    }

    /// The tokens that end by `pos`, nearest first.
    fn before(&self, pos: usize) -> impl Iterator<Item = &Token> {
        let n = self.tokens.partition_point(|t| t.end <= pos);
        self.tokens.get(..n).unwrap_or_default().iter().rev()
    }

    fn code_in(&self, span: Span) -> Vec<Token> {
        let from = self.tokens.partition_point(|t| t.start < span.start);
        let to = self.tokens.partition_point(|t| t.end <= span.end);
        let tokens = self.tokens.get(from..to).unwrap_or_default();
        let code = tokens.iter().filter(|t| t.kind == TokenKind::Code);
        code.copied().collect()
    }

    fn text(&self) -> &str {
        self.source.text()
    }
}
