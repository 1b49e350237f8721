//! Left-nested SQL (`((a + b) * c) / d …`) written in time linear in its
//! length.
//!
//! A chain of arithmetic wraps the text so far in each step's form
//! (`(acc + v)`, `CAST(acc * v AS …)`, an exact division). Formatting the
//! whole text again at every step made a 30,000-term chain cost the
//! square of its length. Once the text is long, a step's form is found
//! by applying it to a long placeholder instead and splitting the result
//! around it: the text before the placeholder opens the step, the text
//! after closes it. The text itself is assembled once, at the end.

/// The stand-in for the text so far: longer than any length a form
/// decides on (the dialects inline an operand only up to a few hundred
/// bytes), and made of NUL bytes, which no SQL text holds.
const PLACEHOLDER_LEN: usize = 4096;

/// Text wrapped by one form after another.
#[derive(Debug, Default)]
pub(super) struct Nested {
    /// The text while it is short; then the innermost text.
    core: String,
    /// Each step's text before the text it wraps, innermost first.
    opening: Vec<String>,
    /// Each step's text after the text it wraps, innermost first.
    closing: Vec<String>,
    /// The length of the whole text.
    len: usize,
}

impl Nested {
    /// Start from `text`.
    pub(super) fn new(text: String) -> Nested {
        Nested {
            len: text.len(),
            core: text,
            ..Nested::default()
        }
    }

    /// Wrap the text in `form`, which must use its argument once, as is,
    /// and decide nothing on it but whether it is long (over a few
    /// hundred bytes); a form that does otherwise is applied to the
    /// whole text, as before.
    pub(super) fn wrap(&mut self, form: impl Fn(&str) -> String) {
        if self.len >= PLACEHOLDER_LEN {
            let placeholder = "\0".repeat(PLACEHOLDER_LEN);
            let text = form(&placeholder);
            if let Some((open, close)) = split_once_around(&text, &placeholder) {
                self.len += open.len() + close.len();
                self.opening.push(open.to_string());
                self.closing.push(close.to_string());
                return;
            }
        }
        let text = form(&self.take());
        *self = Nested::new(text);
    }

    /// The length of the whole text.
    pub(super) fn len(&self) -> usize {
        self.len
    }

    /// The whole text.
    pub(super) fn take(&mut self) -> String {
        let mut out = String::with_capacity(self.len);
        self.opening.iter().rev().for_each(|s| out.push_str(s));
        out.push_str(&self.core);
        self.closing.iter().for_each(|s| out.push_str(s));
        *self = Nested::default();
        out
    }
}

/// `text` split around the one occurrence of `placeholder` (all NUL
/// bytes), when it occurs once and nothing else in `text` is a NUL byte.
/// A byte search: a substring search would preprocess the 4 KB
/// placeholder at every step.
fn split_once_around<'t>(text: &'t str, placeholder: &str) -> Option<(&'t str, &'t str)> {
    let at = memchr::memchr(0, text.as_bytes())?;
    let (open, rest) = text.split_at(at);
    let close = rest.get(placeholder.len()..)?;
    let whole = rest.as_bytes().get(..placeholder.len())? == placeholder.as_bytes();
    let clean = memchr::memchr(0, close.as_bytes()).is_none();
    (whole && clean).then_some((open, close))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;

    /// A form that, like the dialects' exact division, writes a short
    /// operand twice and binds a long one once.
    fn divide(a: &str, b: &str) -> String {
        if a.len() + b.len() <= 240 {
            format!("(({a}) - MOD({a}, {b}))")
        } else {
            format!("(SELECT x.a0 - MOD(x.a0, {b}) FROM (SELECT {a} AS a0) AS x)")
        }
    }

    /// Step `i` of a chain: an addition, a multiplication or a division.
    fn step(i: usize, acc: &str, v: &str) -> String {
        match i % 3 {
            0 => format!("({acc} + {v})"),
            1 => format!("CAST({acc} * {v} AS DECIMAL(38, 4))"),
            _ => divide(acc, v),
        }
    }

    #[test]
    fn wrapping_gives_the_text_of_wrapping_step_by_step() {
        let mut nested = Nested::new("t.a".to_string());
        let mut plain = "t.a".to_string();
        for i in 0..3_000 {
            let v = format!("t.b{i}");
            plain = step(i, &plain, &v);
            nested.wrap(|acc| step(i, acc, &v));
        }
        assert!(plain.len() > 100_000);
        assert_eq!(nested.take(), plain);
    }

    #[test]
    fn a_form_that_writes_its_argument_twice_is_applied_to_the_whole_text() {
        let mut nested = Nested::new("x".repeat(5_000));
        nested.wrap(|acc| format!("{acc}{acc}"));
        assert_eq!(nested.take(), "x".repeat(10_000));
    }
}
