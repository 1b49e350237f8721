//! The words of the errors about a field's local-format modifiers,
//! rendered from the facts the checker found.

use std::fmt;

use crate::syntax::ast::ModifierKind;

/// The fields `kind` applies to, for `tally::misplaced_modifier`.
pub(super) fn applies_to(kind: ModifierKind) -> &'static str {
    match kind {
        ModifierKind::Decimal | ModifierKind::Thousands => "number and int fields",
        ModifierKind::Format => "date fields",
        ModifierKind::True | ModifierKind::False => "bool fields",
    }
}

/// The help of `tally::duplicate_modifier`.
pub(super) fn duplicate_help(kind: ModifierKind) -> String {
    let keyword = kind.keyword();
    match kind {
        ModifierKind::Format => {
            "list every layout in one `format`, e.g. `format [\"DD.MM.YYYY\", \"D/M/YYYY\"]`".into()
        }
        ModifierKind::True | ModifierKind::False => {
            format!("list every word in one `{keyword} [..]`, e.g. `{keyword} [ja, kyllä]`")
        }
        _ => format!("keep one `{keyword}`"),
    }
}

/// The help of `tally::separator_clash`: `decimal` says whether the field
/// declares its decimal mark.
pub(super) fn clash_help(mark: char, decimal: bool) -> String {
    if decimal {
        format!(
            "a cell like `1{mark}200` could be read two ways: make them two different characters"
        )
    } else {
        "the decimal mark is `.` unless `decimal` says otherwise: add `decimal \",\"` (for `1.200,50`), or choose another separator".into()
    }
}

/// A modifier's value that cannot be used (`tally::modifier_value`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BadValue {
    /// `decimal` or `thousands` with a value that is not one allowed
    /// character; `shown` is the value as written.
    Separator {
        modifier: ModifierKind,
        shown: String,
    },
    /// An item of `format`, `true` or `false` that is not text.
    NotText {
        modifier: ModifierKind,
        shown: String,
    },
}

/// The separators `decimal` or `thousands` allow, as a user writes them.
fn spelled(modifier: ModifierKind) -> &'static str {
    match modifier {
        ModifierKind::Decimal => "`.` or `,`",
        _ => "`\" \"`, `.`, `,` or `'`",
    }
}

impl fmt::Display for BadValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Separator { modifier, shown } => {
                write!(f, "`{}` cannot be {shown}", modifier.keyword())
            }
            Self::NotText { modifier, shown } => {
                write!(
                    f,
                    "`{}` takes text, but `{shown}` is not",
                    modifier.keyword()
                )
            }
        }
    }
}

impl BadValue {
    pub(super) fn label(&self) -> String {
        match self {
            Self::Separator { modifier, .. } => format!("not one of {}", spelled(*modifier)),
            Self::NotText { .. } => "not text".into(),
        }
    }

    pub(super) fn help(&self) -> String {
        match self {
            Self::Separator { modifier, .. } => {
                let keyword = modifier.keyword();
                format!(
                    "write `{keyword}` and one of {} in quotes, e.g. `{keyword} \",\"`",
                    spelled(*modifier)
                )
            }
            Self::NotText { shown, .. } => format!("put it in quotes: `\"{shown}\"`"),
        }
    }
}

/// Something empty where a modifier needs a value (`tally::empty_modifier`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Empty {
    /// `format []`, `true []` or `false []`.
    List(ModifierKind),
    /// `""` as a bool word.
    Word,
}

impl fmt::Display for Empty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::List(kind) => write!(f, "`{}` has an empty list", kind.keyword()),
            Self::Word => f.write_str("a bool word cannot be empty"),
        }
    }
}

impl Empty {
    pub(super) fn help(self) -> String {
        let Self::List(kind) = self else {
            return "an empty cell is a missing value: remove the empty word".into();
        };
        let (what, example) = match kind {
            ModifierKind::True => ("word", "true [ja, kyllä]"),
            ModifierKind::False => ("word", "false [nej, ei]"),
            _ => ("layout", "format [\"DD.MM.YYYY\", \"D/M/YYYY\"]"),
        };
        let keyword = kind.keyword();
        format!("list at least one {what}, e.g. `{example}`, or remove `{keyword}`")
    }
}

/// Why a bool word cannot mean what its list says (`tally::bool_word_clash`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WordClash {
    /// The word is in the other list too.
    Listed,
    /// The word, folded to `folded`, is a plain word of the other meaning.
    Plain { folded: String },
}

impl WordClash {
    pub(super) fn why(&self, meaning: bool) -> String {
        match self {
            Self::Listed => "it is listed for the other value too".into(),
            Self::Plain { folded } => format!("`{folded}` is always read as {}", !meaning),
        }
    }

    pub(super) fn help(&self, word: &str) -> String {
        match self {
            Self::Listed => {
                "a cell must mean one thing: remove the word from one of the lists".into()
            }
            Self::Plain { .. } => format!("remove `{word}`: the plain words `true false yes no y n 1 0 t f` mean the same in every bool field"),
        }
    }
}
