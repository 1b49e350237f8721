//! Stage and tier labels counted on a worker without a string per row.
//!
//! A model has a handful of labels, so a chunk's counts are a short list
//! looked up by comparing text: a row costs a few comparisons, and a label
//! is copied into an owned string once per chunk, when first seen. The
//! calling thread merges the lists into its ordered maps chunk by chunk.

use std::collections::BTreeMap;

/// Labels seen in a chunk, each with an index (`None` is no label).
#[derive(Debug, Default)]
pub struct Names {
    names: Vec<Option<String>>,
}

impl Names {
    /// The label's index, adding it when new.
    #[inline]
    pub fn index(&mut self, label: Option<&str>) -> usize {
        match self.names.iter().position(|n| n.as_deref() == label) {
            Some(i) => i,
            None => {
                self.names.push(label.map(str::to_string));
                self.names.len() - 1
            }
        }
    }

    /// Label `i` (`None`: no label, or an index this list never gave).
    pub fn name(&self, i: usize) -> Option<String> {
        self.names.get(i).cloned().flatten()
    }
}

/// Leads, and leads that converted, per label, for one chunk.
#[derive(Debug, Default)]
pub struct LabelCounts {
    names: Names,
    counts: Vec<(u64, u64)>,
}

impl LabelCounts {
    /// Count one lead with `label`.
    #[inline]
    pub fn add(&mut self, label: Option<&str>, converted: bool) {
        let i = self.names.index(label);
        if self.counts.len() <= i {
            self.counts.resize(i + 1, (0, 0));
        }
        if let Some(slot) = self.counts.get_mut(i) {
            slot.0 += 1;
            slot.1 += u64::from(converted);
        }
    }

    /// Add these counts to `into`.
    pub fn merge_into(self, into: &mut BTreeMap<Option<String>, (u64, u64)>) {
        for (name, (leads, converted)) in self.names.names.into_iter().zip(self.counts) {
            let slot = into.entry(name).or_default();
            slot.0 += leads;
            slot.1 += converted;
        }
    }
}

/// Leads counted by (old label, new label), for one chunk.
#[derive(Debug, Default)]
pub struct PairCounts {
    old: Names,
    new: Names,
    counts: BTreeMap<(usize, usize), u64>,
}

impl PairCounts {
    #[inline]
    pub fn add(&mut self, old: Option<&str>, new: Option<&str>) {
        let key = (self.old.index(old), self.new.index(new));
        *self.counts.entry(key).or_default() += 1;
    }

    /// Each pair of labels with its count.
    pub fn pairs(&self) -> impl Iterator<Item = (Option<String>, Option<String>, u64)> + '_ {
        let names = |&(old, new): &(usize, usize)| (self.old.name(old), self.new.name(new));
        self.counts.iter().map(move |(key, &n)| {
            let (old, new) = names(key);
            (old, new, n)
        })
    }
}

/// Per rule: leads it fired for, and those that converted.
pub fn count_fired(
    slots: &mut Vec<(u64, u64)>,
    points: &[Option<crate::value::Decimal>],
    converted: bool,
) {
    if slots.len() != points.len() {
        slots.resize(points.len(), (0, 0));
    }
    for (slot, fired) in slots.iter_mut().zip(points) {
        if fired.is_some() {
            slot.0 += 1;
            slot.1 += u64::from(converted);
        }
    }
}

/// Add per-rule counts of a chunk to the totals (sized for the model).
pub fn merge_fired(into: &mut [(u64, u64)], part: &[(u64, u64)]) {
    for (total, add) in into.iter_mut().zip(part) {
        total.0 += add.0;
        total.1 += add.1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_counted_by_text_and_merged_by_name() {
        let mut part = LabelCounts::default();
        for (label, converted) in [(Some("hot"), true), (None, false), (Some("hot"), false)] {
            part.add(label, converted);
        }
        let mut total = BTreeMap::new();
        total.insert(Some("hot".to_string()), (1, 1));
        part.merge_into(&mut total);
        let want = [(None, (1, 0)), (Some("hot".to_string()), (3, 2))];
        assert_eq!(total.into_iter().collect::<Vec<_>>(), want);
    }

    #[test]
    fn pairs_keep_both_sides_labels() {
        let mut part = PairCounts::default();
        part.add(Some("a"), None);
        part.add(Some("a"), None);
        part.add(None, Some("a"));
        let pairs: Vec<_> = part.pairs().collect();
        let a = || Some("a".to_string());
        assert_eq!(pairs, [(a(), None, 2), (None, a(), 1)]);
    }
}
