//! Where output goes: standard output, standard error, a file written
//! in place (a device, a FIFO), or a file written atomically (a
//! temporary file beside it, renamed over it at the end).

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Stderr, Stdout, Write};
use std::path::{Path, PathBuf};

use flate2::write::GzEncoder;
use flate2::Compression;

use super::partial::{self, Partial};
use super::sync::Syncer;
use super::target::{directory_of, Target};

/// Buffer size for writing.
const BUFFER: usize = 64 * 1024;

/// An output stream. Dropping a file sink before [`Finished::commit`]
/// removes its temporary file and leaves the target untouched.
pub struct Sink {
    stream: Stream,
    commit: Option<Commit>,
    syncer: Option<Box<Syncer>>,
}

/// Where bytes go, before compression.
enum Plain {
    Stdout(BufWriter<Stdout>),
    Stderr(Stderr),
    File(BufWriter<File>),
}

enum Stream {
    Plain(Plain),
    Gzip(Box<GzEncoder<Plain>>),
}

/// The temporary file and the path it becomes.
struct Commit {
    partial: Partial,
    target: PathBuf,
}

/// A sink whose bytes are all written and flushed to disk, waiting to be
/// put in place with [`Finished::commit`]. Dropped instead, it removes
/// its temporary file and leaves the target as it was.
#[must_use = "a finished file output is only put in place by `commit`"]
pub struct Finished {
    commit: Option<Commit>,
}

impl Finished {
    /// Rename a file output over its target (nothing to do for a stream
    /// or a file written in place), then flush the directory to disk so
    /// the rename is not lost in a crash either.
    pub fn commit(self) -> io::Result<()> {
        commit_all(vec![self]).map_err(|(_, e)| e)
    }
}

/// Commit outputs in order, with no interrupt between two renames (see
/// [`partial::persist_all`]). On a failure, the outputs from the failing
/// one on are left as they were, and its index is returned.
pub fn commit_all(finished: Vec<Finished>) -> Result<(), (usize, io::Error)> {
    let mut files = Vec::new();
    let mut indices = Vec::new();
    for (index, finished) in finished.into_iter().enumerate() {
        if let Some(commit) = finished.commit {
            files.push((commit.partial, commit.target));
            indices.push(index);
        }
    }
    let targets: Vec<PathBuf> = files.iter().map(|(_, target)| target.clone()).collect();
    partial::persist_all(files)
        .map_err(|(i, e)| (indices.get(i).copied().unwrap_or_default(), e))?;
    for target in targets {
        // The data is safe and in place already: a directory that cannot
        // be flushed only loses the rename in a crash.
        let _ = File::open(directory_of(&target)).and_then(|d| d.sync_all());
    }
    Ok(())
}

impl Sink {
    /// Standard output, buffered.
    pub fn stdout() -> Sink {
        Sink::plain(Plain::Stdout(BufWriter::with_capacity(
            BUFFER,
            io::stdout(),
        )))
    }

    /// Standard error, unbuffered.
    pub fn stderr() -> Sink {
        Sink::plain(Plain::Stderr(io::stderr()))
    }

    fn plain(plain: Plain) -> Sink {
        Sink {
            stream: Stream::Plain(plain),
            commit: None,
            syncer: None,
        }
    }

    /// A sink writing to `target`; gzip-compressed when `gzip`. A
    /// [`Target::Replace`] is written to a temporary file beside it that
    /// [`Finished::commit`] renames over it; anything else is written
    /// directly.
    pub fn open(target: &Target, gzip: bool) -> io::Result<Sink> {
        let mut sink = match target {
            Target::Stdout => Sink::stdout(),
            Target::Stderr => Sink::stderr(),
            Target::Direct(path) => {
                // Not created nor truncated: it exists, and is no file.
                let file = OpenOptions::new().write(true).open(path)?;
                Sink::plain(Plain::File(BufWriter::with_capacity(BUFFER, file)))
            }
            Target::Replace(path) => Sink::replacing(path)?,
        };
        if gzip {
            sink.stream = match sink.stream {
                Stream::Plain(plain) => {
                    Stream::Gzip(Box::new(GzEncoder::new(plain, Compression::default())))
                }
                gzip @ Stream::Gzip(_) => gzip,
            };
        }
        Ok(sink)
    }

    /// A temporary file beside `target`, flushed to disk as it is written.
    fn replacing(target: &Path) -> io::Result<Sink> {
        let (file, partial) = Partial::create(target)?;
        keep_owner_and_mode(&file, target)?;
        let syncer = Some(Box::new(Syncer::new(&file)?));
        Ok(Sink {
            stream: Stream::Plain(Plain::File(BufWriter::with_capacity(BUFFER, file))),
            commit: Some(Commit {
                partial,
                target: target.to_path_buf(),
            }),
            syncer,
        })
    }

    /// Write out everything and flush a temporary file to disk; the
    /// target is replaced only by [`Finished::commit`], so that several
    /// outputs can all be made safe before any of them is put in place.
    pub fn finish(self) -> io::Result<Finished> {
        let plain = match self.stream {
            Stream::Plain(plain) => plain,
            Stream::Gzip(gzip) => gzip.finish()?,
        };
        let file = match plain {
            Plain::Stdout(mut out) => return out.flush().map(|()| Finished { commit: None }),
            Plain::Stderr(mut out) => return out.flush().map(|()| Finished { commit: None }),
            Plain::File(out) => out.into_inner().map_err(|e| e.into_error())?,
        };
        if let Some(syncer) = self.syncer {
            syncer.finish()?;
        }
        if self.commit.is_some() {
            file.sync_all()?;
        }
        Ok(Finished {
            commit: self.commit,
        })
    }
}

/// Give the file that replaces `target` the target's permissions (a lead
/// file kept at 0600 must not come back readable by all) and, where
/// allowed, its owner and group (when root rewrites a user's file). A
/// new name keeps the usual permissions of a new file.
fn keep_owner_and_mode(file: &File, target: &Path) -> io::Result<()> {
    use std::os::unix::fs::MetadataExt;
    let Ok(old) = std::fs::metadata(target) else {
        return Ok(());
    };
    // Only root may give a file away; anyone may keep their own.
    let _ = std::os::unix::fs::fchown(file, Some(old.uid()), Some(old.gid()));
    file.set_permissions(old.permissions())
}

impl Write for Plain {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Plain::Stdout(out) => out.write(buf),
            Plain::Stderr(out) => out.write(buf),
            Plain::File(out) => out.write(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match self {
            Plain::Stdout(out) => out.write_all(buf),
            Plain::Stderr(out) => out.write_all(buf),
            Plain::File(out) => out.write_all(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Plain::Stdout(out) => out.flush(),
            Plain::Stderr(out) => out.flush(),
            Plain::File(out) => out.flush(),
        }
    }
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let written = match &mut self.stream {
            Stream::Plain(out) => out.write(buf),
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
            Stream::Plain(out) => out.write_all(buf),
            Stream::Gzip(out) => out.write_all(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.stream {
            Stream::Plain(out) => out.flush(),
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
        let mut sink = Sink::open(&Target::Replace(target.clone()), false).unwrap();
        let block: Vec<u8> = (0..1 << 20).map(|i| (i % 251) as u8).collect();
        // Past three background flushes.
        let blocks = 3 * (super::super::sync::SYNC_EVERY >> 20) + 1;
        for _ in 0..blocks {
            sink.write_all(&block).unwrap();
        }
        sink.write_all(b"end").unwrap();
        assert_eq!(
            std::fs::read(&target).unwrap(),
            b"the previous output",
            "the target is replaced only at the end"
        );
        let finished = sink.finish().unwrap();
        assert_eq!(
            std::fs::read(&target).unwrap(),
            b"the previous output",
            "the target is replaced only when committed"
        );
        finished.commit().unwrap();
        let written = std::fs::read(&target).unwrap();
        assert_eq!(written.len() as u64, blocks * (1 << 20) + 3);
        assert!(written
            .chunks(1 << 20)
            .take(blocks as usize)
            .all(|c| c == block));
        assert!(written.ends_with(b"end"));
    }
}
