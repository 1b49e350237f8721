//! Flushing a file being written to disk in the background, so that the
//! flush a rename must wait for has little left to do.

use std::fs::File;
use std::io;
use std::sync::mpsc::{sync_channel, SyncSender};
use std::thread::JoinHandle;

/// Bytes written to a file between two background flushes to disk (the
/// final flush, which nothing overlaps, has at most this much to write:
/// with 32 MB it took 14 to 64 ms on the benchmark's machine).
pub(super) const SYNC_EVERY: u64 = 8 << 20;

/// Flushes a file's data to disk in the background every [`SYNC_EVERY`]
/// bytes while the rest is being written. `Sink::finish` must flush the
/// file before renaming it (or a crash could leave a renamed, empty
/// target), and flushing 145 MB at the end took 57 ms of wall time, a
/// tenth of scoring a million leads on two cores; flushed as it goes, the
/// last flush has little left to do, and the waits overlap the scoring.
pub(super) struct Syncer {
    requests: Option<SyncSender<()>>,
    /// The thread's first error, reported by `finish` (a flush error is
    /// reported once: the final flush might not see it again).
    thread: Option<JoinHandle<io::Result<()>>>,
    unsynced: u64,
}

impl Syncer {
    pub(super) fn new(file: &File) -> io::Result<Syncer> {
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
    pub(super) fn wrote(&mut self, written: usize) {
        self.unsynced += written as u64;
        if self.unsynced >= SYNC_EVERY {
            self.unsynced = 0;
            if let Some(requests) = &self.requests {
                let _ = requests.try_send(());
            }
        }
    }

    /// Wait for the flush under way, if any; its error, if it failed.
    pub(super) fn finish(mut self) -> io::Result<()> {
        drop(self.requests.take());
        match self.thread.take().map(JoinHandle::join) {
            Some(Ok(result)) => result,
            Some(Err(_)) => Err(io::Error::other("the thread flushing the output failed")),
            None => Ok(()),
        }
    }
}
