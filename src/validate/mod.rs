//! Validate: judges what ingest read, against the rules in the pipeline file.
//! Every finding names the file, the sheet and cell where there is one, what
//! is wrong and what to do, in Swedish: it goes back to the committee as is.

pub mod anonymity;
pub mod returns;
pub mod survey;

pub use crate::finding::{Finding, Severity};

use std::path::PathBuf;

use crate::pipeline::Pipeline;

/// What checking a set of files found.
#[derive(Debug, Default)]
pub struct Checked {
    pub findings: Vec<Finding>,
    /// Files refused whole.
    pub refused: Vec<String>,
}

/// Checks returns and survey files, each by the rules for its kind; `year`
/// is the year they must report on, if the user named one.
pub fn check_files(p: &Pipeline, files: &[PathBuf], year: Option<i32>) -> Checked {
    let mut places = crate::inputs::SurveyPlaces::of(p);
    let (surveys, returns): (Vec<PathBuf>, Vec<PathBuf>) =
        files.iter().cloned().partition(|f| places.holds(f));
    let mut out = Checked::default();
    if !returns.is_empty() {
        let o = returns::validate_files(p, &returns, year);
        out.findings.extend(o.findings);
        out.refused.extend(o.refused);
    }
    if !surveys.is_empty() {
        let o = survey::validate_files(p, &surveys, year);
        out.findings.extend(o.findings);
        out.refused.extend(o.refused);
    }
    out
}
