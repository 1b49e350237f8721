//! What an output path leads to, and which paths name the same file.
//!
//! Only a regular file, or a name that does not exist yet, is written
//! through a temporary file renamed over it: renaming over a device, a
//! FIFO or a symbolic link would replace the node itself (`/dev/null`
//! becoming a regular file). Everything else is opened and written in
//! place. A symbolic link to a regular file is written through: the file
//! it points to is replaced, and the link stays.

use std::fs::{File, Metadata};
use std::io;
use std::os::fd::AsFd;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

/// Where an output goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// The process's standard output, under another name (`/dev/stdout`,
    /// `/dev/fd/1`): written to the stream the process already has.
    Stdout,
    /// Likewise standard error.
    Stderr,
    /// A regular file or a new name: written to a temporary file beside
    /// this path and renamed over it. For a symbolic link, the file it
    /// leads to.
    Replace(PathBuf),
    /// Not a regular file (a character device, a FIFO, a socket): opened
    /// and written in place.
    Direct(PathBuf),
}

/// Why an output path cannot be written.
#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    #[error("it is a directory; give a file name inside it")]
    Directory,
    #[error("it names no file; give a file name, such as scored.csv")]
    NoFileName,
    #[error("the directory `{0}` does not exist; create it first")]
    NoDirectory(PathBuf),
    #[error(
        "it is a symbolic link to `{0}`, which does not exist; create that file or remove the link"
    )]
    DanglingLink(PathBuf),
    #[error(transparent)]
    Io(#[from] io::Error),
}

impl Target {
    /// Decide from what is at `path` now.
    pub fn of(path: &Path) -> Result<Target, TargetError> {
        // `Path` ignores a trailing slash, the system does not.
        if path.file_name().is_none() || path.as_os_str().as_bytes().ends_with(b"/") {
            return Err(TargetError::NoFileName);
        }
        let node = match std::fs::symlink_metadata(path) {
            Ok(node) => node,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return new_file(path),
            Err(e) => return Err(e.into()),
        };
        let meta = if node.file_type().is_symlink() {
            match std::fs::metadata(path) {
                Ok(meta) => meta,
                Err(e) if e.kind() == io::ErrorKind::NotFound => {
                    return Err(TargetError::DanglingLink(std::fs::read_link(path)?))
                }
                Err(e) => return Err(e.into()),
            }
        } else {
            node.clone()
        };
        if meta.is_dir() {
            return Err(TargetError::Directory);
        }
        if same_as(&meta, &io::stdout()) {
            return Ok(Target::Stdout);
        }
        if same_as(&meta, &io::stderr()) {
            return Ok(Target::Stderr);
        }
        if !meta.is_file() {
            return Ok(Target::Direct(path.to_path_buf()));
        }
        if node.file_type().is_symlink() {
            return Ok(Target::Replace(std::fs::canonicalize(path)?));
        }
        Ok(Target::Replace(path.to_path_buf()))
    }

    /// Whether the file is replaced by renaming (so it needs a rejects
    /// file beside it by default, and a flush to disk before the rename).
    pub fn replaces(&self) -> bool {
        matches!(self, Target::Replace(_))
    }
}

/// A name that does not exist yet, in a directory that does.
fn new_file(path: &Path) -> Result<Target, TargetError> {
    let dir = directory_of(path);
    if !dir.is_dir() {
        return Err(TargetError::NoDirectory(dir.to_path_buf()));
    }
    Ok(Target::Replace(path.to_path_buf()))
}

/// Whether `meta` is the file a standard stream of this process is open on.
fn same_as(meta: &Metadata, stream: &impl AsFd) -> bool {
    stream_metadata(stream).is_some_and(|open| open.dev() == meta.dev() && open.ino() == meta.ino())
}

/// What a standard stream of this process is open on.
fn stream_metadata(stream: &impl AsFd) -> Option<Metadata> {
    let fd = stream.as_fd().try_clone_to_owned().ok()?;
    File::from(fd).metadata().ok()
}

/// What a path names, for telling whether two paths are one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identity {
    /// An existing file, symbolic links followed: hard links and other
    /// spellings of one file are equal.
    File { dev: u64, ino: u64 },
    /// A name that does not exist yet: its directory, canonicalized, and
    /// the name.
    New(PathBuf),
}

impl Identity {
    /// `None` when the path cannot be examined (it is reported when it is
    /// opened) or when it is a character device: a terminal or
    /// `/dev/null` can be both read and written, or written twice, without
    /// destroying anything.
    pub fn of(path: &Path) -> Option<Identity> {
        match std::fs::metadata(path) {
            Ok(meta) => Identity::of_file(&meta),
            Err(e) if e.kind() == io::ErrorKind::NotFound => new_name(path),
            Err(_) => None,
        }
    }

    /// What standard input is open on: `tally score m.tally - -o
    /// leads.csv < leads.csv` would replace the file being read.
    pub fn of_stdin() -> Option<Identity> {
        Identity::of_file(&stream_metadata(&io::stdin())?)
    }

    fn of_file(meta: &Metadata) -> Option<Identity> {
        (!meta.file_type().is_char_device()).then(|| Identity::File {
            dev: meta.dev(),
            ino: meta.ino(),
        })
    }
}

/// The directory a path's file is in (`.` for a bare name).
pub(crate) fn directory_of(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// The canonical directory of a new name, joined with it.
fn new_name(path: &Path) -> Option<Identity> {
    let name = path.file_name()?;
    let dir = std::fs::canonicalize(directory_of(path)).ok()?;
    Some(Identity::New(dir.join(name)))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn regular_files_and_new_names_are_replaced_and_a_fifo_is_written_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("out.csv");
        std::fs::write(&file, "x").unwrap();
        assert_eq!(Target::of(&file).unwrap(), Target::Replace(file.clone()));
        let new = dir.path().join("new.csv");
        assert_eq!(Target::of(&new).unwrap(), Target::Replace(new.clone()));
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        assert_eq!(Target::of(&fifo).unwrap(), Target::Direct(fifo.clone()));
        assert!(matches!(
            Target::of(dir.path()),
            Err(TargetError::Directory)
        ));
        for no_name in ["", "new/", "/", "a/.."] {
            assert!(
                matches!(Target::of(Path::new(no_name)), Err(TargetError::NoFileName)),
                "{no_name:?}"
            );
        }
        let error = Target::of(&dir.path().join("absent/out.csv")).unwrap_err();
        assert_eq!(
            error.to_string(),
            format!(
                "the directory `{}` does not exist; create it first",
                dir.path().join("absent").display()
            )
        );
    }

    #[test]
    fn a_link_to_a_regular_file_replaces_the_file_it_leads_to() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("real.csv");
        std::fs::write(&file, "x").unwrap();
        let link = dir.path().join("link.csv");
        std::os::unix::fs::symlink("real.csv", &link).unwrap();
        let real = std::fs::canonicalize(&file).unwrap();
        assert_eq!(Target::of(&link).unwrap(), Target::Replace(real));
        let dangling = dir.path().join("dangling.csv");
        std::os::unix::fs::symlink("absent.csv", &dangling).unwrap();
        let error = Target::of(&dangling).unwrap_err();
        assert_eq!(
            error.to_string(),
            "it is a symbolic link to `absent.csv`, which does not exist; \
             create that file or remove the link"
        );
    }

    #[test]
    fn spellings_of_one_file_have_one_identity() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("leads.csv");
        std::fs::write(&file, "x").unwrap();
        let hard = dir.path().join("hard.csv");
        std::fs::hard_link(&file, &hard).unwrap();
        let soft = dir.path().join("soft.csv");
        std::os::unix::fs::symlink(&file, &soft).unwrap();
        let dotted = dir.path().join(".").join("leads.csv");
        let id = Identity::of(&file).unwrap();
        for other in [&hard, &soft, &dotted] {
            assert_eq!(Identity::of(other).unwrap(), id, "{other:?}");
        }
        let new = Identity::of(&dir.path().join("sub/../new.csv"));
        assert_eq!(new, None, "the directory `sub` does not exist");
        let new = Identity::of(&dir.path().join("new.csv")).unwrap();
        let again = Identity::of(&dir.path().join(".").join("new.csv")).unwrap();
        assert_eq!(new, again);
        assert_ne!(new, id);
        assert_eq!(Identity::of(Path::new("/dev/null")), None);
    }
}
