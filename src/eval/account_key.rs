//! An account's folded key as the account tables hold it: inline when
//! short (nearly every company name), so that finding an account among
//! hundreds of thousands reads the table's own memory, not a separate
//! allocation per key (a cache miss per lookup was a seventh of the
//! accounts benchmark's time).

use std::borrow::Borrow;
use std::hash::{Hash, Hasher};

/// Longest key held inline, in bytes: the enum is then 24 bytes, a
/// `Box<str>` and its tag would be 24 too.
const INLINE: usize = 22;

/// A folded account key: its bytes, inline or boxed. Hashed and compared
/// as its bytes, so a table of keys is looked up with a `&[u8]`.
#[derive(Clone)]
pub(super) enum Key {
    Inline { len: u8, bytes: [u8; INLINE] },
    Heap(Box<[u8]>),
}

impl Key {
    pub(super) fn new(key: &[u8]) -> Key {
        let mut bytes = [0; INLINE];
        match (bytes.get_mut(..key.len()), u8::try_from(key.len())) {
            (Some(prefix), Ok(len)) => {
                prefix.copy_from_slice(key);
                Key::Inline { len, bytes }
            }
            _ => Key::Heap(key.into()),
        }
    }

    pub(super) fn bytes(&self) -> &[u8] {
        match self {
            Key::Inline { len, bytes } => bytes.get(..usize::from(*len)).unwrap_or_default(),
            Key::Heap(bytes) => bytes,
        }
    }
}

impl Borrow<[u8]> for Key {
    fn borrow(&self) -> &[u8] {
        self.bytes()
    }
}

// Hash and equality are the bytes', as `Borrow` requires.
impl Hash for Key {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.bytes().hash(state);
    }
}

impl PartialEq for Key {
    fn eq(&self, other: &Key) -> bool {
        self.bytes() == other.bytes()
    }
}

impl Eq for Key {}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", String::from_utf8_lossy(self.bytes()))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn short_and_long_keys_are_found_by_their_bytes() {
        let long = "a company name longer than twenty-two bytes";
        let mut map: HashMap<Key, usize, foldhash::fast::RandomState> = HashMap::default();
        for (i, key) in [
            "",
            "acme",
            "exactly twenty-two by",
            "exactly twenty-two byt",
            long,
        ]
        .iter()
        .enumerate()
        {
            map.insert(Key::new(key.as_bytes()), i);
        }
        assert!(matches!(
            Key::new(b"exactly twenty-two byt"),
            Key::Inline { len: 22, .. }
        ));
        assert!(matches!(Key::new(b"exactly twenty-two byte"), Key::Heap(_)));
        assert_eq!(map.get(b"acme".as_slice()), Some(&1));
        assert_eq!(map.get(b"exactly twenty-two byt".as_slice()), Some(&3));
        assert_eq!(map.get(long.as_bytes()), Some(&4));
        assert_eq!(map.get(b"".as_slice()), Some(&0));
        assert_eq!(map.get(b"acm".as_slice()), None);
        assert_eq!(Key::new(long.as_bytes()).bytes(), long.as_bytes());
    }
}
