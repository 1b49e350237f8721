//! The safety nets: formatted text is written only if it reads back as the
//! same model, checks to the same plan, and keeps every comment.
//!
//! What the original must still say is taken first, in a few bytes
//! (`Expected`: digests of the tree and of the meaning, and the
//! comments), and the original tree is dropped before the formatted text
//! is parsed: holding both trees, their normalised clones and the two
//! plans' `Debug` text made `tally fmt`'s peak memory several parses'
//! worth. The digests are 64-bit SipHash of the `Debug` text, streamed
//! without building it; two different trees agree by accident with a
//! chance of one in 2^64.

use std::fmt::{self, Debug, Write as _};
use std::hash::{DefaultHasher, Hasher};

use super::normalize::normalize;
use super::scan::comment_texts;
use crate::check;
use crate::plan;
use crate::source::Source;
use crate::syntax::{self, ast};

/// What a model's text says, as far as formatting must keep it.
#[derive(Debug, PartialEq, Eq)]
pub struct Expected {
    /// The syntax tree, spans erased and numbers normalised.
    tree: u64,
    /// The checked meaning (`None` when the model does not check).
    meaning: Option<u64>,
    /// The comments' texts, sorted.
    comments: Vec<String>,
}

impl Expected {
    /// What `tree`, parsed from `source`, says.
    pub fn of(source: &Source, mut tree: ast::Model) -> Expected {
        normalize(&mut tree, false);
        let meaning = check::check(source, &tree).0.map(|m| meaning(&m));
        normalize(&mut tree, true);
        let mut comments = comment_texts(source.text());
        comments.sort();
        Expected {
            tree: digest(&tree),
            meaning,
            comments,
        }
    }
}

/// `Ok` when `formatted` says what `expected` holds; else what differs.
pub fn verify(name: &str, expected: &Expected, formatted: &str) -> Result<(), String> {
    let out = Source::new(name, formatted);
    let (out_tree, errors) = syntax::parse(&out);
    let out_tree = match (out_tree, errors.first()) {
        (Some(t), None) => t,
        (_, Some(e)) => return Err(format!("the formatted text does not parse: {e}")),
        (None, None) => return Err("the formatted text does not parse".into()),
    };
    let found = Expected::of(&out, out_tree);
    if found.tree != expected.tree {
        return Err("the formatted text reads back as a different syntax tree".into());
    }
    if found.meaning != expected.meaning {
        return Err("the formatted text checks to a different model".into());
    }
    same_comments(&expected.comments, &found.comments)
}

/// Everything a checked model means, without spans.
fn meaning(model: &check::Model) -> u64 {
    let tests: Vec<_> = model
        .tests
        .iter()
        .map(|t| {
            let expects: Vec<_> = t.expects.iter().map(|e| plan::node(model, e)).collect();
            (&t.name, t.as_of, &t.given, expects)
        })
        .collect();
    let plan = plan::compile(model);
    digest(&(&plan, &model.version, &tests))
}

/// A digest of `value`'s `Debug` text, written straight into the hasher.
fn digest(value: &impl Debug) -> u64 {
    let mut hasher = HashWriter(DefaultHasher::new());
    // Writing into a hasher cannot fail.
    let _ = write!(hasher, "{value:?}");
    hasher.0.finish()
}

struct HashWriter(DefaultHasher);

impl fmt::Write for HashWriter {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0.write(s.as_bytes());
        Ok(())
    }
}

fn same_comments(before: &[String], after: &[String]) -> Result<(), String> {
    if before == after {
        return Ok(());
    }
    let lost = before.iter().find(|c| !after.contains(c));
    Err(match lost {
        Some(c) => format!("a comment would be lost: `{c}`"),
        None => "the comments would change".into(),
    })
}
