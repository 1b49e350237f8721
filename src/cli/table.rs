//! Tables for the model-quality commands: aligned columns in a terminal,
//! GitHub-flavoured Markdown in a pull-request comment.

/// A table of text cells; columns of numbers are right-aligned.
pub struct Table {
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(headers: Vec<&'static str>) -> Table {
        Table::with_headers(headers.into_iter().map(str::to_string).collect())
    }

    pub fn with_headers(headers: Vec<String>) -> Table {
        Table {
            headers,
            rows: Vec::new(),
        }
    }

    /// Per column: whether every cell is a number (`12`, `-3`, `13.9%`,
    /// `>= 40`, or `–` for none), so it is right-aligned.
    fn numeric(&self) -> Vec<bool> {
        let number = |cell: &str| {
            let digits = cell.trim_start_matches(['>', '=', ' ', '+', '-']);
            cell == "–" || digits.starts_with(|c: char| c.is_ascii_digit())
        };
        (0..self.headers.len())
            .map(|i| {
                i > 0
                    && self
                        .rows
                        .iter()
                        .all(|row| row.get(i).is_none_or(|cell| number(cell)))
            })
            .collect()
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    /// Aligned columns two spaces apart, indented by two.
    pub fn text(&self) -> String {
        let widths: Vec<usize> = (0..self.headers.len())
            .map(|i| {
                let cells = self.rows.iter().filter_map(|r| r.get(i));
                let header = self.headers.get(i).map_or(0, |h| h.chars().count());
                cells.map(|c| c.chars().count()).fold(header, usize::max)
            })
            .collect();
        let numeric = self.numeric();
        let line = |cells: Vec<&str>| {
            let padded: Vec<String> = cells
                .iter()
                .zip(&widths)
                .zip(&numeric)
                .map(|((cell, &width), &right)| {
                    if right {
                        format!("{cell:>width$}")
                    } else {
                        format!("{cell:<width$}")
                    }
                })
                .collect();
            format!("  {}\n", padded.join("  ").trim_end())
        };
        let mut out = line(self.headers.iter().map(String::as_str).collect());
        for row in &self.rows {
            out.push_str(&line(row.iter().map(String::as_str).collect()));
        }
        out
    }

    /// A Markdown table, every cell and header escaped: see [`md_cell`].
    pub fn markdown(&self) -> String {
        let escape = |cell: &str| md_cell(cell);
        let headers: Vec<String> = self.headers.iter().map(|h| escape(h)).collect();
        let mut out = format!("| {} |\n", headers.join(" | "));
        let rule: Vec<&str> = self
            .numeric()
            .iter()
            .map(|&right| if right { "---:" } else { "---" })
            .collect();
        out.push_str(&format!("| {} |\n", rule.join(" | ")));
        for row in &self.rows {
            let cells: Vec<String> = row.iter().map(|c| escape(c)).collect();
            out.push_str(&format!("| {} |\n", cells.join(" | ")));
        }
        out
    }
}

/// A cell of a Markdown table as text: its pipes escaped (a stage label
/// `S|QL` split the table), `&` and `<` written as entities (a reason or a
/// lead's key holding `<img src=…>` would be HTML in a pull-request
/// comment, and fetch the address), line breaks as spaces (a quoted CSV
/// key may hold one, and it would end the row).
pub fn md_cell(cell: &str) -> String {
    let mut out = String::with_capacity(cell.len());
    for c in cell.chars() {
        match c {
            '|' => out.push_str("\\|"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A share as a percentage with one decimal (`13.9%`), or `–`.
pub fn percent(value: Option<f64>) -> String {
    value.map_or_else(|| "–".to_string(), |v| format!("{:.1}%", v * 100.0))
}

/// A number with `places` decimals, or `–`.
pub fn fixed(value: Option<f64>, places: usize) -> String {
    value.map_or_else(|| "–".to_string(), |v| format!("{v:.places$}"))
}

/// A score as written in a model: whole numbers without decimals.
pub fn score(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{value:.0}")
    } else {
        let text = format!("{value:.4}");
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_align_in_text_and_escape_in_markdown() {
        let mut table = Table::new(vec!["stage", "leads"]);
        table.row(vec!["SQL".into(), "7".into()]);
        table.row(vec!["a|b".into(), "120".into()]);
        assert_eq!(
            table.text(),
            "  stage  leads\n  SQL        7\n  a|b      120\n"
        );
        assert_eq!(
            table.markdown(),
            "| stage | leads |\n| --- | ---: |\n| SQL | 7 |\n| a\\|b | 120 |\n"
        );
        assert_eq!(score(12.5), "12.5");
        assert_eq!(score(-3.0), "-3");
        assert_eq!(percent(Some(0.1389)), "13.9%");
        assert_eq!(fixed(None, 2), "–");
    }

    #[test]
    fn markdown_headers_and_cells_cannot_break_the_table_or_hold_html() {
        let mut table = Table::new(vec!["old \\ new", "S|QL"]);
        table.row(vec!["<img src=x> & co".into(), "line\nbreak".into()]);
        assert_eq!(
            table.markdown(),
            "| old \\ new | S\\|QL |\n| --- | --- |\n| &lt;img src=x> &amp; co | line break |\n"
        );
    }
}
