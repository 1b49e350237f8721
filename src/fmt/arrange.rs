//! The one reordering the formatter does: a test's `given` comes first,
//! and several `given` blocks of one test become one (the entries, and
//! their comments, keep their order).

use std::mem::take;

use super::tree::{Block, Comment, Kind, Node, Tag};

/// Put every test's `given` block first, merged into one.
pub fn arrange(file: &mut Block) {
    for item in &mut file.children {
        if let (Tag::Test, Kind::Block(test)) = (item.tag, &mut item.kind) {
            givens_first(test);
        }
    }
}

fn givens_first(test: &mut Block) {
    let (givens, others): (Vec<Node>, Vec<Node>) = take(&mut test.children)
        .into_iter()
        .partition(|n| n.tag == Tag::Given);
    let mut givens = givens.into_iter();
    let Some(mut first) = givens.next() else {
        test.children = others;
        return;
    };
    for extra in givens {
        merge(&mut first, extra);
    }
    test.children = std::iter::once(first).chain(others).collect();
}

/// Move the entries of `from` to the end of `into`; comments that stood
/// around `from`'s braces go before its first entry.
fn merge(into: &mut Node, from: Node) {
    let Kind::Block(target) = &mut into.kind else {
        return;
    };
    let Kind::Block(source) = from.kind else {
        return;
    };
    let loose = |text| Comment {
        text,
        blank_before: false,
    };
    let mut moved = take(&mut target.tail);
    moved.extend(from.leading);
    moved.extend(source.head_trailing.map(loose));
    let mut entries = source.children;
    match entries.first_mut() {
        Some(first) => {
            moved.append(&mut first.leading);
            first.leading = moved;
        }
        None => target.tail.append(&mut moved),
    }
    target.children.append(&mut entries);
    target.tail.extend(source.tail);
    target.tail.extend(from.trailing.map(loose));
}
