//! Where `tally score` writes: the output and the rejects, decided from
//! the arguments before anything is read.
//!
//! A path that is the same file as an input, or as the other output, is
//! refused then: the output would overwrite the leads or the model, and
//! rejects written over the output would leave only the reject lines.
//! Files are compared by device and inode (hard links, symbolic links and
//! `./` spellings are caught), a new name by its canonical directory.
//!
//! A run that fails leaves both files as they were; one that succeeds
//! replaces both. Both are written to temporary files and flushed to disk
//! first; only then is the rejects file renamed into place, and the
//! output last: the output's rename is the moment the run counts as
//! done. An interrupt (Ctrl-C, SIGTERM) waits for both renames. A crash
//! or SIGKILL between them leaves the new rejects beside the previous
//! output, and the new output's temporary file
//! (`.OUT.tally-partial-XXXXXX`) beside them, which tells what happened.

use std::path::Path;

use super::{ScoreArgs, Stop};
use crate::cli::io_reason;
use crate::io::{self, Finished, Identity, NameHint, Sink, Target, TargetError};

/// The output and the rejects.
pub(super) struct Outputs {
    pub(super) out: Dest,
    pub(super) rejects: Dest,
}

/// One of them: what to open, and how messages name it.
pub(super) struct Dest {
    /// "standard output", or the path in backticks.
    pub(super) shown: String,
    target: Target,
    gzip: bool,
}

impl Dest {
    fn stream(target: Target) -> Dest {
        let shown = match target {
            Target::Stderr => "standard error",
            _ => "standard output",
        };
        Dest {
            shown: shown.to_string(),
            target,
            gzip: false,
        }
    }

    fn file(path: &str, gzip: bool) -> Result<Dest, Stop> {
        let shown = format!("`{path}`");
        let target = Target::of(Path::new(path)).map_err(|e| {
            let reason = match &e {
                TargetError::Io(error) => io_reason(error),
                other => other.to_string(),
            };
            Stop::Failure(format!("cannot write {shown}: {reason}"))
        })?;
        Ok(Dest {
            shown,
            target,
            gzip,
        })
    }

    fn open(&self) -> Result<Sink, Stop> {
        Sink::open(&self.target, self.gzip).map_err(|e| self.cannot_write(&e))
    }

    /// `cannot write SHOWN: REASON`. An output that is a pipe whose
    /// reader stopped reading (`tally score … | head`) ends the run
    /// quietly, with status 0, as the reader wanted no more.
    pub(super) fn cannot_write(&self, error: &std::io::Error) -> Stop {
        let piped = matches!(self.target, Target::Stdout | Target::Direct(_));
        if piped && error.kind() == std::io::ErrorKind::BrokenPipe {
            return Stop::Reported(crate::cli::EXIT_OK);
        }
        Stop::Failure(format!("cannot write {}: {}", self.shown, io_reason(error)))
    }
}

impl Outputs {
    /// `-o` (standard output by default) and `--rejects` (by default
    /// OUT.rejects beside an output file that is replaced, else standard
    /// error); refused when one is the same file as an input or as the
    /// other.
    pub(super) fn resolve(args: &ScoreArgs) -> Result<Outputs, Stop> {
        let out_path = args.output.as_deref().filter(|o| *o != "-");
        let out = match out_path {
            Some(path) => Dest::file(path, NameHint::of(path).gzip)?,
            None => Dest::stream(Target::Stdout),
        };
        let rejects_path = match args.rejects.as_deref() {
            Some("-") => None,
            Some(path) => Some(path.to_string()),
            None => out_path
                .filter(|_| out.target.replaces())
                .map(|path| format!("{path}.rejects")),
        };
        refuse_same_files(args, out_path, rejects_path.as_deref())?;
        let rejects = match &rejects_path {
            Some(path) => Dest::file(path, false)?,
            None => Dest::stream(Target::Stderr),
        };
        if out.target.replaces() || rejects.target.replaces() {
            io::remove_on_signals().map_err(|e| {
                Stop::Failure(format!(
                    "cannot watch for Ctrl-C to remove temporary files: {}",
                    io_reason(&e)
                ))
            })?;
        }
        Ok(Outputs { out, rejects })
    }

    /// Open both (temporary files for files that are replaced).
    pub(super) fn open(&self) -> Result<(Sink, Sink), Stop> {
        Ok((self.out.open()?, self.rejects.open()?))
    }

    /// Put both in place: the rejects first, the output last, with no
    /// interrupt between the two.
    pub(super) fn commit(&self, out: Finished, rejects: Finished) -> Result<(), Stop> {
        io::commit_all(vec![rejects, out]).map_err(|(index, e)| match index {
            0 => self.rejects.cannot_write(&e),
            _ => self.out.cannot_write(&e),
        })
    }
}

/// Refuse an output path that is the same file as an input or as the
/// other output.
fn refuse_same_files(
    args: &ScoreArgs,
    out: Option<&str>,
    rejects: Option<&str>,
) -> Result<(), Stop> {
    let main_inputs = [("the model", &args.model), ("the lead file", &args.leads)];
    let events = args
        .events
        .paths()
        .into_iter()
        .map(|p| ("the events file", p));
    let inputs: Vec<(&str, &str)> = main_inputs
        .iter()
        .map(|(role, path)| (*role, path.as_str()))
        .chain(events)
        .collect();
    // The default rejects path is one the user never typed: say so.
    let named = if args.rejects.is_none() {
        " (named after -o)"
    } else {
        ""
    };
    let outputs = [
        ("-o", "the output", "", out),
        ("--rejects", "the rejects file", named, rejects),
    ];
    let identity = |path: &str| match path {
        "-" => None,
        _ => Identity::of(Path::new(path)),
    };
    // An input may be `-`: standard input, which may be a file.
    let input_identity = |path: &str| match path {
        "-" => Identity::of_stdin(),
        _ => Identity::of(Path::new(path)),
    };
    for (option, role, note, path) in outputs {
        let Some(path) = path else { continue };
        let Some(id) = identity(path) else { continue };
        for &(input, input_path) in &inputs {
            if input_identity(input_path).as_ref() == Some(&id) {
                let shown = match input_path {
                    "-" => " on standard input".to_string(),
                    _ => format!(" `{input_path}`"),
                };
                return Err(Stop::Failure(format!(
                    "{role} `{path}`{note} is the same file as {input}{shown}: \
                     writing it would overwrite {input}; give {option} another path"
                )));
            }
        }
    }
    if let (Some(out), Some(rejects)) = (out, rejects) {
        if identity(out).is_some() && identity(out) == identity(rejects) {
            return Err(Stop::Failure(format!(
                "the rejects file `{rejects}` is the same file as the output `{out}`: \
                 one would overwrite the other; give --rejects another path"
            )));
        }
    }
    Ok(())
}
