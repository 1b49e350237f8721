//! The row protocol: how a reader hands one row's cells to the
//! interpreter, in an order that cannot be broken.
//!
//! ```text
//! let mut rows = RowScorer::new(&scorer);     // one per worker
//! let mut row = rows.begin();                 // a row handle
//! row.cell(field, text)?;                     // each cell the reader found
//! let scored = row.finish()?;                 // rules, sums, ladders
//! ```
//!
//! [`Row`] borrows its [`RowScorer`] mutably, so a second row cannot begin
//! before the first is finished or dropped, and results can be read only
//! from `finish`. Everything the protocol needs between calls — the lead's
//! values, the memo of repeated cells, the scratch the rules fire into —
//! lives in the `RowScorer`; the reader only finds cells (see
//! `io::Binding`) and turns a [`CellError`] into a rejected row.
//!
//! Why cells and not a ready [`Lead`]: most cells repeat, and the memo
//! (see [`memo`](super::memo)) recalls what a repeated cell's predicates and
//! local rules gave from its bytes alone, before it is parsed or copied.

use super::account_rows::{RowAccount, RowAccounts};
use super::memo::{Memo, Recalled};
use super::{Lead, Overflow, Scorer, Scratch};
use crate::id::{FieldId, IdVec};
use crate::plan::FieldSpec;
use crate::value::{assign, read_cell_into, trim, FieldType, Reading, Value};

/// One worker's scoring state, reused from row to row.
#[derive(Debug)]
pub struct RowScorer<'p> {
    /// The job's scorer, cloned: its regexes' search caches are this
    /// worker's own.
    scorer: Scorer<'p>,
    /// How each of the plan's fields is read, indexed like
    /// [`Lead::values`]: the parts of its spec a cell needs, side by side
    /// (a `FieldSpec` spans several cache lines).
    fields: IdVec<FieldId, CellSpec<'p>>,
    memo: Memo,
    scratch: Scratch<'p>,
    lead: Lead,
    /// Buffers of fields missing in the current row: kept for the next
    /// row that has them, so empty cells cost no allocation either.
    spare: IdVec<FieldId, Option<Value>>,
    /// Whether the plan has aggregates over events, set before the rules
    /// run; and a buffer for them.
    has_events: bool,
    event_values: Vec<Option<Value>>,
    /// The number of the current chunk's first row, when the first
    /// account pass had a chunk begin at the same byte (see
    /// [`RowScorer::chunk_at`]); and the current row's account.
    first_row: Option<u64>,
    account: RowAccount,
    /// The current row's number in the file, when known.
    row: Option<u64>,
    /// The fields the stage ladder and the tiers read (a row whose sums
    /// were kept reads only these: see [`Row::finish_kept`]).
    ladder_fields: Vec<FieldId>,
}

/// How a field's cells are read.
#[derive(Debug, Clone, Copy)]
struct CellSpec<'p> {
    ty: FieldType,
    required: bool,
    /// Whether the model reads the field (else it is read only because it
    /// is required, to check it).
    used: bool,
    /// List separator and local format.
    read: &'p Reading,
}

impl<'p> CellSpec<'p> {
    fn of(field: &'p FieldSpec) -> CellSpec<'p> {
        CellSpec {
            ty: field.ty,
            required: field.required,
            used: field.used,
            read: &field.read,
        }
    }
}

/// Why a cell makes its row rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellError {
    /// The cell is blank (or unreadable and read as missing), and the
    /// field is `required`.
    Required,
    /// The cell cannot be read as its field's type; `expected` says what
    /// it should look like, for the message.
    Unreadable { expected: &'static str },
}

/// The row being scored (see the module's documentation).
#[derive(Debug)]
pub struct Row<'r, 'p> {
    s: &'r mut RowScorer<'p>,
}

impl<'p> RowScorer<'p> {
    /// A worker's state for scoring rows with `scorer`.
    pub fn new(scorer: &Scorer<'p>) -> RowScorer<'p> {
        let fields = scorer.plan().fields.map(CellSpec::of);
        RowScorer {
            scorer: scorer.clone(),
            memo: Memo::new(scorer),
            scratch: Scratch::default(),
            lead: Lead {
                values: fields.map(|_| None),
            },
            spare: fields.map(|_| None),
            fields,
            has_events: scorer.has_precomputed(),
            event_values: Vec::new(),
            first_row: None,
            account: RowAccount::Unknown,
            row: None,
            ladder_fields: ladder_fields(scorer.plan()),
        }
    }

    /// The fields the stage ladder and the tiers read.
    pub fn ladder_fields(&self) -> &[FieldId] {
        &self.ladder_fields
    }

    /// Whether the row given to [`Row::number`] last has its sums kept
    /// from the score-level pass.
    pub fn kept(&self, number: u64) -> bool {
        let row = self.first_row.map(|f| RowAccounts::row_of(f, number));
        let tables = self.scorer.accounts;
        row.zip(tables).is_some_and(|(r, t)| t.sums_of(r).is_some())
    }

    /// The rows that follow are those of the chunk at byte `offset` of
    /// the file (after its header): [`Row::number`] then finds each row's
    /// account by its number, as the first account pass recorded it,
    /// instead of by its key.
    pub fn chunk_at(&mut self, offset: u64) {
        let rows = self.scorer.accounts.and_then(|t| t.rows());
        self.first_row = rows.and_then(|r| r.first_row_at(offset));
    }

    /// The row number (in the file) of row `number` of the chunk given to
    /// [`RowScorer::chunk_at`], if the first account pass had that chunk.
    pub fn row_of(&self, number: u64) -> Option<u64> {
        (self.first_row).map(|first| RowAccounts::row_of(first, number))
    }

    /// The last row's account (known once it is finished).
    pub fn last_account(&self) -> RowAccount {
        self.account
    }

    /// Start a row: the last row's fired rules are forgotten.
    #[inline]
    pub fn begin(&mut self) -> Row<'_, 'p> {
        self.scorer.begin(&mut self.scratch);
        self.account = RowAccount::Unknown;
        self.row = None;
        Row { s: self }
    }

    /// The memo (tests and figures).
    pub fn memo(&self) -> &Memo {
        &self.memo
    }

    /// The last row finished: its values (those the rules, ladders and
    /// passes read; a value read only by predicates the memo decided may
    /// be a previous row's) and what it scored.
    pub fn last(&self) -> (&Lead, &Scratch<'p>) {
        (&self.lead, &self.scratch)
    }
}

impl<'r, 'p> Row<'r, 'p> {
    /// Field `field`'s cell, as text. A cell the memo recalls is not read
    /// again: what its field's predicates and local rules gave is set at
    /// once. On an error the row must not be finished (drop it).
    ///
    /// Always inlined: this is the per-cell loop's body, and a call per
    /// cell cost 4% more instructions on the benchmark.
    #[inline(always)]
    pub fn cell(&mut self, field: FieldId, text: &str) -> Result<(), CellError> {
        let RowScorer {
            fields,
            memo,
            scratch,
            lead,
            spare,
            ..
        } = &mut *self.s;
        // INVARIANT: `field` is a field of the scorer's plan (the binding
        // was built from the same plan).
        let spec = &fields[field];
        if !spec.used && spec.ty == FieldType::Text {
            // Required but read by no rule: any text will do.
            return match text.is_empty() {
                true => Err(CellError::Required),
                false => Ok(()),
            };
        }
        let recalled = match memo.recall(field, text.as_bytes(), scratch) {
            Some(recalled) => Some(recalled),
            // Not looked up: tested as it is, if it can be.
            None => memo.test_cell(field, text, scratch),
        };
        // A value read by nothing but the predicates, whose truths the
        // memo set: the lead's slot is left as it is, as nothing reads it
        // (the most common case, so first).
        if let Some(Recalled::Tested) = recalled {
            return Ok(());
        }
        let (slot, kept) = (lead.values.at_mut(field), &mut spare[field]);
        match recalled {
            Some(Recalled::Value(value)) => {
                if slot.is_none() {
                    *slot = kept.take();
                }
                assign(slot, value);
                Ok(())
            }
            Some(Recalled::Tested) => Ok(()),
            Some(Recalled::Missing) => missing(spec, slot, kept),
            None if is_blank(spec.ty, text) => missing(spec, slot, kept),
            None => read(spec, text, slot, kept),
        }
    }

    /// The row is row `number` (counted from 1) of the chunk given to
    /// [`RowScorer::chunk_at`]: its account is read by index, if known.
    #[inline]
    pub fn number(&mut self, number: u64) {
        let s = &mut *self.s;
        if let (Some(first), Some(tables)) = (s.first_row, s.scorer.accounts) {
            let row = RowAccounts::row_of(first, number);
            s.row = Some(row);
            tables.warm_ahead(row);
            let rows = tables.rows();
            s.account = rows.map_or(RowAccount::Unknown, |r| {
                r.get(RowAccounts::row_of(first, number))
            });
        }
    }

    /// Field `field`'s cell, which could not be read, is read as missing
    /// (`--bad-values missing`). The memo must not remember it: the cell
    /// is noted for every row that has it, not recalled silently.
    pub fn read_as_missing(&mut self, field: FieldId) -> Result<(), CellError> {
        self.s.memo.forget(field);
        self.set(field, None)
    }

    /// Field `field`'s value, read already (a JSON number, boolean or
    /// array; `None` is missing). Not looked up in the memo.
    pub fn value(&mut self, field: FieldId, value: Option<Value>) -> Result<(), CellError> {
        self.s.memo.forget(field);
        self.set(field, value)
    }

    fn set(&mut self, field: FieldId, value: Option<Value>) -> Result<(), CellError> {
        let s = &mut *self.s;
        let (spec, slot, kept) = (
            s.fields.at(field),
            s.lead.values.at_mut(field),
            s.spare.at_mut(field),
        );
        match value {
            None => missing(spec, slot, kept),
            value => {
                *slot = value;
                Ok(())
            }
        }
    }

    /// Score the row whose cells were given: the rules, sums, caps and
    /// ladders. A sum past the largest decimal gives [`Overflow`]: the
    /// row is then rejected, not scored.
    #[inline]
    pub fn finish(self) -> Result<&'r Scratch<'p>, Overflow> {
        let s = self.s;
        if s.has_events {
            s.account = s.scorer.attach(&mut s.lead, &mut s.event_values, s.account);
        }
        s.scorer
            .run_memo(&s.lead, &mut s.scratch, Some(&mut s.memo));
        set_account_outputs(s);
        match s.scratch.overflow {
            Some(overflow) => Err(overflow),
            None => Ok(&s.scratch),
        }
    }
}

impl<'r, 'p> Row<'r, 'p> {
    /// [`Row::finish`] for a row whose score and groups the score-level
    /// account pass kept (see [`RowScorer::kept`]): only the ladder and
    /// the tiers run, over the cells of the fields they read (the only
    /// cells given), the lead's account values and the kept sums. `None`
    /// when the row has none kept (score it in full).
    pub fn finish_kept(self) -> Option<&'r Scratch<'p>> {
        let s = self.s;
        let tables = s.scorer.accounts?;
        let sums = tables.sums_of(s.row?)?;
        if s.has_events {
            s.account = s.scorer.attach(&mut s.lead, &mut s.event_values, s.account);
        }
        let memo = &mut s.memo;
        s.scorer
            .finish_from(&s.lead, &mut s.scratch, sums, &s.ladder_fields, memo);
        set_account_outputs(s);
        Some(&s.scratch)
    }
}

/// The account values are outputs too: copied from the lead's values.
fn set_account_outputs(s: &mut RowScorer) {
    if let Some(account) = &s.scorer.plan().account {
        s.scratch.accounts.clear();
        let values = account.values.iter();
        let of = |field: FieldId| s.lead.values.at(field).clone();
        s.scratch.accounts.extend(values.map(|v| of(v.field)));
    }
}

/// The fields a plan's stage ladder and tiers read.
fn ladder_fields(plan: &crate::plan::Plan) -> Vec<FieldId> {
    let mut fields = Vec::new();
    let ladders = plan
        .stage
        .iter()
        .chain(plan.tiers.iter().map(|t| &t.ladder));
    for (node, _) in ladders.flat_map(|l| &l.steps) {
        node.for_each_field(&mut |f| fields.push(f));
    }
    fields.sort_unstable();
    fields.dedup();
    fields
}

/// A missing value: its buffer kept for later rows.
#[inline]
fn missing(
    spec: &CellSpec,
    slot: &mut Option<Value>,
    kept: &mut Option<Value>,
) -> Result<(), CellError> {
    if slot.is_some() {
        *kept = slot.take();
    }
    match spec.required {
        true => Err(CellError::Required),
        false => Ok(()),
    }
}

/// Read a present cell into `slot`, reusing the memory it (or `kept`)
/// holds.
fn read(
    spec: &CellSpec,
    text: &str,
    slot: &mut Option<Value>,
    kept: &mut Option<Value>,
) -> Result<(), CellError> {
    if slot.is_none() {
        *slot = kept.take();
    }
    if let Err(e) = read_cell_into(slot, spec.ty, text, spec.read) {
        return Err(CellError::Unreadable {
            expected: e.expected,
        });
    }
    match slot.is_none() && spec.required {
        true => Err(CellError::Required),
        false => Ok(()),
    }
}

/// Whether a cell is a missing value: empty text, or blank for the other
/// types (spec section 4).
fn is_blank(ty: FieldType, text: &str) -> bool {
    match ty {
        FieldType::Text => text.is_empty(),
        _ => trim(text).is_empty(),
    }
}
