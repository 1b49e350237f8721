//! Text as compared, in SQL: what `value::fold_text` computes (trim, NFC,
//! Unicode full case folding, NFC), as closely as each engine allows.
//!
//! ASCII text, nearly every cell, takes a cheap path in every dialect:
//! its byte length equals its character length, and its folding is
//! `lower`. Other text: engines have `lower` (lower case, one character
//! at a time) and, except Snowflake and Spark before 4.4, NFC
//! (`nfc_normalize`, `normalize(x, NFC)`, `NORMALIZE(x, NFC)`). Lower
//! case, then `value::FOLD_AFTER_LOWER` (`ß` → `ss`, `ς` → `σ`,
//! Cherokee, …: one `translate` for the characters that fold to one
//! character, a `replace` each for the others), is full case folding
//! (tests/casefold.rs checks it for every character). `İ` is replaced by
//! `i̇` first: most engines lower it to `i`.
//!
//! Without normalization, text is folded as written: a decomposed `é` is
//! not a precomposed one, nor is a folding that NFC would compose (`Ϊ́`,
//! U+03AA U+0301, folds to `ΐ`, which NFC writes as U+0390): docs/sql.md
//! and the engine tests show both.

use unicode_normalization::UnicodeNormalization;

use super::dialect::Dialect;

use crate::value::FOLD_AFTER_LOWER;

impl Dialect {
    /// The folded form of the text `raw`, trimmed of the characters in
    /// `ws` (an SQL expression): missing stays missing.
    pub fn fold(self, raw: &str, ws: &str) -> String {
        let trimmed = self.trim(raw, ws);
        let unicode = self.nfc(&self.fold_by_lower(&self.nfc(&trimmed)));
        format!(
            "CASE WHEN {} THEN lower({}) ELSE {unicode} END",
            self.is_ascii(raw),
            self.trim_ascii(raw, ws)
        )
    }

    /// True when `text` is ASCII: as many bytes as characters.
    fn is_ascii(self, text: &str) -> String {
        match self {
            // NULL takes the ASCII arm, whose result is NULL too: the other
            // arm is dear even for a NULL (its functions run over every row
            // of the selection), and most `notes` cells are empty.
            Dialect::DuckDb => format!("({text} IS NULL OR strlen({text}) = length({text}))"),
            Dialect::BigQuery => format!("BYTE_LENGTH({text}) = CHAR_LENGTH({text})"),
            Dialect::Snowflake => format!("OCTET_LENGTH({text}) = LENGTH({text})"),
            Dialect::Postgres | Dialect::Spark => {
                format!("octet_length({text}) = char_length({text})")
            }
        }
    }

    /// Unicode normalization form NFC, where the engine has it.
    fn nfc(self, text: &str) -> String {
        match self {
            Dialect::DuckDb => format!("nfc_normalize({text})"),
            Dialect::Postgres => format!("normalize({text}, NFC)"),
            Dialect::BigQuery => format!("NORMALIZE({text}, NFC)"),
            // No normalization function: Snowflake; Spark before 4.4
            // (ICU4J's, which it bundles, can only be called through
            // `java_method`, which is not deterministic, and Spark refuses
            // it in the lateral subqueries the query is made of).
            Dialect::Snowflake | Dialect::Spark => text.to_string(),
        }
    }

    /// Full case folding as `lower` and the fix-ups after it.
    fn fold_by_lower(self, text: &str) -> String {
        let dotted = format!("replace({text}, 'İ', 'i̇')");
        let (from, to): (String, String) = FOLD_AFTER_LOWER
            .iter()
            .filter_map(|(c, f)| one_char(f).map(|f| (*c, f)))
            .unzip();
        let single = format!(
            "translate(lower({dotted}), {}, {})",
            self.text(&from),
            self.text(&to)
        );
        // The rest fold to several characters: a `replace` each (only
        // text with a non-ASCII character comes here). Each in NFC (`ΐ`
        // folds to `ι` and two accents, which compose back to `ΐ`): the
        // same after the closing NFC, and right in Snowflake, which has
        // none. A folding that NFC turns back into its letter needs none.
        let several: Vec<(char, String)> = FOLD_AFTER_LOWER
            .iter()
            .filter(|(_, f)| one_char(f).is_none())
            .map(|(c, f)| (*c, f.nfc().collect::<String>()))
            .filter(|(c, composed)| one_char(composed) != Some(*c))
            .collect();
        let fixed = several.iter().fold(single, |acc, (c, composed)| {
            let c = self.text(&c.to_string());
            format!("replace({acc}, {c}, {})", self.text(composed))
        });
        if self != Dialect::DuckDb {
            return fixed;
        }
        // DuckDB's `translate` with these long strings costs about 37 µs
        // a cell (10 s for 280,000 non-ASCII cells): only text holding
        // one of the characters fixed up takes it (one regex class, tested
        // once); other text is lower-cased, as both steps leave it.
        let lowered = format!("lower({dotted})");
        let class: String = from
            .chars()
            .chain(several.iter().map(|(c, _)| *c))
            .collect();
        let test = self.regex_match(&lowered, &format!("[{class}]"));
        format!("CASE WHEN {test} THEN {fixed} ELSE {lowered} END")
    }
}

/// The character, when `text` is exactly one.
fn one_char(text: &str) -> Option<char> {
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => Some(c),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_text_takes_lower_alone() {
        let sql = Dialect::Postgres.fold("x", "' '");
        assert!(sql.starts_with(
            "CASE WHEN octet_length(x) = char_length(x) THEN lower(btrim(x, ' ')) ELSE normalize("
        ));
    }

    /// The class DuckDB tests before fixing up: only non-ASCII letters,
    /// so nothing in it is special inside `[…]`, and ASCII text never
    /// matches it.
    #[test]
    fn duckdb_fixes_up_only_text_with_a_character_to_fix() {
        let sql = Dialect::DuckDb.fold("x", "ws");
        let start = sql.find("regexp_matches(").unwrap();
        let class = &sql[start..];
        let class = &class[class.find(", '[").unwrap() + 4..class.find("]')").unwrap()];
        assert!(class.chars().count() > 100);
        assert!(class.chars().all(|c| !c.is_ascii()));
        // Every character the `translate` or a `replace` changes; not
        // those whose folding NFC turns back into them (`ΐ`).
        for (c, f) in FOLD_AFTER_LOWER {
            let composed: String = f.nfc().collect();
            let changed = one_char(f).is_some() || composed != c.to_string();
            assert_eq!(class.contains(*c), changed, "{c:?}");
        }
    }

    #[test]
    fn every_fix_up_is_written_but_those_nfc_undoes() {
        for dialect in Dialect::ALL {
            let sql = dialect.fold("x", "' '");
            let translate = sql.find("translate(lower(").unwrap();
            for (c, f) in FOLD_AFTER_LOWER {
                let composed: String = f.nfc().collect();
                let replaced = sql.contains(&format!(", '{c}', '{composed}')"));
                match one_char(f) {
                    // In the `translate`'s strings.
                    Some(_) => assert!(sql[translate..].contains(*c), "{dialect:?}, {c:?}"),
                    None => assert_eq!(replaced, composed != c.to_string(), "{dialect:?}, {c:?}"),
                }
            }
        }
    }
}
