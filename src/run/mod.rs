//! `uppfolj run`: every stage in order, from the inputs the pipeline file
//! names to a finished output folder. A run is a pure function of its inputs:
//! it recomputes every year whose inputs are present. [`execute`] is the
//! whole lifecycle; read it first.

mod charts;
mod compute;
mod execute;
mod kept;
mod output;
pub mod progress;
mod starter;
mod summary;
mod unchanged;

pub use execute::{RunRequest, execute};
pub use output::{PAUSE_WHILE_WRITING, write_atomically};
pub use starter::{Started, start_assessments};

use std::path::PathBuf;

/// How a run goes, once its request is worked out.
struct Options {
    /// The report's year; by default the latest year with returns.
    year: Option<i32>,
    /// Use only cached reference statistics and local files.
    offline: bool,
    /// What unchanged inputs became in earlier runs ([`crate::cache::Cache::none`] for a cold run).
    cache: crate::cache::Cache,
}

/// What a run ends with: the summary's lines, and how many files were
/// refused (the exit status).
pub struct RunOutcome {
    pub out: PathBuf,
    pub lines: Vec<String>,
    pub refused: usize,
}
