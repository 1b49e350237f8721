//! `tally init [DIR]`: a new models repository in one command — a starter
//! model with tests, a tiny lead file, a GitHub Actions workflow and a
//! pre-commit config, each passing as written (`tests/init.rs` runs every
//! command they contain on what `init` wrote).

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args;

use super::{io_reason, EXIT_FAILURE, EXIT_OK};

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The directory to start the repository in (created when missing).
    #[arg(value_name = "DIR", default_value = ".")]
    dir: PathBuf,
}

/// What `init` writes: the path inside DIR and the text.
const FILES: [(&str, &str); 4] = [
    ("scoring.tally", include_str!("init/starter.tally")),
    ("leads.csv", include_str!("init/leads.csv")),
    (
        ".github/workflows/tally.yml",
        include_str!("init/tally.yml"),
    ),
    (
        ".pre-commit-config.yaml",
        include_str!("init/pre-commit-config.yaml"),
    ),
];

pub fn run(args: &InitArgs) -> u8 {
    match init(&args.dir) {
        Ok(summary) => super::output::print(&summary, EXIT_OK),
        Err(message) => {
            super::output::errln(&format!("error: {message}"));
            EXIT_FAILURE
        }
    }
}

/// Write the files; the summary to print.
fn init(dir: &Path) -> Result<String, String> {
    // Nothing is written when any file is there already: a half-made
    // repository is worse than none, and a user's file is never replaced.
    let taken: Vec<String> = FILES
        .iter()
        .map(|(name, _)| dir.join(name))
        .filter(|path| path.symlink_metadata().is_ok())
        .map(|path| format!("`{}`", path.display()))
        .collect();
    if !taken.is_empty() {
        return Err(format!(
            "{} already exist{}; `tally init` writes only new files: choose an empty directory, e.g. `tally init scoring-models`",
            taken.join(", "),
            if taken.len() == 1 { "s" } else { "" }
        ));
    }
    for (name, text) in FILES {
        write_new(&dir.join(name), text)?;
    }
    let shown = dir.display();
    Ok(format!(
        "started a models repository in `{shown}`:\n\
         \x20 scoring.tally                 a starter model with two tests\n\
         \x20 leads.csv                     six leads to score\n\
         \x20 .github/workflows/tally.yml   checks models on every pull request\n\
         \x20 .pre-commit-config.yaml       checks them before every commit\n\
         next, in `{shown}`:\n\
         \x20 tally check scoring.tally && tally test scoring.tally\n\
         \x20 tally score scoring.tally leads.csv -o scored.csv\n"
    ))
}

/// Write a file that must not exist yet, creating its directory.
fn write_new(path: &Path, text: &str) -> Result<(), String> {
    let shown = path.display();
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create `{}`: {}", parent.display(), io_reason(&e)))?;
    }
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| format!("cannot create `{shown}`: {}", io_reason(&e)))?;
    file.write_all(text.as_bytes())
        .map_err(|e| format!("cannot write `{shown}`: {}", io_reason(&e)))
}
