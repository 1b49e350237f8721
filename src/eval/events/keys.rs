//! Lead keys interned into dense ids: the events tables index their
//! columns by a key's id and keep no key text of their own.
//!
//! A key's text is stored once, in one arena string per index, and the
//! hash table holds only 4-byte ids (about 23 bytes a key with the text,
//! against 80 for a map of boxed strings: a boxed string is 16 bytes in
//! the table plus a heap block of at least 32).

use std::hash::BuildHasher;

use hashbrown::HashTable;

/// The number of shards keys are split into by hash: each shard is
/// built under its own lock, so workers rarely wait on each other.
pub const SHARDS: usize = 64;

/// A key's hash: the same for a lead's key and an event's.
pub fn hash_key(key: &str) -> u64 {
    foldhash::fast::FixedState::with_seed(0x7a11_e7e5).hash_one(key)
}

/// The shard of a key's hash. Bits 32 to 37: the hash table takes its
/// bucket from the low bits and its tags from the top 7, which must
/// still vary within a shard.
pub fn shard_of(hash: u64) -> usize {
    ((hash >> 32) as usize) % SHARDS
}

/// Folded keys and their dense ids (0, 1, 2, … in insertion order).
#[derive(Debug, Default, Clone)]
pub(crate) struct KeyIndex {
    table: HashTable<u32>,
    /// Every key's text, one after the other.
    text: String,
    /// Where key `i` ends in `text` (it starts where key `i - 1` ends).
    ends: Vec<usize>,
}

impl KeyIndex {
    /// The number of keys.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    fn key(&self, id: u32) -> &str {
        key_in(&self.text, &self.ends, id)
    }

    /// The id of `key` (whose hash is `hash`), if it has one.
    pub fn get(&self, key: &str, hash: u64) -> Option<u32> {
        self.table.find(hash, |&id| self.key(id) == key).copied()
    }

    /// The id of `key`, given one if it has none yet; `None` when the
    /// index is full (4 billion keys: the ids are 4 bytes).
    pub fn intern(&mut self, key: &str, hash: u64) -> Option<u32> {
        if let Some(id) = self.get(key, hash) {
            return Some(id);
        }
        let id = u32::try_from(self.ends.len()).ok()?;
        self.text.push_str(key);
        self.ends.push(self.text.len());
        let (text, ends) = (&self.text, &self.ends);
        let hasher = |&id: &u32| hash_key(key_in(text, ends, id));
        self.table.insert_unique(hash, id, hasher);
        Some(id)
    }

    /// Give back the room reserved for growth (the index is complete).
    pub fn shrink(&mut self) {
        let (text, ends) = (&self.text, &self.ends);
        self.table
            .shrink_to_fit(|&id| hash_key(key_in(text, ends, id)));
        self.text.shrink_to_fit();
        self.ends.shrink_to_fit();
    }

    /// Bytes held (the summary of `--verbose` runs and the tests).
    pub fn heap_bytes(&self) -> usize {
        self.table.capacity() * 5 + self.text.capacity() + self.ends.capacity() * 8
    }
}

fn key_in<'a>(text: &'a str, ends: &[usize], id: u32) -> &'a str {
    let i = id as usize;
    let start = if i == 0 {
        0
    } else {
        ends.get(i - 1).copied().unwrap_or(0)
    };
    let end = ends.get(i).copied().unwrap_or(start);
    text.get(start..end).unwrap_or_default()
}

/// The join keys of a lead file's rows, folded as `==` compares them,
/// split into [`SHARDS`] indexes by hash.
#[derive(Debug, Clone)]
pub struct KeySet {
    pub(super) shards: Vec<KeyIndex>,
}

impl Default for KeySet {
    fn default() -> KeySet {
        KeySet {
            shards: vec![KeyIndex::default(); SHARDS],
        }
    }
}

impl KeySet {
    /// Add a folded key.
    pub fn insert(&mut self, key: &str) {
        let hash = hash_key(key);
        if let Some(shard) = self.shards.get_mut(shard_of(hash)) {
            shard.intern(key, hash);
        }
    }

    pub fn contains(&self, key: &str) -> bool {
        let hash = hash_key(key);
        self.shards
            .get(shard_of(hash))
            .is_some_and(|s| s.get(key, hash).is_some())
    }

    /// The number of keys.
    pub fn len(&self) -> usize {
        self.shards.iter().map(KeyIndex::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Give back the room reserved for growth.
    pub fn shrink(&mut self) {
        self.shards.iter_mut().for_each(KeyIndex::shrink);
    }
}

impl<'a> Extend<&'a str> for KeySet {
    fn extend<I: IntoIterator<Item = &'a str>>(&mut self, keys: I) {
        keys.into_iter().for_each(|k| self.insert(k));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_dense_and_stable() {
        let mut index = KeyIndex::default();
        let keys = ["l1", "l2", "", "l1", "lead 42", "l2"];
        let ids: Vec<_> = keys.iter().map(|k| index.intern(k, hash_key(k))).collect();
        assert_eq!(ids, [Some(0), Some(1), Some(2), Some(0), Some(3), Some(1)]);
        assert_eq!(index.len(), 4);
        index.shrink();
        assert_eq!(index.get("lead 42", hash_key("lead 42")), Some(3));
        assert_eq!(index.get("l3", hash_key("l3")), None);
        assert_eq!(index.key(3), "lead 42");
    }

    #[test]
    fn a_key_set_finds_what_it_was_given() {
        let mut set = KeySet::default();
        let keys: Vec<String> = (0..10_000).map(|i| format!("l{i:08}")).collect();
        set.extend(keys.iter().map(String::as_str));
        set.insert("l00000001");
        set.shrink();
        assert_eq!(set.len(), 10_000);
        assert!(keys.iter().all(|k| set.contains(k)));
        assert!(!set.contains("l10000000"));
        // The hash spreads keys over every shard.
        assert!(set.shards.iter().all(|s| s.len() > 100));
    }
}
