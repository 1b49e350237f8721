//! Where output goes: standard output, standard error, or a file written
//! atomically (a temporary file beside it, renamed over it at the end).

use std::fs::File;
use std::io::{self, BufWriter, Stderr, Stdout, Write};
use std::path::{Path, PathBuf};

use flate2::write::GzEncoder;
use flate2::Compression;
use tempfile::TempPath;

/// Buffer size for writing.
const BUFFER: usize = 64 * 1024;

/// An output stream. Dropping a file sink without [`Sink::finish`]
/// removes its temporary file and leaves the target untouched.
pub struct Sink {
    stream: Stream,
    commit: Option<Commit>,
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
        }
    }

    /// Standard error, unbuffered.
    pub fn stderr() -> Sink {
        Sink {
            stream: Stream::Stderr(io::stderr()),
            commit: None,
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
        Ok(Sink { stream, commit })
    }

    /// Flush everything and, for a file, rename it over its target.
    pub fn finish(self) -> io::Result<()> {
        let file = match self.stream {
            Stream::Stdout(mut out) => return out.flush(),
            Stream::Stderr(mut out) => return out.flush(),
            Stream::File(out) => out.into_inner().map_err(|e| e.into_error())?,
            Stream::Gzip(out) => out.finish()?.into_inner().map_err(|e| e.into_error())?,
        };
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
        match &mut self.stream {
            Stream::Stdout(out) => out.write(buf),
            Stream::Stderr(out) => out.write(buf),
            Stream::File(out) => out.write(buf),
            Stream::Gzip(out) => out.write(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
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
