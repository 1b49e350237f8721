//! What installing Tally adds to a system besides the binary: shell
//! completions (`tally completions SHELL`) and man pages (`tally man DIR`),
//! both generated from the command line's own definition, so they can
//! never disagree with what `tally` accepts.

use std::path::PathBuf;

use clap::{Args, Command};
use clap_complete::Shell;

use super::{io_reason, EXIT_FAILURE, EXIT_OK};

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell: bash, zsh, fish or powershell (elvish works too).
    #[arg(value_name = "SHELL")]
    shell: Shell,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Where to write the pages: `tally.1` and one `tally-COMMAND.1` per
    /// command (the directory is created when missing).
    #[arg(value_name = "DIR")]
    dir: PathBuf,
}

/// Print the completion script for a shell on standard output.
pub fn completions(args: &CompletionsArgs, mut cli: Command) -> u8 {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut cli, "tally", &mut script);
    super::output::print(&String::from_utf8_lossy(&script), EXIT_OK)
}

/// Write the man pages into a directory.
pub fn man(args: &ManArgs, cli: Command) -> u8 {
    let written =
        std::fs::create_dir_all(&args.dir).and_then(|()| clap_mangen::generate_to(cli, &args.dir));
    match written {
        Ok(()) => EXIT_OK,
        Err(e) => {
            let shown = args.dir.display();
            super::output::errln(&format!(
                "error: cannot write man pages to `{shown}`: {}",
                io_reason(&e)
            ));
            EXIT_FAILURE
        }
    }
}
