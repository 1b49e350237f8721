//! The words of the errors about events sources, aggregates and decay,
//! rendered from the facts the checker found.

use std::fmt;

use crate::value::{DurationUnit, FieldType};

/// The two marked fields of an events source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marker {
    Key,
    Time,
}

impl fmt::Display for Marker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Key => "key",
            Self::Time => "time",
        })
    }
}

impl Marker {
    /// The types the marked field may have.
    pub(super) fn expected(self) -> &'static str {
        match self {
            Self::Key => "text or int",
            Self::Time => "a date",
        }
    }

    /// The help of `tally::missing_marker`.
    pub(super) fn missing_help(self) -> &'static str {
        match self {
            Self::Key => "mark the field that names the lead: `lead_id: text key`",
            Self::Time => "mark the field that says when it happened: `at: date time`",
        }
    }

    /// The help of `tally::marker_type` for the marked `field`.
    pub(super) fn type_help(self, field: &str) -> String {
        match self {
            Self::Key => "events are joined to leads by an id or an e-mail address: declare the key as `text` (or `int`)".into(),
            Self::Time => format!("write `{field}: date time`; an RFC 3339 date-time such as `2026-11-01T09:30:00Z` is read as its UTC date"),
        }
    }
}

/// The help of `tally::key_without_lead_field`: `lead` is the type of the
/// lead field of that name, if there is one.
pub(super) fn lead_key_help(name: &str, ty: FieldType, lead: &Option<FieldType>) -> String {
    match lead {
        Some(lead) => format!(
            "the lead field `{name}` is {}: declare both as the same type",
            lead.keyword()
        ),
        None => format!(
            "declare `{name}: {}` in `fields`, the lead's column that the events' `{name}` refers to",
            ty.keyword()
        ),
    }
}

/// The help of `tally::not_an_event_set`: the model's sources and the
/// call as it should be written.
pub(super) fn event_set_help(sources: &[String], usage: &str) -> String {
    if sources.is_empty() {
        return format!(
            "declare the activity file as `events NAME {{ lead_id: text key  at: date time … }}`, then write `{usage}`"
        );
    }
    let listed = sources
        .iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ");
    format!("this model's events sources: {listed}; e.g. `{usage}`")
}

/// What is wrong with a decay clause or an `each` rule's `max`
/// (`tally::bad_decay`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecayProblem {
    /// `max -N` on an `each` rule.
    NegativeMax,
    /// `since …` on an `each` rule.
    SinceOnEach,
    /// A decaying `when` rule without `since`.
    NoSince,
    /// `half-life` or `linear` (the `word`) over months or years.
    CalendarUnit { word: String, unit: DurationUnit },
    /// A share of `every` outside (0%, 100%].
    Share,
    /// A zero or negative period after `word`.
    NotPositive { word: String },
}

impl fmt::Display for DecayProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NegativeMax => f.write_str("`max` of an `each` rule must be a positive number"),
            Self::SinceOnEach => {
                f.write_str("an `each` rule's points fade with the age of each event")
            }
            Self::NoSince => {
                f.write_str("a decaying `when` rule needs the date its points fade from")
            }
            Self::CalendarUnit { word, .. } => write!(f, "`{word}` takes days or weeks"),
            Self::Share => {
                f.write_str("the share that fades each period must be above 0% and at most 100%")
            }
            Self::NotPositive { word } => {
                write!(f, "the period of `{word}` must be longer than zero")
            }
        }
    }
}

impl DecayProblem {
    pub(super) fn label(&self) -> String {
        match self {
            Self::NegativeMax => "negative".into(),
            Self::SinceOnEach => "not needed here".into(),
            Self::NoSince => "no `since`".into(),
            Self::CalendarUnit { unit, .. } => {
                format!("{} have no fixed number of days", unit.plural())
            }
            Self::Share => "out of range".into(),
            Self::NotPositive { .. } => "zero".into(),
        }
    }

    pub(super) fn help(&self) -> String {
        match self {
            Self::NegativeMax => "`max N` limits the rule's sum to N in absolute value: write it without a sign".into(),
            Self::SinceOnEach => "remove `since …`: each event's time is its age".into(),
            Self::NoSince => {
                "add the date field, e.g. `decay 50% every 1 month since last_demo_request`".into()
            }
            Self::CalendarUnit { word, .. } => format!(
                "write the period in days or weeks, e.g. `{word} 30 days`, or fade by calendar months with `decay 50% every 1 month`"
            ),
            Self::Share => "e.g. `decay 50% every 1 month` halves the points each month".into(),
            Self::NotPositive { word } => format!("write a positive period, e.g. `{word} 30 days`"),
        }
    }
}
