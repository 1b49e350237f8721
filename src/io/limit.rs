//! The longest row a lead file may have (`--max-row-bytes`).
//!
//! A row is held whole in memory while it is read, so without a limit one
//! endless field (a quote never closed, a gzip bomb of one line) would
//! take all the memory there is. A longer row is rejected and its bytes
//! skipped as they are read, so memory stays bounded whatever the input.

use std::fmt;
use std::str::FromStr;

/// The most bytes a CSV record or an NDJSON line may hold, its line end
/// not counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RowLimit(usize);

const KIB: usize = 1 << 10;
const MIB: usize = 1 << 20;
const GIB: usize = 1 << 30;

impl RowLimit {
    /// 16 MiB: far more than any real lead, little enough to hold a few.
    pub const DEFAULT: RowLimit = RowLimit(16 * MIB);

    /// A limit of `bytes` (at least 1).
    pub fn new(bytes: usize) -> RowLimit {
        RowLimit(bytes.max(1))
    }

    /// The limit in bytes.
    pub fn bytes(self) -> usize {
        self.0
    }

    /// Whether a row of `len` bytes is too long.
    #[inline]
    pub fn exceeded_by(self, len: usize) -> bool {
        len > self.0
    }

    /// Why a row too long is rejected.
    pub fn reason(self) -> String {
        format!("the row is longer than {self} (--max-row-bytes raises the limit)")
    }
}

impl Default for RowLimit {
    fn default() -> RowLimit {
        RowLimit::DEFAULT
    }
}

/// `16 MiB`, `1536 KiB`, `100 bytes`: the largest unit that divides it.
impl fmt::Display for RowLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0;
        for (unit, name) in [(GIB, "GiB"), (MIB, "MiB"), (KIB, "KiB")] {
            if n.is_multiple_of(unit) {
                return write!(f, "{} {name}", n / unit);
            }
        }
        let bytes = if n == 1 { "byte" } else { "bytes" };
        write!(f, "{n} {bytes}")
    }
}

/// A whole number of bytes, optionally with a unit: `K`/`KiB`, `M`/`MiB`,
/// `G`/`GiB` (powers of 1024, any case; a space before it is allowed).
impl FromStr for RowLimit {
    type Err = String;

    fn from_str(text: &str) -> Result<RowLimit, String> {
        let text = text.trim();
        let split = text
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len());
        let (digits, unit) = text.split_at(split);
        let unit = match unit.trim().to_ascii_lowercase().as_str() {
            "" | "b" => 1,
            "k" | "kb" | "kib" => KIB,
            "m" | "mb" | "mib" => MIB,
            "g" | "gb" | "gib" => GIB,
            _ => return Err(usage()),
        };
        let n: usize = digits.parse().map_err(|_| usage())?;
        match n.checked_mul(unit) {
            Some(bytes) if bytes > 0 => Ok(RowLimit(bytes)),
            Some(_) => Err("the limit must be at least 1 byte".into()),
            None => Err(format!("{text} is more than this machine can address")),
        }
    }
}

fn usage() -> String {
    "expected a number of bytes, such as `67108864`, `64MiB` or `64M`".into()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn limits_read_plain_bytes_and_binary_units() {
        let read = |t: &str| t.parse::<RowLimit>().map(RowLimit::bytes);
        assert_eq!(read("100"), Ok(100));
        assert_eq!(read("64MiB"), Ok(64 << 20));
        assert_eq!(read("64M"), Ok(64 << 20));
        assert_eq!(read("64 mb"), Ok(64 << 20));
        assert_eq!(read("2k"), Ok(2048));
        assert_eq!(read("1GiB"), Ok(1 << 30));
        assert!(read("0").is_err());
        assert!(read("-5").is_err());
        assert!(read("12 parsecs").is_err());
        assert!(read("MiB").is_err());
        assert!(read("99999999999999999999G").is_err());
    }

    #[test]
    fn limits_are_shown_in_the_largest_unit_that_divides_them() {
        assert_eq!(RowLimit::DEFAULT.to_string(), "16 MiB");
        assert_eq!(RowLimit::new(1536 << 10).to_string(), "1536 KiB");
        assert_eq!(RowLimit::new(100).to_string(), "100 bytes");
        assert_eq!(RowLimit::new(1).to_string(), "1 byte");
        assert_eq!(
            RowLimit::DEFAULT.reason(),
            "the row is longer than 16 MiB (--max-row-bytes raises the limit)"
        );
    }
}
