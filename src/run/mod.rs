//! `uppfolj run`: every stage in order, from the inputs the pipeline file
//! names to a finished output folder. A run is a pure function of its inputs:
//! it recomputes every year whose inputs are present.

mod charts;
mod compute;
mod output;
pub mod progress;
mod summary;
mod unchanged;

pub use compute::compute;
pub use output::{
    PAUSE_WHILE_WRITING, may_replace, publish_charts, write_atomically, write_outputs,
};
pub use summary::{summary, tidy};
pub use unchanged::{Record, Stamp};

use std::path::PathBuf;

pub use crate::results::{Completeness, InputRecord, RunData};
use progress::Progress;

/// How a run goes.
pub struct Options {
    /// The report's year; by default the latest year with returns.
    pub year: Option<i32>,
    /// Use only cached reference statistics and local files.
    pub offline: bool,
    /// What unchanged inputs became in earlier runs ([`Cache::none`] for a cold run).
    pub cache: crate::cache::Cache,
}

/// What the summary says, and the exit status it leads to.
pub struct Summary {
    pub out: PathBuf,
    pub lines: Vec<String>,
    pub refused: usize,
}
