//! Account values (language 1.1): the passes over the lead file before
//! it is scored (spec: CLI.md, `tally score`), and standard input kept in
//! a temporary file so that it can be read more than once.

use std::io::Write;

use super::events::{Events, How};
use crate::eval::{AccountTables, Scorer};
use crate::io::{self, AccountPass, EventsError, EventsFormat, Format, NameHint, OpenError};
use crate::plan::Plan;
use crate::value::Date;

/// Standard input copied to a temporary file (removed when dropped), for
/// a model whose account values need the leads read more than once.
pub struct Spooled {
    file: tempfile::NamedTempFile,
}

impl Spooled {
    /// Copy standard input into a new temporary file.
    pub fn stdin() -> std::io::Result<Spooled> {
        let mut file = tempfile::NamedTempFile::new()?;
        let mut input = io::input::open("-")?;
        std::io::copy(&mut input, &mut file)?;
        file.flush()?;
        Ok(Spooled { file })
    }

    /// Its path, as a lead file's.
    pub fn path(&self) -> String {
        self.file.path().to_string_lossy().into_owned()
    }
}

/// Compute the account values of `plan` from the lead file `path`: the
/// input-level values in one pass, the score-level ones in another.
pub fn read_accounts(
    plan: &Plan,
    path: &str,
    how: How,
    as_of: Date,
    events: &Events,
) -> Result<AccountTables, String> {
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
    let pass = |tables: &AccountTables, score_level: bool| {
        let scorer = Scorer::new(plan, as_of)
            .with_events(&events.tables)
            .with_accounts(tables);
        let input = io::input::open(path).map_err(|e| failure(path, &EventsError::Io(e)))?;
        let pass = AccountPass {
            plan,
            scorer: &scorer,
            tables,
            score_level,
            today: as_of,
            bad_values: how.bad_values,
        };
        io::account_pass(pass, input, read, size).map_err(|e| failure(path, &e))
    };
    let mut tables = AccountTables::default();
    for score_level in [false, true] {
        if account.has_level(score_level) {
            let found = pass(&tables, score_level)?;
            tables.settle(account, found.table, found.rows);
            if let Some(sums) = found.sums {
                tables.keep_sums(sums);
            }
        }
    }
    Ok(tables)
}

fn failure(path: &str, error: &EventsError) -> String {
    match error {
        EventsError::Open(OpenError::Io(e)) | EventsError::Io(e) => {
            format!("cannot read `{path}`: {}", super::io_reason(e))
        }
        EventsError::Open(OpenError::Header(e)) => format!("`{path}`: {e}"),
        EventsError::Header(errors) => {
            let errors: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
            format!("`{path}`: {}", errors.join("; "))
        }
        EventsError::Overflow => {
            "the account values add up past the largest number Tally holds".to_string()
        }
    }
}
