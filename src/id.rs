//! Typed indices, shared vocabulary of the stages after the syntax tree.
//!
//! Each kind of thing a model has (fields, groups, rules, tiers, events
//! sources, aggregates, the plan's distinct conditions) is numbered by
//! its own id type, and kept in an [`IdVec`] indexed by that type only,
//! so a rule's id cannot index the fields: a wrong index does not
//! compile.
//!
//! The invariant that remains: an id is made by the [`IdVec`] that holds
//! its items (or by the checker and planner, which build the vectors and
//! the ids together), so indexing with it is in range. Indexing with an
//! id from another model is a bug, and panics rather than reading the
//! wrong item; code that takes ids from outside (tests, a given list)
//! uses [`IdVec::get`].

use std::fmt;
use std::marker::PhantomData;
use std::ops::{Index, IndexMut};

/// An index type: a number with a meaning.
pub trait Id: Copy + Eq + Ord + std::hash::Hash + fmt::Debug {
    /// The id of the item at `index`.
    fn from_index(index: usize) -> Self;
    /// The item's position in its vector.
    fn index(self) -> usize;
}

macro_rules! ids {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(usize);

        impl Id for $name {
            #[inline]
            fn from_index(index: usize) -> Self {
                $name(index)
            }
            #[inline]
            fn index(self) -> usize {
                self.0
            }
        }

        /// The bare number, as `tally plan` shows it (`f3`, `c2`).
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        /// The bare number too: the variant around it names the kind
        /// (`Field(3)`), and debug output stays as short as before.
        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    )*};
}

ids! {
    /// A value of the record being evaluated. In the checked model and
    /// in a lead's nodes: a lead value (the declared fields, then, in the
    /// plan, one per aggregate and account value). In an aggregate's
    /// condition and value (plan nodes over one event): a field of the
    /// events source.
    FieldId;
    /// A group.
    GroupId;
    /// A rule, in file order.
    RuleId;
    /// A tier.
    TierId;
    /// An `events` block.
    SourceId;
    /// An aggregate over events (the model's list of them).
    AggregateId;
    /// A field of an events source, in the checked model.
    EventFieldId;
    /// A value of the `account` block.
    AccountValueId;
    /// One of the plan's distinct rule conditions.
    ConditionId;
    /// A field predicate of a scorer (see `eval::predicates`): the
    /// predicates of one field have consecutive ids.
    PredId;
}

/// A vector indexed by one id type.
#[derive(Clone, PartialEq)]
pub struct IdVec<I, T> {
    items: Vec<T>,
    id: PhantomData<fn(I) -> I>,
}

impl<I: Id, T> IdVec<I, T> {
    /// An empty vector.
    pub fn new() -> Self {
        IdVec::from(Vec::new())
    }

    /// Add `item`; its id.
    pub fn push(&mut self, item: T) -> I {
        self.items.push(item);
        I::from_index(self.items.len() - 1)
    }

    /// The item of `id`. Panics only on a bug: an id made for another
    /// vector (see the module's invariant). The `[]` operator does the
    /// same; this is its name where `clippy::indexing_slicing` is denied.
    #[inline]
    pub fn at(&self, id: I) -> &T {
        &self[id]
    }

    /// [`IdVec::at`], mutably.
    #[inline]
    pub fn at_mut(&mut self, id: I) -> &mut T {
        &mut self[id]
    }

    /// The item of `id`, if `id` is in range (for ids from outside).
    pub fn get(&self, id: I) -> Option<&T> {
        self.items.get(id.index())
    }

    /// The item of `id`, mutably, if `id` is in range.
    pub fn get_mut(&mut self, id: I) -> Option<&mut T> {
        self.items.get_mut(id.index())
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The item of the first id, if any.
    pub fn first(&self) -> Option<&T> {
        self.items.first()
    }

    /// The items in id order.
    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.items.iter()
    }

    pub fn iter_mut(&mut self) -> std::slice::IterMut<'_, T> {
        self.items.iter_mut()
    }

    /// The ids, in order.
    pub fn ids(&self) -> impl DoubleEndedIterator<Item = I> + ExactSizeIterator + use<I, T> {
        (0..self.items.len()).map(I::from_index)
    }

    /// Each id with its item.
    pub fn enumerate(&self) -> impl DoubleEndedIterator<Item = (I, &T)> + ExactSizeIterator {
        self.items
            .iter()
            .enumerate()
            .map(|(i, item)| (I::from_index(i), item))
    }

    /// The items as a slice (positions are the ids' indices).
    pub fn as_slice(&self) -> &[T] {
        &self.items
    }

    /// Grow or shrink to `len` items, new ones made by `f`.
    pub fn resize_with(&mut self, len: usize, f: impl FnMut() -> T) {
        self.items.resize_with(len, f);
    }

    /// Grow or shrink to `len` items, new ones copies of `value`.
    pub fn resize(&mut self, len: usize, value: T)
    where
        T: Clone,
    {
        self.items.resize(len, value);
    }

    /// Set every item to a copy of `value`.
    pub fn fill(&mut self, value: T)
    where
        T: Clone,
    {
        self.items.fill(value);
    }

    /// The items of the ids `range` covers (as indices), if in range.
    pub fn get_range(&self, range: std::ops::Range<usize>) -> Option<&[T]> {
        self.items.get(range)
    }

    /// A borrowed view, still indexed by `I`.
    pub fn view(&self) -> IdSlice<'_, I, T> {
        IdSlice::from(self.items.as_slice())
    }

    /// The first id whose item satisfies `test`.
    pub fn position(&self, test: impl FnMut(&T) -> bool) -> Option<I> {
        self.items.iter().position(test).map(I::from_index)
    }

    /// A vector of the same ids, each item mapped.
    pub fn map<'a, U>(&'a self, f: impl FnMut(&'a T) -> U) -> IdVec<I, U> {
        IdVec::from(self.items.iter().map(f).collect::<Vec<U>>())
    }
}

impl<I: Id, T> Default for IdVec<I, T> {
    fn default() -> Self {
        IdVec::new()
    }
}

impl<I, T> From<Vec<T>> for IdVec<I, T> {
    fn from(items: Vec<T>) -> Self {
        IdVec {
            items,
            id: PhantomData,
        }
    }
}

impl<I, T> FromIterator<T> for IdVec<I, T> {
    fn from_iter<It: IntoIterator<Item = T>>(iter: It) -> Self {
        IdVec::from(iter.into_iter().collect::<Vec<T>>())
    }
}

impl<I, T> IntoIterator for IdVec<I, T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl<'a, I, T> IntoIterator for &'a IdVec<I, T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

impl<I: Id, T> Index<I> for IdVec<I, T> {
    type Output = T;
    // The module's invariant: `id` was made with this vector's items.
    #[allow(clippy::indexing_slicing)]
    #[inline]
    fn index(&self, id: I) -> &T {
        &self.items[id.index()]
    }
}

impl<I: Id, T> IndexMut<I> for IdVec<I, T> {
    #[allow(clippy::indexing_slicing)]
    #[inline]
    fn index_mut(&mut self, id: I) -> &mut T {
        &mut self.items[id.index()]
    }
}

impl<I, T: fmt::Debug> fmt::Debug for IdVec<I, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.items.fmt(f)
    }
}

/// A borrowed [`IdVec`]: a slice indexed by one id type.
pub struct IdSlice<'a, I, T> {
    items: &'a [T],
    id: PhantomData<fn(I) -> I>,
}

impl<I, T> Clone for IdSlice<'_, I, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<I, T> Copy for IdSlice<'_, I, T> {}

impl<'a, I, T> From<&'a [T]> for IdSlice<'a, I, T> {
    fn from(items: &'a [T]) -> Self {
        IdSlice {
            items,
            id: PhantomData,
        }
    }
}

impl<'a, I: Id, T> IdSlice<'a, I, T> {
    /// No items (what is not known yet, such as groups before they are
    /// summed).
    pub fn empty() -> Self {
        IdSlice::from(&[][..])
    }

    /// The item of `id`, if in range.
    #[inline]
    pub fn get(self, id: I) -> Option<&'a T> {
        self.items.get(id.index())
    }

    pub fn len(self) -> usize {
        self.items.len()
    }

    pub fn is_empty(self) -> bool {
        self.items.is_empty()
    }

    pub fn iter(self) -> std::slice::Iter<'a, T> {
        self.items.iter()
    }
}

impl<I, T: fmt::Debug> fmt::Debug for IdSlice<'_, I, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.items.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_index_their_own_vector() {
        let mut rules: IdVec<RuleId, &str> = IdVec::new();
        let a = rules.push("a");
        let b = rules.push("b");
        assert_eq!((rules[a], rules[b]), ("a", "b"));
        assert_eq!(rules.ids().collect::<Vec<_>>(), vec![a, b]);
        assert_eq!(rules.position(|r| *r == "b"), Some(b));
        assert_eq!(rules.get(RuleId::from_index(2)), None);
        assert_eq!(format!("{a:?} {b}"), "0 1");
    }
}
