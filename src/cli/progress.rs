//! The progress bar of `tally score`: on standard error, only when it is a
//! terminal, and only once a run has taken about a second.

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
    state: Mutex<(u64, Option<ProgressBar>)>,
}

impl Progress {
    /// A bar for an input of `total` bytes (unknown for standard input or
    /// gzip); drawn only when standard error is a terminal.
    pub fn new(total: Option<u64>) -> Progress {
        Progress {
            enabled: std::io::stderr().is_terminal(),
            total,
            start: Instant::now(),
            state: Mutex::new((0, None)),
        }
    }

    /// Note that `bytes` more input bytes were scored.
    pub fn advance(&self, bytes: u64) {
        if !self.enabled {
            return;
        }
        let Ok(mut state) = self.state.lock() else {
            return;
        };
        state.0 += bytes;
        let done = state.0;
        if state.1.is_none() && self.start.elapsed() >= DELAY {
            state.1 = Some(self.bar());
        }
        if let Some(bar) = &state.1 {
            bar.set_position(done);
        }
    }

    fn bar(&self) -> ProgressBar {
        let (bar, template) = match self.total {
            Some(total) => (
                ProgressBar::new(total),
                "scoring {bar:30} {percent}% of {total_bytes}",
            ),
            None => (ProgressBar::new_spinner(), "scoring {spinner} {bytes} read"),
        };
        if let Ok(style) = ProgressStyle::with_template(template) {
            bar.set_style(style);
        }
        bar
    }

    /// Remove the bar before the closing summary is printed.
    pub fn finish(&self) {
        if let Ok(state) = self.state.lock() {
            if let Some(bar) = &state.1 {
                bar.finish_and_clear();
            }
        }
    }
}
