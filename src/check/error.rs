//! Errors and warnings found by checking a parsed model.
//!
//! An error holds facts (names, types, the text as written, the close
//! candidate, which case it is); every word a user reads is written here,
//! in the attributes and in the `error/` modules they call, so the checker
//! decides and this file says (as `lints/warning.rs` does for warnings).

use miette::{Diagnostic, SourceSpan};
use thiserror::Error;

use crate::syntax::ast::ModifierKind;
use crate::value::FieldType;

mod account;
mod compare;
mod events;
mod given;
mod hint;
mod modifier;
mod name;

pub use account::{AccountProblem, Layer, Shape};
pub use compare::{CompareHint, ListHint};
use events::{event_set_help, lead_key_help};
pub use events::{DecayProblem, Marker};
pub use given::Expected;
pub use hint::Hint;
use modifier::{applies_to, clash_help, duplicate_help};
pub use modifier::{BadValue, Empty, WordClash};
use name::{unknown_label_help, unknown_name_help, unknown_reason_help};
pub use name::{Candidate, FunctionHint, Order, Varies};

/// A problem with the meaning of a model: names, types, structure.
#[derive(Debug, Clone, Error, Diagnostic, PartialEq)]
pub enum CheckError {
    #[error("unknown name `{name}`")]
    #[diagnostic(
        code(tally::unknown_name),
        help("{}", unknown_name_help(.name, .candidate))
    )]
    UnknownName {
        name: String,
        #[label("not a field, let, group or tier")]
        span: SourceSpan,
        /// A known name close to `name`.
        candidate: Option<String>,
    },

    #[error("this model has no stage ladder, so `stage` has no value")]
    #[diagnostic(
        code(tally::no_stage_ladder),
        help("add the ladder: `if score >= 50 then SQL` lines, closed by `else Nurture`")
    )]
    NoStageLadder {
        #[label("no ladder decides this")]
        span: SourceSpan,
    },

    #[error("`{name}` is used before it is defined")]
    #[diagnostic(
        code(tally::let_order),
        help("a `let` may only use the lets above it: move `{name}` up")
    )]
    LetOrder {
        name: String,
        #[label("used here")]
        span: SourceSpan,
        #[label("defined here")]
        defined: SourceSpan,
    },

    #[error("unknown function `{name}`")]
    #[diagnostic(code(tally::unknown_function))]
    UnknownFunction {
        name: String,
        #[label("no such function")]
        span: SourceSpan,
        #[help]
        hint: FunctionHint,
    },

    #[error("`{function}` takes {expected}, but is given {}", arguments(*.found))]
    #[diagnostic(code(tally::argument_count), help("call it as `{usage}`"))]
    ArgumentCount {
        function: String,
        /// What the function takes, from its signature: "one number".
        expected: String,
        /// How many arguments it is given.
        found: usize,
        usage: String,
        #[label("{}", arguments(*.found))]
        span: SourceSpan,
    },

    #[error("{what} must be {expected}, but `{text}` is {found}")]
    #[diagnostic(code(tally::type_mismatch))]
    TypeMismatch {
        what: String,
        expected: String,
        text: String,
        found: String,
        #[label("{found}")]
        span: SourceSpan,
        #[help]
        hint: Option<Hint>,
    },

    #[error("`{op}` cannot order {ty}")]
    #[diagnostic(
        code(tally::cannot_order),
        help("`<`, `<=`, `>`, `>=` and `between` compare numbers or dates; for text use `==`, `in`, `starts with` or `matches`")
    )]
    CannotOrder {
        op: String,
        ty: String,
        #[label("{ty}")]
        span: SourceSpan,
    },

    #[error("cannot compare `{left}` ({left_type}) with `{right}` ({right_type})")]
    #[diagnostic(code(tally::incomparable))]
    Incomparable {
        left: String,
        left_type: String,
        right: String,
        right_type: String,
        #[label("{left_type}")]
        left_span: SourceSpan,
        #[label("{right_type}")]
        right_span: SourceSpan,
        #[help]
        hint: Option<CompareHint>,
    },

    #[error("`{name}` is declared twice")]
    #[diagnostic(
        code(tally::duplicate_name),
        help("fields, lets, groups and tiers share one set of names: rename one of them")
    )]
    DuplicateName {
        name: String,
        #[label("declared again here")]
        span: SourceSpan,
        #[label("first declared here")]
        first: SourceSpan,
    },

    #[error("{}", reason_clash(.reason, *.written))]
    #[diagnostic(code(tally::duplicate_reason), help("{}", reason_clash_help(*.written)))]
    DuplicateReason {
        /// The reason, or the condition as written when `written` is false.
        reason: String,
        /// Whether the rules wrote the reason as text.
        written: bool,
        #[label("used again here")]
        span: SourceSpan,
        #[label("first used here")]
        first: SourceSpan,
    },

    #[error("two tests are named `{name}`")]
    #[diagnostic(code(tally::duplicate_test), help("give each test its own name"))]
    DuplicateTest {
        name: String,
        #[label("used again here")]
        span: SourceSpan,
        #[label("first used here")]
        first: SourceSpan,
    },

    #[error("invalid regular expression: {message}")]
    #[diagnostic(
        code(tally::invalid_regex),
        help("look-around such as `(?!…)` and back-references such as `\\1` are not supported; start the pattern with `(?i)` to ignore case; inside quotes a backslash is written `\\\\`")
    )]
    InvalidRegex {
        message: String,
        #[label("this pattern")]
        span: SourceSpan,
    },

    #[error("`{label}` is not a label of `{ladder}`")]
    #[diagnostic(
        code(tally::unknown_label),
        help("{}", unknown_label_help(.label, .ladder, .known, .candidate))
    )]
    UnknownLabel {
        label: String,
        ladder: String,
        #[label("`{ladder}` is never `{label}`")]
        span: SourceSpan,
        /// The ladder's labels, in order.
        known: Vec<String>,
        /// A long label of the ladder close to `label`.
        candidate: Option<String>,
    },

    #[error("the value of a `let` must be known before any lead is read")]
    #[diagnostic(
        code(tally::not_constant),
        help("a `let` names a constant (a list, number, text, date or duration): write conditions on fields and `today` in rules, and on groups and `score` in ladders")
    )]
    NotConstant {
        #[label("{why}")]
        span: SourceSpan,
        why: Varies,
    },

    #[error("a rule cannot use `{name}`")]
    #[diagnostic(
        code(tally::score_in_rule),
        help("rules are summed into groups and the score, so they see only fields, lets and `today`; use `{name}` in a ladder (`if … then …`) or a tier instead")
    )]
    ScoreInRule {
        name: String,
        #[label("computed from the rules")]
        span: SourceSpan,
    },

    #[error("`{name}` is not decided yet here")]
    #[diagnostic(code(tally::ladder_order), help("{}", .order.help(.name)))]
    LadderOrder {
        name: String,
        #[label("decided later")]
        span: SourceSpan,
        order: Order,
    },

    #[error("`fired` can only be used in tests")]
    #[diagnostic(
        code(tally::fired_outside_test),
        help("`fired(\"REASON\")` checks a rule in an `expect` line of a `test` block")
    )]
    FiredOutsideTest {
        #[label("not inside a test")]
        span: SourceSpan,
    },

    #[error("no rule has the reason `{reason}`")]
    #[diagnostic(
        code(tally::unknown_reason),
        help("{}", unknown_reason_help(.candidate))
    )]
    UnknownReason {
        reason: String,
        #[label("no such rule")]
        span: SourceSpan,
        /// A rule's reason close to `reason`.
        candidate: Option<String>,
    },

    #[error("`{name}` is not a field")]
    #[diagnostic(code(tally::unknown_field))]
    UnknownField {
        name: String,
        #[label("{}", declared_in(.events))]
        span: SourceSpan,
        /// The events source a `given` event record belongs to (`None`:
        /// the lead's fields).
        events: Option<String>,
        #[help]
        candidate: Option<Candidate>,
    },

    #[error("`{field}` is given twice")]
    #[diagnostic(code(tally::duplicate_given), help("keep one value for `{field}`"))]
    DuplicateGiven {
        field: String,
        #[label("again here")]
        span: SourceSpan,
        #[label("first here")]
        first: SourceSpan,
    },

    #[error("`{value}` is not a valid value for `{field}` ({ty})")]
    #[diagnostic(code(tally::bad_given), help("write {expected}"))]
    BadGiven {
        field: String,
        ty: String,
        value: String,
        expected: Expected,
        #[label("cannot be read as {ty}")]
        span: SourceSpan,
    },

    #[error("`sep` only applies to `list` fields, but `{field}` is {ty}")]
    #[diagnostic(
        code(tally::sep_on_scalar),
        help("remove `sep`, or declare `{field}: list`")
    )]
    SepOnScalar {
        field: String,
        ty: String,
        #[label("not a list")]
        span: SourceSpan,
    },

    #[error("`sep` cannot be empty")]
    #[diagnostic(code(tally::empty_sep), help("write the separator, e.g. `sep \"|\"`"))]
    EmptySep {
        #[label("empty separator")]
        span: SourceSpan,
    },

    #[error("`{}` does not apply to `{field}`, a {} field", .modifier.keyword(), .ty.keyword())]
    #[diagnostic(
        code(tally::misplaced_modifier),
        help("`decimal` and `thousands` are for number and int fields, `format` for date fields, `true [..]` and `false [..]` for bool fields")
    )]
    MisplacedModifier {
        modifier: ModifierKind,
        field: String,
        ty: FieldType,
        #[label("only for {}", applies_to(*.modifier))]
        span: SourceSpan,
    },

    #[error("`{}` is given twice", .modifier.keyword())]
    #[diagnostic(code(tally::duplicate_modifier), help("{}", duplicate_help(*.modifier)))]
    DuplicateModifier {
        modifier: ModifierKind,
        #[label("again here")]
        span: SourceSpan,
        #[label("first here")]
        first: SourceSpan,
    },

    #[error("{value}")]
    #[diagnostic(code(tally::modifier_value), help("{}", .value.help()))]
    ModifierValue {
        value: BadValue,
        #[label("{}", .value.label())]
        span: SourceSpan,
    },

    #[error("{empty}")]
    #[diagnostic(code(tally::empty_modifier), help("{}", .empty.help()))]
    EmptyModifier {
        empty: Empty,
        #[label("empty")]
        span: SourceSpan,
    },

    #[error("`thousands \"{mark}\"` is also the decimal mark of `{field}`")]
    #[diagnostic(
        code(tally::separator_clash),
        help("{}", clash_help(*.mark, .decimal.is_some()))
    )]
    SeparatorClash {
        mark: char,
        field: String,
        #[label("thousands separator")]
        span: SourceSpan,
        #[label("decimal mark")]
        decimal: Option<SourceSpan>,
    },

    #[error("{problem}")]
    #[diagnostic(code(tally::bad_date_format), help("{help}"))]
    BadDateFormat {
        problem: String,
        help: String,
        #[label("not a date layout")]
        span: SourceSpan,
    },

    #[error("`{word}` cannot mean {meaning}: {}", .clash.why(*.meaning))]
    #[diagnostic(code(tally::bool_word_clash), help("{}", .clash.help(.word)))]
    BoolWordClash {
        word: String,
        meaning: bool,
        clash: WordClash,
        #[label("a {meaning} word")]
        span: SourceSpan,
        #[label("a {other_meaning} word")]
        other: Option<SourceSpan>,
        other_meaning: bool,
    },

    #[error("`min {min}` is above `max {max}`")]
    #[diagnostic(code(tally::crossed_limits), help("swap the two numbers"))]
    CrossedLimits {
        min: String,
        max: String,
        #[label("min")]
        min_span: SourceSpan,
        #[label("max")]
        max_span: SourceSpan,
    },

    #[error("a list holds items of one type, but this one has {first} and {other}")]
    #[diagnostic(
        code(tally::mixed_list),
        help("make every item a number, or put every item in quotes as text")
    )]
    MixedList {
        first: String,
        other: String,
        #[label("{other}")]
        span: SourceSpan,
    },

    #[error("{what} needs {list} after it, such as `[US, UK]`")]
    #[diagnostic(code(tally::expected_list))]
    ExpectedList {
        what: String,
        /// "a list", "a list of text".
        list: String,
        #[label("{found}")]
        span: SourceSpan,
        found: String,
        #[help]
        hint: ListHint,
    },

    #[error("`{text}` has no value")]
    #[diagnostic(code(tally::no_value), help("{why}"))]
    NoValue {
        text: String,
        why: String,
        #[label("cannot be computed")]
        span: SourceSpan,
    },

    #[error("the events source `{source_name}` has no `{what}` field")]
    #[diagnostic(code(tally::missing_marker), help("{}", .what.missing_help()))]
    MissingMarker {
        what: Marker,
        source_name: String,
        #[label("no field marked `{what}`")]
        span: SourceSpan,
    },

    #[error("the events source has two `{what}` fields")]
    #[diagnostic(
        code(tally::duplicate_marker),
        help("an events source has exactly one `{what}` field: remove `{what}` from one of them")
    )]
    DuplicateMarker {
        what: Marker,
        #[label("second `{what}`")]
        span: SourceSpan,
        #[label("first `{what}`")]
        first: SourceSpan,
    },

    #[error("`{what}` marks a field of an `events` block, not of `fields`")]
    #[diagnostic(
        code(tally::marker_outside_events),
        help("declare the activity file in its own block: `events activity {{ lead_id: text key  at: date time … }}`")
    )]
    MarkerOutsideEvents {
        what: Marker,
        #[label("only in `events`")]
        span: SourceSpan,
    },

    #[error("the key `{name}` joins events to leads, but `fields` has no {} field `{name}`", .ty.keyword())]
    #[diagnostic(
        code(tally::key_without_lead_field),
        help("{}", lead_key_help(.name, *.ty, .lead))
    )]
    KeyWithoutLeadField {
        name: String,
        ty: FieldType,
        #[label("no lead field of this name and type")]
        span: SourceSpan,
        /// The type of the lead field named `name`, if there is one.
        lead: Option<FieldType>,
    },

    #[error("the `{what}` field `{field}` must be {}, but it is {}", .what.expected(), .found.keyword())]
    #[diagnostic(code(tally::marker_type), help("{}", .what.type_help(.field)))]
    MarkerType {
        what: Marker,
        field: String,
        found: FieldType,
        #[label("{}", .found.keyword())]
        span: SourceSpan,
    },

    #[error("`{function}` needs an events source first, but `{text}` is not one")]
    #[diagnostic(
        code(tally::not_an_event_set),
        help("{}", event_set_help(.sources, .usage))
    )]
    NotAnEventSet {
        function: String,
        text: String,
        #[label("not an `events` block")]
        span: SourceSpan,
        /// The names of the model's events sources.
        sources: Vec<String>,
        /// The call as it should be written.
        usage: String,
    },

    #[error("`{name}` is a file of events, not a value")]
    #[diagnostic(
        code(tally::events_as_value),
        help("use an aggregate of its events, such as `count({name})`, `exists({name} within 30 days)` or `last({name})`")
    )]
    EventsAsValue {
        name: String,
        #[label("an events source")]
        span: SourceSpan,
    },

    #[error("an event set cannot use `{name}`")]
    #[diagnostic(
        code(tally::set_uses_output),
        help("a set's condition and values are about one event of the lead: they may use the event's fields (`{source_name}` has {fields}), the lead's fields, lets and `today`, but not what scoring computes; test `{name}` outside the aggregate instead")
    )]
    SetUsesOutput {
        name: String,
        source_name: String,
        fields: String,
        #[label("computed by scoring, after the events are counted")]
        span: SourceSpan,
    },

    #[error("an aggregate cannot be used inside another one")]
    #[diagnostic(
        code(tally::nested_aggregate),
        help("an event set's condition and values are about one event: compare the aggregates in the rule instead")
    )]
    NestedAggregate {
        #[label("inside an event set")]
        span: SourceSpan,
    },

    #[error("{problem}")]
    #[diagnostic(code(tally::bad_decay), help("{}", .problem.help()))]
    BadDecay {
        problem: DecayProblem,
        #[label("{}", .problem.label())]
        span: SourceSpan,
    },

    #[error("{problem}")]
    #[diagnostic(code(tally::bad_account), help("{}", .problem.help()))]
    BadAccount {
        problem: AccountProblem,
        #[label("{}", .problem.label())]
        span: SourceSpan,
    },

    #[error("{layer}")]
    #[diagnostic(code(tally::account_layer), help("{}", .layer.help()))]
    AccountLayer {
        layer: Layer,
        #[label("{}", .layer.label())]
        span: SourceSpan,
    },

    #[error("the event of `{source_name}` in this test has no `{time}`")]
    #[diagnostic(
        code(tally::given_event_time),
        help("give each event its date: `{{ {time}: 2026-11-01, … }}`")
    )]
    GivenEventTime {
        source_name: String,
        time: String,
        #[label("no `{time}`")]
        span: SourceSpan,
    },

    /// The join key given inside an event of a test: every event given
    /// belongs to the test's lead, so the value would be ignored, and a
    /// test that seems to give another lead's event would pass unseen.
    #[error("an event given in a test belongs to the test's lead: its `{key}` is not given")]
    #[diagnostic(
        code(tally::given_event_key),
        help("remove `{key}` from the event; to test a lead without these events, leave `{source_name}` out of `given`")
    )]
    GivenEventKey {
        source_name: String,
        key: String,
        #[label("the key of the event: the test's lead's `{key}`")]
        span: SourceSpan,
    },
}

/// `did you mean `x`?` for a close candidate, else `otherwise`.
fn mean_or(candidate: &Option<String>, otherwise: &str) -> String {
    match candidate {
        Some(c) => format!("did you mean `{c}`?"),
        None => otherwise.to_string(),
    }
}

/// The message of `tally::duplicate_reason`.
fn reason_clash(reason: &str, written: bool) -> String {
    if written {
        format!("two rules have the reason `{reason}`")
    } else {
        format!("two rules have the condition `{reason}` and no reason of their own")
    }
}

fn reason_clash_help(written: bool) -> &'static str {
    if written {
        "every rule needs its own reason, so that an explanation names one rule: reword one of them"
    } else {
        "a rule without a reason text is named after its condition: give one of them a reason after the points, e.g. `add 5 \"Visited pricing twice\"`"
    }
}

/// Where a `given` name was looked for.
fn declared_in(events: &Option<String>) -> String {
    match events {
        None => "not declared in `fields`".to_string(),
        Some(source) => format!("not a field of the events `{source}`"),
    }
}

/// "1 argument", "2 arguments".
fn arguments(n: usize) -> String {
    format!("{n} argument{}", if n == 1 { "" } else { "s" })
}
