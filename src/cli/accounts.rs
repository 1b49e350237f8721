//! Account values (language 1.1): the passes over the lead file before
//! it is scored (spec: CLI.md, `tally score`), and standard input kept in
//! a temporary file so that it can be read more than once.

use super::events::{Events, EventsFailure, How};
use crate::eval::{
    AccountTable, AccountTables, AggregateOverflow, FromMemory, RowAccounts, RowSums, RuleSplit,
    Scorer,
};
use crate::io::{self, AccountPass, EventsError, EventsFormat, Format, NameHint, OpenError};
use crate::plan::Plan;
use crate::value::Date;

/// Account values read the leads more than once: when `leads` is
/// standard input and a model of `plans` has an `account` block, keep it
/// (in a temporary file) so that each pass reads all of it.
pub fn keep_leads_for(leads: &str, plans: &[&Plan]) -> Result<(), String> {
    if leads != "-" || plans.iter().all(|plan| plan.account.is_none()) {
        return Ok(());
    }
    io::input::keep_stdin().map_err(|e| match e {
        io::input::KeepError::Temporary(e) => format!(
            "cannot make a temporary file to keep standard input in: {}; account values \
             read the leads more than once: set TMPDIR to a writable directory, or give \
             the lead file by name",
            super::io_reason(&e)
        ),
        io::input::KeepError::Copy(e) => format!(
            "cannot keep standard input in a temporary file: {}",
            super::io_reason(&e)
        ),
    })
}

/// Compute the account values of `plan` from the lead file `path`: the
/// input-level values in one pass, the score-level ones in another.
///
/// A failure names the file as `shown`; its header problems are kept
/// apart, to be rendered like the scoring pass's own.
pub fn read_accounts(
    plan: &Plan,
    (path, shown): (&str, &str),
    how: How,
    as_of: Date,
    events: &Events,
) -> Result<AccountTables, EventsFailure> {
    let Some(account) = &plan.account else {
        return Ok(AccountTables::default());
    };
    let format = NameHint::of(path)
        .format
        .or(how.format)
        .unwrap_or(Format::Csv);
    let read = EventsFormat {
        format,
        delimiter: how.delimiter,
        limit: how.limit,
        threads: how.threads,
    };
    // The size the scoring pass splits the file by: the passes split it
    // alike, so a later pass finds each row's account by its number.
    let size = super::score::input_size(path);
    let pass = |plan: &Plan, tables: &AccountTables, score_level: bool, partials: bool| {
        let scorer = Scorer::new(plan, as_of)
            .with_events(&events.tables)
            .with_accounts(tables);
        let scorer = match partials {
            true => scorer.without_account_values(),
            false => scorer,
        };
        let input = io::input::open(path).map_err(|e| failure(shown, EventsError::Io(e)))?;
        let pass = AccountPass {
            plan,
            scorer: &scorer,
            tables,
            score_level,
            today: as_of,
            bad_values: how.bad_values,
            partials,
        };
        io::account_pass(pass, input, read, size).map_err(|e| failure(shown, e))
    };
    let mut tables = AccountTables::default();
    // Two reads instead of three when the score-level pass can run from
    // memory (see `eval::RuleSplit`): only CSV records each row's account.
    if let Some(split) = (format == Format::Csv)
        .then(|| RuleSplit::of(plan))
        .flatten()
    {
        let found = pass(&split.before, &tables, false, true)?;
        tables.settle(account, found.table, found.rows);
        let from_memory = match found.sums {
            Some(sums) => score_level_from(plan, &split, &tables, (as_of, how.threads), sums)
                .map_err(|_| failure(shown, EventsError::Overflow))?,
            None => None,
        };
        match from_memory {
            Some((table, sums)) => {
                tables.settle(account, table, RowAccounts::default());
                tables.keep_sums(sums);
            }
            None => {
                let found = pass(plan, &tables, true, false)?;
                tables.settle(account, found.table, found.rows);
                if let Some(sums) = found.sums {
                    tables.keep_sums(sums);
                }
            }
        }
        return Ok(tables);
    }
    for score_level in [false, true] {
        if account.has_level(score_level) {
            let found = pass(plan, &tables, score_level, false)?;
            tables.settle(account, found.table, found.rows);
            if let Some(sums) = found.sums {
                tables.keep_sums(sums);
            }
        }
    }
    Ok(tables)
}

/// The score-level pass from memory, given each row's sums of the
/// split's first rules (`None`: the file must be read).
fn score_level_from(
    plan: &Plan,
    split: &RuleSplit,
    tables: &AccountTables,
    (as_of, threads): (Date, usize),
    sums: RowSums,
) -> Result<Option<(AccountTable, RowSums)>, AggregateOverflow> {
    let Some(spec) = &plan.account else {
        return Ok(None);
    };
    let full = Scorer::new(plan, as_of);
    let after = Scorer::new(&split.after, as_of).with_accounts(tables);
    let run = FromMemory {
        full: &full,
        after: &after,
        spec,
        tables,
        today: as_of,
    };
    run.run(sums, threads)
}

fn failure(shown: &str, error: EventsError) -> EventsFailure {
    let fail = |message: String| EventsFailure {
        message,
        header: Vec::new(),
        shown: shown.to_string(),
    };
    match error {
        EventsError::Open(OpenError::Io(e)) | EventsError::Io(e) => {
            fail(format!("cannot read {shown}: {}", super::io_reason(&e)))
        }
        EventsError::Open(OpenError::Header(e)) => {
            EventsFailure::header(format!("{shown}: {e}"), shown, vec![e])
        }
        EventsError::Header(header) => EventsFailure::header(
            format!("{shown} cannot be read with this model"),
            shown,
            header,
        ),
        EventsError::Overflow => {
            fail("the account values add up past the largest number Tally holds".to_string())
        }
    }
}
