//! Temporary output files (`.OUT.tally-partial-XXXXXX`), and a registry
//! of the live ones, so that an interrupted run removes them.
//!
//! A file sink writes beside its target and renames over it only when
//! the run completes. Until then the temporary file is "live": dropping
//! its [`Partial`] removes it (every error path), and a SIGINT, SIGTERM
//! or SIGHUP removes every live one before the process exits
//! ([`remove_on_signals`]). SIGKILL cannot be caught: what it leaves is
//! named after the output, with `tally-partial` in the name, so a user
//! can tell what it is and that it is safe to delete.

use std::ffi::OsStr;
use std::fs::File;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, Once, PoisonError};

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

use super::target::directory_of;

/// Every temporary file created and neither renamed nor removed yet.
/// Files are created, renamed and removed while holding the lock, so the
/// signal handler, which takes it and never gives it back, sees each file
/// either live or gone, never half registered.
static LIVE: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// The part of the output's name kept in the temporary file's name: file
/// names are limited to 255 bytes, and the rest is added to it.
const NAME_KEPT: usize = 128;

fn live() -> MutexGuard<'static, Vec<PathBuf>> {
    // A thread that panicked holding the lock left the list whole: every
    // change to it is a single push or retain.
    LIVE.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A live temporary file, removed when dropped unless renamed.
pub(crate) struct Partial {
    path: Option<PathBuf>,
}

impl Partial {
    /// Create `.NAME.tally-partial-XXXXXX` beside `target` (NAME is the
    /// target's file name), with the usual permissions of a new file.
    pub(crate) fn create(target: &Path) -> io::Result<(File, Partial)> {
        let dir = directory_of(target);
        let mut live = live();
        let (file, temp) = builder(&prefix(target)).tempfile_in(dir)?.into_parts();
        let path = temp.keep().map_err(|e| e.error)?;
        live.push(path.clone());
        Ok((file, Partial { path: Some(path) }))
    }

    /// Rename the file over `target`. On failure the file is removed.
    fn persist_locked(&mut self, live: &mut Vec<PathBuf>, target: &Path) -> io::Result<()> {
        let Some(path) = self.path.take() else {
            return Ok(());
        };
        let renamed = std::fs::rename(&path, target);
        if renamed.is_err() {
            let _ = std::fs::remove_file(&path);
        }
        live.retain(|p| *p != path);
        renamed
    }

    fn remove_locked(&mut self, live: &mut Vec<PathBuf>) {
        if let Some(path) = self.path.take() {
            let _ = std::fs::remove_file(&path);
            live.retain(|p| *p != path);
        }
    }
}

/// Rename each file over its target, in order, holding the registry's
/// lock throughout: an interrupt waits until all are renamed, so it
/// never leaves some outputs new and others old. On a failure, the files
/// not renamed yet are removed and the failing one's index is returned.
pub(crate) fn persist_all(mut files: Vec<(Partial, PathBuf)>) -> Result<(), (usize, io::Error)> {
    let mut live = live();
    let mut failed = None;
    for (index, (partial, target)) in files.iter_mut().enumerate() {
        if failed.is_some() {
            partial.remove_locked(&mut live);
        } else if let Err(e) = partial.persist_locked(&mut live, target) {
            failed = Some((index, e));
        }
    }
    failed.map_or(Ok(()), Err)
}

impl Drop for Partial {
    fn drop(&mut self) {
        // Only a file still live takes the lock: `persist_all` drops its
        // files, all renamed or removed, while holding it.
        if self.path.is_some() {
            self.remove_locked(&mut live());
        }
    }
}

/// `.NAME.tally-partial-`, NAME cut to [`NAME_KEPT`] bytes.
fn prefix(target: &Path) -> PathBuf {
    let name = target.file_name().map_or(&[][..], OsStr::as_bytes);
    let kept = name.get(..NAME_KEPT).unwrap_or(name);
    let mut prefix = b".".to_vec();
    prefix.extend_from_slice(kept);
    prefix.extend_from_slice(b".tally-partial-");
    PathBuf::from(OsStr::from_bytes(&prefix))
}

fn builder(prefix: &Path) -> tempfile::Builder<'_, 'static> {
    use std::os::unix::fs::PermissionsExt;
    let mut builder = tempfile::Builder::new();
    builder
        .prefix(prefix)
        .rand_bytes(6)
        .permissions(std::fs::Permissions::from_mode(0o666));
    builder
}

/// From now on, SIGINT, SIGTERM and SIGHUP remove every live temporary
/// file and end the process with status 128 + the signal's number (130
/// for Ctrl-C, 143 for SIGTERM), as a shell reports a process killed by
/// it. Called once per process; later calls do nothing.
pub fn remove_on_signals() -> io::Result<()> {
    static INSTALLED: Once = Once::new();
    let mut result = Ok(());
    INSTALLED.call_once(|| result = install());
    result
}

fn install() -> io::Result<()> {
    let mut signals = Signals::new([SIGINT, SIGTERM, SIGHUP])?;
    std::thread::Builder::new()
        .name("tally-signals".into())
        .spawn(move || {
            if let Some(signal) = signals.forever().next() {
                // Held until the process ends: no file is created or
                // renamed after this.
                let live = live();
                for path in live.iter() {
                    let _ = std::fs::remove_file(path);
                }
                std::process::exit(128 + signal);
            }
        })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_partial_file_is_named_after_its_target_and_registered_until_renamed() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("scored.csv");
        let (_, partial) = Partial::create(&target).unwrap();
        let name = names(dir.path()).remove(0);
        assert!(name.starts_with(".scored.csv.tally-partial-"), "{name}");
        assert_eq!(name.len(), ".scored.csv.tally-partial-".len() + 6);
        assert!(live().contains(&dir.path().join(&name)));
        persist_all(vec![(partial, target)]).unwrap();
        assert_eq!(names(dir.path()), ["scored.csv"]);
        assert!(!live().contains(&dir.path().join(&name)));
    }

    #[test]
    fn a_dropped_partial_file_is_removed_and_unregistered() {
        let dir = tempfile::tempdir().unwrap();
        let (_, partial) = Partial::create(&dir.path().join("out.csv")).unwrap();
        let path = dir.path().join(names(dir.path()).remove(0));
        drop(partial);
        assert_eq!(names(dir.path()), Vec::<String>::new());
        assert!(!live().contains(&path));
    }

    #[test]
    fn files_renamed_together_stop_at_the_first_failure_and_leave_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let target = |name: &str| dir.path().join(name);
        std::fs::write(target("a"), "old a").unwrap();
        let mut files = Vec::new();
        for name in ["a", "no-such-dir/b", "c"] {
            let (mut file, partial) = Partial::create(&target("a")).unwrap();
            std::io::Write::write_all(&mut file, name.as_bytes()).unwrap();
            files.push((partial, target(name)));
        }
        let (index, _) = persist_all(files).unwrap_err();
        assert_eq!(index, 1);
        assert_eq!(names(dir.path()), ["a"]);
        assert_eq!(std::fs::read(target("a")).unwrap(), b"a");
    }

    #[test]
    fn a_long_output_name_is_cut_in_the_temporary_name() {
        let dir = tempfile::tempdir().unwrap();
        let long = "x".repeat(250);
        let (_, partial) = Partial::create(&dir.path().join(&long)).unwrap();
        let name = names(dir.path()).remove(0);
        assert_eq!(name.len(), 1 + NAME_KEPT + ".tally-partial-".len() + 6);
        drop(partial);
    }
}
