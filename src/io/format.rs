//! Lead-file formats, and what a file name says about them.

/// The two lead-file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// RFC 4180 CSV with a header row.
    Csv,
    /// One JSON object per line.
    Ndjson,
}

/// What a file name says: its format, if the name tells, and whether it
/// is gzip-compressed (`.gz` last).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NameHint {
    pub format: Option<Format>,
    pub gzip: bool,
}

impl NameHint {
    /// Read the hint from a path: `.csv`, `.ndjson` or `.jsonl`, any
    /// case, optionally followed by `.gz`. `-` (standard input or output)
    /// says nothing.
    pub fn of(path: &str) -> NameHint {
        let lower = path.to_ascii_lowercase();
        let (stem, gzip) = match lower.strip_suffix(".gz") {
            Some(stem) => (stem, true),
            None => (lower.as_str(), false),
        };
        let format = if stem.ends_with(".csv") {
            Some(Format::Csv)
        } else if stem.ends_with(".ndjson") || stem.ends_with(".jsonl") {
            Some(Format::Ndjson)
        } else {
            None
        };
        NameHint { format, gzip }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_tell_format_and_compression() {
        let hint = |p| NameHint::of(p);
        assert_eq!(hint("a.csv").format, Some(Format::Csv));
        assert_eq!(hint("a.JSONL").format, Some(Format::Ndjson));
        assert_eq!(
            hint("dir.csv/a.ndjson.gz"),
            NameHint {
                format: Some(Format::Ndjson),
                gzip: true
            }
        );
        assert_eq!(hint("a.gz").format, None);
        assert_eq!(hint("-").format, None);
        assert!(!hint("a.csv").gzip);
    }
}
