//! The `tally` binary: everything lives in the library's `cli` module.

fn main() -> std::process::ExitCode {
    tally::cli::run()
}
