//! The `tally` command line: arguments, files, exit codes, rendering.
//!
//! Thin by design: each command reads its inputs, calls the library and
//! renders what comes back. Only this module knows about terminals.

mod accounts;
mod backtest;
mod calibrate;
mod check;
mod common;
mod diff;
mod events;
mod events_option;
mod excerpt;
mod explain;
mod explain_json;
pub mod explain_text;
mod fmt;
mod init;
mod install;
mod leads;
mod output;
mod plan;
mod progress;
pub mod render;
mod report;
mod revision;
mod score;
mod sql;
mod style;
mod table;
mod test;

pub(crate) use common::{load_model, parse_date, today_utc};

use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};

/// Exit status: all good.
pub const EXIT_OK: u8 = 0;
/// Exit status: the input has problems (errors in a model, failing tests, …).
pub const EXIT_PROBLEMS: u8 = 1;
/// Exit status: the command could not run (bad arguments, unreadable file).
pub const EXIT_FAILURE: u8 = 2;

#[derive(Debug, Parser)]
#[command(name = "tally", version, about = "Lead-scoring models kept as code")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Parse and type-check models; print every error and warning.
    Check(check::CheckArgs),
    /// Run the `test` blocks of models.
    Test(test::TestArgs),
    /// Rewrite models in canonical layout; `--check` only shows the diff.
    Fmt(fmt::FmtArgs),
    /// Score a lead file: CSV or NDJSON in, scored leads out.
    Score(score::ScoreArgs),
    /// Why one lead scored what it did: every rule, fired or not.
    Explain(explain::ExplainArgs),
    /// Print the compiled evaluation plan of a model.
    Plan(plan::PlanArgs),
    /// Print one SQL query that scores a table inside an engine.
    Sql(sql::SqlArgs),
    /// What a model change does to a lead file: stage transitions, score
    /// changes, rule hits before and after.
    Diff(diff::DiffArgs),
    /// How well scores and stages predict an outcome column; thresholds
    /// the data supports.
    Backtest(backtest::BacktestArgs),
    /// The points the data supports for each rule, as a proposed model.
    Calibrate(calibrate::CalibrateArgs),
    /// One self-contained HTML page with the pictures of a scored file.
    Report(report::ReportArgs),
    /// Start a models repository: a starter model with tests, a lead file,
    /// a CI workflow and a pre-commit config.
    Init(init::InitArgs),
    /// Print shell completions (bash, zsh, fish, powershell).
    Completions(install::CompletionsArgs),
    /// Write man pages for tally and each of its commands into a directory.
    Man(install::ManArgs),
}

/// Run the command line; returns the process exit status.
pub fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            let code = if error.use_stderr() {
                EXIT_FAILURE
            } else {
                EXIT_OK
            };
            return ExitCode::from(code);
        }
    };
    let status = match cli.command {
        Command::Check(args) => check::run(&args),
        Command::Test(args) => test::run(&args),
        Command::Fmt(args) => fmt::run(&args),
        Command::Score(args) => score::run(&args),
        Command::Explain(args) => explain::run(&args),
        Command::Plan(args) => plan::run(&args),
        Command::Sql(args) => sql::run(&args),
        Command::Backtest(args) => backtest::run(&args),
        Command::Diff(args) => diff::run(&args),
        Command::Calibrate(args) => calibrate::run(&args),
        Command::Report(args) => report::run(&args),
        Command::Init(args) => init::run(&args),
        Command::Completions(args) => install::completions(&args, Cli::command()),
        Command::Man(args) => install::man(&args, Cli::command()),
    };
    ExitCode::from(status)
}

/// Read a model file, or standard input for `-`.
pub(crate) fn read_input(path: &str) -> Result<Vec<u8>, String> {
    use std::io::Read;
    if path == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
        return Ok(bytes);
    }
    std::fs::read(path).map_err(|e| format!("cannot read `{path}`: {}", io_reason(&e)))
}

/// An I/O error in plain words, without the OS error number.
fn io_reason(error: &std::io::Error) -> String {
    let text = error.to_string();
    match text.find(" (os error") {
        Some(end) => text.get(..end).unwrap_or(&text).to_lowercase(),
        None => text.to_lowercase(),
    }
}
