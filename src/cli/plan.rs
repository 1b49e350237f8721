//! `tally plan MODEL`: print the compiled evaluation plan.

use clap::Args;

use super::{load_model, output, EXIT_OK};
use crate::plan;

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The model (`-` reads standard input).
    #[arg(value_name = "MODEL")]
    model: String,
}

/// Run `tally plan`; returns the exit status.
pub fn run(args: &PlanArgs) -> u8 {
    match load_model(&args.model) {
        Ok((_, model)) => output::print(&plan::compile(&model).to_string(), EXIT_OK),
        Err(status) => status,
    }
}
