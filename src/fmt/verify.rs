//! The safety nets: formatted text is written only if it reads back as the
//! same model, checks to the same plan, and keeps every comment.

use super::normalize::normalize;
use super::scan::comment_texts;
use crate::check;
use crate::plan;
use crate::source::Source;
use crate::syntax::{self, ast};

/// `Ok` when `formatted` means what `tree` (parsed from `source`) means
/// and keeps its comments; else what differs.
pub fn verify(source: &Source, tree: &ast::Model, formatted: &str) -> Result<(), String> {
    let out = Source::new(source.name(), formatted);
    let (out_tree, errors) = syntax::parse(&out);
    let out_tree = match (out_tree, errors.first()) {
        (Some(t), None) => t,
        (_, Some(e)) => return Err(format!("the formatted text does not parse: {e}")),
        (None, None) => return Err("the formatted text does not parse".into()),
    };
    same_tree(tree, &out_tree)?;
    same_meaning((source, tree), (&out, &out_tree))?;
    same_comments(source.text(), formatted)
}

fn same_tree(a: &ast::Model, b: &ast::Model) -> Result<(), String> {
    let (mut a, mut b) = (a.clone(), b.clone());
    normalize(&mut a, true);
    normalize(&mut b, true);
    if a == b {
        Ok(())
    } else {
        Err("the formatted text reads back as a different syntax tree".into())
    }
}

/// Both check to the same plan, reasons, fields and tests (or both fail).
fn same_meaning(a: (&Source, &ast::Model), b: (&Source, &ast::Model)) -> Result<(), String> {
    let checked = |(source, tree): (&Source, &ast::Model)| {
        let mut tree = tree.clone();
        normalize(&mut tree, false);
        check::check(source, &tree).0.map(|m| meaning(&m))
    };
    if checked(a) == checked(b) {
        Ok(())
    } else {
        Err("the formatted text checks to a different model".into())
    }
}

/// Everything a checked model means, without spans.
fn meaning(model: &check::Model) -> String {
    let tests: Vec<_> = model
        .tests
        .iter()
        .map(|t| {
            let expects: Vec<_> = t.expects.iter().map(plan::node).collect();
            (&t.name, t.as_of, &t.given, expects)
        })
        .collect();
    let plan = plan::compile(model);
    format!("{plan:?}\n{:?}\n{tests:?}", model.version)
}

fn same_comments(before: &str, after: &str) -> Result<(), String> {
    let (mut a, mut b) = (comment_texts(before), comment_texts(after));
    a.sort();
    b.sort();
    if a == b {
        return Ok(());
    }
    let lost = a.iter().find(|c| !b.contains(c));
    Err(match lost {
        Some(c) => format!("a comment would be lost: `{c}`"),
        None => "the comments would change".into(),
    })
}
