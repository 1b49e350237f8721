//! The progress bar of `tally score`: on standard error, only when it is a
//! terminal, and only once a run has taken about a second. It shows the
//! share of the file done, rows per second and the time left (from the
//! bytes left at the rate so far); for standard input or a gzipped file,
//! whose size is unknown, the rows so far and their rate.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

/// How long a run goes before the bar appears.
const DELAY: Duration = Duration::from_secs(1);

/// Counts input bytes and draws a bar once the run is slow enough.
pub struct Progress {
    enabled: bool,
    total: Option<u64>,
    start: Instant,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    bytes: u64,
    rows: u64,
    bar: Option<ProgressBar>,
}

impl Progress {
    /// A bar for an input of `total` bytes (unknown for standard input or
    /// gzip); drawn only when standard error is a terminal.
    pub fn new(total: Option<u64>) -> Progress {
        Progress {
            enabled: std::io::stderr().is_terminal(),
            total,
            start: Instant::now(),
            state: Mutex::new(State::default()),
        }
    }

    /// Note that `bytes` more input bytes and `rows` more rows were scored.
    pub fn advance(&self, bytes: u64, rows: u64) {
        if !self.enabled {
            return;
        }
        let Ok(mut state) = self.state.lock() else {
            return;
        };
        state.bytes += bytes;
        state.rows += rows;
        let elapsed = self.start.elapsed();
        if state.bar.is_none() && elapsed >= DELAY {
            state.bar = Some(self.bar());
        }
        if let Some(bar) = &state.bar {
            bar.set_position(state.bytes);
            bar.set_message(rate(state.rows, elapsed));
        }
    }

    fn bar(&self) -> ProgressBar {
        let (bar, template) = match self.total {
            Some(total) => (
                ProgressBar::new(total),
                "scoring {bar:30} {percent}% of {total_bytes}, {msg}, {eta} left",
            ),
            None => (ProgressBar::new_spinner(), "scoring {spinner} {msg}"),
        };
        if let Ok(style) = ProgressStyle::with_template(template) {
            bar.set_style(style);
        }
        bar
    }

    /// Remove the bar before the closing summary is printed.
    pub fn finish(&self) {
        if let Ok(state) = self.state.lock() {
            if let Some(bar) = &state.bar {
                bar.finish_and_clear();
            }
        }
    }
}

/// `1,234,567 rows, 812,000 rows/s`.
fn rate(rows: u64, elapsed: Duration) -> String {
    let per_second = rows as f64 / elapsed.as_secs_f64().max(1e-3);
    format!(
        "{} rows, {} rows/s",
        thousands(rows),
        thousands(per_second.round() as u64)
    )
}

/// A whole number with a comma every three digits.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_written_with_thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(
            rate(2_000_000, Duration::from_millis(2500)),
            "2,000,000 rows, 800,000 rows/s"
        );
    }
}
