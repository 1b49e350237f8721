//! Opening a lead file or standard input as a buffered byte stream,
//! decompressing gzip on the way.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::sync::{Arc, OnceLock};

use flate2::bufread::MultiGzDecoder;

use super::format::NameHint;

/// Buffer size for reading lead files.
const BUFFER: usize = 64 * 1024;

/// Open `path` (`-` is standard input). The stream is decompressed when
/// the name ends in `.gz` or the bytes start with gzip's magic number, so
/// gzipped standard input works too. Concatenated gzip members are read
/// as one stream.
pub fn open(path: &str) -> io::Result<Box<dyn BufRead + Send>> {
    let mut raw: Box<dyn BufRead + Send> = if path == "-" {
        match KEPT.get() {
            Some(file) => Box::new(BufReader::with_capacity(BUFFER, Replay::of(file))),
            None => Box::new(BufReader::with_capacity(BUFFER, io::stdin())),
        }
    } else {
        Box::new(BufReader::with_capacity(BUFFER, File::open(path)?))
    };
    let magic = raw.fill_buf()?.starts_with(&[0x1f, 0x8b]);
    if NameHint::of(path).gzip || magic {
        let decoder = MultiGzDecoder::new(raw);
        Ok(Box::new(BufReader::with_capacity(BUFFER, decoder)))
    } else {
        Ok(raw)
    }
}

/// Standard input, kept by [`keep_stdin`].
static KEPT: OnceLock<Arc<File>> = OnceLock::new();

/// Copy standard input into an unnamed temporary file, so that every
/// later [`open`] of `-` reads it again from its start: for a command
/// that reads the leads more than once (account values need passes over
/// them before they are scored). The system removes the file when the
/// process ends, however it ends. Calling it again does nothing.
pub fn keep_stdin() -> Result<(), KeepError> {
    if KEPT.get().is_some() {
        return Ok(());
    }
    let mut file = tempfile::tempfile().map_err(KeepError::Temporary)?;
    io::copy(&mut io::stdin().lock(), &mut file).map_err(KeepError::Copy)?;
    // Only the first call gets here with stdin unread; a lost race would
    // have found it empty, so its file is rightly dropped.
    let _ = KEPT.set(Arc::new(file));
    Ok(())
}

/// Why standard input could not be kept.
#[derive(Debug)]
pub enum KeepError {
    /// No temporary file could be made (`TMPDIR` unwritable or full).
    Temporary(io::Error),
    /// Reading standard input, or writing it to the file, failed.
    Copy(io::Error),
}

/// Whether standard input was kept: whether `-` can be read again.
pub fn stdin_kept() -> bool {
    KEPT.get().is_some()
}

/// A reader of the kept file with its own position: readers opened one
/// after another (or at once) never move each other's place.
struct Replay {
    file: Arc<File>,
    offset: u64,
}

impl Replay {
    fn of(file: &Arc<File>) -> Replay {
        Replay {
            file: Arc::clone(file),
            offset: 0,
        }
    }
}

impl Read for Replay {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let read = read_at(&self.file, buf, self.offset)?;
        self.offset += read as u64;
        Ok(read)
    }
}

#[cfg(unix)]
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(file, buf, offset)
}

#[cfg(windows)]
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    std::os::windows::fs::FileExt::seek_read(file, buf, offset)
}
