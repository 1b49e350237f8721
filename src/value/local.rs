//! Local formats (language 1.1, spec section 4): the field modifiers that
//! read numbers, dates and booleans the way European CRM exports and
//! spreadsheets write them (`1 200,50`, `22.11.2026`, `ja`/`nej`).
//!
//! A [`Reading`] is fixed once per field by the checker; every message a
//! failed read gives is built then too, so a rejected cell borrows its
//! text instead of formatting one per row.

use super::{fold_text, Date, Decimal};

/// How a field's cells are read: the list separator and the field's
/// local format. The default is plain reading with `;` between items.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reading {
    /// The list separator (`sep`); only `list` fields use it.
    pub sep: String,
    pub local: Local,
}

impl Default for Reading {
    fn default() -> Self {
        Reading::list(";")
    }
}

impl Reading {
    /// Plain reading with `sep` between list items.
    pub fn list(sep: &str) -> Self {
        Reading {
            sep: sep.to_string(),
            local: Local::Plain,
        }
    }
}

impl Local {
    /// The modifiers as a model would write them (`decimal "," thousands
    /// " "`, `format "DD.MM.YYYY"`, `true [ja] false [nej]`, bool words
    /// folded); empty for plain reading. For `tally plan`.
    pub fn describe(&self) -> String {
        match self {
            Local::Plain => String::new(),
            Local::Number(n) => {
                let mut out = Vec::new();
                if n.decimal != '.' {
                    out.push(format!("decimal {:?}", n.decimal.to_string()));
                }
                if let Some(t) = n.thousands {
                    out.push(format!("thousands {:?}", t.to_string()));
                }
                out.join(" ")
            }
            Local::Date(d) => match d.layouts.as_slice() {
                [one] => format!("format {:?}", one.text),
                many => {
                    let texts: Vec<String> = many.iter().map(|l| format!("{:?}", l.text)).collect();
                    format!("format [{}]", texts.join(", "))
                }
            },
            Local::Bool(b) => {
                let list = |meaning: bool| {
                    let words: Vec<String> = b
                        .words
                        .iter()
                        .filter(|(_, m)| *m == meaning)
                        .map(|(w, _)| bare_or_quoted(w))
                        .collect();
                    (!words.is_empty()).then(|| format!("{meaning} [{}]", words.join(", ")))
                };
                [list(true), list(false)]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" ")
            }
        }
    }
}

/// A word bare when it is letters, digits and `_`, else in quotes.
fn bare_or_quoted(word: &str) -> String {
    if word.chars().all(|c| c.is_alphanumeric() || c == '_') {
        word.to_string()
    } else {
        format!("{word:?}")
    }
}

/// The local format of one field, by type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Local {
    /// No modifier: section 4's plain reading.
    Plain,
    Number(NumberFormat),
    Date(DateFormats),
    Bool(BoolWords),
}

/// `decimal` and `thousands` of a `number` or `int` field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberFormat {
    decimal: char,
    thousands: Option<char>,
    expected: &'static str,
    expected_int: &'static str,
}

impl NumberFormat {
    /// A decimal mark (`.` or `,`) and an optional thousands separator
    /// (` `, `.`, `,` or `'`); the checker has made sure they differ.
    pub fn new(decimal: char, thousands: Option<char>) -> Self {
        let group = thousands.map_or(String::new(), |t| t.to_string());
        let example = format!("1{group}200");
        let how = match thousands {
            Some(' ') => format!("decimal mark `{decimal}`, thousands separated by a space"),
            Some(t) => format!("decimal mark `{decimal}`, thousands separated by `{t}`"),
            None => format!("decimal mark `{decimal}`"),
        };
        NumberFormat {
            decimal,
            thousands,
            expected: intern(format!(
                "a number like `{example}{decimal}50` or `-3{decimal}5` ({how})"
            )),
            expected_int: intern(format!("a whole number like `{example}` or `-3` ({how})")),
        }
    }

    pub fn decimal(&self) -> char {
        self.decimal
    }

    pub fn thousands(&self) -> Option<char> {
        self.thousands
    }

    /// What a cell should look like, for a message.
    pub fn expected(&self, int: bool) -> &'static str {
        if int {
            self.expected_int
        } else {
            self.expected
        }
    }

    /// The separators a cell may use for `thousands`: a space also
    /// stands for the no-break spaces spreadsheets write between groups
    /// (U+00A0, U+202F), and `'` for the typographic apostrophe (U+2019)
    /// of Swiss formats.
    pub fn group_chars(&self) -> &'static [char] {
        match self.thousands {
            Some(' ') => &[' ', '\u{A0}', '\u{202F}'],
            Some('\'') => &['\'', '\u{2019}'],
            Some('.') => &['.'],
            Some(',') => &[','],
            _ => &[],
        }
    }

    /// The cell (already trimmed) in plain notation (`-1200.5`), or `None`
    /// when it does not have this format's shape: an optional sign, whole
    /// digits (with separators, a first group of one to three digits and
    /// then groups of exactly three), then the decimal mark and at least
    /// one digit.
    pub fn plain(&self, text: &str) -> Option<String> {
        let (sign, rest) = match text.strip_prefix(['+', '-']) {
            Some(rest) => (text.get(..1).unwrap_or_default(), rest),
            None => ("", text),
        };
        let (whole, fraction) = match rest.split_once(self.decimal) {
            Some((whole, fraction)) => (whole, Some(fraction)),
            None => (rest, None),
        };
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if fraction.is_some_and(|f| !digits(f)) {
            return None;
        }
        let mut plain = String::with_capacity(text.len());
        plain.push_str(if sign == "-" { "-" } else { "" });
        let mut groups = whole.split(self.group_chars());
        let first = groups.next().unwrap_or_default();
        if !digits(first) {
            return None;
        }
        plain.push_str(first);
        for group in groups {
            // A separator needs a first group of at most three digits
            // and exactly three after it.
            if first.len() > 3 || group.len() != 3 || !digits(group) {
                return None;
            }
            plain.push_str(group);
        }
        if let Some(fraction) = fraction {
            plain.push('.');
            plain.push_str(fraction);
        }
        Some(plain)
    }
}

/// The `format` layouts of a `date` field, tried in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateFormats {
    layouts: Vec<Layout>,
    expected: &'static str,
}

impl DateFormats {
    /// The layouts, each already checked by [`Layout::parse`].
    pub fn new(layouts: Vec<Layout>) -> Self {
        let names: Vec<String> = layouts
            .iter()
            .map(|l| format!("`{}`", l.text))
            .chain(["`YYYY-MM-DD`".to_string()])
            .collect();
        let example = layouts.first().map_or(String::new(), |l| {
            let day = Date::from_ymd_opt(2026, 11, 22).map(|d| l.write(d));
            day.map_or(String::new(), |d| format!(", such as `{d}`"))
        });
        let expected = match names.split_last() {
            Some((last, init)) if !init.is_empty() => {
                format!("a date as {} or {last}{example}", init.join(", "))
            }
            _ => format!("a date as `YYYY-MM-DD`{example}"),
        };
        DateFormats {
            expected: intern(expected),
            layouts,
        }
    }

    pub fn layouts(&self) -> &[Layout] {
        &self.layouts
    }

    pub fn expected(&self) -> &'static str {
        self.expected
    }

    /// The day of the first layout that reads the cell as a real day.
    pub fn read(&self, text: &str) -> Option<Date> {
        self.layouts.iter().find_map(|l| l.read(text))
    }
}

/// One part of a date layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// `YYYY`: four digits.
    Year,
    /// `MM` (exactly two digits) or `M` (one or two).
    Month { two: bool },
    /// `DD` (exactly two digits) or `D` (one or two).
    Day { two: bool },
    /// A separator, matched as written.
    Literal(char),
}

impl Part {
    /// The fewest and most digits the part reads (none for a literal).
    pub fn widths(self) -> (usize, usize) {
        match self {
            Part::Year => (4, 4),
            Part::Month { two: true } | Part::Day { two: true } => (2, 2),
            Part::Month { two: false } | Part::Day { two: false } => (1, 2),
            Part::Literal(_) => (0, 0),
        }
    }
}

/// A date layout such as `DD.MM.YYYY`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    text: String,
    parts: Vec<Part>,
}

/// Why a layout cannot be read, for the checker's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayoutError {
    pub problem: String,
    pub help: String,
}

fn layout_error(problem: String, help: &str) -> LayoutError {
    LayoutError {
        problem,
        help: help.to_string(),
    }
}

const PARTS_HELP: &str =
    "a layout is made of `YYYY`, `MM` or `M`, `DD` or `D` and separators, such as `DD.MM.YYYY`";

impl Layout {
    /// Parse a layout: `YYYY`, `MM`, `M`, `DD`, `D` once each, and
    /// separators (anything but letters and digits) between them. A part
    /// of one or two digits must have a separator after it when another
    /// part follows, or the digits could be split two ways.
    pub fn parse(text: &str) -> Result<Layout, LayoutError> {
        let mut parts = Vec::new();
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            let mut run = 1;
            while chars.next_if_eq(&c).is_some() {
                run += 1;
            }
            let part = match (c, run) {
                ('Y', 4) => Part::Year,
                ('M', 1 | 2) => Part::Month { two: run == 2 },
                ('D', 1 | 2) => Part::Day { two: run == 2 },
                ('Y', _) => {
                    let help = "write the year as `YYYY`: two-digit years are not read (which century would `26` be?)";
                    return Err(layout_error(
                        format!("`{}` is not a year", "Y".repeat(run)),
                        help,
                    ));
                }
                ('M' | 'D', _) => {
                    let word = c.to_string().repeat(run);
                    return Err(layout_error(
                        format!("`{word}` is not a part of a layout"),
                        PARTS_HELP,
                    ));
                }
                (c, _) if c.is_alphanumeric() => {
                    return Err(layout_error(
                        format!("`{c}` is not a part of a layout"),
                        PARTS_HELP,
                    ));
                }
                (c, _) => {
                    parts.extend(std::iter::repeat_n(Part::Literal(c), run));
                    continue;
                }
            };
            parts.push(part);
        }
        check_parts(text, &parts)?;
        Ok(Layout {
            text: text.to_string(),
            parts,
        })
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn parts(&self) -> &[Part] {
        &self.parts
    }

    /// The day a (trimmed) cell names in this layout, if it has the
    /// layout's shape and the day is real.
    pub fn read(&self, text: &str) -> Option<Date> {
        let mut rest = text;
        let (mut year, mut month, mut day) = (0, 0, 0);
        for part in &self.parts {
            if let Part::Literal(c) = part {
                rest = rest.strip_prefix(*c)?;
                continue;
            }
            let (least, most) = part.widths();
            let width = rest
                .bytes()
                .take(most)
                .take_while(u8::is_ascii_digit)
                .count();
            if width < least {
                return None;
            }
            let value: u32 = rest.get(..width)?.parse().ok()?;
            rest = rest.get(width..)?;
            match part {
                Part::Year => year = value,
                Part::Month { .. } => month = value,
                _ => day = value,
            }
        }
        let year = i32::try_from(year).ok().filter(|y| *y >= 1)?;
        rest.is_empty()
            .then(|| Date::from_ymd_opt(year, month, day))?
    }

    /// `day` written in this layout.
    pub fn write(&self, day: Date) -> String {
        use chrono::Datelike;
        self.parts
            .iter()
            .map(|part| match part {
                Part::Year => format!("{:04}", day.year()),
                Part::Month { two: true } => format!("{:02}", day.month()),
                Part::Month { two: false } => day.month().to_string(),
                Part::Day { two: true } => format!("{:02}", day.day()),
                Part::Day { two: false } => day.day().to_string(),
                Part::Literal(c) => c.to_string(),
            })
            .collect()
    }
}

/// Each of year, month and day once; a one-or-two-digit part followed by
/// a separator whenever another part comes after it.
fn check_parts(text: &str, parts: &[Part]) -> Result<(), LayoutError> {
    if text.is_empty() {
        return Err(layout_error("a layout cannot be empty".into(), PARTS_HELP));
    }
    let kinds = [
        ("year", "`YYYY`"),
        ("month", "`MM` or `M`"),
        ("day", "`DD` or `D`"),
    ];
    for (index, (name, spelling)) in kinds.iter().enumerate() {
        let count = parts.iter().filter(|p| kind(**p) == Some(index)).count();
        if count == 0 {
            let help = format!("add the {name} ({spelling}), as in `DD.MM.YYYY`");
            return Err(layout_error(format!("`{text}` has no {name}"), &help));
        }
        if count > 1 {
            let help = format!("keep one {name}: a layout names each of year, month and day once");
            return Err(layout_error(
                format!("`{text}` has the {name} twice"),
                &help,
            ));
        }
    }
    for pair in parts.windows(2) {
        if let [a, b] = pair {
            let (least, most) = a.widths();
            if least != most && kind(*b).is_some() {
                let help = "where such a part ends would be a guess: put a separator after it, as in `D.M.YYYY`, or use `DD` and `MM`";
                return Err(layout_error(
                    format!("`{text}` has no separator after a part of one or two digits"),
                    help,
                ));
            }
        }
    }
    Ok(())
}

/// 0 year, 1 month, 2 day; `None` for a literal.
fn kind(part: Part) -> Option<usize> {
    match part {
        Part::Year => Some(0),
        Part::Month { .. } => Some(1),
        Part::Day { .. } => Some(2),
        Part::Literal(_) => None,
    }
}

/// The extra words of a `bool` field (`true [ja, kyllä] false [nej, ei]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoolWords {
    /// Each word folded (trimmed, case folded as text comparison folds)
    /// and what it means.
    words: Vec<(String, bool)>,
    expected: &'static str,
}

impl BoolWords {
    /// `words` as written, with their meaning; folded here.
    pub fn new(words: &[(String, bool)]) -> Self {
        let shown: Vec<String> = words
            .iter()
            .map(|(w, _)| format!("`{}`", w.trim()))
            .collect();
        BoolWords {
            words: words.iter().map(|(w, b)| (fold_text(w), *b)).collect(),
            expected: intern(format!(
                "{} or one of `true false yes no y n 1 0 t f`",
                shown.join(", ")
            )),
        }
    }

    /// The folded words and their meanings.
    pub fn words(&self) -> &[(String, bool)] {
        &self.words
    }

    pub fn expected(&self) -> &'static str {
        self.expected
    }

    /// What a (trimmed) cell means, if it is one of the words. ASCII
    /// cells are compared without folding a copy.
    pub fn read(&self, text: &str) -> Option<bool> {
        if text.is_ascii() {
            return self
                .words
                .iter()
                .find(|(w, _)| text.eq_ignore_ascii_case(w))
                .map(|(_, b)| *b);
        }
        let folded = fold_text(text);
        self.words
            .iter()
            .find(|(w, _)| *w == folded)
            .map(|(_, b)| *b)
    }
}

/// `text` as a `&'static str`, kept once per process: a rejected cell's
/// message names what was expected, and a [`ReadError`] (like the plain
/// formats' fixed messages) carries it as `&'static str`, so that the
/// errors of scoring borrow nothing from the plan. Each distinct message
/// is kept once, however many models are compiled (a few per format).
///
/// [`ReadError`]: super::ReadError
fn intern(text: String) -> &'static str {
    use std::collections::HashSet;
    use std::sync::{Mutex, OnceLock};
    static KEPT: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    let kept = KEPT.get_or_init(Default::default);
    // A poisoned lock still holds a valid set (insertion cannot panic
    // half-way in a way that breaks it).
    let mut kept = kept
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(found) = kept.get(text.as_str()) {
        return found;
    }
    let leaked: &'static str = Box::leak(text.into_boxed_str());
    kept.insert(leaked);
    leaked
}

/// The plain spellings of `true` and `false` (spec section 4).
pub const TRUE_WORDS: [&str; 5] = ["true", "yes", "y", "1", "t"];
pub const FALSE_WORDS: [&str; 5] = ["false", "no", "n", "0", "f"];

/// A decimal read from plain notation (what [`NumberFormat::plain`] gives).
pub(super) fn exact(plain: &str) -> Option<Decimal> {
    Decimal::from_str_exact(plain).ok()
}

#[cfg(test)]
#[path = "local_tests.rs"]
mod tests;
