//! A model named as `REV:PATH`: the file PATH as it is at the git revision
//! REV of the repository around the current directory (`main:b2b.tally`).
//!
//! It runs the `git` binary (`git show REV:PATH`) rather than linking a git
//! library: whoever names a revision has git, the binary reads every
//! repository format and configuration git itself does (worktrees,
//! packed refs, partial clones), and it costs no dependency.

use std::path::Path;
use std::process::Command;

use super::read_input;

/// The bytes of a model argument and the name to show for it: a file (or
/// `-`), or `REV:PATH` when no file has that name.
pub fn read_model(argument: &str) -> Result<(String, Vec<u8>), String> {
    match split(argument) {
        Some((rev, path)) => show(rev, path).map(|bytes| (argument.to_string(), bytes)),
        None => {
            let name = if argument == "-" { "<stdin>" } else { argument };
            read_input(argument).map(|bytes| (name.to_string(), bytes))
        }
    }
}

/// `REV:PATH` split at its first colon, when it is not a file's name.
fn split(argument: &str) -> Option<(&str, &str)> {
    if argument == "-" || Path::new(argument).exists() {
        return None;
    }
    let (rev, path) = argument.split_once(':')?;
    (!rev.is_empty() && !path.is_empty()).then_some((rev, path))
}

fn show(rev: &str, path: &str) -> Result<Vec<u8>, String> {
    // `./` makes PATH relative to the current directory, as a file name
    // on the command line is, rather than to the repository's root.
    let object = if path.starts_with('/') || path.starts_with("./") {
        format!("{rev}:{path}")
    } else {
        format!("{rev}:./{path}")
    };
    let out = Command::new("git")
        .args(["show", "--no-textconv", &object])
        .output()
        .map_err(|e| format!("cannot run git to read `{rev}:{path}`: {e}"))?;
    if out.status.success() {
        return Ok(out.stdout);
    }
    let said = String::from_utf8_lossy(&out.stderr);
    let said = said.trim().trim_start_matches("fatal: ");
    Err(format!(
        "cannot read `{path}` at revision `{rev}`: git says: {said}"
    ))
}
