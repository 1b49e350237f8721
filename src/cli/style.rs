//! What the model-quality commands share on the command line: how they
//! print (text, Markdown for a pull request, JSON) and `--input-format`.

use clap::ValueEnum;
use serde::Serialize;

use super::{output, EXIT_FAILURE, EXIT_OK};
use crate::io::Format;

/// How a model-quality command prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Style {
    /// Aligned tables for a terminal.
    Text,
    /// GitHub-flavoured Markdown, for a pull-request comment.
    Markdown,
    /// One JSON document.
    Json,
}

/// `--input-format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InputFormat {
    Csv,
    Ndjson,
}

impl InputFormat {
    pub fn format(self) -> Format {
        match self {
            InputFormat::Csv => Format::Csv,
            InputFormat::Ndjson => Format::Ndjson,
        }
    }
}

/// Print `value` in `style` on standard output: as JSON, or as
/// `render(markdown)` gives it; the exit status.
pub fn print_styled(
    value: &impl Serialize,
    style: Style,
    render: impl FnOnce(bool) -> String,
) -> u8 {
    let text = match style {
        Style::Json => match serde_json::to_string_pretty(value) {
            Ok(json) => json + "\n",
            Err(e) => {
                output::errln(&format!("error: internal error writing JSON: {e}"));
                return EXIT_FAILURE;
            }
        },
        Style::Text => render(false),
        Style::Markdown => render(true),
    };
    output::print(&text, EXIT_OK)
}
