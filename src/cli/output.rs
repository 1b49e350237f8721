//! Writing to standard output and standard error like a Unix tool.
//!
//! `print!` and `eprintln!` panic when a write fails, which a user meets
//! as exit 101 with a Rust message: `tally plan m.tally | head -1` closes
//! the pipe early, `> /dev/full` fills the device. Every command writes
//! through here instead. A closed pipe means the reader wants no more:
//! the command stops writing quietly and keeps the exit status it would
//! have had. Any other failed write means the output is incomplete: that
//! is said on standard error, with exit status 2.

use std::io::{ErrorKind, Write};

use super::{io_reason, EXIT_FAILURE};

/// Why text did not reach standard output.
#[derive(Debug)]
enum Lost {
    /// The reader closed the pipe: nothing more is wanted.
    Closed,
    /// The write failed (a full device, an I/O error): output is missing.
    Failed(std::io::Error),
}

/// Write `text` to standard output and flush it.
fn out(text: &str) -> Result<(), Lost> {
    let mut stdout = std::io::stdout().lock();
    let written = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush());
    written.map_err(|error| match error.kind() {
        ErrorKind::BrokenPipe => Lost::Closed,
        _ => Lost::Failed(error),
    })
}

/// Write `text` to standard error; a failure there cannot be reported
/// anywhere, so it is ignored rather than allowed to panic.
pub(crate) fn err(text: &str) {
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

/// `err` with a line end.
pub(crate) fn errln(text: &str) {
    err(&format!("{text}\n"));
}

/// The exit status after writing: `status` unless the write failed, then
/// a message and 2. A closed pipe keeps `status`.
fn finish(written: Result<(), Lost>, status: u8) -> u8 {
    match written {
        Ok(()) | Err(Lost::Closed) => status,
        Err(Lost::Failed(error)) => {
            errln(&format!(
                "error: cannot write standard output: {}; the output is incomplete",
                io_reason(&error)
            ));
            EXIT_FAILURE
        }
    }
}

/// Write `text` to standard output; the exit status as `finish` gives it.
pub(crate) fn print(text: &str, status: u8) -> u8 {
    finish(out(text), status)
}
