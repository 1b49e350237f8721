//! Accounts (language section 12): per-account values, built in passes
//! over the leads before they are scored.
//!
//! A pass adds each readable lead to its account's states (the account
//! key folded as `==` compares; a lead without one is in no account).
//! The input-level values take one pass over the leads as read (with
//! their aggregates over events); the score-level ones take one more, in
//! which each lead is scored first. States are the events' (counts,
//! exact sums, extremes, distinct sets), so per-worker tables merge into
//! the same table whatever the threads.

use std::collections::HashMap;

use foldhash::fast::RandomState;

use super::account_key::Key;
use super::account_rows::{RowAccount, MAX_ACCOUNTS};
use super::events::{event_env, key_into, AggregateOverflow, State};
use super::expr::{self, Env, Folded};
use super::Lead;
use crate::id::{FieldId, IdSlice, IdVec};
use crate::plan::AccountSpec;
use crate::value::{Date, Decimal};

/// A map by account key. foldhash, not FxHash: the keys are the lead
/// file's cells, so the hash is seeded per process (a crafted file must
/// not turn lookups into long probes), as the memo's is. (It was no
/// faster or slower on the accounts benchmark: a lookup there costs its
/// cache misses, not its hashing.)
pub(super) type ByKey<V> = HashMap<Key, V, RandomState>;

/// The states of one level's account values, per account. A pass that
/// finds accounts by key (the first) numbers them as it meets them; a
/// later pass, told each row's account (see [`RowAccounts`]), keeps them
/// at the settled tables' indices and has no keys.
#[derive(Debug, Default)]
pub struct AccountTable {
    /// Key to index in `accounts` (empty in a table kept by index).
    pub(super) by_key: ByKey<u32>,
    /// By index; `None`: an account this table has no lead of.
    pub(super) accounts: Vec<Option<Account>>,
    /// Reused per lead.
    key: String,
    folded: IdVec<FieldId, Folded>,
    /// The fields the values of the table's level read (their text is
    /// folded per lead; a lead's other text, notes and the like, is not):
    /// found at the first lead.
    read: Option<Vec<FieldId>>,
}

/// One account's leads and states: one entry, so adding a lead costs one
/// lookup.
#[derive(Debug)]
pub(super) struct Account {
    pub(super) leads: u64,
    pub(super) states: Box<[State]>,
}

impl Account {
    fn new(spec: &AccountSpec) -> Account {
        Account {
            leads: 0,
            states: spec.values.iter().map(State::new).collect(),
        }
    }

    fn merge(&mut self, spec: &AccountSpec, theirs: Account) -> Result<(), AggregateOverflow> {
        self.leads += theirs.leads;
        let pairs = self.states.iter_mut().zip(theirs.states.into_vec());
        for ((a, b), value) in pairs.zip(&spec.values) {
            a.merge(b, value.kind)?;
        }
        Ok(())
    }
}

/// The groups and score of a lead, for a score-level pass.
#[derive(Debug, Clone, Copy, Default)]
pub struct Scored<'a> {
    pub groups: &'a [Decimal],
    pub score: Option<Decimal>,
}

/// What a pass adds a lead with: the values of level `score_level` (the
/// others are left alone); `scored` gives its groups and score in a
/// score-level pass.
#[derive(Debug, Clone, Copy)]
pub struct Adding<'a> {
    pub score_level: bool,
    pub scored: Scored<'a>,
    pub today: Date,
}

impl AccountTable {
    /// Add one lead to its account, found by its key: the values of level
    /// `score_level` (the others are left alone). `scored` gives its
    /// groups and score in a score-level pass. Gives the account's index
    /// in this table.
    pub fn add(
        &mut self,
        spec: &AccountSpec,
        score_level: bool,
        lead: &Lead,
        scored: Scored,
        today: Date,
    ) -> Result<RowAccount, AggregateOverflow> {
        if !key_into(&mut self.key, lead.values.at(spec.by).as_ref()) {
            return Ok(RowAccount::None);
        }
        let index = match self.by_key.get(self.key.as_bytes()) {
            Some(index) => *index,
            None => {
                let Ok(index) = u32::try_from(self.accounts.len()) else {
                    return Ok(RowAccount::Unknown);
                };
                if index >= MAX_ACCOUNTS {
                    return Ok(RowAccount::Unknown);
                }
                self.by_key.insert(Key::new(self.key.as_bytes()), index);
                self.accounts.push(Some(Account::new(spec)));
                index
            }
        };
        let adding = Adding {
            score_level,
            scored,
            today,
        };
        self.add_at(spec, index, lead, adding)?;
        Ok(RowAccount::In(index))
    }

    /// Add one lead to the account with index `index` (a table kept by
    /// index: the settled tables' indices).
    pub fn add_at(
        &mut self,
        spec: &AccountSpec,
        index: u32,
        lead: &Lead,
        adding: Adding,
    ) -> Result<(), AggregateOverflow> {
        let i = usize::try_from(index).unwrap_or(usize::MAX);
        if self.accounts.len() <= i {
            self.accounts.resize_with(i + 1, || None);
        }
        let Some(slot) = self.accounts.get_mut(i) else {
            return Ok(());
        };
        let account = slot.get_or_insert_with(|| Account::new(spec));
        account.leads += 1;
        let states = &mut account.states;
        self.folded.resize_with(lead.values.len(), Folded::default);
        let read = (self.read).get_or_insert_with(|| fields_read(spec, adding.score_level));
        for &field in read.iter() {
            self.folded
                .at_mut(field)
                .refill(lead.values.at(field).as_ref());
        }
        let mut env: Env = event_env(lead, &self.folded, adding.today);
        env.groups = IdSlice::from(adding.scored.groups);
        env.score = adding.scored.score;
        let levels = spec.score_level.iter();
        for ((value, state), level) in spec.values.iter().zip(states.iter_mut()).zip(levels) {
            // The other level's values are another pass's: not evaluated.
            if *level != adding.score_level {
                continue;
            }
            let counted = value
                .condition
                .as_ref()
                .is_none_or(|c| expr::truth(c, &env) == Some(true));
            if counted {
                state.add(value, adding.today, &env)?;
            }
        }
        Ok(())
    }

    /// Fold another table of the same account block and pass into this
    /// one. Gives, for a table kept by key, where each of its accounts is
    /// now (`map[i]` for its account `i`); a table kept by index merges
    /// account by account.
    pub fn merge(
        &mut self,
        spec: &AccountSpec,
        other: AccountTable,
    ) -> Result<Vec<u32>, AggregateOverflow> {
        let mut theirs = other.accounts;
        if other.by_key.is_empty() {
            if self.accounts.len() < theirs.len() {
                self.accounts.resize_with(theirs.len(), || None);
            }
            for (ours, theirs) in self.accounts.iter_mut().zip(theirs) {
                match (ours.as_mut(), theirs) {
                    (Some(ours), Some(theirs)) => ours.merge(spec, theirs)?,
                    (None, theirs) => *ours = theirs,
                    (Some(_), None) => {}
                }
            }
            return Ok(Vec::new());
        }
        let mut map = vec![MAX_ACCOUNTS; theirs.len()];
        for (key, index) in other.by_key {
            let i = usize::try_from(index).unwrap_or(usize::MAX);
            let Some(account) = theirs.get_mut(i).and_then(Option::take) else {
                continue;
            };
            let ours = match self.by_key.get(&key) {
                Some(ours) => *ours,
                None => {
                    let Ok(ours) = u32::try_from(self.accounts.len()) else {
                        continue;
                    };
                    self.by_key.insert(key, ours);
                    self.accounts.push(None);
                    ours
                }
            };
            let slot = usize::try_from(ours)
                .ok()
                .and_then(|o| self.accounts.get_mut(o));
            match slot {
                Some(Some(existing)) => existing.merge(spec, account)?,
                Some(slot) => *slot = Some(account),
                None => {}
            }
            if let Some(m) = map.get_mut(i) {
                *m = ours;
            }
        }
        Ok(map)
    }

    /// The number of accounts.
    pub fn len(&self) -> usize {
        self.accounts.iter().filter(|a| a.is_some()).count()
    }

    /// Whether no lead had an account.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The account with folded key `key`, if this table has leads of it.
    pub(super) fn by_key(&self, key: &[u8]) -> Option<&Account> {
        let index = usize::try_from(*self.by_key.get(key)?).ok()?;
        self.accounts.get(index)?.as_ref()
    }
}

/// The fields an account block's values of one level read.
fn fields_read(spec: &AccountSpec, score_level: bool) -> Vec<FieldId> {
    let mut fields = Vec::new();
    let levels = spec.values.iter().zip(&spec.score_level);
    for (value, _) in levels.filter(|(_, level)| **level == score_level) {
        for node in value.condition.iter().chain(&value.value) {
            node.for_each_field(&mut |f| fields.push(f));
        }
    }
    fields.sort_unstable();
    fields.dedup();
    fields
}
