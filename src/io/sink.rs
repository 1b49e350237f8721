//! Where output goes: standard output, standard error, or a file written
//! atomically (a temporary file beside it, renamed over it at the end).

use std::fs::File;
use std::io::{self, BufWriter, Stderr, Stdout, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, SyncSender};
use std::thread::JoinHandle;

use flate2::write::GzEncoder;
use flate2::Compression;
use tempfile::TempPath;

/// Buffer size for writing.
const BUFFER: usize = 64 * 1024;

/// Bytes written to a file between two background flushes to disk (the
/// final flush, which nothing overlaps, has at most this much to write:
/// with 32 MB it took 14 to 64 ms on the benchmark's machine).
const SYNC_EVERY: u64 = 8 << 20;

/// An output stream. Dropping a file sink without [`Sink::finish`]
/// removes its temporary file and leaves the target untouched.
pub struct Sink {
    stream: Stream,
    commit: Option<Commit>,
    syncer: Option<Box<Syncer>>,
}

/// Flushes a file's data to disk in the background every [`SYNC_EVERY`]
/// bytes while the rest is being written. [`Sink::finish`] must flush the
/// file before renaming it (or a crash could leave a renamed, empty
/// target), and flushing 145 MB at the end took 57 ms of wall time, a
/// tenth of scoring a million leads on two cores; flushed as it goes, the
/// last flush has little left to do, and the waits overlap the scoring.
struct Syncer {
    requests: Option<SyncSender<()>>,
    /// The thread's first error, reported by `finish` (a flush error is
    /// reported once: the final flush might not see it again).
    thread: Option<JoinHandle<io::Result<()>>>,
    unsynced: u64,
}

impl Syncer {
    fn new(file: &File) -> io::Result<Syncer> {
        let file = file.try_clone()?;
        // One request waiting at most: a flush asked for while one runs
        // is covered by the one after.
        let (requests, pending) = sync_channel::<()>(1);
        let thread = std::thread::Builder::new()
            .name("tally-sync".into())
            .spawn(move || {
                for () in pending {
                    file.sync_data()?;
                }
                Ok(())
            })?;
        Ok(Syncer {
            requests: Some(requests),
            thread: Some(thread),
            unsynced: 0,
        })
    }

    /// `written` more bytes went to the file.
    fn wrote(&mut self, written: usize) {
        self.unsynced += written as u64;
        if self.unsynced >= SYNC_EVERY {
            self.unsynced = 0;
            if let Some(requests) = &self.requests {
                let _ = requests.try_send(());
            }
        }
    }

    /// Wait for the flush under way, if any; its error, if it failed.
    fn finish(mut self) -> io::Result<()> {
        drop(self.requests.take());
        match self.thread.take().map(JoinHandle::join) {
            Some(Ok(result)) => result,
            Some(Err(_)) => Err(io::Error::other("the thread flushing the output failed")),
            None => Ok(()),
        }
    }
}

enum Stream {
    Stdout(BufWriter<Stdout>),
    Stderr(Stderr),
    File(BufWriter<File>),
    Gzip(GzEncoder<BufWriter<File>>),
}

/// The temporary file and the path it becomes.
struct Commit {
    temp: TempPath,
    target: PathBuf,
}

impl Sink {
    /// Standard output, buffered.
    pub fn stdout() -> Sink {
        let stream = Stream::Stdout(BufWriter::with_capacity(BUFFER, io::stdout()));
        Sink {
            stream,
            commit: None,
            syncer: None,
        }
    }

    /// Standard error, unbuffered.
    pub fn stderr() -> Sink {
        Sink {
            stream: Stream::Stderr(io::stderr()),
            commit: None,
            syncer: None,
        }
    }

    /// A temporary file in `target`'s directory that [`Sink::finish`]
    /// renames to `target`; gzip-compressed when `gzip`.
    pub fn file(target: &Path, gzip: bool) -> io::Result<Sink> {
        let dir = match target.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        let (file, temp) = temp_builder().tempfile_in(dir)?.into_parts();
        let syncer = Some(Box::new(Syncer::new(&file)?));
        let buffered = BufWriter::with_capacity(BUFFER, file);
        let stream = if gzip {
            Stream::Gzip(GzEncoder::new(buffered, Compression::default()))
        } else {
            Stream::File(buffered)
        };
        let commit = Some(Commit {
            temp,
            target: target.to_path_buf(),
        });
        Ok(Sink {
            stream,
            commit,
            syncer,
        })
    }

    /// Flush everything and, for a file, rename it over its target.
    pub fn finish(self) -> io::Result<()> {
        let file = match self.stream {
            Stream::Stdout(mut out) => return out.flush(),
            Stream::Stderr(mut out) => return out.flush(),
            Stream::File(out) => out.into_inner().map_err(|e| e.into_error())?,
            Stream::Gzip(out) => out.finish()?.into_inner().map_err(|e| e.into_error())?,
        };
        if let Some(syncer) = self.syncer {
            syncer.finish()?;
        }
        file.sync_all()?;
        drop(file);
        match self.commit {
            Some(commit) => commit.temp.persist(&commit.target).map_err(|e| e.error),
            None => Ok(()),
        }
    }
}

/// Temporary files named `.tally-XXXXXX.tmp`, created with the usual
/// permissions of a new file (0666 less the umask) rather than 0600.
fn temp_builder() -> tempfile::Builder<'static, 'static> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(".tally-").suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    builder
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let written = match &mut self.stream {
            Stream::Stdout(out) => out.write(buf),
            Stream::Stderr(out) => out.write(buf),
            Stream::File(out) => out.write(buf),
            Stream::Gzip(out) => out.write(buf),
        }?;
        if let Some(syncer) = &mut self.syncer {
            syncer.wrote(written);
        }
        Ok(written)
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        if let Some(syncer) = &mut self.syncer {
            syncer.wrote(buf.len());
        }
        match &mut self.stream {
            Stream::Stdout(out) => out.write_all(buf),
            Stream::Stderr(out) => out.write_all(buf),
            Stream::File(out) => out.write_all(buf),
            Stream::Gzip(out) => out.write_all(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.stream {
            Stream::Stdout(out) => out.flush(),
            Stream::Stderr(out) => out.flush(),
            Stream::File(out) => out.flush(),
            Stream::Gzip(out) => out.flush(),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn a_file_flushed_in_the_background_as_it_is_written_is_whole_at_the_end() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.csv");
        std::fs::write(&target, b"the previous output").unwrap();
        let mut sink = Sink::file(&target, false).unwrap();
        let block: Vec<u8> = (0..1 << 20).map(|i| (i % 251) as u8).collect();
        // Past three background flushes.
        let blocks = 3 * (SYNC_EVERY >> 20) + 1;
        for _ in 0..blocks {
            sink.write_all(&block).unwrap();
        }
        sink.write_all(b"end").unwrap();
        assert_eq!(
            std::fs::read(&target).unwrap(),
            b"the previous output",
            "the target is replaced only at the end"
        );
        sink.finish().unwrap();
        let written = std::fs::read(&target).unwrap();
        assert_eq!(written.len() as u64, blocks * (1 << 20) + 3);
        assert!(written
            .chunks(1 << 20)
            .take(blocks as usize)
            .all(|c| c == block));
        assert!(written.ends_with(b"end"));
    }
}
