//! Lead files in, scored leads out: CSV and NDJSON, either one gzipped.
//!
//! The stage reads one way, like the compiler: [`input`] opens a file or
//! standard input (decompressing gzip); [`Reader`] turns it into a stream
//! of [`Record`]s with 1-based row numbers; [`Binding`] maps the plan's
//! fields to the header and reads a record's cells into a typed
//! [`Lead`](crate::eval::Lead); [`Layout`] decides the output columns and
//! refuses collisions; [`Writer`] writes scored records; [`Target`]
//! tells what `-o` names (a file to replace, or a device or FIFO to
//! write in place) and [`Sink`] makes replacing a file atomic;
//! [`score_stream`] runs them all in batches, in input order. A row that cannot be read becomes a [`Rejection`], never a panic
//! or a silent drop. Memory stays bounded by one batch, whatever the input
//! size.

mod account_walk;
mod accounts;
mod binding;
pub mod chunks;
mod core_record;
mod encode;
mod events;
mod format;
mod header_error;
pub mod input;
mod json;
mod layout;
mod limit;
mod partial;
mod plain;
mod read;
mod read_csv;
mod read_ndjson;
mod reject;
mod run;
mod score_csv;
mod sink;
mod sync;
mod target;
mod walk;
mod write;

pub use accounts::{account_pass, AccountPass, PassTables};
pub use binding::{BadValues, Binding};
pub use events::{events_of, lead_keys, read_events, EventsError, EventsFormat, EventsRead};
pub use format::{Format, NameHint};
pub use header_error::{HeaderError, HeaderNote, UnreadableHeader};
pub use layout::Layout;
pub use limit::RowLimit;
pub use partial::remove_on_signals;
pub use read::{Header, OpenError, Reader, Record, RowData};
pub use read_csv::{header_from, CsvWalk};
pub use reject::Rejection;
pub use run::{score_stream, Counts, Job, StreamError, BATCH};
pub use score_csv::{score_csv, CsvJob, Progress};
pub use sink::{commit_all, Finished, Sink};
pub use target::{Identity, Target, TargetError};
pub use walk::{walk, Cells, Done, RowHandler, Shape};
pub use write::Writer;

/// Internals the fuzz targets (`fuzz/`) and their replay test
/// (`tests/fuzz_replay.rs`) check directly; not part of the interface.
#[doc(hidden)]
pub mod fuzzing {
    pub use super::plain::{plain_line, unescape, Line};
}
