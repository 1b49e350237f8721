//! Opening a lead file and binding a model to it, for the commands that
//! read a whole file without writing one (`backtest`; `explain` reads one
//! row its own way). Errors come back as (exit status, message).

use miette::Diagnostic;

use super::{render, EXIT_FAILURE, EXIT_PROBLEMS};
use crate::eval::{AccountTables, EventTable, Scorer};
use crate::io::{self, Binding, Format, Header, NameHint, OpenError, Reader};
use crate::plan::Plan;
use crate::quality::{closest, each_folded, Column, Counts, OutcomePart, Scoring, WithOutcome};
use crate::value::Date;

/// A lead file, how to read it and where it is.
pub struct LeadFile<'a> {
    pub path: &'a str,
    /// `--input-format`, when given.
    pub format: Option<Format>,
    pub delimiter: u8,
    /// The longest row read (`--max-row-bytes`).
    pub limit: io::RowLimit,
}

impl LeadFile<'_> {
    /// The file's name as messages show it.
    pub fn shown(&self) -> String {
        if self.path == "-" {
            "standard input".to_string()
        } else {
            format!("`{}`", self.path)
        }
    }

    /// Open the file and bind the plan to its header.
    pub fn open(&self, plan: &Plan) -> Result<(Reader, Binding), (u8, String)> {
        let shown = self.shown();
        let failure = |e: std::io::Error| (EXIT_FAILURE, format!("cannot read {shown}: {e}"));
        let format = NameHint::of(self.path)
            .format
            .or(self.format)
            .unwrap_or(Format::Csv);
        let input = io::input::open(self.path).map_err(failure)?;
        let reader =
            Reader::with_limit(input, format, self.delimiter, self.limit).map_err(|e| match e {
                OpenError::Io(error) => failure(error),
                OpenError::Header(error) => self.reported(&[&error]),
            })?;
        let binding = self.bind(plan, reader.header())?;
        Ok((reader, binding))
    }

    /// The outcome column (`--outcome COL`) in the file's header.
    pub fn outcome_column(&self, header: &Header, name: &str) -> Result<Column, (u8, String)> {
        // As a field's column (`tally::repeated_column`): which of two
        // columns holds the outcome is not for Tally to guess.
        let at: Vec<String> = (header.columns.iter().enumerate())
            .filter(|(_, c)| *c == name)
            .map(|(i, _)| (i + 1).to_string())
            .collect();
        if at.len() > 1 {
            let shown = self.shown();
            let message = format!(
                "{shown}: the outcome column {name:?} is in the header more than once \
                 (columns {}): rename or remove all but one",
                at.join(" and ")
            );
            return Err((EXIT_PROBLEMS, message));
        }
        Column::find(header, name).map_err(|closest| {
            let hint = closest.map_or(String::new(), |c| format!("; the closest column is {c:?}"));
            let shown = self.shown();
            let message =
                format!("{shown}: the outcome column {name:?} is not in the header{hint}");
            (EXIT_PROBLEMS, message)
        })
    }

    /// After reading: an NDJSON file none of whose objects has the
    /// outcome key is an error, as a CSV header without the column is
    /// (its leads would all count as not converted). `used` is the rows
    /// scored: a file of malformed lines only is not said to lack the
    /// key. `closest` is the first object's key closest to it.
    pub fn outcome_seen(
        &self,
        column: &Column,
        used: u64,
        closest: Option<String>,
    ) -> Result<(), (u8, String)> {
        if column.seen() || used == 0 {
            return Ok(());
        }
        let hint = closest.map_or(String::new(), |c| {
            format!("; the first object's closest key is {c:?}")
        });
        let (shown, name) = (self.shown(), &column.name);
        let message = format!("{shown}: no object has the outcome key {name:?}{hint}");
        Err((EXIT_PROBLEMS, message))
    }

    /// Score every row with `plan` and count each scored lead with its
    /// outcome (column `outcome`) into parts `P`, which `merge` gets in
    /// file order; rows with an unreadable outcome are left out with the
    /// unreadable rows.
    pub fn score_outcomes<P: OutcomePart>(
        &self,
        plan: &Plan,
        (today, events, accounts): (Date, &[EventTable], &AccountTables),
        outcome: &str,
        merge: impl FnMut(P),
    ) -> Result<Counts, (u8, String)> {
        let (reader, binding) = self.open(plan)?;
        let column = self.outcome_column(reader.header(), outcome)?;
        let scorer = Scorer::new(plan, today)
            .with_events(events)
            .with_accounts(accounts);
        let scoring = [Scoring {
            binding: &binding,
            scorer: &scorer,
            leads: false,
        }];
        let hint = closest(reader.header(), outcome);
        let fold = WithOutcome::new(&column);
        let counts = each_folded(reader, &scoring, &fold, merge)
            .map_err(|e| (EXIT_FAILURE, format!("cannot read {}: {e}", self.shown())))?;
        self.outcome_seen(&column, counts.used, hint)?;
        // The summary counts them with the rejected rows; say why.
        match fold.refused() {
            0 => {}
            n => super::output::errln(&format!(
                "note: {}: {n} row{} left out: {} {:?} cell is not an outcome (a boolean: \
                 yes, no, true, false, 1, 0; or a date; empty is not converted)",
                self.shown(),
                if n == 1 { "" } else { "s" },
                if n == 1 { "its" } else { "their" },
                column.name,
            )),
        }
        Ok(counts)
    }

    /// Bind a plan to the file's header; notes on how it was read go to
    /// standard error.
    pub fn bind(&self, plan: &Plan, header: &Header) -> Result<Binding, (u8, String)> {
        let binding = Binding::new(plan, header).map_err(|errors| {
            let errors: Vec<&dyn Diagnostic> = errors.iter().map(|e| e as _).collect();
            self.reported(&errors)
        })?;
        let shown = self.shown();
        for note in binding.notes() {
            super::output::err(&render::human_input(
                &shown,
                note,
                render::color_on_stderr(),
            ));
        }
        Ok(binding)
    }

    /// Header problems reported on standard error, as `tally check`
    /// reports a model's, and the closing line the caller prints.
    fn reported(&self, errors: &[&dyn Diagnostic]) -> (u8, String) {
        let color = render::color_on_stderr();
        let (reports, line) = render::input_refused(&self.shown(), errors, color);
        super::output::err(&reports);
        (EXIT_PROBLEMS, line)
    }
}
