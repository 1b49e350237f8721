//! Errors found while reading the text of a model.

use miette::{Diagnostic, SourceSpan};
use thiserror::Error;

/// A problem with the text of a model: it cannot be read as Tally.
#[derive(Debug, Clone, Error, Diagnostic, PartialEq)]
pub enum SyntaxError {
    #[error("the file is not saved as UTF-8 (byte {offset} is not valid)")]
    #[diagnostic(
        code(tally::not_utf8),
        help("re-save the file as UTF-8 (in most editors: Save with Encoding, then UTF-8)")
    )]
    NotUtf8 {
        offset: usize,
        #[label("this character is in another encoding, probably Windows-1252 or Latin-1")]
        span: SourceSpan,
    },

    #[error("expected {expected}, found {found}")]
    #[diagnostic(code(tally::syntax))]
    Unexpected {
        expected: String,
        found: String,
        #[label("expected {expected} here")]
        span: SourceSpan,
        #[help]
        help: Option<String>,
    },

    #[error("a block is never closed: expected `}}`, found {found}")]
    #[diagnostic(code(tally::unclosed_block))]
    UnclosedBlock {
        found: String,
        #[label("this `{{` is never closed")]
        open: SourceSpan,
        #[label("the next item starts here, inside the block")]
        span: SourceSpan,
        #[help]
        help: Option<String>,
    },

    /// A `{` still open where the file ends: pest's list of what could
    /// come next would not say which block.
    #[error("a block is never closed: the file ends inside it")]
    #[diagnostic(
        code(tally::unclosed_block),
        help("add the missing `}}` at the end of the block")
    )]
    UnclosedAtEnd {
        #[label("this `{{` is never closed")]
        open: SourceSpan,
        #[label("the file ends here")]
        span: SourceSpan,
    },

    #[error("text is not closed")]
    #[diagnostic(
        code(tally::unclosed_text),
        help("end the text with `\"` on the same line; write `\\\"` for a quote inside it")
    )]
    UnclosedText {
        #[label("this text has no closing `\"`")]
        span: SourceSpan,
    },

    #[error("brackets are nested more than {limit} deep")]
    #[diagnostic(
        code(tally::too_deep),
        help("split the expression into `let`s or several simpler rules")
    )]
    TooDeep {
        limit: usize,
        #[label("nesting passes {limit} levels here")]
        span: SourceSpan,
    },

    #[error("`{text}` is not a date")]
    #[diagnostic(
        code(tally::invalid_date),
        help("write a real calendar day as `YYYY-MM-DD`, such as `2026-02-28`")
    )]
    InvalidDate {
        text: String,
        #[label("no such day")]
        span: SourceSpan,
    },

    #[error("`{escape}` is not a valid escape in text")]
    #[diagnostic(
        code(tally::invalid_escape),
        help("the escapes are `\\\"` `\\\\` `\\n` `\\t` and `\\u{{…}}` (a character code in hex); write `\\\\` for a backslash, so a regex dot is `\\\\.` or `[.]`")
    )]
    InvalidEscape {
        escape: String,
        #[label("not an escape")]
        span: SourceSpan,
    },

    #[error("`{text}` has more digits than Tally keeps exactly")]
    #[diagnostic(
        code(tally::invalid_number),
        help("Tally keeps numbers exactly: at most 28 digits after the point, and below 79228162514264337593543950336; it never rounds them silently")
    )]
    InvalidNumber {
        text: String,
        #[label("too many digits")]
        span: SourceSpan,
    },

    #[error("a duration must be a whole number of {unit}")]
    #[diagnostic(
        code(tally::fractional_duration),
        help("write a whole number of a smaller unit, e.g. `10 days` instead of `1.5 weeks`")
    )]
    FractionalDuration {
        unit: String,
        #[label("not a whole number")]
        span: SourceSpan,
    },

    #[error("comparisons do not chain")]
    #[diagnostic(
        code(tally::chained_comparison),
        help("join two comparisons with `and`: `a < b and b < c`, or use `x between 1 and 5`")
    )]
    ChainedComparison {
        #[label("this comparison")]
        first: SourceSpan,
        #[label("cannot be followed by another")]
        second: SourceSpan,
    },

    #[error("`within` takes a duration, but `{number}` has no unit")]
    #[diagnostic(
        code(tally::within_without_unit),
        help("write the unit after the number: `within {number} days` (or `weeks`, `months`, `years`); an event set's `within` keeps the events of that last stretch of time")
    )]
    WithinWithoutUnit {
        number: String,
        #[label("a number where a duration is expected")]
        span: SourceSpan,
    },

    #[error("`=` is not a comparison")]
    #[diagnostic(code(tally::single_equals), help("write `==` to compare two values"))]
    SingleEquals {
        #[label("write `==` here")]
        span: SourceSpan,
    },

    #[error("`{word}` is a reserved word and cannot be a name")]
    #[diagnostic(
        code(tally::reserved_word),
        help("pick another name, or keep this one by writing it between backquotes (the ` key) wherever it appears")
    )]
    ReservedWord {
        word: String,
        #[label("reserved word")]
        span: SourceSpan,
    },

    /// A reserved word where a value is expected, followed by what follows
    /// a value (`when from == "web"`): a field or let named with the word,
    /// which only backticks allow.
    #[error("`{word}` is a reserved word, so it cannot stand for a value here")]
    #[diagnostic(code(tally::reserved_word))]
    ReservedWordAsValue {
        word: String,
        #[label("reserved word, where a value is expected")]
        span: SourceSpan,
        #[help]
        help: String,
    },

    /// `activity: { kind: "webinar" }` in a `given`: the events of a
    /// source are a list of records, `[ { … }, … ]`.
    #[error("the events of `{name}` are a list, written in square brackets")]
    #[diagnostic(code(tally::given_events))]
    EventsNotAList {
        name: String,
        #[label("a `{{ … }}` block where a list `[ … ]` is expected")]
        span: SourceSpan,
        #[help]
        help: String,
    },

    /// `activity: [ kind: "webinar" ]`: an event's fields without the
    /// braces of its record.
    #[error("an event of `{name}` is a record of its fields, written in braces")]
    #[diagnostic(code(tally::given_events))]
    EventNotARecord {
        name: String,
        #[label("these fields need `{{ … }}` around them")]
        span: SourceSpan,
        #[help]
        help: String,
    },

    #[error("`{what}` is written twice")]
    #[diagnostic(
        code(tally::duplicate_block),
        help("a model has one `{what}`; merge the two")
    )]
    DuplicateBlock {
        what: &'static str,
        #[label("second `{what}`")]
        span: SourceSpan,
        #[label("first written here")]
        first: SourceSpan,
    },

    #[error("`model` must be the first item of the file")]
    #[diagnostic(
        code(tally::misplaced_header),
        help("move the `model \"…\"` line to the top of the file")
    )]
    MisplacedHeader {
        #[label("comes after other items")]
        span: SourceSpan,
    },

    #[error("the model has no `fields` block")]
    #[diagnostic(
        code(tally::missing_fields),
        help("declare the lead's fields at the top, e.g. `fields {{ job_title: text }}`")
    )]
    MissingFields {
        #[label("expected `fields {{ … }}` before this")]
        span: SourceSpan,
    },

    #[error("`fields` must come before the rules that use them")]
    #[diagnostic(
        code(tally::fields_too_late),
        help("move the `fields {{ … }}` block above the first rule, group, ladder, tier or test")
    )]
    FieldsTooLate {
        #[label("`fields` is declared here")]
        span: SourceSpan,
        #[label("but this comes first")]
        first_use: SourceSpan,
    },

    #[error("the stage ladder is split in two")]
    #[diagnostic(
        code(tally::split_ladder),
        help("keep every `if … then …` line of the stage ladder together, closed by its `else`")
    )]
    SplitLadder {
        #[label("this line is apart from the ladder")]
        span: SourceSpan,
        #[label("the ladder starts here")]
        first: SourceSpan,
    },

    #[error("`else` without an `if … then …` line before it")]
    #[diagnostic(
        code(tally::else_without_if),
        help("an `else` closes a ladder: put the `if … then …` lines right above it")
    )]
    ElseWithoutIf {
        #[label("nothing to close")]
        span: SourceSpan,
    },

    #[error("ladder line after `else`")]
    #[diagnostic(
        code(tally::step_after_else),
        help("`else` must be the last line of a ladder; move this line above it")
    )]
    StepAfterElse {
        #[label("never reached")]
        span: SourceSpan,
        #[label("the ladder ends here")]
        otherwise: SourceSpan,
    },

    #[error("`{what}` is given twice")]
    #[diagnostic(code(tally::duplicate_option), help("keep one `{what}`"))]
    DuplicateOption {
        what: String,
        #[label("again here")]
        span: SourceSpan,
        #[label("first here")]
        first: SourceSpan,
    },
}

impl SyntaxError {
    /// The offset of the error's main label: where the parser stopped,
    /// for the errors the parser itself reports.
    pub(crate) fn offset(&self) -> usize {
        match self {
            SyntaxError::Unexpected { span, .. }
            | SyntaxError::ReservedWordAsValue { span, .. }
            | SyntaxError::EventsNotAList { span, .. }
            | SyntaxError::EventNotARecord { span, .. }
            | SyntaxError::UnclosedBlock { span, .. }
            | SyntaxError::UnclosedAtEnd { span, .. }
            | SyntaxError::UnclosedText { span }
            | SyntaxError::TooDeep { span, .. } => span.offset(),
            _ => 0,
        }
    }

    /// The error with its spans moved `by` bytes later: the parser's
    /// errors for a parse that started `by` bytes into the file. Only the
    /// kinds the parser reports have spans to move; the builder's errors
    /// carry their own offsets already.
    pub(crate) fn shifted(mut self, by: usize) -> SyntaxError {
        let shift = |span: &mut SourceSpan| {
            *span = SourceSpan::new((span.offset() + by).into(), span.len());
        };
        match &mut self {
            SyntaxError::Unexpected { span, .. }
            | SyntaxError::ReservedWordAsValue { span, .. }
            | SyntaxError::EventsNotAList { span, .. }
            | SyntaxError::EventNotARecord { span, .. }
            | SyntaxError::UnclosedText { span }
            | SyntaxError::TooDeep { span, .. } => shift(span),
            SyntaxError::UnclosedBlock { open, span, .. }
            | SyntaxError::UnclosedAtEnd { open, span } => {
                shift(open);
                shift(span);
            }
            _ => {}
        }
        self
    }

    /// Whether the builder found this error inside one item, from that
    /// item's text alone (a reserved word as a name, a date, an escape),
    /// so it holds even when another item does not parse. The errors
    /// about the order of items do not: a broken item is missing from
    /// the order they judge, and so is an `else` a stray `}` moved out
    /// of its tier (`tally::duplicate_option`).
    pub(crate) fn is_local(&self) -> bool {
        matches!(
            self,
            SyntaxError::ReservedWord { .. }
                | SyntaxError::InvalidDate { .. }
                | SyntaxError::InvalidEscape { .. }
                | SyntaxError::InvalidNumber { .. }
                | SyntaxError::FractionalDuration { .. }
                | SyntaxError::ChainedComparison { .. }
                | SyntaxError::WithinWithoutUnit { .. }
                | SyntaxError::SingleEquals { .. }
        )
    }

    /// Where the error is, for listing a file's errors in text order.
    pub(crate) fn start(&self) -> usize {
        let span = match self {
            SyntaxError::NotUtf8 { span, .. }
            | SyntaxError::Unexpected { span, .. }
            | SyntaxError::UnclosedBlock { span, .. }
            | SyntaxError::UnclosedAtEnd { span, .. }
            | SyntaxError::UnclosedText { span }
            | SyntaxError::TooDeep { span, .. }
            | SyntaxError::InvalidDate { span, .. }
            | SyntaxError::InvalidEscape { span, .. }
            | SyntaxError::InvalidNumber { span, .. }
            | SyntaxError::FractionalDuration { span, .. }
            | SyntaxError::SingleEquals { span }
            | SyntaxError::WithinWithoutUnit { span, .. }
            | SyntaxError::ReservedWord { span, .. }
            | SyntaxError::ReservedWordAsValue { span, .. }
            | SyntaxError::EventsNotAList { span, .. }
            | SyntaxError::EventNotARecord { span, .. }
            | SyntaxError::DuplicateBlock { span, .. }
            | SyntaxError::MisplacedHeader { span }
            | SyntaxError::MissingFields { span }
            | SyntaxError::FieldsTooLate { span, .. }
            | SyntaxError::SplitLadder { span, .. }
            | SyntaxError::ElseWithoutIf { span }
            | SyntaxError::StepAfterElse { span, .. }
            | SyntaxError::DuplicateOption { span, .. } => span,
            SyntaxError::ChainedComparison { first, .. } => first,
        };
        span.offset()
    }

    /// Whether the parser stopped at an item that starts inside a block
    /// never closed.
    pub(crate) fn is_unclosed_block(&self) -> bool {
        matches!(self, SyntaxError::UnclosedBlock { .. })
    }
}
