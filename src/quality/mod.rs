//! Is the model any good? What a scored lead file says about a model:
//! how well its scores and stages predict an outcome (`backtest`), and
//! the stamp that ties every result to the model text that made it.
//!
//! A stage after io: it reads lead files with [`crate::io::Reader`],
//! scores them with [`crate::eval::Scorer`], and returns plain data for
//! the command line to render. Memory grows with the leads only by one
//! score and one outcome each (for the ranking statistics); everything
//! else is counted as the rows stream past.

mod backtest;
mod calibrate;
mod collect;
mod column;
mod diff;
mod labels;
pub mod logistic;
mod ranked;
mod report;
mod stamp;
pub mod stats;

pub use backtest::{
    Backtest, BacktestCounter, BacktestPart, Candidate, Decile, RuleStats, Segment, Threshold,
    TierTable,
};
pub use calibrate::{
    rewrite, Calibration, CalibrationCounter, CalibrationError, RulePoints, MIN_CONVERSIONS,
};
pub use collect::{each_folded, Counts, Fold, Scored, Scoring, MAX_MODELS};
pub use column::{closest, read_outcome, Cols, Column, OutcomePart, WithOutcome};
pub use diff::{
    Changed, Diff, DiffCounter, DiffPart, DiffRows, Mover, RuleChange, Side, Spread,
    TierTransitions, Transition,
};
pub use report::{shown, Bar, Report, ReportCounter, ReportPart, ReportRows, Stability};
pub use stamp::ModelStamp;
